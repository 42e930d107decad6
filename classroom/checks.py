"""System checks of our own, run by `manage.py check` (and `--deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

CONSOLE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security, deploy=True)
def email_reaches_people(app_configs, **kwargs) -> list[Warning]:
    """In production, password reset links must be emailed, not printed into the log."""
    if settings.EMAIL_BACKEND in CONSOLE_BACKENDS:
        return [
            Warning(
                "Email is not sent in production: password reset links would only be written"
                " to the console log, where anyone who reads the log could use them.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587.",
                id="classroom.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def links_in_emails_reach_the_site(app_configs, **kwargs) -> list[Warning]:
    """Notification and password-reset emails link back with SITE_URL."""
    if not settings.SITE_URL:
        return [
            Warning(
                "SITE_URL is not set: the links in notification emails would point at"
                " http://localhost:8000, which no one else can open.",
                hint="Set SITE_URL to the address people use, e.g. https://classroom.example.org.",
                id="classroom.W002",
            )
        ]
    return []
