"""Every URL pattern, requested by every kind of person, with teacher A's objects.

Two teachers each have a class with a student; student A has turned in work in teacher A's
class. Each address is requested as a visitor, as student B (another class), as teacher B
(another teacher) and as the owner (teacher A, or student A for student pages). A pattern
without an entry in EXPECTED fails the test, so the matrix stays complete.
"""

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from classroom.models import Announcement, Attempt, Enrolment, Extension, WorkComment
from tests.factories import PASSWORD
from tests.worlds import ANNOUNCEMENT, BANKED_COMMENT, BORIS_TEXT

LOGIN = "login redirect"
ROLES = ("visitor", "other student", "other teacher", "owner")
SKIP_NAMESPACES = {"admin"}  # the admin has its own tests: only staff reach it
SKIP_NAMES = {"password_reset_confirm"}  # needs a real uidb64 and token from an email

# name: (whose page it is, GET as visitor, other student, other teacher, owner)
PUBLIC = ("public", 200, 200, 200, 200)
TEACHER_LIST = ("teacher", LOGIN, 403, 200, 200)  # no object: every teacher has their own
TEACHER_OBJECT = ("teacher", LOGIN, 403, 404, 200)
TEACHER_POST = ("teacher", LOGIN, 403, 405, 405)  # POST only; the role check comes first
STUDENT_POST = ("student", 405, 405, 405, 405)
EXPECTED = {
    # Public
    "lessons:lesson-list": PUBLIC,
    "lessons:overview": PUBLIC,
    "lessons:glossary": PUBLIC,
    "lessons:robots-txt": PUBLIC,
    "lessons:lesson-detail": PUBLIC,
    "login": PUBLIC,
    "classroom:join": PUBLIC,  # a teacher is told joining is for students
    "classroom:teacher-signup": PUBLIC,  # closed (no TEACHER_SIGNUP_CODE): explains so
    "healthz": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_complete": PUBLIC,
    # Accounts
    "home": ("public", 302, 302, 302, 302),  # sends each person to their own start page
    "logout": ("public", 405, 405, 405, 405),  # POST only
    "password_change": ("public", LOGIN, 200, 200, 200),
    "password_change_done": ("public", LOGIN, 200, 200, 200),
    "classroom:account-update": ("public", LOGIN, 200, 200, 200),  # each person's own
    # Notifications: each person's own; student A's notice is student A's alone
    "classroom:notification-list": ("public", LOGIN, 200, 200, 200),
    "classroom:notification-open": ("student", LOGIN, 404, 404, 302),  # read, then its page
    "classroom:notification-read-all": ("public", LOGIN, 405, 405, 405),  # POST only
    # Teachers
    "classroom:classroom-list": TEACHER_LIST,
    "classroom:classroom-create": TEACHER_LIST,
    "classroom:classroom-detail": TEACHER_OBJECT,
    "classroom:classroom-update": TEACHER_OBJECT,
    "classroom:classroom-archive": TEACHER_POST,
    "classroom:classroom-restore": TEACHER_POST,
    "classroom:classroom-regenerate-code": TEACHER_POST,
    "classroom:students-add": TEACHER_OBJECT,
    "classroom:students-cards": TEACHER_OBJECT,  # POST is "Done"
    "classroom:enrolment-remove": TEACHER_POST,
    "classroom:student-reset-password": TEACHER_POST,
    "classroom:student-unlock": TEACHER_POST,
    "classroom:classroom-gradebook": TEACHER_OBJECT,
    "classroom:classroom-gradebook-csv": TEACHER_OBJECT,
    "classroom:classroom-answers-csv": TEACHER_OBJECT,
    "classroom:assignment-create": TEACHER_OBJECT,
    "classroom:assignment-detail": TEACHER_OBJECT,
    "classroom:assignment-update": TEACHER_OBJECT,
    "classroom:assignment-delete": TEACHER_OBJECT,  # GET asks first (or says to archive)
    "classroom:assignment-archive": TEACHER_POST,
    "classroom:assignment-restore": TEACHER_POST,
    "classroom:assignment-insight": TEACHER_OBJECT,
    "classroom:assignment-return-marked": TEACHER_POST,
    "classroom:extension-update": TEACHER_OBJECT,
    "classroom:extension-delete": TEACHER_POST,
    "classroom:attempt-mark": TEACHER_OBJECT,
    "classroom:commentbank-list": TEACHER_LIST,
    "classroom:commentbank-create": TEACHER_POST,
    "classroom:commentbank-update": TEACHER_OBJECT,
    "classroom:commentbank-delete": TEACHER_POST,
    "classroom:announcement-create": TEACHER_OBJECT,  # GET shows the form (the class page's)
    "classroom:announcement-update": TEACHER_OBJECT,
    "classroom:announcement-delete": TEACHER_OBJECT,  # GET asks first
    # Student A has turned-in work: their thread is read on its marking page (a redirect).
    "classroom:assignment-comments": ("teacher", LOGIN, 403, 404, 302),
    # Students
    "classroom:work-list": ("student", LOGIN, 200, 403, 200),  # student B sees only their own
    "classroom:work-detail": ("student", LOGIN, 404, 403, 200),
    "classroom:work-save": STUDENT_POST,
    "classroom:work-turn-in": STUDENT_POST,
    "classroom:work-unsubmit": STUDENT_POST,
    "classroom:work-resubmit": STUDENT_POST,
    "classroom:work-comment": STUDENT_POST,
}

