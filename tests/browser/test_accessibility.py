"""axe-core on every page a visitor, a student and a teacher can reach: WCAG 2.x A and AA.

Each page is its own test, so each failure shows. PAGES is the list of pages checked: a new
page without an entry here is a page without a check.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import force_log_in

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}


def _work(status):
    return lambda w: reverse("classroom:work-detail", args=[w.work[status].pk])


def _shaped(url):
    """`url` of the world once shaped: the Late work extended for the student by a day, and
    the Missing work set for the student alone (chosen students)."""

    def address(w):
        from django.utils import timezone

        from classroom import services

        late = w.work["Late"]
        services.grant_extension(
            assignment=late, student=w.student, due_at=timezone.now(), teacher=w.teacher
        )
        services.update_assignment(assignment=w.work["Missing"], students=[w.student])
        return url(w)

    return address


def _talked(w) -> None:
    """An announcement and a thread on the turned-in work, each side's last word unread."""
    from classroom import services

    if w.classroom.announcements.exists():
        return
    services.post_announcement(
        classroom=w.classroom, author=w.teacher, body="Test on **Friday**: revise [the lessons](/)."
    )
    for author, body in ((w.student, "Is question 2 about 1917?"), (w.teacher, "Yes, it is.")):
        services.post_comment(
            assignment=w.work["Turned in"], student=w.student, author=author, body=body
        )
    services.post_comment(
        assignment=w.work["Turned in"], student=w.student, author=w.student, body="Thank you!"
    )


def _after_talk(address):
    def made(w):
        _talked(w)
        return address(w)

    return made


def _announcement(name):
    return _after_talk(
        lambda w: reverse(f"classroom:{name}", args=[w.classroom.announcements.get().pk])
    )


# name -> (who is logged in, address)
PAGES = {
    "lesson list": (None, lambda w: reverse("lessons:lesson-list")),
    "overview": (None, lambda w: reverse("lessons:overview")),
    "glossary": (None, lambda w: reverse("lessons:glossary")),
    "lesson page": (None, lambda w: "/lessons/kornilov-revolt/"),
    "login": (None, lambda w: reverse("login")),
    "join": (None, lambda w: reverse("classroom:join")),
    "join (logged-in student)": ("student", lambda w: reverse("classroom:join")),
    "My work": ("student", lambda w: reverse("classroom:work-list")),
    "assignment: Assigned": ("student", _work("Assigned")),
    "assignment: Draft": ("student", _work("Draft")),
    "assignment: Turned in": ("student", _work("Turned in")),
    "assignment: Returned": ("student", _work("Returned")),
    "assignment: Late": ("student", _work("Late")),
    "assignment: Missing": ("student", _work("Missing")),
    "My classes": ("teacher", lambda w: reverse("classroom:classroom-list")),
    "create class form": ("teacher", lambda w: reverse("classroom:classroom-create")),
    "class page": ("teacher", lambda w: w.classroom.get_absolute_url()),
    "add students form": (
        "teacher",
        lambda w: reverse("classroom:students-add", args=[w.classroom.pk]),
    ),
    "login cards (none kept)": (
        "teacher",
        lambda w: reverse("classroom:students-cards", args=[w.classroom.pk]),
    ),
    "delete assignment (no work)": (
        "teacher",
        lambda w: reverse("classroom:assignment-delete", args=[w.work["Assigned"].pk]),
    ),
    "delete assignment (with work)": (
        "teacher",
        lambda w: reverse("classroom:assignment-delete", args=[w.work["Turned in"].pk]),
    ),
    "assign form": (
        "teacher",
        lambda w: reverse("classroom:assignment-create", args=[w.classroom.pk]),
    ),
    "marking list": ("teacher", lambda w: w.work["Turned in"].get_absolute_url()),
    "marking list (an extension)": (
        "teacher",
        _shaped(lambda w: w.work["Late"].get_absolute_url()),
    ),
    "marking list (chosen students)": (
        "teacher",
        _shaped(lambda w: w.work["Missing"].get_absolute_url()),
    ),
    "edit assignment form": (
        "teacher",
        lambda w: reverse("classroom:assignment-update", args=[w.work["Missing"].pk]),
    ),
    "extension form": (
        "teacher",
        _shaped(
            lambda w: reverse("classroom:extension-update", args=[w.work["Late"].pk, w.student.pk])
        ),
    ),
    "gradebook (extension, chosen students)": (
        "teacher",
        _shaped(lambda w: reverse("classroom:classroom-gradebook", args=[w.classroom.pk])),
    ),
    "My work (an extension)": ("student", _shaped(lambda w: reverse("classroom:work-list"))),
    "assignment: extended": ("student", _shaped(_work("Late"))),
    "marking view": (
        "teacher",
        lambda w: reverse("classroom:attempt-mark", args=[w.turned_in.pk]),
    ),
    "marking view (returned)": (
        "teacher",
        lambda w: reverse("classroom:attempt-mark", args=[w.returned.pk]),
    ),
    "gradebook": (
        "teacher",
        lambda w: reverse("classroom:classroom-gradebook", args=[w.classroom.pk]),
    ),
    "insight": (
        "teacher",
        lambda w: reverse("classroom:assignment-insight", args=[w.work["Turned in"].pk]),
    ),
    "comment bank": ("teacher", lambda w: reverse("classroom:commentbank-list")),
    "class page (announcements)": (
        "teacher",
        _after_talk(lambda w: w.classroom.get_absolute_url()),
    ),
    "new announcement form": (
        "teacher",
        lambda w: reverse("classroom:announcement-create", args=[w.classroom.pk]),
    ),
    "edit announcement": ("teacher", _announcement("announcement-update")),
    "delete announcement": ("teacher", _announcement("announcement-delete")),
    "marking list (unread comments)": (
        "teacher",
        _after_talk(lambda w: w.work["Turned in"].get_absolute_url()),
    ),
    "marking view (comments)": (
        "teacher",
        _after_talk(lambda w: reverse("classroom:attempt-mark", args=[w.turned_in.pk])),
    ),
    "comments (no work yet)": (
        "teacher",
        lambda w: reverse(
            "classroom:assignment-comments", args=[w.work["Assigned"].pk, w.student.pk]
        ),
    ),
    "My work (announcements, unread reply)": (
        "student",
        _after_talk(lambda w: reverse("classroom:work-list")),
    ),
    "assignment: Turned in (comments)": ("student", _after_talk(_work("Turned in"))),
    "notifications (student, unread)": (
        "student",
        lambda w: reverse("classroom:notification-list"),
    ),
    "notifications (teacher, none)": ("teacher", lambda w: reverse("classroom:notification-list")),
    "account": ("student", lambda w: reverse("classroom:account-update")),
    "comment bank: edit a comment": (
        "teacher",
        lambda w: reverse("classroom:commentbank-update", args=[w.teacher.comment_bank.get().pk]),
    ),
}


def test_the_list_of_checked_pages():
    """Printed with -s, and kept in step with the parametrized test below."""
    print("\naxe checks these pages:\n" + "\n".join(f"  - {name}" for name in PAGES))
    assert len(PAGES) >= 20


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(name, page, world, live_server, axe):
    who, address = PAGES[name]
    if who is not None:
        force_log_in(page, getattr(world, who), live_server.url)
    response = page.goto(address(world))
    assert response is not None and response.status == 200, f"{name}: {response.status}"
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    result = axe.run(page, options=AXE_OPTIONS)
    violations = result.response["violations"]
    assert not violations, f"axe on {name} ({page.url}):\n{describe(violations)}"
