"""Every HTML page carries the Content-Security-Policy and the other security headers."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _pages(world):
    """(who, url): public pages, then a teacher's and a student's."""
    return [
        (None, reverse("lessons:lesson-list")),
        (None, reverse("lessons:overview")),
        (None, reverse("lessons:lesson-detail", args=[world.lesson.slug])),
        (None, reverse("login")),
        (None, reverse("classroom:join")),
        (None, reverse("password_reset")),
        (world.teacher_a, reverse("classroom:classroom-list")),
        (world.teacher_a, reverse("classroom:classroom-detail", args=[world.class_a.pk])),
        (world.teacher_a, reverse("classroom:attempt-mark", args=[world.attempt.pk])),
        (world.student_a, reverse("classroom:work-list")),
        (world.student_a, reverse("classroom:work-detail", args=[world.assignment.pk])),
        (world.student_a, "/no-such-page/"),  # the 404 page too
    ]


def test_every_html_page_has_the_security_headers(client, world):
    for user, url in _pages(world):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        where = f"{url} as {user or 'visitor'}"
        assert response.status_code in (200, 404), where
        assert response["Content-Type"].startswith("text/html"), where

        policy = _policy(response)
        assert policy.get("default-src") == ["'self'"], where
        for directive in ("script-src", "style-src"):
            sources = policy.get(directive, policy["default-src"])
            assert "'unsafe-inline'" not in sources, where
            assert "'unsafe-eval'" not in sources, where
        for directive, sources in policy.items():
            for source in sources:
                # Only our own origin, keywords ('none', 'self') and data: (images) are allowed.
                assert source.startswith("'") or source == "data:", f"{where}: {directive} {source}"
        assert "data:" in policy["img-src"], where
        assert policy.get("frame-ancestors") == ["'none'"], where

        assert response["X-Content-Type-Options"] == "nosniff", where
        assert response["Referrer-Policy"] == "same-origin", where
        assert response["X-Frame-Options"] == "DENY", where
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", where


def _template_files() -> list[Path]:
    """Our templates: the project's templates/ and any app's templates/ (Django's own aside)."""
    dirs = [ROOT / "templates"]
    for app in ("classroom", "lessons"):
        dirs.append(ROOT / app / "templates")
    return sorted(
        p for d in dirs if d.is_dir() for p in d.rglob("*") if p.suffix in {".html", ".txt"}
    )


INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I), "inline <script> (use a static file)"),
    (re.compile(r"<style\b", re.I), "<style> element (use static/css)"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute (use a CSS class)"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*= event handler (use addEventListener)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_nothing_the_csp_blocks():
    files = _template_files()
    assert files, "no templates found"
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert problems == []