# POST-only views: a POST as the wrong person (visitor, other student, other teacher).
WRONG_POST = {
    **dict.fromkeys(
        [
            "classroom:classroom-archive",
            "classroom:classroom-restore",
            "classroom:classroom-regenerate-code",
            "classroom:enrolment-remove",
            "classroom:student-reset-password",
            "classroom:student-unlock",
            "classroom:commentbank-create",
            "classroom:assignment-delete",
            "classroom:assignment-archive",
            "classroom:assignment-restore",
            "classroom:students-cards",
            "classroom:assignment-return-marked",
            "classroom:extension-update",
            "classroom:extension-delete",
            "classroom:announcement-create",
            "classroom:announcement-update",
            "classroom:announcement-delete",
            "classroom:assignment-comments",
        ],
        (LOGIN, 403, 404),
    ),
    # Not in the other teacher's bank: back to their own bank with a message (a stale form
    # after a delete in another tab gets the same), and nothing of teacher A's changes.
    **dict.fromkeys(
        ["classroom:commentbank-update", "classroom:commentbank-delete"], (LOGIN, 403, 302)
    ),
    **dict.fromkeys(
        [
            "classroom:work-save",
            "classroom:work-turn-in",
            "classroom:work-unsubmit",
            "classroom:work-resubmit",
            "classroom:work-comment",
        ],
        (LOGIN, 404, 403),
    ),
}


