"""Settings for the classroom site, read from the environment.

Every setting has a development default, so a fresh clone runs with nothing set.
`DJANGO_DEBUG=false` plus `DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS` is a
production configuration (HTTPS redirect, secure cookies, HSTS). `.env.example`
lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")

# `make run HOST=0.0.0.0` serves a class on the school network: it passes the address other
# machines reach this one at (e.g. http://192.168.1.20:8000), which DEBUG then allows as a host
# and which is the address on login cards and the join panel unless SITE_URL says otherwise.
LAN_URL = env.str("DJANGO_LAN_URL", default="").rstrip("/")
_LAN_HOSTS = [urlsplit(LAN_URL).hostname or ""] if LAN_URL else []
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", *_LAN_HOSTS] if DEBUG else [],
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# JSON for the autosave script (logged out, or only an old token); the usual page otherwise.
CSRF_FAILURE_VIEW = "classroom.http.csrf_failure"
# The address students type, printed on login cards and the join panel: empty means the
# address the teacher's own browser used.
SITE_URL = env.str("SITE_URL", default=LAN_URL).rstrip("/")
if SITE_URL and urlsplit(SITE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        f"SITE_URL must be a full address such as https://classroom.example.org, not {SITE_URL!r}."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "classroom",
    "lessons",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the session, user and messages (the 404 page shows the navigation), before
    # CommonMiddleware sees the response (it still adds a missing slash first).
    "classroom.middleware.NotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "classroom.middleware.PasswordChangeRequiredMiddleware",
    "classroom.middleware.NoStoreWhenSignedInMiddleware",
    "classroom.middleware.LoginCardsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "classroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "classroom.http.site",
            ],
        },
    },
]

WSGI_APPLICATION = "classroom.wsgi.application"

# Database: a SQLite file by default; DATABASE_URL picks another
# (sqlite:////absolute/path.sqlite3 or postgres://user:pass@host:5432/name).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many students save at once: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock at BEGIN (so a transaction never fails
    # half-way on upgrade), and the busy timeout makes writers queue instead
    # of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        }
    )
    # Tests use a file too, so they run on the same journal and locking as production; one
    # per process, so test runs side by side never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: once a connection has run a query 5 times (psycopg's threshold),
    # it is planned once more and the plan kept, instead of planned on every run. Planning was
    # about half of PostgreSQL's CPU for a student's turn-in and its page (bench/README.md).
    # Django leaves them off for poolers that hand one session's statements to another
    # connection (PgBouncer in transaction mode without prepared statement support):
    # DATABASE_PREPARED_STATEMENTS=false behind one of those.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
# A worker keeps its connection between requests. On SQLite too: opening one (with the
# PRAGMAs above) and closing it (a WAL checkpoint when it is the last) cost about 2 ms a
# request, a fifth of a turn-in's page. runserver still closes them after each request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Shared by every worker: the database cache by default, Redis from CACHE_URL.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://django_cache")}

AUTH_USER_MODEL = "classroom.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "classroom.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "lessons:lesson-list"

# django-axes: lock a username from one address after 5 failures; never by
# address alone, because a whole school shares one public address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "classroom.http.client_ip"
# How many proxies in front of the app append to X-Forwarded-For (see classroom.http).
# Proxies in front of the app that append to X-Forwarded-For. 0 (the default, also in
# production): the header is ignored, so a client reaching the app directly cannot choose the
# address the login lockout and the join-code limit count. Set 1 behind one such proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Wrong join codes allowed per address in a window (shared cache, so every worker counts).
# Generous, because a whole school may share one public address.
# Wrong join codes (and wrong teacher sign-up codes) per window: few per browser, many per
# address, because a whole school reaches the site from one address.
JOIN_CODE_LIMIT = env.int("JOIN_CODE_LIMIT", default=10)
JOIN_CODE_ADDRESS_LIMIT = env.int("JOIN_CODE_ADDRESS_LIMIT", default=200)
JOIN_CODE_WINDOW_SECONDS = env.int("JOIN_CODE_WINDOW_SECONDS", default=600)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the console in development; EMAIL_URL (smtp+tls://user:pass@host:587) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="classroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (emailing notifications, re-marking) through Django's Tasks API: the
# django-tasks backport of Django 6's django.tasks. By default tasks wait in the database until
# `manage.py db_worker` (started by `make run`) runs them; TASKS_BACKEND picks another backend,
# e.g. django_tasks.backends.immediate.ImmediateBackend (run at once, in the request) or a
# broker-backed one (README, "Background work").
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Teachers may sign up with this code; sign-up is closed when it is empty.
TEACHER_SIGNUP_CODE = env.str("TEACHER_SIGNUP_CODE", default="")

# Content-Security-Policy, on in development too so a page that breaks it breaks in tests.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions (the same table), the read of a session compiled once.
SESSION_ENGINE = "classroom.sessions"
# Classroom computers are shared: by default a session ends when the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
