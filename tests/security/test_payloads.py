"""Script and markup typed by users is stored as typed, shown escaped, and CSV-safe."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from classroom.models import Answer, Assignment, Attempt, Classroom, CommentBankEntry, User
from tests.pages import csv_rows

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
RAW = ["<script>alert(1)", "<img src=x", "onerror=alert(1)>"]
FORMULAS = ['=HYPERLINK("https://evil.example")', "+1+1", "-2+3", "@SUM(A1:A2)"]
GOOD_PASSWORD = "winter-palace-1917"


def _escaped(payload: str) -> str:
    return str(escape(payload))


def _assert_safe(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{where} shows {raw!r} unescaped"


def _run_workflow(world, teacher: Client, pupil: Client, text: str, *, formula: str = "") -> dict:
    """A class, a student, an assignment, an answer, marking and the comment bank, all typed."""
    q = world.question
    teacher.force_login(world.teacher_a)
    teacher.post(reverse("classroom:classroom-create"), {"name": text, "year_group": text})
    classroom = Classroom.objects.get(teacher=world.teacher_a, name=text)
    pupil.post(
        reverse("classroom:join"),
        {
            "join_code": classroom.join_code,
            "username": "pupil",
            "password": GOOD_PASSWORD,
            "display_name": formula or text,
        },
    )
    student = User.objects.get(username="pupil")
    teacher.post(
        reverse("classroom:assignment-create", args=[classroom.pk]),
        {
            "lessons": [world.lesson.pk],
            "classrooms": [classroom.pk],
            "instructions": text,
            "show_instant_feedback": "on",
            "accept_late": "on",
        },
    )
    assignment = Assignment.objects.get(classroom=classroom)
    pupil.post(
        reverse("classroom:work-turn-in", args=[assignment.pk]),
        {f"answer-{q.pk}": text, "version": 0},
    )
    attempt = Attempt.objects.get(assignment=assignment, student=student)
    teacher.post(
        reverse("classroom:attempt-mark", args=[attempt.pk]),
        {
            f"mark_{q.pk}": 1,
            f"comment_{q.pk}": formula or text,
            f"bank_{q.pk}": "on",
            "overall_comment": formula or text,
            "return": "Return",
        },
    )
    teacher.post(
        reverse("classroom:commentbank-create"),
        {"question": q.pk, "text": text + " (bank)", "attempt": attempt.pk},
    )
    return {
        "classroom": classroom,
        "student": student,
        "assignment": assignment,
        "attempt": attempt,
    }


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_stored_as_typed_and_shown_escaped(world, payload):
    teacher, pupil = Client(), Client()
    made = _run_workflow(world, teacher, pupil, payload)
    classroom, student, assignment, attempt = (
        made["classroom"],
        made["student"],
        made["assignment"],
        made["attempt"],
    )
    # Stored exactly as typed: escaping is the templates' job, not the database's.
    assert classroom.name == payload and classroom.year_group == payload
    assert student.display_name == payload
    assert assignment.instructions == payload
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.RETURNED
    assert attempt.overall_comment == payload
    answer = Answer.objects.get(attempt=attempt)
    assert answer.text == payload and answer.comment == payload
    assert CommentBankEntry.objects.filter(teacher=world.teacher_a, text=payload).exists()
    assert CommentBankEntry.objects.filter(text=payload + " (bank)").exists()

    teacher_pages = {
        "class list": reverse("classroom:classroom-list"),
        "class page": reverse("classroom:classroom-detail", args=[classroom.pk]),
        "class edit": reverse("classroom:classroom-update", args=[classroom.pk]),
        "marking list": reverse("classroom:assignment-detail", args=[assignment.pk]),
        "assignment edit": reverse("classroom:assignment-update", args=[assignment.pk]),
        "assign form": reverse("classroom:assignment-create", args=[classroom.pk]),
        "extension": reverse("classroom:extension-update", args=[assignment.pk, student.pk]),
        "marking": reverse("classroom:attempt-mark", args=[attempt.pk]),
        "gradebook": reverse("classroom:classroom-gradebook", args=[classroom.pk]),
        "insight": reverse("classroom:assignment-insight", args=[assignment.pk]),
        "comment bank": reverse("classroom:commentbank-list"),
        "comment bank edit": reverse(
            "classroom:commentbank-update",
            args=[CommentBankEntry.objects.get(text=payload + " (bank)").pk],
        ),
    }
    student_pages = {
        "my work": reverse("classroom:work-list"),
        "assignment": reverse("classroom:work-detail", args=[assignment.pk]),
        "notifications": reverse("classroom:notification-list"),
    }
    escaped = _escaped(payload)
    seen = {}
    for who, client, pages in (
        ("teacher", teacher, teacher_pages),
        ("student", pupil, student_pages),
    ):
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, f"{who} {name}"
            html = response.content.decode()
            _assert_safe(html, f"{who} {name}")
            seen[name] = html
    # Each text appears (escaped) where it belongs.
    assert escaped in seen["class list"]  # class name
    assert escaped in seen["class page"]  # student display name
    assert escaped in seen["marking list"]
    assert escaped in seen["gradebook"]
    # The chosen students' names, and the student an extension is for.
    assert escaped in seen["assign form"] and escaped in seen["assignment edit"]
    assert escaped in seen["extension"]
    assert seen["marking"].count(escaped) >= 3  # answer, comment, overall comment, bank
    assert _escaped(payload + " (bank)") in seen["marking"]
    assert _escaped(payload + " (bank)") in seen["comment bank"]
    assert _escaped(payload + " (bank)") in seen["comment bank edit"]
    assert escaped in seen["assignment"]  # instructions, answer, comments
    assert seen["assignment"].count(escaped) >= 3
    assert escaped in seen["notifications"]  # "New assignment in <class name>"


def test_gradebook_csv_neutralises_formulas(world):
    teacher, pupil = Client(), Client()
    made = _run_workflow(world, teacher, pupil, "Class =1+1", formula=FORMULAS[0])
    attempt = made["attempt"]
    answer = Answer.objects.get(attempt=attempt)
    for formula in FORMULAS[1:]:
        answer.comment = formula
        answer.save()
        attempt.overall_comment = formula
        attempt.save()
        cells = []
        for name in ("classroom-gradebook-csv", "classroom-answers-csv"):
            response = teacher.get(reverse(f"classroom:{name}", args=[made["classroom"].pk]))
            rows = csv_rows(response)
            cells += [cell for row in rows for cell in row]
        assert cells.count("'" + FORMULAS[0]) >= 2  # the student's name, in both files
        assert "'" + formula in cells  # the answer comment and the overall comment
        assert cells.count("'" + formula) >= 2
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_markup_is_refused_as_a_username(client, world):
    response = client.post(
        reverse("classroom:join"),
        {"join_code": world.class_a.join_code, "username": PAYLOADS[0], "password": GOOD_PASSWORD},
    )
    assert response.status_code == 200
    _assert_safe(response.content.decode(), "join form")
    assert not User.objects.filter(username=PAYLOADS[0]).exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_talk_payloads_are_stored_as_typed_and_shown_safely(world, payload):
    """Announcements (Markdown, sanitised) and private comments (plain text, escaped)."""
    from classroom.models import Announcement, WorkComment

    teacher, pupil = Client(), Client()
    teacher.force_login(world.teacher_a)
    pupil.force_login(world.student_a)
    assignment = world.assignment
    teacher.post(
        reverse("classroom:announcement-create", args=[world.class_a.pk]), {"body": payload}
    )
    pupil.post(reverse("classroom:work-comment", args=[assignment.pk]), {"body": payload})
    thread = reverse("classroom:assignment-comments", args=[assignment.pk, world.student_a.pk])
    teacher.post(thread, {"body": payload + " (reply)"})
    assert Announcement.objects.filter(body=payload).exists()
    assert WorkComment.objects.filter(author=world.student_a, body=payload).exists()
    assert WorkComment.objects.filter(author=world.teacher_a, body=payload + " (reply)").exists()
    announcement = Announcement.objects.get(body=payload)
    pages = [
        (teacher, world.class_a.get_absolute_url()),
        (teacher, reverse("classroom:announcement-update", args=[announcement.pk])),
        (teacher, reverse("classroom:announcement-delete", args=[announcement.pk])),
        (teacher, reverse("classroom:attempt-mark", args=[world.attempt.pk])),
        (teacher, assignment.get_absolute_url()),
        (pupil, reverse("classroom:work-list")),
        (pupil, reverse("classroom:work-detail", args=[assignment.pk])),
    ]
    seen = {}
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_safe(html, url)
        seen[url] = html
    escaped = _escaped(payload)
    marking = seen[reverse("classroom:attempt-mark", args=[world.attempt.pk])]
    work = seen[reverse("classroom:work-detail", args=[assignment.pk])]
    assert escaped in marking and _escaped(payload + " (reply)") in marking
    assert escaped in work and _escaped(payload + " (reply)") in work
    # The edit form shows the Markdown source, escaped, in its text box.
    assert escaped in seen[reverse("classroom:announcement-update", args=[announcement.pk])]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_email_address_payload_is_refused_and_shown_escaped(client, world, payload):
    client.force_login(world.teacher_a)
    url = reverse("classroom:account-update")
    before = world.teacher_a.email
    response = client.post(url, {"email": payload, "email_notifications": "on"})
    assert response.status_code == 200  # the form again, with its error
    html = response.content.decode()
    _assert_safe(html, "account page")
    assert "Enter an email address such as name@school.example" in html
    world.teacher_a.refresh_from_db()
    assert world.teacher_a.email == before