def url_names(patterns=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """Every named pattern in the project, with its namespaced name (the admin aside)."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIP_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += url_names(entry.url_patterns, inner)
        else:
            found.append((f"{namespace}{entry.name}" if entry.name else "", entry))
    return found


# Addresses of one object, by name: the object of teacher A's that each one addresses.
EXACT_KWARGS = {
    "lesson-detail": lambda w: {"slug": w.lesson.slug},
    "enrolment-remove": lambda w: {"pk": w.class_a.pk, "student_pk": w.student_a.pk},
    "student-reset-password": lambda w: {"pk": w.class_a.pk, "student_pk": w.student_a.pk},
    "student-unlock": lambda w: {"pk": w.class_a.pk, "student_pk": w.student_a.pk},
    "assignment-comments": lambda w: {"pk": w.assignment.pk, "student_pk": w.student_a.pk},
    "announcement-update": lambda w: {"pk": w.announcement.pk},
    "announcement-delete": lambda w: {"pk": w.announcement.pk},
    "notification-open": lambda w: {"pk": w.notice.pk},
    "attempt-mark": lambda w: {"pk": w.attempt.pk},
    "commentbank-update": lambda w: {"pk": w.entry.pk},
    "commentbank-delete": lambda w: {"pk": w.entry.pk},
    "assignment-create": lambda w: {"pk": w.class_a.pk},
    "announcement-create": lambda w: {"pk": w.class_a.pk},
    "work-list": lambda w: {},
    "classroom-list": lambda w: {},
    "classroom-create": lambda w: {},
}
# Then by the start of the name.
PREFIX_KWARGS = {
    "extension-": lambda w: {"pk": w.assignment.pk, "student_pk": w.student_a.pk},
    "work-": lambda w: {"pk": w.assignment.pk},
    "assignment-": lambda w: {"pk": w.assignment.pk},
    "classroom-": lambda w: {"pk": w.class_a.pk},
    "students-": lambda w: {"pk": w.class_a.pk},
}


def kwargs_for(name: str, world) -> dict:
    """Teacher A's objects, by the kind of object the pattern addresses."""
    short = name.split(":")[-1]
    if short in EXACT_KWARGS:
        return EXACT_KWARGS[short](world)
    for prefix, kwargs in PREFIX_KWARGS.items():
        if short.startswith(prefix):
            return kwargs(world)
    return {}


def clients(world, kind: str) -> dict[str, Client]:
    people = {
        "visitor": None,
        "other student": world.student_b,
        "other teacher": world.teacher_b,
        "owner": world.student_a if kind == "student" else world.teacher_a,
    }
    result = {}
    for role, user in people.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        result[role] = client
    return result


def check(response, expected, where: str) -> str | None:
    if expected == LOGIN:
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith(reverse("login") + "?next="):
            return None
        return f"{where}: expected a login redirect, got {response.status_code} {location}"
    if response.status_code != expected:
        return f"{where}: expected {expected}, got {response.status_code}"
    return None


def test_every_url_pattern_has_an_expectation():
    names = {name for name, _ in url_names()}
    missing = sorted(
        (name or f"<unnamed {pattern.pattern}>")
        for name, pattern in url_names()
        if name not in EXPECTED and name.split(":")[-1] not in SKIP_NAMES
    )
    assert not missing, f"URL patterns with no entry in EXPECTED: {', '.join(missing)}"
    stale = sorted(set(EXPECTED) - names)
    assert not stale, f"EXPECTED names no URL pattern: {', '.join(stale)}"


def test_access_matrix(world):
    problems = []
    for name, _pattern in url_names():
        if name.split(":")[-1] in SKIP_NAMES or name not in EXPECTED:
            continue  # a missing name fails test_every_url_pattern_has_an_expectation
        kind, *statuses = EXPECTED[name]
        url = reverse(name, kwargs=kwargs_for(name, world))
        for (role, client), expected in zip(clients(world, kind).items(), statuses, strict=True):
            problems.append(check(client.get(url), expected, f"GET {url} ({name}) as {role}"))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_wrong_people_cannot_post(world):
    """POST-only views refuse the wrong person, and nothing of teacher A's changes."""
    join_code = world.class_a.join_code
    problems = []
    for name, statuses in WRONG_POST.items():
        url = reverse(name, kwargs=kwargs_for(name, world))
        data = {
            "question": world.question.pk,
            "text": "Hijacked",
            "attempt": world.attempt.pk,
            f"answer-{world.question.pk}": "Hijacked",
            "version": 99,
            "body": "Hijacked",
        }
        people = clients(world, EXPECTED[name][0])
        for role, expected in zip(ROLES[:3], statuses, strict=True):
            response = people[role].post(url, data)
            problems.append(check(response, expected, f"POST {url} ({name}) as {role}"))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)

    world.class_a.refresh_from_db()
    assert not world.class_a.is_archived and world.class_a.join_code == join_code
    world.assignment.refresh_from_db()  # neither deleted nor archived
    assert not world.assignment.is_archived
    assert (
        Enrolment.objects.get(classroom=world.class_a, student=world.student_a).removed_at is None
    )
    world.student_a.refresh_from_db()
    assert check_password(PASSWORD, world.student_a.password)
    assert not world.student_a.must_change_password
    attempt = Attempt.objects.get(pk=world.attempt.pk)
    assert attempt.state == Attempt.State.TURNED_IN
    assert attempt.answers.get().text == BORIS_TEXT
    assert not Extension.objects.exists()
    assert not world.teacher_b.comment_bank.exists()
    world.entry.refresh_from_db()
    assert world.entry.text == BANKED_COMMENT
    assert list(Announcement.objects.values_list("body", flat=True)) == [ANNOUNCEMENT]
    assert not WorkComment.objects.exists()


@pytest.mark.parametrize("role", ["visitor", "student", "teacher"])
def test_only_staff_reach_the_admin(world, role):
    client = Client()
    user = {"visitor": None, "student": world.student_a, "teacher": world.teacher_a}[role]
    if user is not None:
        client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_only_the_class_teacher_ticks_key_points(world):
    """The ticks are posted with the marking form: teacher A's class only."""
    url = reverse("classroom:attempt-mark", args=[world.attempt.pk])
    point = world.question.key_points.get().key
    data = {f"points_{world.question.pk}": [point], f"mark_{world.question.pk}": "", "save": "1"}
    people = clients(world, "teacher")
    problems = [
        check(people[role].post(url, data), expected, f"POST {url} as {role}")
        for role, expected in zip(ROLES[:3], (LOGIN, 403, 404), strict=True)
    ]
    assert not [p for p in problems if p], problems
    answer = world.attempt.answers.get()
    assert answer.points_judged is None and answer.mark is None
    assert people["owner"].post(url, data).status_code == 302
    answer.refresh_from_db()
    assert answer.points_judged == [point]


@pytest.mark.parametrize("role", ["visitor", "other student", "other teacher", "owner"])
def test_only_staff_reach_the_checker_review(world, role):
    """The review pages show students' words: staff only, whoever else asks."""
    client = clients(world, "teacher")[role]
    urls = [
        reverse("admin:classroom_checkerreview_changelist"),
        reverse("admin:classroom_checkerreview_review", args=[world.question.pk]),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, {"action": "remark"})):
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url
