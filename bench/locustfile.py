"""A whole class using the site at once: the locust scenario `bench/run.py` drives.

User classes (pick them by name on the locust command line):

- `Student` (50 in the mixed run): logs in once, then loops: reads the lesson, opens My work,
  opens the assignment, saves the draft twice as the autosave script does (JSON, current
  version; on 409 takes the server's version), and now and then turns in and unsubmits so the
  loop can go on. Think time 1-3 s between steps.
- `ClassTurnsIn` (one per student): the whole class presses Turn in at the same instant (a
  barrier), BENCH_AT_ONCE_ROUNDS times; only that POST is "turn in, the whole class at once".
  Through locust's fast client (FastHttpUser), the others through requests.
- `Teacher` (2, `fixed_count`): logs in once, then opens the marking list, the gradebook and
  the insight page of the class's assignments, with think time.
- `LessonReader` and `HealthProbe`: the lesson page alone and `/healthz` alone, without think
  time, for the throughput baseline. Readers use sessions `run.py` made in the database, so
  they see the page as a logged-in student does without paying for a login in the window;
  with `BENCH_SESSIONS` empty they read it anonymously.

Every request carries `X-Forwarded-Proto: https` (and an `X-Forwarded-For`), as the
TLS-terminating proxy in front of gunicorn would send, so the production settings are the
ones measured: POSTs carry `Origin`/`Referer` for Django's HTTPS CSRF check, and the cookie
jar sends the `Secure` cookies on this plain-HTTP hop, as the proxy does.

Settings come from the environment (run.py sets them):
BENCH_STUDENTS  usernames of the students, comma separated (default demo-student-1..50)
BENCH_TEACHERS  usernames of the teachers (default demo-teacher twice: one class, one teacher)
BENCH_PASSWORD  their password (default the demo password)
BENCH_WORK      "assignment_id:lesson_slug,..." the students work on (found on My work if unset)
BENCH_MARKING   assignment ids the teachers open (found on the class page if unset)
BENCH_CLASSROOM the class id (found on My classes if unset)
BENCH_SESSIONS  session keys for LessonReader (it reads anonymously without them)
BENCH_LESSON    the lesson slug LessonReader reads (default kornilov-revolt)
BENCH_CSV       where the figures go: <prefix>_stats.csv and <prefix>_failures.csv, on exit
"""

import csv
import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlsplit

import gevent
import requests.cookies
from answers import answer_text
from gevent.event import Event
from geventhttpclient.useragent import CompatRequest
from locust import FastHttpUser, HttpUser, between, constant, events, task
from locust.exception import StopUser
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

PASSWORD = os.environ.get("BENCH_PASSWORD", "petrograd-1917")
STUDENTS = os.environ.get(
    "BENCH_STUDENTS", ",".join(f"demo-student-{n}" for n in range(1, 51))
).split(",")
TEACHERS = os.environ.get("BENCH_TEACHERS", "demo-teacher,demo-teacher").split(",")
WORK = [
    (int(pk), slug)
    for pk, _, slug in (
        item.partition(":") for item in os.environ.get("BENCH_WORK", "").split(",") if item
    )
]
MARKING = [int(pk) for pk in os.environ.get("BENCH_MARKING", "").split(",") if pk]
CLASSROOM = os.environ.get("BENCH_CLASSROOM", "")
SESSIONS = [key for key in os.environ.get("BENCH_SESSIONS", "").split(",") if key]
LESSON = os.environ.get("BENCH_LESSON", "kornilov-revolt")
# With BENCH_CLASS_USERS set, the class starts together: every user logs in, then the login
# figures go to BENCH_LOGIN_STATS, the statistics restart, and the class works for
# BENCH_SECONDS. Logins are measured, but they are not part of the class's figures.
CLASS_USERS = int(os.environ.get("BENCH_CLASS_USERS", "0"))
LOGIN_STATS = os.environ.get("BENCH_LOGIN_STATS", "")
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
TURN_IN_EVERY = 2  # every second loop ends in a turn-in (then an unsubmit)
AT_ONCE_NAME = "turn in, the whole class at once"

_student_numbers = itertools.count()
_teacher_numbers = itertools.count()
_reader_numbers = itertools.count()
_logged_in = itertools.count(1)
_class_started = Event()

