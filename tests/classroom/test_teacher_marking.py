"""The marking list, the marking view, returning work, the comment bank and the gradebook."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Attempt, CommentBankEntry, FeedbackChange
from lessons.models import Question
from tests.factories import (
    AnswerFactory,
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    QuestionFactory,
    StudentFactory,
    TeacherFactory,
)
from tests.pages import checkboxes, csv_rows, ticked

pytestmark = pytest.mark.django_db

ANSWER = "People thought the Bolsheviks saved Petrograd from Kornilov."


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def assignment(teacher):
    classroom = ClassroomFactory(teacher=teacher)
    assignment = AssignmentFactory(classroom=classroom, lesson__title="The Kornilov revolt")
    question = QuestionFactory(lesson=assignment.lesson, marks=2, position=1)
    KeyPointFactory(question=question, key="saviours", text="Seen as saviours of Petrograd")
    KeyPointFactory(question=question, key="support", text="Support grew", phrases="support grew")
    return assignment


def _turned_in(assignment, student=None, text=ANSWER, **kwargs):
    student = student or StudentFactory()
    EnrolmentFactory(classroom=assignment.classroom, student=student)
    attempt = AttemptFactory(assignment=assignment, student=student, **{"turned_in": True} | kwargs)
    for question in Question.objects.filter(lesson=assignment.lesson).with_markscheme():
        result = question.mark_scheme.mark(text)
        AnswerFactory(attempt=attempt, question=question, text=text, result=result.to_dict())
    return attempt


def test_marking_list(client, teacher, assignment):
    turned_in = _turned_in(assignment, StudentFactory(display_name="Anna K"))
    EnrolmentFactory(classroom=assignment.classroom, student__display_name="Boris G")
    former = _turned_in(assignment, StudentFactory(display_name="Old Student"), returned=True)
    former.student.enrolments.update(removed_at="2020-01-01T00:00Z")
    client.force_login(teacher)
    html = client.get(assignment.get_absolute_url()).content.decode()
    assert "Anna K" in html and "Turned in" in html and "Boris G" in html and "Assigned" in html
    assert reverse("classroom:attempt-mark", args=[turned_in.pk]) in html
    assert "Turned in: 1" in html and "Assigned: 1" in html
    assert html.index("Former students") < html.index("Old Student")


def test_marking_view_shows_highlights_and_suggested_mark(client, teacher, assignment):
    attempt = _turned_in(assignment)
    client.force_login(teacher)
    html = client.get(reverse("classroom:attempt-mark", args=[attempt.pk])).content.decode()
    assert '<mark class="point-made">' in html
    assert "Seen as saviours of Petrograd" in html  # made
    assert "Support grew" in html  # missed
    assert "<details" in html and "Model answer" in html
    for word in ("Mark", "Comment", "Overall comment", "Return", "Allow resubmission"):
        assert word in html
    question = assignment.lesson.questions.get()
    # The points the check found are ticked; the mark is left for the ticks to give.
    assert checkboxes(html, f"points_{question.pk}") == {"saviours": True, "support": False}
    assert f'name="mark_{question.pk}" placeholder="1"' in html
    assert "js/marking.js" in html and "<script>" not in html


def test_drafts_cannot_be_marked(client, teacher, assignment):
    attempt = _turned_in(assignment, turned_in=False)  # a draft
    client.force_login(teacher)
    assert client.get(reverse("classroom:attempt-mark", args=[attempt.pk])).status_code == 404


def test_return_with_marks_and_comment_bank(client, teacher, assignment):
    attempt = _turned_in(assignment)
    second = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    response = client.post(
        url,
        {
            f"mark_{question.pk}": "2",
            f"comment_{question.pk}": "Good use of evidence.",
            f"bank_{question.pk}": "on",
            "overall_comment": "Well done.",
            "allow_resubmission": "on",
            "return": "1",
        },
    )
    # Next student: the other turned-in attempt.
    assert response["Location"] == reverse("classroom:attempt-mark", args=[second.pk])
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.RETURNED and attempt.returned_by == teacher
    assert attempt.returned_at and attempt.resubmission_allowed
    assert attempt.overall_comment == "Well done."
    answer = attempt.answers.get()
    assert answer.mark == 2 and answer.comment == "Good use of evidence."
    assert answer.marked_by == teacher and answer.marked_at
    assert not FeedbackChange.objects.exists()
    assert CommentBankEntry.objects.filter(teacher=teacher, question=question).count() == 1
    html = client.get(reverse("classroom:attempt-mark", args=[second.pk])).content.decode()
    assert 'data-insert-comment="Good use of evidence."' in html
    assert f'href="{reverse("classroom:commentbank-list")}">Edit or delete these' in html


def test_a_comment_too_long_for_the_bank_is_saved_on_the_work_only(client, teacher, assignment):
    """Comments on work may be 2,000 characters, the bank's 1,000: the marks are kept."""
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    client.force_login(teacher)
    comment = "Use the sources. " * 80  # 1,360 characters
    response = client.post(
        reverse("classroom:attempt-mark", args=[attempt.pk]),
        {
            f"mark_{question.pk}": "1",
            f"comment_{question.pk}": comment,
            f"bank_{question.pk}": "on",
            "save": "1",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Question 1: A comment in the comment bank can be 1000 characters at most" in html
    assert "Marks and comments saved." in html
    answer = attempt.answers.get()
    assert answer.mark == 1 and answer.comment == comment.strip()
    assert not CommentBankEntry.objects.exists()


def test_save_keeps_state(client, teacher, assignment):
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    response = client.post(url, {f"mark_{question.pk}": "1", "overall_comment": "", "save": "1"})
    assert response["Location"] == url
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TURNED_IN
    assert attempt.answers.get().mark == 1


def test_mark_out_of_range_is_a_form_error(client, teacher, assignment):
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    client.force_login(teacher)
    response = client.post(
        reverse("classroom:attempt-mark", args=[attempt.pk]),
        {f"mark_{question.pk}": "5", f"comment_{question.pk}": "Keep me", "return": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give a mark from 0 to 2." in html and "Keep me" in html
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TURNED_IN
    with pytest.raises(services.ServiceError):
        services.return_attempt(
            attempt=attempt,
            teacher=teacher,
            marks={question.pk: 3},
            comments={},
            overall_comment="",
        )


def test_changes_after_return_are_recorded(client, teacher, assignment):
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    services.return_attempt(
        attempt=attempt,
        teacher=teacher,
        marks={question.pk: 1},
        comments={question.pk: "Ok"},
        overall_comment="Fine",
    )
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    client.post(
        url,
        {
            f"mark_{question.pk}": "2",
            f"comment_{question.pk}": "Ok",
            "overall_comment": "Better",
            "save": "1",
        },
    )
    changes = {c.field: c for c in FeedbackChange.objects.filter(attempt=attempt)}
    assert set(changes) == {"mark", "overall_comment"}
    assert (changes["mark"].old_value, changes["mark"].new_value) == ("1", "2")
    assert changes["mark"].changed_by == teacher
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.RETURNED
    html = client.get(url).content.decode()
    assert "Changes after return" in html and "Better" in html


def test_comment_bank_create(client, teacher, assignment):
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    client.force_login(teacher)
    url = reverse("classroom:commentbank-create")
    response = client.post(
        url, {"question": question.pk, "text": "Add a date.", "attempt": attempt.pk}
    )
    assert response["Location"] == reverse("classroom:attempt-mark", args=[attempt.pk])
    response = client.post(
        url, {"question": question.pk, "text": "Name a cause."}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201 and response.json()["text"] == "Name a cause."
    response = client.post(
        url, {"question": question.pk, "text": ""}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert CommentBankEntry.objects.filter(teacher=teacher).count() == 2
    assert client.get(url).status_code == 405


def test_other_teacher_gets_404_on_marking(client, assignment):
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    client.force_login(TeacherFactory())
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"mark_{question.pk}": "2", "return": "1"}).status_code == 404
    response = client.post(
        reverse("classroom:commentbank-create"),
        {"question": question.pk, "text": "x", "attempt": attempt.pk},
    )
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TURNED_IN


def test_student_gets_403_on_marking(client, assignment):
    attempt = _turned_in(assignment)
    client.force_login(attempt.student)
    assert client.get(reverse("classroom:attempt-mark", args=[attempt.pk])).status_code == 403


def test_gradebook(client, teacher, assignment):
    attempt = _turned_in(assignment, StudentFactory(display_name="Anna K"))
    question = assignment.lesson.questions.get()
    services.return_attempt(
        attempt=attempt, teacher=teacher, marks={question.pk: 2}, comments={}, overall_comment=""
    )
    EnrolmentFactory(classroom=assignment.classroom, student__display_name="Boris G")
    client.force_login(teacher)
    html = client.get(
        reverse("classroom:classroom-gradebook", args=[assignment.classroom_id])
    ).content.decode()
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    assert "The Kornilov revolt" in html and "Returned" in html and "2 / 2" in html
    assert "Assigned" in html
    assert reverse("classroom:attempt-mark", args=[attempt.pk]) in html


def test_gradebook_csv_neutralises_formulas(client, teacher, assignment):
    student = StudentFactory(display_name='=HYPERLINK("http://evil")', username="eve")
    attempt = _turned_in(assignment, student)
    question = assignment.lesson.questions.get()
    services.return_attempt(
        attempt=attempt,
        teacher=teacher,
        marks={question.pk: 1},
        comments={question.pk: "+1 well done"},
        overall_comment="@cmd",
    )
    client.force_login(teacher)
    pk = assignment.classroom_id
    grid = csv_rows(client.get(reverse("classroom:classroom-gradebook-csv", args=[pk])))
    assert grid[1] == ['\'=HYPERLINK("http://evil")', "eve", "1", "50"]  # 1 of 2
    rows = csv_rows(client.get(reverse("classroom:classroom-answers-csv", args=[pk])))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Student"] == '\'=HYPERLINK("http://evil")'
    assert row["Status"] == "Returned" and row["Mark"] == "1" and row["Total"] == "1"
    assert row["Overall comment"] == "'@cmd" and row["Comment"] == "'+1 well done"


def test_gradebook_csv_is_the_grid_the_page_shows(client, teacher, assignment):
    """A row per student, a column per assignment's total; names with accents survive."""
    zoe = StudentFactory(display_name="Zoë Smith", username="zoe.s")
    attempt = _turned_in(assignment, zoe)
    question = assignment.lesson.questions.get()
    services.return_attempt(
        attempt=attempt, teacher=teacher, marks={question.pk: 2}, comments={}, overall_comment=""
    )
    EnrolmentFactory(classroom=assignment.classroom, student__display_name="Boris G")
    again = AssignmentFactory(classroom=assignment.classroom, lesson=assignment.lesson)
    other = AssignmentFactory(classroom=assignment.classroom)
    client.force_login(teacher)
    url = reverse("classroom:classroom-gradebook-csv", args=[assignment.classroom_id])
    rows = csv_rows(client.get(url))
    title = assignment.lesson.title
    set_on = f"{timezone.localtime(assignment.created_at):%-d %b %Y}"
    assert rows[0] == [
        "Student",
        "Username",
        f"{title}, set {set_on} (out of 2)",
        f"{title}, set {set_on} (out of 2)",
        f"{other.lesson.title} (out of 0)",
        "Percentage of returned marks",
    ]
    assert again.created_at >= assignment.created_at
    assert rows[1][0] == "Boris G" and rows[1][2:] == ["Assigned", "Assigned", "Assigned", ""]
    assert rows[2] == ["Zoë Smith", "zoe.s", "2", "Assigned", "Assigned", "100"]
    # The class average of returned marks: Zoë's 2 is the only one returned.
    assert rows[3] == ["Class average of returned marks", "", "2.0", "", "", ""]
    assert len(rows) == 4
    html = client.get(
        reverse("classroom:classroom-gradebook", args=[assignment.classroom_id])
    ).content.decode()
    assert url in html
    assert reverse("classroom:classroom-answers-csv", args=[assignment.classroom_id]) in html


def test_answers_csv_has_one_fixed_header(client, teacher, assignment):
    """Every row has the same columns, and each names its lesson and question."""
    QuestionFactory(lesson=assignment.lesson, position=2, marks=3, prompt="Who led it?")
    short = AssignmentFactory(classroom=assignment.classroom)
    QuestionFactory(lesson=short.lesson, position=1, prompt="When?")
    zoe = StudentFactory(display_name="Zoë Smith")
    _turned_in(assignment, zoe)
    EnrolmentFactory(classroom=assignment.classroom, student__display_name="Boris G")
    client.force_login(teacher)
    url = reverse("classroom:classroom-answers-csv", args=[assignment.classroom_id])
    rows = csv_rows(client.get(url))
    header = rows[0]
    assert header[:8] == [
        "Student",
        "Username",
        "Lesson",
        "Set",
        "Due",
        "Status",
        "Question number",
        "Question",
    ]
    assert {len(row) for row in rows} == {len(header)}
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    # 2 students x (2 questions of one lesson + 1 of the other)
    assert len(records) == 6
    zoes = [r for r in records if r["Student"] == "Zoë Smith"]
    assert [(r["Lesson"], r["Question number"]) for r in zoes] == [
        (assignment.lesson.title, "1"),
        (assignment.lesson.title, "2"),
        (short.lesson.title, "1"),
    ]
    assert zoes[1]["Question"] == "Who led it?" and zoes[1]["Out of"] == "3"
    assert zoes[0]["Answer"] == ANSWER and zoes[0]["Status"] == "Turned in"
    assert zoes[2]["Question"] == "When?" and zoes[2]["Status"] == "Assigned"


def _populated(teacher, n):
    classroom = ClassroomFactory(teacher=teacher)
    assignments = [AssignmentFactory(classroom=classroom) for _ in range(2)]
    for assignment in assignments:
        QuestionFactory.create_batch(2, lesson=assignment.lesson)
    for i in range(n):
        student = StudentFactory()
        EnrolmentFactory(classroom=classroom, student=student)
        for assignment in assignments:
            state = [{}, {"turned_in": True}, {"returned": True}][i % 3]
            attempt = AttemptFactory(assignment=assignment, student=student, **state)
            for question in assignment.lesson.questions.all():
                AnswerFactory(attempt=attempt, question=question, mark=1)
    return classroom, assignments


@pytest.mark.parametrize("n", [3, 30])
def test_marking_list_query_count(client, teacher, django_assert_num_queries, n):
    _, assignments = _populated(teacher, n)
    client.force_login(teacher)
    # session, user, assignment, attempts, their answers, enrolments with students, unread
    # private comments
    with django_assert_num_queries(7):
        assert client.get(assignments[0].get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_gradebook_query_count(client, teacher, django_assert_num_queries, n):
    classroom, _ = _populated(teacher, n)
    client.force_login(teacher)
    # session, user, classroom, students, assignments, attempts, their answers
    with django_assert_num_queries(7):
        url = reverse("classroom:classroom-gradebook", args=[classroom.pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_gradebook_csv_query_count(client, teacher, django_assert_num_queries, n):
    classroom, _ = _populated(teacher, n)
    client.force_login(teacher)
    # as the gradebook page (7, not 8: the grid needs no questions since it is the page's)
    with django_assert_num_queries(7):
        url = reverse("classroom:classroom-gradebook-csv", args=[classroom.pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_answers_csv_query_count(client, teacher, django_assert_num_queries, n):
    classroom, _ = _populated(teacher, n)
    client.force_login(teacher)
    # as the gradebook, plus the questions of the assigned lessons
    with django_assert_num_queries(8):
        url = reverse("classroom:classroom-answers-csv", args=[classroom.pk])
        assert client.get(url).status_code == 200


def test_teacher_reads_every_attempt_of_a_resubmission(client, teacher, assignment):
    first = _turned_in(assignment, text="First try about Petrograd.", returned=True)
    second = AttemptFactory(assignment=assignment, student=first.student, number=2, turned_in=True)
    client.force_login(teacher)
    html = client.get(reverse("classroom:attempt-mark", args=[second.pk])).content.decode()
    assert "Attempt 1" in html and "Attempt 2" in html
    assert reverse("classroom:attempt-mark", args=[first.pk]) in html
    old = client.get(reverse("classroom:attempt-mark", args=[first.pk])).content.decode()
    assert "First try about Petrograd." in old


def test_marking_view_shows_the_total_so_far(client, teacher, assignment):
    attempt = _turned_in(assignment)
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get(url).content.decode()).split())
    assert "Total so far: not marked yet, out of 2." in text
    attempt.answers.update(mark=2)
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get(url).content.decode()).split())
    assert "Total so far: 2 out of 2." in text


@pytest.mark.parametrize("n", [3, 30])
def test_marking_view_query_count(client, teacher, django_assert_num_queries, n):
    _, assignments = _populated(teacher, n)
    attempt = Attempt.objects.filter(assignment=assignments[0], state="turned_in").first()
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    client.get(url)
    # session, user, attempt, its answers, questions, key points, misconceptions, comment bank,
    # next to mark, the student's attempts, feedback changes, the private thread, the student
    # still in the class (may the teacher write in it)
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


def test_save_on_returned_work_keeps_the_resubmission_choice(client, teacher, assignment):
    """Returned work is what the student sees: "Save" changes "Allow resubmission" too."""
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    services.return_attempt(
        attempt=attempt, teacher=teacher, marks={question.pk: 1}, comments={}, overall_comment=""
    )
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    assert "The student already sees this work" in client.get(url).content.decode()
    client.post(url, {f"mark_{question.pk}": "1", "allow_resubmission": "on", "save": "1"})
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.RETURNED and attempt.resubmission_allowed
    client.post(url, {f"mark_{question.pk}": "1", "save": "1"})
    attempt.refresh_from_db()
    assert not attempt.resubmission_allowed


def test_an_attempt_links_to_its_marking_view(teacher, assignment):
    attempt = _turned_in(assignment)
    assert attempt.get_absolute_url() == reverse("classroom:attempt-mark", args=[attempt.pk])


def test_the_marking_view_follows_a_changed_mark_scheme(client, teacher, assignment):
    """Work turned in before a new key point: the view shows it made, as insight does."""
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    new = KeyPointFactory(question=question, text="Names the general", phrases="from kornilov")
    client.force_login(teacher)
    html = client.get(reverse("classroom:attempt-mark", args=[attempt.pk])).content.decode()
    assert new.key in ticked(html, f"points_{question.pk}")
    assert "Names the general" in html
    stored = attempt.answers.get().result  # nothing is saved: `remark` does that
    assert new.key not in [hit["key"] for hit in stored["points_made"]]


def test_saving_leaves_no_empty_answer_on_a_question_added_since(client, teacher, assignment):
    """A question added after the turn-in has no answer: one is made only to hold a mark."""
    attempt = _turned_in(assignment)
    question = assignment.lesson.questions.get()
    added = QuestionFactory(lesson=assignment.lesson, marks=3, position=2)
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    client.post(url, {f"mark_{question.pk}": "1", f"mark_{added.pk}": "", "save": "1"})
    assert not attempt.answers.filter(question=added).exists()
    client.post(url, {f"mark_{question.pk}": "1", f"mark_{added.pk}": "0", "save": "1"})
    assert attempt.answers.get(question=added).mark == 0
