"""The admin's "Checker review": answers where teachers' ticks differ from the instant check,
turned into samples and phrases by content editors, with the effect shown before saving."""

import io
import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from classroom import services
from classroom.models import Answer
from lessons.models import KeyPoint, SampleAnswer
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    MisconceptionFactory,
    QuestionFactory,
    SampleAnswerFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A correct answer in words the scheme does not know; the teacher ticks "in-prison".
OWN_WORDS = "He could not do it because at that moment he was sitting in a cell in Kresty."


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_staff=True, is_superuser=True)


@pytest.fixture
def question(db):
    lesson = LessonFactory(slug="kornilov-revolt", title="The Kornilov revolt")
    question = QuestionFactory(
        lesson=lesson,
        key="trotsky",
        position=2,
        prompt="Why could Trotsky not lead the defence?",
        marks=2,
        model_answer="He was in prison. He was released in September.",
    )
    KeyPointFactory(
        question=question,
        key="in-prison",
        position=1,
        text="He was in prison.",
        phrases="in prison",
    )
    KeyPointFactory(
        question=question,
        key="released-later",
        position=2,
        text="He was released in September.",
        phrases="released september",
    )
    MisconceptionFactory(
        question=question,
        key="trotsky-led",
        phrases="trotsky led defence",
        feedback="Trotsky did not lead the defence.",
    )
    SampleAnswerFactory(
        question=question, position=0, answer="He was in prison.", expect=["in-prison"]
    )
    return question


def hand_in_and_tick(question, teacher, text, points, dismissed=(), name="Zoë Ivanova"):
    """A student of a class of `teacher` turns in `text`; the teacher ticks `points`."""
    classroom = ClassroomFactory(teacher=teacher, name="10H History")
    student = StudentFactory(
        display_name=name, username=f"s{StudentFactory._meta.model.objects.count()}"
    )
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom, lesson=question.lesson)
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={question.pk: text}, base_version=0
    )
    services.mark_attempt(
        attempt=attempt,
        teacher=teacher,
        marks={question.pk: None},
        comments={},
        overall_comment="",
        points={question.pk: list(points)},
        dismissed={question.pk: list(dismissed)},
    )
    return Answer.objects.get(attempt=attempt, question=question)


def review_url(question):
    return reverse("admin:classroom_checkerreview_review", args=[question.pk])


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def reviewed(question, teacher):
    """One answer the check misses, one it agrees on, one with a dismissed misconception."""
    return {
        "missed": hand_in_and_tick(question, teacher, OWN_WORDS, ["in-prison"]),
        "agreed": hand_in_and_tick(question, teacher, "He was in prison.", ["in-prison"]),
        "dismissed": hand_in_and_tick(
            question,
            teacher,
            "Trotsky led the defence? No: he was in prison.",
            ["in-prison"],
            dismissed=["trotsky-led"],
        ),
    }


def test_the_page_lists_only_disagreements_without_names(client, editor, question, reviewed):
    client.force_login(editor)
    response = client.get(review_url(question))
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(html)
    assert "Teachers have ticked the key points of 3 answers" in page
    assert "disagrees with 2 of them" in page
    assert OWN_WORDS in page
    assert "Trotsky led the defence? No: he was" in page
    assert page.count("He was in prison.") >= 1
    # The agreeing answer is not listed as one to review.
    assert len(response.context["reviewed"]) == 2
    for name in ("Zoë Ivanova", "10H History", "pupil-number-"):
        assert name not in html
    assert '<mark class="try-hit" title="in-prison">' in html  # matched words highlighted
    assert "Not in this answer (differs)" in page
    assert "Suggest a phrase for “He was in prison.”" in page
    assert 'value="Add as sample"' in html


def test_add_as_sample_expects_the_teachers_judgement(client, editor, question, reviewed):
    client.force_login(editor)
    answer = reviewed["dismissed"]
    response = client.post(review_url(question), {"action": "add-sample", "answer": answer.pk})
    assert response.status_code == 302
    sample = SampleAnswer.objects.get(question=question, answer=answer.text)
    assert (sample.position, sample.expect, sample.expected_misconceptions) == (
        1,
        ["in-prison"],
        [],
    )
    response = client.post(
        review_url(question), {"action": "add-sample", "answer": answer.pk}, follow=True
    )
    assert "already a sample" in response.content.decode()
    assert SampleAnswer.objects.filter(question=question).count() == 2
    # An answer the check agrees on is not offered, and cannot be posted.
    client.post(review_url(question), {"action": "add-sample", "answer": reviewed["agreed"].pk})
    assert SampleAnswer.objects.filter(question=question).count() == 2


