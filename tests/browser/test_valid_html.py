"""Every page of every role is valid HTML: the Nu HTML Checker (vnu.jar) finds no error.

The pages are found as a person finds them: from each role's first pages, every link to this
site is followed (GET only; not the logout, downloads or the static files), up to a bound per
role. The checker reads them all in one run. Needs Java and npm's vnu-jar (`make test` installs
it); without them the test skips with the reason, except in CI, where it fails.
"""

import json
import os
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path

import pytest
from django.test import Client

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

START = {
    "visitor": [
        "/",
        "/overview/",
        "/glossary/",
        "/join/",
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/signup/",
        "/no-such-page/",
    ],
    "student": ["/my-work/", "/accounts/password_change/", "/join/"],
    "teacher": ["/classes/", "/comment-bank/", "/accounts/password_change/"],
    "admin": ["/admin/"],
}
PAGES_PER_ROLE = {"visitor": 40, "student": 40, "teacher": 80, "admin": 60}
LINK = re.compile(r'href="(/[^"#?]*)')
SKIP = re.compile(
    r"^/(static/|accounts/logout|admin/logout|admin/jsi18n)|\.(csv|yaml|zip|json)$|/export"
)


def checker() -> list[str]:
    """The command that runs the checker, or a skip (a failure in CI) saying what is missing."""
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java (Debian: apt-get install -y default-jre-headless)")
    if not VNU.exists():
        missing.append("vnu.jar (run `make test`, which runs `npm ci`)")
    if missing:
        message = "The HTML checker needs " + " and ".join(missing) + "."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-Xss2m", "-jar", str(VNU)]


def crawl(client: Client, start: list[str], limit: int) -> dict[str, str]:
    """Pages reached from `start` by following links to this site: {path: html}."""
    pages: dict[str, str] = {}
    queue = deque(start)
    seen = set(start)
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", "") or response.status_code >= 500:
            continue
        if response.status_code in (301, 302):
            continue
        html = response.content.decode()
        pages[path] = html
        for link in LINK.findall(html):
            if link not in seen and not SKIP.search(link):
                seen.add(link)
                queue.append(link)
    return pages


def test_every_page_of_every_role_is_valid_html(world, tmp_path):
    command = checker()
    users = {
        "visitor": None,
        "student": world.student,
        "teacher": world.teacher,
        "admin": world.admin,
    }
    files: dict[str, str] = {}
    for role, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for path, html in crawl(client, START[role], PAGES_PER_ROLE[role]).items():
            name = f"{role}{path.replace('/', '_')}.html"
            (tmp_path / name).write_text(html)
            files[name] = f"{role} {path}"
    assert len(files) > 60, f"only {len(files)} pages found: is the crawl broken?"

    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--exit-zero-always", "--stdout"]
        + sorted(str(tmp_path / name) for name in files),
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stdout or "{}").get("messages", [])
    errors = [m for m in messages if m.get("type") == "error"]
    report = "\n".join(
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))}: line {m.get('lastLine')}: "
        f"{m.get('message')} [{(m.get('extract') or '').strip()[:120]}]"
        for m in errors
    )
    assert not errors, f"{len(errors)} errors in {len(files)} pages:\n{report}"
