"""The class insight page: figures per key point and misconception, names, access, queries."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom.models import Answer, Assignment, Attempt, Classroom, Enrolment
from lessons.models import Question
from tests.factories import (
    KeyPointFactory,
    LessonFactory,
    MisconceptionFactory,
    QuestionFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


def hand_in(assignment, student, texts, *, number=1, state=Attempt.State.TURNED_IN):
    """An attempt with its answers marked by the engine, as turn-in stores them."""
    attempt = Attempt.objects.create(
        assignment=assignment,
        student=student,
        number=number,
        state=state,
        turned_in_at=None if state == Attempt.State.DRAFT else timezone.now(),
        returned_at=timezone.now() if state == Attempt.State.RETURNED else None,
        returned_by=assignment.classroom.teacher if state == Attempt.State.RETURNED else None,
    )
    for question, text in texts.items():
        question = Question.objects.with_markscheme().get(pk=question.pk)
        Answer.objects.create(
            attempt=attempt,
            question=question,
            text=text,
            result=question.mark_scheme.mark(text).to_dict(),
            markscheme_version=question.markscheme_version,
        )
    return attempt


@pytest.fixture
def lesson():
    lesson = LessonFactory(slug="kornilov-revolt", title="The Kornilov revolt")
    question = QuestionFactory(lesson=lesson, key="why", position=1, prompt="Why did it help?")
    KeyPointFactory(
        question=question,
        key="saved",
        position=1,
        text="The Bolsheviks were seen to save Petrograd.",
        phrases="bolsheviks saved petrograd",
    )
    KeyPointFactory(
        question=question,
        key="armed",
        position=2,
        text="The Red Guards were armed.",
        phrases="red guards armed",
    )
    MisconceptionFactory(
        question=question, key="kornilov-bolshevik", phrases="kornilov was a bolshevik"
    )
    QuestionFactory(lesson=lesson, key="second", position=2, prompt="Who was Kornilov?")
    return lesson


@pytest.fixture
def assignment(lesson, teacher):
    classroom = Classroom.objects.create(teacher=teacher, name="10B History", join_code="KORNIL")
    return Assignment.objects.create(classroom=classroom, lesson=lesson, created_by=teacher)


def enrol(assignment, name):
    # force_login needs no password; skipping the hashing keeps the 30-student case quick.
    student = StudentFactory(display_name=name, password=None)
    Enrolment.objects.create(classroom=assignment.classroom, student=student)
    return student


@pytest.fixture
def class_of_three(assignment, lesson):
    why = lesson.questions.get(key="why")
    anna, boris, clara = (enrol(assignment, name) for name in ["Anna", "Boris", "Clara"])
    hand_in(
        assignment,
        anna,
        {why: "The Bolsheviks saved Petrograd. The Red Guards were armed."},
        state=Attempt.State.RETURNED,
    )
    # Boris's first attempt was returned; his second, turned in, is the one that counts.
    hand_in(assignment, boris, {why: "Nothing useful."}, number=1, state=Attempt.State.RETURNED)
    hand_in(assignment, boris, {why: "Petrograd was saved by the Bolsheviks."}, number=2)
    hand_in(assignment, clara, {why: "Kornilov was a Bolshevik."})
    # Not counted: a draft, work not turned in, and a student no longer in the class.
    hand_in(
        assignment,
        enrol(assignment, "Dmitri"),
        {why: "The Bolsheviks saved Petrograd."},
        state=Attempt.State.DRAFT,
    )
    gone = enrol(assignment, "Elena")
    hand_in(assignment, gone, {why: "The Bolsheviks saved Petrograd."})
    Enrolment.objects.filter(student=gone).update(removed_at=timezone.now())
    return assignment


def url(assignment):
    return reverse("classroom:assignment-insight", kwargs={"pk": assignment.pk})


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_figures_and_names(client, teacher, class_of_three):
    client.force_login(teacher)
    response = client.get(url(class_of_three))
    # Nothing marked yet: the page says what the agreement line will show.
    assert "When you mark answers, this says how often the instant check agreed" in text_of(
        response.content.decode()
    )
    assert response.status_code == 200
    insights = response.context["insights"]
    why, second = insights
    assert why.answered == 3 and second.answered == 0
    saved, armed = why.points
    assert (saved.key, saved.count, saved.total, saved.percent) == ("saved", 2, 3, 67)
    assert [s.name for s in saved.students] == ["Anna", "Boris"]
    assert (armed.count, armed.percent, [s.name for s in armed.students]) == (1, 33, ["Anna"])
    (mistake,) = why.misconceptions
    assert (mistake.count, [s.name for s in mistake.students]) == (1, ["Clara"])

    html = response.content.decode()
    page = text_of(html)
    assert "67% (2 of 3)" in page
    assert "33% (1 of 3)" in page
    assert '<meter class="w-100" min="0" max="3" value="2"' in html
    assert "<caption" in html and "Key points made" in page and "Misconceptions shown" in page
    assert "<details>" in html and "2 students Anna Boris" in page
    assert "No answers to this question have been turned in yet." in page
    for absent in ("Dmitri", "Elena"):
        assert absent not in page
    assert "style=" not in html  # the Content-Security-Policy forbids inline styles


def test_stale_results_follow_the_current_mark_scheme(client, teacher, class_of_three, lesson):
    # A phrase added after turn-in counts on the page, before `remark` stores anything.
    point = lesson.questions.get(key="why").key_points.get(key="armed")
    point.phrases += "\nsaved by the bolsheviks"
    point.save()
    client.force_login(teacher)
    armed = client.get(url(class_of_three)).context["insights"][0].points[1]
    assert [s.name for s in armed.students] == ["Anna", "Boris"]


def test_returned_results_stay_as_returned(client, teacher, class_of_three, lesson):
    # Anna's work was returned with "saved" found; a phrase edit since does not change it,
    # while Boris's turned-in answer follows the current scheme.
    point = lesson.questions.get(key="why").key_points.get(key="saved")
    point.phrases = "saviours of the revolution"
    point.save()
    client.force_login(teacher)
    saved = client.get(url(class_of_three)).context["insights"][0].points[0]
    assert [s.name for s in saved.students] == ["Anna"]


def test_anonymous_is_sent_to_log_in(client, assignment):
    response = client.get(url(assignment))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_students_are_refused(client, assignment):
    client.force_login(enrol(assignment, "Anna"))
    assert client.get(url(assignment)).status_code == 403


def test_another_teachers_assignment_is_not_found(client, assignment):
    client.force_login(TeacherFactory())
    assert client.get(url(assignment)).status_code == 404


@pytest.mark.parametrize("students", [3, 30])
def test_query_count_does_not_grow_with_students(
    client, teacher, assignment, lesson, students, django_assert_num_queries
):
    why, second = lesson.questions.order_by("position")
    for n in range(students):
        hand_in(
            assignment,
            enrol(assignment, f"Student {n}"),
            {why: "The Bolsheviks saved Petrograd.", second: "A general."},
        )
    # The teacher ticked the points of every other answer: the agreement costs no query.
    judged = Answer.objects.filter(question=why).order_by("pk")[::2]
    Answer.objects.filter(pk__in=[a.pk for a in judged]).update(points_judged=["armed"])
    client.force_login(teacher)
    with django_assert_num_queries(7):
        response = client.get(url(assignment))
    insight = response.context["insights"][0]
    assert insight.points[0].count == students
    assert (insight.agreement.marked, insight.agreement.agreed) == (len(judged), 0)


def test_agreement_with_the_teachers_ticks(client, teacher, class_of_three, lesson):
    why = lesson.questions.get(key="why")
    judgements = {
        "Anna": (["armed", "saved"], []),  # as the check found
        "Boris": (["armed", "saved"], []),  # the check missed "armed" in the latest attempt
        "Clara": ([], ["kornilov-bolshevik"]),  # the teacher dismissed the misconception
    }
    for name, (points, dismissed) in judgements.items():
        for answer in Answer.objects.filter(attempt__student__display_name=name, question=why):
            answer.points_judged, answer.misconceptions_dismissed = points, dismissed
            answer.save()
    client.force_login(teacher)
    response = client.get(url(class_of_three))
    agreement = response.context["insights"][0].agreement
    assert (agreement.marked, agreement.agreed) == (3, 1)
    assert agreement.most_missed == ("The Red Guards were armed.", 1)
    assert agreement.most_over_credited is None
    page = text_of(response.content.decode())
    assert "The instant check agreed with your ticks on 1 of 3 marked answers." in page
    assert "It missed “The Red Guards were armed.” most often (1 time)." in page


def test_rows_are_labelled_with_whole_statements(client, teacher, class_of_three, lesson):
    """A key point by its text, a misconception by its correction: never a key or fragment."""
    mistake = lesson.questions.get(key="why").misconceptions.get()
    client.force_login(teacher)
    html = client.get(url(class_of_three)).content.decode()
    headers = [
        text_of(cell)
        for cell in re.findall(r'<th scope="row" class="fw-normal">(.*?)</th>', html, re.S)
    ]
    assert headers[:3] == [
        "The Bolsheviks were seen to save Petrograd.",
        "The Red Guards were armed.",
        text_of(mistake.feedback),
    ]
    page = text_of(html)
    assert "Kornilov bolshevik" not in page and "kornilov-bolshevik" not in page