def test_a_phrase_is_previewed_then_saved_then_answers_remarked(client, editor, question, reviewed):
    client.force_login(editor)
    missed = reviewed["missed"]
    data = {"action": "phrase", "point": "in-prison", "answer": missed.pk, "phrase": "Cell  Kresty"}
    response = client.post(review_url(question), {**data, "previewed": ""})
    assert response.status_code == 200  # the preview: nothing saved yet
    assert KeyPoint.objects.get(key="in-prison").phrases == "in prison"
    page = text_of(response.content.decode())
    assert "What adding “cell kresty” would do" in page
    assert "No sample of the question would change result." in page
    assert [r.answer.pk for r in response.context["preview"].now_agreeing] == [missed.pk]
    assert 'value="Save phrase"' in response.content.decode()

    response = client.post(review_url(question), {**data, "previewed": "cell kresty"})
    assert response.status_code == 302
    assert KeyPoint.objects.get(key="in-prison").phrases == "in prison\ncell kresty"
    page = text_of(client.get(review_url(question)).content.decode())
    assert "disagrees with 1 of them" in page  # the dismissed one is left
    assert "Re-mark stored answers" in page

    before = Answer.objects.get(pk=missed.pk).result
    response = client.post(review_url(question), {"action": "remark"}, follow=True)
    assert "Re-marking the stored answers of this question has started" in response.content.decode()
    after = Answer.objects.get(pk=missed.pk)
    assert before["points_made"] == [] and after.result["points_made"][0]["key"] == "in-prison"
    assert after.points_judged == ["in-prison"] and after.mark == 1  # the teacher's, untouched
    assert "Re-mark stored answers" not in client.get(review_url(question)).content.decode()