LOGIN_FORM = 'name="password"'  # only the login page has this field
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
ANSWER_BOX = re.compile(r'<textarea name="answer-(\d+)"')
WORK_LINK = re.compile(r'href="/my-work/(\d+)/"')
LESSON_LINK = re.compile(r'href="/lessons/([\w-]+)/"')
ASSIGNMENT_LINK = re.compile(r'href="/assignments/(\d+)/"')
CLASS_LINK = re.compile(r'href="/classes/(\d+)/"')


class ProxyHopRequest(requests.cookies.MockRequest):
    """How the cookie jar sees a request: HTTPS when the proxy says the browser used HTTPS.

    The proxy speaks plain HTTP to gunicorn but carries the browser's cookies, Secure ones
    included; http.cookiejar would hold Secure cookies back from an "http" URL. requests
    builds this view of a request for every cookie decision (redirects included), so this is
    the one place to say which protocol the browser used.
    """

    def __init__(self, request) -> None:
        super().__init__(request)
        if request.headers.get("X-Forwarded-Proto") == "https":
            self.type = "https"


requests.cookies.MockRequest = ProxyHopRequest

# The same for the fast client (FastProxiedUser): its requests tell the cookie jar their
# scheme in `type`, which set_url sets from the URL ("http"). Every request of the whole class
# turning in at once carries X-Forwarded-Proto: https, so each is one the browser made over
# HTTPS. (Locust's own patch sets `type` on the class, which set_url's value hides.)
_compat_set_url = CompatRequest.set_url


def _set_url_as_the_browser_used_it(self, url, params=None) -> None:
    _compat_set_url(self, url, params)
    self.type = "https"


CompatRequest.set_url = _set_url_as_the_browser_used_it


