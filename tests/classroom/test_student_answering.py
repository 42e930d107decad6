"""Answering an assignment: drafts, conflicts, turn in, unsubmit, resubmit, instant feedback."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from classroom import services
from classroom.models import Answer, Assignment, Attempt
from lessons.models import Lesson, markscheme_stamp
from tests.factories import (
    AnswerFactory,
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    MisconceptionFactory,
    QuestionFactory,
    SectionFactory,
    StudentFactory,
)
from tests.pages import element_with_class, text_of

MADE = "The Bolsheviks saved Petrograd from the general, so people trusted them."
NOTHING_FOUND = {"points_made": [], "points_missed": [], "misconceptions": [], "suggested_mark": 0}
WRONG = "Kornilov was a Bolshevik who attacked the city."


@pytest.fixture
def lesson(db):
    lesson = LessonFactory(title="The Kornilov revolt")
    SectionFactory(lesson=lesson, position=1, heading="The march on Petrograd")
    q1 = QuestionFactory(lesson=lesson, key="why-support", position=1, after_section=1)
    KeyPointFactory(
        question=q1,
        key="saviours",
        text="The Bolsheviks were seen as the saviours of Petrograd.",
        hint="Who did people credit with stopping Kornilov?",
        phrases="bolsheviks saved petrograd\ndefended the city",
    )
    KeyPointFactory(
        question=q1,
        key="red-guards",
        text="The Red Guards were armed.",
        hint="Think about what the Red Guards were given to defend the city.",
        phrases="red guards armed",
    )
    MisconceptionFactory(
        question=q1,
        key="kornilov-bolshevik",
        phrases="kornilov was a bolshevik",
        feedback="Kornilov was a general who moved against the government.",
    )
    QuestionFactory(
        lesson=lesson, key="who-kornilov", position=2, prompt="Who was Kornilov?", marks=1
    )
    return lesson


@pytest.fixture
def assignment(lesson, student):
    classroom = ClassroomFactory(name="10H History")
    EnrolmentFactory(classroom=classroom, student=student)
    return AssignmentFactory(
        classroom=classroom,
        lesson=lesson,
        instructions="Answer in full sentences.",
        due_at=timezone.now() + timedelta(days=2),
    )


@pytest.fixture
def questions(lesson):
    return list(lesson.questions.order_by("position"))


def detail_url(assignment):
    return reverse("classroom:work-detail", args=[assignment.pk])


def save_url(assignment):
    return reverse("classroom:work-save", args=[assignment.pk])


def turn_in_url(assignment):
    return reverse("classroom:work-turn-in", args=[assignment.pk])


def form_data(questions, texts, version):
    data = {f"answer-{q.pk}": text for q, text in zip(questions, texts, strict=False)}
    data["version"] = str(version)
    return data


# --- The page ---------------------------------------------------------------------------------


def test_assignment_page_has_labelled_boxes_buttons_and_live_region(
    client, student, assignment, questions
):
    client.force_login(student)
    response = client.get(detail_url(assignment))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The Kornilov revolt" in html
    assert "The march on Petrograd" in html
    assert "Answer in full sentences." in html
    assert "Assigned" in html
    for q in questions:
        assert f'<label for="answer-{q.pk}"' in html
        assert f'name="answer-{q.pk}"' in html
    assert ">Save draft</button>" in html
    assert f'formaction="{turn_in_url(assignment)}"' in html
    assert f'action="{save_url(assignment)}"' in html
    assert 'name="version" value="0"' in html
    assert 'role="status" aria-live="polite" data-saved-status' in html
    assert "Not saved yet" in html
    assert f'data-user-id="{student.pk}"' in html
    assert "js/answers.js" in html
    assert "<script>" not in html  # no inline scripts: strict CSP
    # The autosave script (a module) reads its addresses from the form.
    assert f'data-save-url="{save_url(assignment)}"' in html
    assert f'data-login-url="{reverse("login")}"' in html
    assert '<script type="module"' in html


# --- Saving drafts ----------------------------------------------------------------------------


def test_a_csrf_failure_tells_the_autosave_whether_the_student_is_logged_out(
    student, assignment, questions
):
    """Logged out: logging in mends it. Logged in with an old token: the script retries with
    the cookie's. A page that is not the script's gets Django's 403 page."""
    client = Client(enforce_csrf_checks=True)
    data = form_data(questions, ["Kornilov marched."], 0)
    json_post = {"HTTP_ACCEPT": "application/json", "HTTP_X_CSRFTOKEN": "x" * 32}

    response = client.post(save_url(assignment), data, **json_post)
    assert response.status_code == 403
    assert response.json()["csrf_failed"] is True
    assert response.json()["logged_out"] is True

    client.force_login(student)
    response = client.post(save_url(assignment), data, **json_post)
    assert response.status_code == 403
    assert response.json() == {
        "csrf_failed": True,
        "logged_out": False,
        "error": "This page is out of date: reload it.",
    }
    assert not Attempt.objects.exists()

    response = client.post(save_url(assignment), data)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_no_js_save_redirects_with_saved_message_and_the_text_is_there(
    client, student, assignment, questions
):
    client.force_login(student)
    response = client.post(
        save_url(assignment), form_data(questions, ["Line one\r\nline two", ""], 0), follow=True
    )
    assert response.redirect_chain[-1][0] == detail_url(assignment)
    html = response.content.decode()
    assert "Saved at" in html
    assert "Line one\nline two</textarea>" in html
    assert 'name="version" value="1"' in html
    assert Answer.objects.get(question=questions[0]).text == "Line one\nline two"