def test_a_phrase_that_breaks_a_sample_needs_a_second_click(client, editor, question, reviewed):
    # "released" alone would credit the agreeing sample "He was in prison." with nothing new,
    # so use a phrase that the existing sample matches wrongly: "prison" for released-later.
    client.force_login(editor)
    data = {"action": "phrase", "point": "released-later", "answer": reviewed["missed"].pk}
    data["phrase"] = "prison"
    response = client.post(review_url(question), {**data, "previewed": "prison"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "would break" in text_of(html) and 'value="Save anyway"' in html
    assert "released september" == KeyPoint.objects.get(key="released-later").phrases
    response = client.post(
        review_url(question), {**data, "previewed": "prison", "confirm_break": "Save anyway"}
    )
    assert response.status_code == 302
    assert KeyPoint.objects.get(key="released-later").phrases == "released september\nprison"


def test_a_phrase_of_filler_only_is_refused(client, editor, question, reviewed):
    client.force_login(editor)
    data = {"action": "phrase", "point": "in-prison", "answer": reviewed["missed"].pk}
    response = client.post(review_url(question), {**data, "phrase": "the of a"})
    assert "not only filler words" in response.content.decode()
    assert KeyPoint.objects.get(key="in-prison").phrases == "in prison"


def test_a_sample_added_here_is_exported_like_any_other(
    client, editor, question, reviewed, tmp_path
):
    client.force_login(editor)
    client.post(review_url(question), {"action": "add-sample", "answer": reviewed["missed"].pk})
    call_command("export_lessons", "--out", str(tmp_path), stdout=io.StringIO())
    exported = yaml.safe_load((tmp_path / "kornilov-revolt.yaml").read_text())
    (entry,) = [q for q in exported["questions"] if q["key"] == "trotsky"]
    assert entry["samples"][-1] == {
        "answer": OWN_WORDS,
        "expect": ["in-prison"],
        "misconceptions": [],
    }


def test_sample_and_phrase_make_check_markscheme_pass(client, editor, question, reviewed):
    client.force_login(editor)
    missed = reviewed["missed"]
    client.post(review_url(question), {"action": "add-sample", "answer": missed.pk})
    data = {"action": "phrase", "point": "in-prison", "answer": missed.pk}
    client.post(review_url(question), {**data, "phrase": "cell kresty", "previewed": "cell kresty"})
    out = io.StringIO()
    call_command("check_markscheme", "--lesson", "kornilov-revolt", stdout=out)
    assert "2/2 samples agree" in out.getvalue()


def test_links_and_index(client, editor, question, reviewed):
    client.force_login(editor)
    change = client.get(reverse("admin:lessons_question_change", args=[question.pk]))
    assert review_url(question) in change.content.decode()
    index = text_of(client.get(reverse("admin:index")).content.decode())
    assert "Checker review" in index
    listing = client.get(reverse("admin:classroom_checkerreview_changelist")).content.decode()
    assert review_url(question) in listing


@pytest.mark.parametrize("who", ["visitor", "student", "teacher"])
def test_only_staff_reach_the_review_page(client, question, reviewed, teacher, who):
    if who == "student":
        client.force_login(StudentFactory(username="someone"))
    elif who == "teacher":
        client.force_login(teacher)
    for response in (
        client.get(review_url(question)),
        client.post(
            review_url(question), {"action": "add-sample", "answer": reviewed["missed"].pk}
        ),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert SampleAnswer.objects.filter(question=question).count() == 1


def test_staff_without_content_rights_can_read_but_not_change(client, question, reviewed):
    from django.contrib.auth.models import Permission

    reader = UserFactory(username="reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_checkerreview"))
    client.force_login(reader)
    assert client.get(review_url(question)).status_code == 200
    response = client.post(
        review_url(question), {"action": "add-sample", "answer": reviewed["missed"].pk}
    )
    assert response.status_code == 403
    assert SampleAnswer.objects.filter(question=question).count() == 1


def test_an_unknown_question_is_404(client, editor):
    client.force_login(editor)
    assert (
        client.get(reverse("admin:classroom_checkerreview_review", args=[999])).status_code == 404
    )


@pytest.mark.parametrize("answers", [3, 30])
def test_review_page_query_count_does_not_grow(
    client, editor, question, teacher, answers, django_assert_num_queries
):
    for n in range(answers):
        hand_in_and_tick(question, teacher, f"{OWN_WORDS} ({n})", ["in-prison"])
    client.force_login(editor)
    # session, user, the question, its key points, misconceptions, samples, retired points,
    # retired misconceptions, the judged answers.
    with django_assert_num_queries(9):
        response = client.get(review_url(question))
    assert len(response.context["reviewed"]) == answers


def test_remarking_runs_as_a_task_so_the_page_answers_at_once(
    client, editor, question, reviewed, settings
):
    """The admin only enqueues the re-marking (a stored task, not yet run: the dummy
    backend); the task, when the worker runs it, re-marks."""
    from django_tasks import default_task_backend

    from classroom.tasks import remark_question

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(editor)
    missed = reviewed["missed"]
    data = {"action": "phrase", "point": "in-prison", "answer": missed.pk}
    client.post(review_url(question), {**data, "phrase": "cell kresty", "previewed": "cell kresty"})
    before = Answer.objects.get(pk=missed.pk).result
    response = client.post(review_url(question), {"action": "remark"}, follow=True)
    assert "has started in the background" in response.content.decode()
    assert Answer.objects.get(pk=missed.pk).result == before  # queued, not run in the request
    [queued] = default_task_backend.results
    assert queued.task.module_path == "classroom.tasks.remark_question"
    assert queued.kwargs == {"question_id": question.pk}

    report = remark_question.call(**queued.kwargs)  # what the worker does
    assert report["changed"] >= 1 and report["answers"] == 3
    assert Answer.objects.get(pk=missed.pk).result["points_made"][0]["key"] == "in-prison"


def test_remarking_a_question_deleted_since_does_nothing(question, reviewed):
    from classroom.tasks import remark_question

    stored = {a.pk: a.result for a in Answer.objects.all()}
    assert remark_question.call(question_id=question.pk + 1000) == {
        "answers": 0,
        "changed": 0,
        "restamped": 0,
    }
    assert {a.pk: a.result for a in Answer.objects.all()} == stored