class Proxied:
    """Talks to gunicorn as the TLS-terminating proxy would, for one client address.

    A mixin for locust's two HTTP users: `ProxiedUser` (requests) and `FastProxiedUser`
    (geventhttpclient, which costs a fraction of the CPU a request: the whole class turning in
    at once uses it, so that the load generator, on the same 2 cores as the server, takes as
    little from the server as it can). Every request carries the proxy's headers.
    """

    client_number = 0

    def on_start(self) -> None:
        number = self.client_number
        self.origin = "https://" + urlsplit(self.host).netloc
        self.proxy_headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.17.{number // 250}.{number % 250 + 1}",
            "User-Agent": "classroom-bench (locust)",
        }

    def post(self, path: str, data: dict, *, name: str, referer: str, **kwargs):
        """A form POST as a browser sends it over HTTPS: Origin and Referer for the CSRF check."""
        headers = {**self.proxy_headers, "Origin": self.origin, "Referer": self.origin + referer}
        headers.update(kwargs.pop("headers", {}))
        return self.client.post(path, data=data, name=name, headers=headers, **kwargs)

    def get_page(
        self, path: str, *, name: str, expect: str = "", login_ok: bool = False
    ) -> str | None:
        """GET a page; a redirect to the login page or a missing marker is a failure."""
        with self.client.get(
            path, name=name, headers=self.proxy_headers, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            # The fast client's response.url is the address asked for, not the one it was
            # redirected to: the login form on the page says it too.
            sent_to_login = "/accounts/login/" in response.url or LOGIN_FORM in response.text
            if sent_to_login and not login_ok:
                response.failure("sent to the login page")
                return None
            if expect and expect not in response.text:
                response.failure(f"page without {expect!r}")
                return None
            return response.text

    def log_in(self, username: str) -> bool:
        page = self.get_page("/accounts/login/", name="login page", login_ok=True)
        token = CSRF_INPUT.search(page or "")
        if not token:
            return False
        data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        with self.post(
            "/accounts/login/",
            data,
            name="login",
            referer="/accounts/login/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused for {username}: status {response.status_code}")
                return False
        return True

    def log_in_with_the_class(self, username: str) -> bool:
        """Log in; with BENCH_CLASS_USERS, then wait until the whole class has logged in."""
        ok = self.log_in(username)
        if CLASS_USERS:
            if next(_logged_in) == CLASS_USERS:
                start_the_class(self.environment)
            _class_started.wait()
            # The think time after logging in, as after every other step: without it the
            # whole class would send its first request in the same millisecond.
            self.wait()
        return ok


class ProxiedUser(Proxied, HttpUser):
    """Through requests: the mixed class, the teachers, the pages alone."""

    abstract = True


class FastProxiedUser(Proxied, FastHttpUser):
    """Through geventhttpclient: the whole class turning in at once."""

    abstract = True


_login_phase_started = time.monotonic()


def start_the_class(environment) -> None:
    """Everybody is in: keep the login figures, restart the statistics, stop in SECONDS."""
    stats = environment.runner.stats
    figures = {"seconds": round(time.monotonic() - _login_phase_started, 1), "requests": []}
    for (name, method), entry in sorted(stats.entries.items()):
        figures["requests"].append(
            {
                "name": name,
                "method": method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "median": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
                "max": entry.max_response_time,
            }
        )
    if LOGIN_STATS:
        with open(LOGIN_STATS, "w") as out:
            json.dump(figures, out)
    stats.reset_all()
    _class_started.set()
    gevent.spawn_later(SECONDS, environment.runner.quit)


@events.test_start.add_listener
def _test_start(**_kwargs) -> None:
    global _login_phase_started
    _login_phase_started = time.monotonic()


# The figures run.py reads: written once, when locust stops, from the complete statistics.
# (Locust's own --csv files are rewritten once a second while it runs and are not written
# again on the way out, so they miss the requests of the last second: a run that ends itself
# straight after the class's last turn-ins lost most of that round.)
CSV_PREFIX = os.environ.get("BENCH_CSV", "")
_environment = None


@events.init.add_listener
def _init(environment, **_kwargs) -> None:
    global _environment
    _environment = environment


@events.quit.add_listener
def _write_figures(**_kwargs) -> None:
    if not CSV_PREFIX or _environment is None:
        return
    figures = StatsCSV(_environment, PERCENTILES_TO_REPORT)
    with open(f"{CSV_PREFIX}_stats.csv", "w", newline="") as out:
        figures.requests_csv(csv.writer(out))
    with open(f"{CSV_PREFIX}_failures.csv", "w", newline="") as out:
        figures.failures_csv(csv.writer(out))


class StudentSteps:
    """What a student's browser does on the assignment page (both kinds of student user)."""

    def check(self, name: str, error: str) -> None:
        """A failed check that is not one request: locust counts it as a failure."""
        events.request.fire(
            request_type="CHECK",
            name=name,
            response_time=0,
            response_length=0,
            exception=AssertionError(error),
        )

    def read_form(self, page: str) -> dict | None:
        token, version = CSRF_INPUT.search(page), VERSION_INPUT.search(page)
        questions = ANSWER_BOX.findall(page)
        if not (token and version and questions):
            self.check("assignment form readable", "no form, version or answer boxes on the page")
            return None
        return {"token": token[1], "version": int(version[1]), "questions": questions}

    def form_data(self, form: dict) -> dict:
        data = {"csrfmiddlewaretoken": form["token"], "version": str(form["version"])}
        for question in form["questions"]:
            data[f"answer-{question}"] = answer_text(self.rng)
        return data

    def save_draft(self, pk: int, form: dict) -> bool:
        """The autosave request of static/js/answers.js: FormData, JSON back, X-CSRFToken."""
        with self.post(
            f"/my-work/{pk}/save/",
            self.form_data(form),
            name="work save",
            referer=f"/my-work/{pk}/",
            headers={"Accept": "application/json", "X-CSRFToken": form["token"]},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                # Changed elsewhere: the script shows both versions and saves on from the
                # server's version. Not a failure, but counted.
                form["version"] = int(response.json()["version"])
                response.success()
                events.request.fire(
                    request_type="NOTE",
                    name="save conflict (409)",
                    response_time=0,
                    response_length=0,
                    exception=None,
                )
                return True
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return False
            try:
                form["version"] = int(response.json()["version"])
            except (ValueError, KeyError) as error:
                response.failure(f"not the JSON the script expects: {error}")
                return False
        return True

    def turn_in(self, pk: int, form: dict) -> bool:
        """The form's "Turn in" button: a form POST, a redirect to the assignment page."""
        with self.post(
            f"/my-work/{pk}/turn-in/",
            self.form_data(form),
            name="turn in",
            referer=f"/my-work/{pk}/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
                return False
        page = self.get_page(f"/my-work/{pk}/", name="assignment page")
        if page is None:
            return False
        if 'id="work-form"' in page:  # refused: the page is still the editable form
            self.check("turned in", "turn-in refused")
            return False
        return True

    def unsubmit(self, pk: int) -> str | None:
        page = self.get_page(f"/my-work/{pk}/", name="assignment page") or ""
        token = CSRF_INPUT.search(page)
        if token is None:
            return None
        if 'id="work-form"' in page:
            return page
        with self.post(
            f"/my-work/{pk}/unsubmit/",
            {"csrfmiddlewaretoken": token[1]},
            name="unsubmit",
            referer=f"/my-work/{pk}/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
                return None
        return self.get_page(f"/my-work/{pk}/", name="assignment page", expect='id="work-form"')


class Student(StudentSteps, ProxiedUser):
    """A student of the mixed class: the steps are `StudentSteps`'s."""

    weight = 50
    wait_time = between(1, 3)

    def on_start(self) -> None:
        number = next(_student_numbers)
        self.client_number = number
        super().on_start()
        self.username = STUDENTS[number % len(STUDENTS)]
        self.rng = random.Random(f"bench-{number}")
        self.loops = 0
        self.work = WORK[number % len(WORK)] if WORK else None
        self.ready = self.log_in_with_the_class(self.username)
        if self.ready and self.work is None:
            self.work = self.find_work()

    def find_work(self) -> tuple[int, str] | None:
        page = self.get_page("/my-work/", name="my work") or ""
        for pk in WORK_LINK.findall(page):
            detail = self.get_page(f"/my-work/{pk}/", name="assignment page") or ""
            lesson = LESSON_LINK.search(detail)
            if 'id="work-form"' in detail and lesson:
                return int(pk), lesson[1]
        return None

    @task
    def work_on_assignment(self) -> None:
        if not self.ready or self.work is None:
            self.wait()
            return
        pk, slug = self.work
        self.loops += 1
        self.get_page(f"/lessons/{slug}/", name="lesson page", expect="<h1")
        self.wait()
        self.get_page("/my-work/", name="my work", expect=f"/my-work/{pk}/")
        self.wait()
        page = self.get_page(f"/my-work/{pk}/", name="assignment page")
        if page is None:
            return
        if 'id="work-form"' not in page:
            # Turned in (by an earlier loop cut short): take it back, as a student would.
            page = self.unsubmit(pk)
            if page is None:
                return
        form = self.read_form(page)
        if form is None:
            return
        for _ in range(2):  # typing, a pause, typing: the autosave fires after each pause
            self.wait()
            if not self.save_draft(pk, form):
                return
        if self.loops % TURN_IN_EVERY == 0:
            self.wait()
            if self.turn_in(pk, form):
                self.wait()
                self.unsubmit(pk)


class Barrier:
    """Holds each arriving user until `parties` have arrived, then lets them all go at once.

    One locust process runs its users as greenlets, so the count needs no lock; the event of
    each round is a new one. A user that never arrives (its login failed) would hold the rest
    forever, so the wait gives up after `timeout` seconds and says so.
    """

    def __init__(self, parties: int, timeout: float = 120) -> None:
        self.parties = parties
        self.timeout = timeout
        self.arrived = 0
        self.event = Event()

    def wait(self) -> bool:
        event = self.event
        self.arrived += 1
        if self.arrived == self.parties:
            self.arrived = 0
            self.event = Event()
            event.set()
            return True
        return event.wait(self.timeout)


AT_ONCE_ROUNDS = int(os.environ.get("BENCH_AT_ONCE_ROUNDS", "5"))
_at_once = Barrier(int(os.environ.get("BENCH_AT_ONCE_USERS", "0")) or len(STUDENTS))
_at_once_done = itertools.count(1)


class ClassTurnsIn(StudentSteps, FastProxiedUser):
    """The whole class presses Turn in at the same instant, BENCH_AT_ONCE_ROUNDS times.

    Each student logs in, opens the assignment (taking it back to Draft if it is turned in),
    saves a draft as the autosave does, and waits at the barrier; when the last one arrives,
    all send the Turn in form at once, and each browser follows the redirect to the page with
    its feedback. Only the POST is the measured "turn in, the whole class at once"; the page
    after it and the next round's preparation (unsubmit, save) are counted apart, and that
    preparation waits until the whole class has its page. When every student has done every
    round, the run stops.
    """

    wait_time = constant(0)

    def on_start(self) -> None:
        number = next(_student_numbers)
        self.client_number = number
        Proxied.on_start(self)
        self.username = STUDENTS[number % len(STUDENTS)]
        self.rng = random.Random(f"at-once-{number}")
        self.work = WORK[number % len(WORK)] if WORK else None
        self.ready = self.log_in(self.username) and self.work is not None
        self.rounds = 0

    @task
    def turn_in_with_the_class(self) -> None:
        form = self.draft_form() if self.ready else None
        if not _at_once.wait():
            self.check("the class turned in together", "a student never reached Turn in")
        if form is not None:
            pk = self.work[0]
            with self.post(
                f"/my-work/{pk}/turn-in/",
                self.form_data(form),
                name=AT_ONCE_NAME,
                referer=f"/my-work/{pk}/",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"status {response.status_code}")
            # The browser follows the redirect at once: the page with the instant feedback.
            page = self.get_page(f"/my-work/{pk}/", name="assignment page, after")
            if page is not None and 'id="work-form"' in page:
                self.check("turned in", "turn-in refused")
        # Everyone reads their feedback before the next round's preparation (unsubmitting,
        # saving) starts, so that preparation never runs beside the turn-ins it would slow.
        if not _at_once.wait():
            self.check("the class turned in together", "a student never finished turning in")
        self.rounds += 1
        if self.rounds == AT_ONCE_ROUNDS:
            if next(_at_once_done) == len(STUDENTS):
                self.environment.runner.quit()
            raise StopUser

    def draft_form(self) -> dict | None:
        """The assignment page as Draft, with a saved draft: ready to press Turn in."""
        pk = self.work[0]
        page = self.get_page(f"/my-work/{pk}/", name="assignment page, before")
        if page is not None and 'id="work-form"' not in page:
            page = self.unsubmit(pk)
        form = self.read_form(page) if page is not None else None
        if form is not None and self.save_draft(pk, form):
            return form
        return None


class Teacher(ProxiedUser):
    fixed_count = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        number = next(_teacher_numbers)
        self.client_number = 1000 + number
        super().on_start()
        self.ready = self.log_in_with_the_class(TEACHERS[number % len(TEACHERS)])
        self.classroom = CLASSROOM
        self.assignments = list(MARKING)
        if self.ready and not (self.classroom and self.assignments):
            self.find_class()

    def find_class(self) -> None:
        page = self.get_page("/classes/", name="my classes") or ""
        self.classroom = self.classroom or next(iter(CLASS_LINK.findall(page)), "")
        if self.classroom and not self.assignments:
            page = self.get_page(f"/classes/{self.classroom}/", name="class page") or ""
            self.assignments = [int(pk) for pk in dict.fromkeys(ASSIGNMENT_LINK.findall(page))]

    @task
    def look_at_the_class(self) -> None:
        if not (self.ready and self.classroom and self.assignments):
            self.wait()
            return
        pk = random.choice(self.assignments)
        self.get_page(f"/assignments/{pk}/", name="marking list", expect="<table")
        self.wait()
        self.get_page(f"/classes/{self.classroom}/gradebook/", name="gradebook", expect="<table")
        self.wait()
        self.get_page(f"/assignments/{pk}/insight/", name="insight")


class LessonReader(ProxiedUser):
    """The lesson page alone, as fast as it comes: signed in, or anonymous without sessions."""

    weight = 1
    wait_time = constant(0)

    def on_start(self) -> None:
        number = next(_reader_numbers)
        self.client_number = 2000 + number
        super().on_start()
        if SESSIONS:
            self.client.cookies.set("sessionid", SESSIONS[number % len(SESSIONS)])

    @task
    def read(self) -> None:
        self.get_page(f"/lessons/{LESSON}/", name="lesson page", expect="<h1")


class HealthProbe(ProxiedUser):
    """/healthz alone: the app and one database query, the most the server can do at all."""

    weight = 1
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client_number = 3000 + next(_reader_numbers)
        super().on_start()

    @task
    def probe(self) -> None:
        self.get_page("/healthz", name="/healthz", expect="ok")