def test_json_save_answers_version_and_time(client, student, assignment, questions):
    client.force_login(student)
    response = client.post(
        save_url(assignment),
        form_data(questions, ["Typed", ""], 0),
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1
    assert data["saved_at"]
    assert len(data["saved_at_display"]) == 5  # "10:42"


def test_stale_save_is_refused_and_both_texts_are_kept(client, student, assignment, questions):
    q1 = questions[0]
    services.save_draft(
        student=student, assignment=assignment, texts={q1.pk: "From tab one"}, base_version=0
    )
    with pytest.raises(services.DraftConflict) as conflict:
        services.save_draft(
            student=student, assignment=assignment, texts={q1.pk: "From tab two"}, base_version=0
        )
    assert conflict.value.server_texts == {q1.pk: "From tab one"}
    assert conflict.value.version == 1
    assert Answer.objects.get(question=q1).text == "From tab one"

    client.force_login(student)
    # The script gets both texts as JSON...
    response = client.post(
        save_url(assignment),
        form_data(questions, ["From tab two"], 0),
        headers={"accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.json() == {
        "conflict": True,
        "error": str(conflict.value),
        "server_texts": {str(q1.pk): "From tab one"},
        "version": 1,
    }
    # ...and without JavaScript both are shown on a page that saves from the newer version.
    response = client.post(save_url(assignment), form_data(questions, ["From tab two"], 0))
    assert response.status_code == 409
    html = response.content.decode()
    assert "From tab one</textarea>" in html
    assert "From tab two</textarea>" in html
    assert 'name="version" value="1"' in html
    assert "another tab or computer" in html


def test_the_autosave_hears_which_answer_was_refused_and_the_new_version(
    client, student, assignment, questions
):
    long_text = "x" * (Answer.MAX_LENGTH + 1)
    client.force_login(student)
    response = client.post(
        save_url(assignment),
        form_data(questions, [long_text, "Kept"], 0),
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    data = response.json()
    assert list(data["errors"]) == [str(questions[0].pk)]
    assert data["version"] == 1
    assert data["saved_at_display"]


@pytest.mark.parametrize("url", [save_url, turn_in_url], ids=["save draft", "turn in"])
def test_a_refused_answer_comes_back_on_the_work_page_with_its_message(
    client, student, assignment, questions, url
):
    """Without the script: the form goes back to the work page (not a page at the POST's
    address), the long text in its box with the message under it, the others saved, and the
    status bar does not say "Saved" for text that was not saved."""
    long_text = "x" * (Answer.MAX_LENGTH + 1)
    client.force_login(student)
    response = client.post(url(assignment), form_data(questions, [long_text, "Kept"], 0))
    assert response.status_code == 302
    assert response["Location"] == detail_url(assignment)
    page = client.get(detail_url(assignment))
    html = page.content.decode()
    assert f"the most is {Answer.MAX_LENGTH}" in html
    assert f"{long_text}</textarea>" in html
    assert "Kept</textarea>" in html
    assert "Not saved: see the answer marked in red" in html
    assert "Your other answers are saved" in html
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.DRAFT
    assert {a.question_id: a.text for a in attempt.answers.all()} == {questions[1].pk: "Kept"}
    # Shown once: a reload shows what is saved.
    html = client.get(detail_url(assignment)).content.decode()
    assert long_text not in html
    assert "Saved at" in html


def test_logged_out_at_turn_in_comes_back_to_press_it_again(client, student, assignment, questions):
    response = client.post(turn_in_url(assignment), form_data(questions, ["Mine"], 0))
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith("/accounts/login/?next=")
    after_login = unquote(login_url.partition("next=")[2])
    assert after_login == detail_url(assignment) + "?turn-in=again"
    client.force_login(student)
    html = client.get(detail_url(assignment) + "?turn-in=again").content.decode()
    assert "Not turned in yet: press Turn in again." in html
    # Once turned in, the address says nothing.
    services.turn_in(student=student, assignment=assignment, texts={}, base_version=0)
    html = client.get(detail_url(assignment) + "?turn-in=again").content.decode()
    assert "Not turned in yet" not in html


def test_saving_after_turn_in_is_refused(client, student, assignment, questions):
    services.turn_in(
        student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
    )
    with pytest.raises(services.ServiceError, match="Unsubmit"):
        services.save_draft(
            student=student, assignment=assignment, texts={questions[0].pk: "x"}, base_version=2
        )
    client.force_login(student)
    response = client.post(save_url(assignment), form_data(questions, ["x"], 2), follow=True)
    assert "turned in, so it can&#x27;t be changed" in response.content.decode()
    assert Answer.objects.get(question=questions[0]).text == MADE


# --- Turning in -------------------------------------------------------------------------------


def test_double_turn_in_makes_one_attempt(client, student, assignment, questions):
    client.force_login(student)
    data = form_data(questions, [MADE, "A general"], 0)
    first = client.post(turn_in_url(assignment), data)
    second = client.post(turn_in_url(assignment), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == detail_url(assignment)
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.TURNED_IN
    assert attempt.answers.count() == 2


def test_late_turn_in_is_marked_late(client, student, assignment, questions):
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.save()
    client.force_login(student)
    client.post(turn_in_url(assignment), form_data(questions, [MADE], 0))
    attempt = Attempt.objects.get()
    assert attempt.is_late
    html = client.get(reverse("classroom:work-list")).content.decode()
    assert ">Late</span>" in html


def test_late_turn_in_refused_when_not_accepted_keeps_the_draft(
    client, student, assignment, questions
):
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.accept_late = False
    assignment.save()
    with pytest.raises(services.ServiceError, match="not accepting late work"):
        services.turn_in(
            student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
        )
    client.force_login(student)
    response = client.post(turn_in_url(assignment), form_data(questions, [MADE], 0), follow=True)
    html = response.content.decode()
    assert "not accepting late work" in html
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.DRAFT
    assert attempt.answers.get(question=questions[0]).text == MADE


def test_turned_in_page_is_read_only_with_unsubmit(client, student, assignment, questions):
    services.turn_in(
        student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
    )
    client.force_login(student)
    html = client.get(detail_url(assignment)).content.decode()
    assert "Turned in" in html
    assert f'name="answer-{questions[0].pk}"' not in html
    assert "readonly" in html
    assert ">Unsubmit</button>" in html
    assert ">Turn in</button>" not in html


# --- Instant feedback -------------------------------------------------------------------------


def test_instant_feedback_shows_points_hints_and_corrections_never_marks(
    client, student, assignment, questions
):
    client.force_login(student)
    client.post(
        turn_in_url(assignment), form_data(questions, [f"{MADE} {WRONG}", ""], 0), follow=True
    )
    response = client.get(detail_url(assignment))
    html = response.content.decode()
    heading = '<h2 id="instant-feedback-heading" class="h4">Instant feedback</h2>'
    assertContains(response, heading, html=True)
    feedback = element_with_class(html, "instant-feedback")
    assert ("role", "status") in feedback.attributes  # read out when it appears
    section = text_of(feedback)
    assert "You explained: The Bolsheviks were seen as the saviours of Petrograd." in section
    assert "Think about what the Red Guards were given to defend the city." in section
    assert "Kornilov was a general who moved against the government." in section
    assert questions[0].model_answer not in html
    assert "suggested" not in html.lower()


def test_no_instant_feedback_when_the_teacher_turned_it_off(client, student, assignment, questions):
    assignment.show_instant_feedback = False
    assignment.save()
    client.force_login(student)
    client.post(turn_in_url(assignment), form_data(questions, [MADE, ""], 0))
    html = client.get(detail_url(assignment)).content.decode()
    assert "Instant feedback" not in html
    assert "You explained" not in html
    assert Answer.objects.get(question=questions[0]).result is not None  # still stored


# --- Unsubmit and resubmit ----------------------------------------------------------------------


def test_unsubmit_takes_work_back_to_draft_until_returned(client, student, assignment, questions):
    services.turn_in(
        student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
    )
    client.force_login(student)
    client.post(reverse("classroom:work-unsubmit", args=[assignment.pk]))
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.DRAFT
    assert attempt.turned_in_at is None
    html = client.get(detail_url(assignment)).content.decode()
    assert f"{MADE}</textarea>" in html
    assert f'name="version" value="{attempt.version}"' in html

    services.turn_in(student=student, assignment=assignment, texts={}, base_version=attempt.version)
    Attempt.objects.update(
        state=Attempt.State.RETURNED,
        returned_at=timezone.now(),
        returned_by=assignment.classroom.teacher,
    )
    with pytest.raises(services.ServiceError, match="already returned"):
        services.unsubmit(student=student, assignment=assignment)


def _return(attempt, *, allow, mark=1, comment="Good start."):
    for answer in attempt.answers.all():
        answer.mark = mark
        answer.comment = comment
        answer.save()
    attempt.state = Attempt.State.RETURNED
    attempt.returned_at = timezone.now()
    attempt.returned_by = attempt.assignment.classroom.teacher
    attempt.overall_comment = "Add more detail."
    attempt.resubmission_allowed = allow
    attempt.save()


def test_returned_work_shows_marks_comments_and_resubmit(client, student, assignment, questions):
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
    )
    _return(attempt, allow=True, comment="Nice use of evidence.")
    client.force_login(student)
    html = client.get(detail_url(assignment)).content.decode()
    assert "Returned" in html
    assert "1 out of 2" in html
    assert "Nice use of evidence." in html
    assert "Add more detail." in html
    assert ">Resubmit</button>" in html
    assert ">Unsubmit</button>" not in html


def test_resubmit_starts_a_new_attempt_from_the_returned_text_and_keeps_history(
    client, student, assignment, questions
):
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
    )
    _return(attempt, allow=True, comment="Nice use of evidence.")
    client.force_login(student)
    client.post(reverse("classroom:work-resubmit", args=[assignment.pk]))
    second = Attempt.objects.get(number=2)
    assert second.state == Attempt.State.DRAFT
    assert second.answers.get(question=questions[0]).text == MADE
    html = client.get(detail_url(assignment)).content.decode()
    assert "Attempt 2" in html
    assert "Attempt 1" in html
    assert "Nice use of evidence." in html  # attempt 1's feedback stays readable
    assert f"{MADE}</textarea>" in html
    assert f'name="version" value="{second.version}"' in html

    # Editing and turning in attempt 2 leaves attempt 1 untouched.
    client.post(turn_in_url(assignment), form_data(questions, ["Better answer"], second.version))
    second.refresh_from_db()
    assert second.state == Attempt.State.TURNED_IN
    assert attempt.answers.get(question=questions[0]).text == MADE
    # Resubmitting twice, or without permission, is refused.
    with pytest.raises(services.ServiceError):
        services.resubmit(student=student, assignment=assignment)


# --- Access -------------------------------------------------------------------------------------


def test_another_students_assignment_is_404(client, assignment, questions):
    other = StudentFactory()
    client.force_login(other)
    assert client.get(detail_url(assignment)).status_code == 404
    assert client.post(save_url(assignment), form_data(questions, ["x"], 0)).status_code == 404
    assert client.post(turn_in_url(assignment), form_data(questions, ["x"], 0)).status_code == 404
    assert not Attempt.objects.exists()


def test_not_started_assignment_is_404(client, student, assignment):
    assignment.start_at = timezone.now() + timedelta(days=1)
    assignment.save()
    client.force_login(student)
    assert client.get(detail_url(assignment)).status_code == 404


def test_teacher_gets_403_and_anonymous_is_sent_to_log_in(client, teacher, assignment, questions):
    client.force_login(assignment.classroom.teacher)
    assert client.get(detail_url(assignment)).status_code == 403
    client.logout()
    response = client.get(detail_url(assignment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # A POST after the session ended goes back to the page, not the POST-only address.
    response = client.post(save_url(assignment), form_data(questions, ["x"], 0))
    assert response.status_code == 302
    assert "save" not in response["Location"]
    # The autosave script is told it is logged out, so it keeps its copy.
    response = client.post(
        save_url(assignment),
        form_data(questions, ["x"], 0),
        headers={"accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.json()["logged_out"] is True


def test_state_changes_are_post_only(client, student, assignment):
    client.force_login(student)
    for name in ("work-save", "work-turn-in", "work-unsubmit", "work-resubmit"):
        assert client.get(reverse(f"classroom:{name}", args=[assignment.pk])).status_code == 405


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_assignment_page_query_count_is_fixed(
    client, student, assignment, lesson, n, django_assert_num_queries
):
    """Many questions and many returned attempts with feedback cost no more queries."""
    for i in range(n):
        QuestionFactory(lesson=lesson, key=f"extra-{i}", position=10 + i, after_section=1)
    result = {
        "points_made": [{"key": "saviours", "phrase": "x", "spans": [], "words": []}],
        "points_missed": ["red-guards"],
        "misconceptions": [{"key": "kornilov-bolshevik", "phrase": "x", "spans": [], "words": []}],
        "suggested_mark": 1,
        "max_marks": 2,
    }
    for number in range(1, n + 1):
        attempt = AttemptFactory(
            assignment=assignment,
            student=student,
            number=number,
            returned=True,
            resubmission_allowed=True,
        )
        for question in lesson.questions.all():
            # Each result names its own question's key points, as a real one does.
            own = result if question.key == "why-support" else {**NOTHING_FOUND, "max_marks": 2}
            AnswerFactory(attempt=attempt, question=question, mark=1, comment="ok", result=own)
    services.resubmit(student=student, assignment=assignment)
    client.force_login(student)
    client.get(detail_url(assignment))  # warm the rendered lesson and the prepared questions
    # Session, user; the assignment with its lesson, the lesson's content version (the lesson
    # around the answer boxes, with its questions, is kept per version) and its markscheme
    # stamp (the prepared questions give the key points and misconceptions of every answer's
    # feedback), all in one; the attempts and their answers (2); the private thread.
    with django_assert_num_queries(6):
        response = client.get(detail_url(assignment))
    assert response.status_code == 200
    assert len(response.context["history"]) == n
    assert response.content.decode().count("You explained") == n


def test_turn_in_query_count(client, student, assignment, questions, django_assert_num_queries):
    """The Turn in form, with the lesson's schemes prepared in this process: session and user;
    the assignment with its lesson's markscheme stamp and the student's own due time (1); the
    work's lock (1); the latest attempt and its answers (1, joined); the texts and results (1,
    run once a row); the state (1): 7 statements, and the write transaction's two (here a
    savepoint and its release, in the test's own transaction; BEGIN and COMMIT in
    production)."""
    client.force_login(student)
    version = services.save_draft(
        student=student, assignment=assignment, texts={questions[0].pk: "Draft"}, base_version=0
    ).version
    texts = {q.pk: "The Bolsheviks saved Petrograd from Kornilov." for q in questions}
    assert (
        client.post(turn_in_url(assignment), form_data(questions, texts, version)).status_code
        == 302
    )
    services.unsubmit(student=student, assignment=assignment)  # the schemes are prepared now
    version = Attempt.objects.get(student=student, assignment=assignment).version
    with django_assert_num_queries(9):
        response = client.post(turn_in_url(assignment), form_data(questions, texts, version))
    assert response.status_code == 302
    assert Attempt.objects.get(student=student, assignment=assignment).is_turned_in


def test_the_versions_read_with_the_assignment_are_the_lessons_own(assignment, lesson, questions):
    """The content version and the markscheme stamp read in the assignment's query are the
    ones the lesson's own queries read, before and after an edit."""

    def read() -> tuple[str, str, str, str]:
        with_it = Assignment.objects.with_lesson_versions().get(pk=assignment.pk)
        own = Lesson.objects.with_content_version().get(pk=lesson.pk)
        return (
            with_it.lesson_read().content_version,
            own.content_version,
            with_it._lesson_stamp,
            markscheme_stamp(lesson.pk),
        )

    before = read()
    assert before[0] == before[1] and before[2] == before[3]
    KeyPointFactory(question=questions[0], key="new-point", position=9, phrases="new phrase")
    section = lesson.sections.first()
    section.heading += " (edited)"
    section.save()
    after = read()
    assert after[0] == after[1] and after[2] == after[3]
    assert after[0] != before[0] and after[2] != before[2]


def test_returned_feedback_that_names_a_retired_point_still_shows_it(
    client, student, assignment, lesson, django_assert_num_queries
):
    """Returned work keeps the result it was returned with; a point retired since is read
    from the question's own lesson, key points and misconceptions (three more queries, only
    then)."""
    question = lesson.questions.get(key="why-support")
    result = {
        "points_made": [{"key": "saviours", "phrase": "x", "spans": [], "words": []}],
        "points_missed": [],
        "misconceptions": [],
        "suggested_mark": 1,
        "max_marks": 2,
    }
    attempt = AttemptFactory(assignment=assignment, student=student, returned=True, number=1)
    AnswerFactory(attempt=attempt, question=question, mark=1, result=result)
    point = question.key_points.get(key="saviours")
    point.is_retired = True
    point.save()
    client.force_login(student)
    client.get(detail_url(assignment))
    with django_assert_num_queries(9):  # the 6 of the page, with the private thread, and 3
        response = client.get(detail_url(assignment))
    assert "The Bolsheviks were seen as the saviours of Petrograd." in response.content.decode()


def turn_in_and_unsubmit(student, assignment, text: str, *, read: str = "alone") -> dict:
    """Turn in `text` for every question, unsubmit, and give the first answer's result.

    With `read` "with the assignment", the markscheme stamp is read with the assignment, as
    the Turn in view reads it (`with_lesson_versions`); "alone", the turn-in reads it itself.
    """
    if read == "with the assignment":
        assignment = Assignment.objects.with_lesson_versions().get(pk=assignment.pk)
    attempt = Attempt.objects.filter(student=student, assignment=assignment).first()
    texts = {q.pk: text for q in assignment.lesson.questions.all()}
    version = attempt.version if attempt else 0
    attempt = services.turn_in(
        student=student, assignment=assignment, texts=texts, base_version=version
    )
    services.unsubmit(student=student, assignment=assignment)
    return attempt.answers.order_by("question__position").first().result


@pytest.mark.parametrize(
    "edit",
    [
        "phrases",  # an edited key point
        "new point",  # a point added
        "retired",  # a point retired
        "deleted",  # a point deleted
        "word groups",  # the lesson's word groups
        "marks",  # the question's marks
    ],
)
@pytest.mark.parametrize("read", ["alone", "with the assignment"])
def test_a_turn_in_marks_with_the_scheme_as_it_is_now(student, assignment, edit, read):
    """The prepared schemes a process keeps for turn-ins follow every edit at once, whether
    the stamp they are kept by is read by the turn-in or with the assignment."""
    question = assignment.lesson.questions.order_by("position").first()
    point = question.key_points.get(key="saviours")
    text = "The Bolsheviks were the heroes who rescued Petrograd."
    before = turn_in_and_unsubmit(student, assignment, text, read=read)
    if edit == "phrases":
        point.phrases += "\nheroes who rescued"
        point.save()
    elif edit == "new point":
        KeyPointFactory(question=question, key="heroes", position=9, phrases="heroes")
    elif edit == "retired":
        point.is_retired = True
        point.save()
        KeyPointFactory(question=question, key="heroes", position=9, phrases="heroes")
    elif edit == "deleted":
        KeyPointFactory(question=question, key="heroes", position=9, phrases="heroes")
        before = turn_in_and_unsubmit(student, assignment, text, read=read)
        question.key_points.get(key="heroes").delete()
    elif edit == "word groups":
        point.phrases += "\ncity heroes"
        point.save()
        before = turn_in_and_unsubmit(student, assignment, text, read=read)
        assignment.lesson.word_groups = "city, petrograd"
        assignment.lesson.save()
    elif edit == "marks":
        question.marks += 1
        question.save()
    after = turn_in_and_unsubmit(student, assignment, text, read=read)
    assert after != before
    if edit == "marks":
        assert after["max_marks"] == before["max_marks"] + 1
