"""What a student reads about their work: the teacher's marks once returned, and what each
"Check this:" correction is about."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from classroom import services
from classroom.views.student import quote_of
from lessons.marking import Hit
from tests.classroom import test_student_answering as answering
from tests.classroom.test_student_answering import MADE, WRONG, detail_url, form_data, turn_in_url
from tests.factories import AssignmentFactory

WORK_LIST = "/my-work/"

# The lesson (two questions worth 2 and 1), its questions and an assignment of it.
lesson = answering.lesson
questions = answering.questions
assignment = answering.assignment


NO_MARK = '<span aria-hidden="true">-</span><span class="visually-hidden">No mark yet</span>'


def mark_row(response, title: str) -> int | None:
    """The mark in the row of the lesson called `title` (None: "No mark yet")."""
    (row,) = [r for r in response.context["rows"] if r.assignment.lesson.title == title]
    return row.mark


@pytest.fixture
def turned_in(student, assignment, questions):
    return services.turn_in(
        student=student,
        assignment=assignment,
        texts={questions[0].pk: MADE, questions[1].pk: "A general."},
        base_version=0,
    )


def mark(attempt, teacher, *, return_work):
    questions = list(attempt.assignment.lesson.questions.order_by("position"))
    return services.mark_attempt(
        attempt=attempt,
        teacher=teacher,
        marks={questions[0].pk: 2, questions[1].pk: 1},
        comments={questions[0].pk: "Say who armed them.", questions[1].pk: ""},
        overall_comment="",
        return_work=return_work,
    )


# --- Marks ------------------------------------------------------------------------------------


def test_returned_work_shows_the_total_and_each_questions_mark(client, student, turned_in):
    mark(turned_in, turned_in.assignment.classroom.teacher, return_work=True)
    client.force_login(student)
    response = client.get(detail_url(turned_in.assignment))
    # The total in the "Returned by your teacher" box; the lesson's two questions are worth 2
    # and 1.
    total = '<p class="fs-5" data-total-mark><span class="fw-semibold">Mark:</span> 3 out of 3</p>'
    assertContains(response, total, html=True)
    for marks in ("2 out of 2", "1 out of 1"):
        each = f'<p class="mb-1"><span class="fw-semibold">Mark:</span> {marks}</p>'
        assertContains(response, each, html=True)
    assertContains(response, "Say who armed them.")


def test_marks_not_yet_returned_are_never_shown(client, student, turned_in):
    mark(turned_in, turned_in.assignment.classroom.teacher, return_work=False)
    client.force_login(student)
    html = " ".join(client.get(detail_url(turned_in.assignment)).content.decode().split())
    assert "out of 3" not in html
    assert "out of 2" not in html
    assert "Say who armed them." not in html
    listing = client.get(WORK_LIST)
    assertNotContains(listing, "out of")
    assert mark_row(listing, "The Kornilov revolt") is None
    assertContains(listing, NO_MARK, html=True)


def test_my_work_has_a_mark_column_for_returned_work(client, student, turned_in):
    mark(turned_in, turned_in.assignment.classroom.teacher, return_work=True)
    other = AssignmentFactory(
        classroom=turned_in.assignment.classroom, lesson__title="The July days"
    )
    client.force_login(student)
    response = client.get(WORK_LIST)
    assertContains(response, '<th scope="col">Mark</th>', html=True)
    assert mark_row(response, "The Kornilov revolt") == 3
    assertContains(response, "3 out of 3")
    assert mark_row(response, other.lesson.title) is None
    assertContains(response, NO_MARK, count=1, html=True)


def test_a_resubmission_in_progress_shows_no_mark(client, student, turned_in):
    mark(turned_in, turned_in.assignment.classroom.teacher, return_work=True)
    turned_in.refresh_from_db()
    turned_in.resubmission_allowed = True
    turned_in.save()
    services.resubmit(student=student, assignment=turned_in.assignment)
    client.force_login(student)
    response = client.get(WORK_LIST)
    assert mark_row(response, "The Kornilov revolt") is None
    assertContains(response, NO_MARK, html=True)
    # The returned attempt's mark stays in its history on the work page.
    page = " ".join(client.get(detail_url(turned_in.assignment)).content.decode().split())
    assert "Attempt 1 · turned in" in page
    assert "· mark 3 out of 3" in page


# --- "Check this:" says what it is about ---------------------------------------------------------


def test_check_this_quotes_the_words_it_is_about(client, student, assignment, questions):
    client.force_login(student)
    client.post(turn_in_url(assignment), form_data(questions, [f"{MADE} {WRONG}", ""], 0))
    html = " ".join(client.get(detail_url(assignment)).content.decode().split())
    assert (
        "Check this:</span> you wrote “Kornilov was a Bolshevik” </p> "
        '<p class="mb-0">Kornilov was a general who moved against the government.</p>'
    ) in html


def test_a_long_stretch_is_quoted_as_its_words():
    text = "Kornilov " + "marched and marched " * 10 + "was a Bolshevik."
    hit = Hit(
        key="kornilov-bolshevik",
        phrase="kornilov was a bolshevik",
        spans=((0, 8), (len(text) - 16, len(text) - 13), (len(text) - 11, len(text) - 1)),
        words=("Kornilov", "was", "Bolshevik"),
    )
    assert quote_of(text, hit) == "Kornilov ... was ... Bolshevik"
    short = Hit(key="k", phrase="k", spans=((0, 8), (15, 25)), words=())
    assert quote_of("Kornilov\nwas  a Bolshevik", short) == "Kornilov was a Bolshevik"
