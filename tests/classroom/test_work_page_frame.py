"""The work page's lesson is rendered once per content version (`lessons.views.lesson_frame`)
with slots for each student's own parts: it must give the page a whole render gives, and
follow every change to the lesson."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone

from classroom import services
from lessons.content import DEFAULT_CONTENT_DIR
from lessons.models import Lesson
from lessons.views import LESSON_PREFETCH, lesson_context
from tests.factories import AssignmentFactory, ClassroomFactory, EnrolmentFactory

SLUG = "kornilov-revolt"


@pytest.fixture
def work(shipped_lessons, student):
    classroom = ClassroomFactory(name="10H History")
    EnrolmentFactory(classroom=classroom, student=student)
    lesson = Lesson.objects.get(slug=SLUG)
    return AssignmentFactory(
        classroom=classroom,
        lesson=lesson,
        instructions="Answer in full sentences.",
        due_at=timezone.now() + timedelta(days=2),
    )


def page(client, assignment) -> str:
    response = client.get(f"/my-work/{assignment.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def whole(response) -> str:
    """The lesson part of the page as `{% include "classroom/_work_lesson.html" %}` renders it
    in one go, with the context the view gave the page."""
    lesson = Lesson.objects.with_content_version().get(pk=response.context["lesson"].pk)
    prefetch_related_objects([lesson], *LESSON_PREFETCH)
    given = {key: response.context[key] for key in response.context.keys()}
    context = {**given, **lesson_context(lesson)}
    return render_to_string(
        "classroom/_work_lesson.html", context, request=response.wsgi_request
    ).strip()


def turn_in(student, assignment) -> None:
    questions = assignment.lesson.questions.filter(is_retired=False)
    texts = {q.pk: "The Bolsheviks saved Petrograd & <b>Kornilov</b> failed." for q in questions}
    services.turn_in(student=student, assignment=assignment, texts=texts, base_version=0)


@pytest.mark.parametrize("turned_in", [False, True])
def test_the_filled_frame_is_the_lesson_rendered_whole(client, student, work, turned_in):
    if turned_in:
        turn_in(student, work)
    client.force_login(student)
    page(client, work)  # the frame is built and kept
    response = client.get(f"/my-work/{work.pk}/")
    html = response.content.decode()
    expected = whole(response)
    assert 'id="question-kornilov-aims"' in expected
    assert ("Instant feedback" in expected) is turned_in
    assert expected in html


def rewrite(tmp_path: Path, change) -> Path:
    """The shipped lesson file with `change` made to its data, written to `tmp_path`."""
    source = DEFAULT_CONTENT_DIR / f"{SLUG}.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / f"{SLUG}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def reimport(path: Path) -> None:
    call_command("import_lessons", str(path), stdout=io.StringIO())


def test_a_lesson_re_imported_with_changes_shows_on_the_work_page(client, student, work, tmp_path):
    client.force_login(student)
    before = page(client, work)
    assert "By the summer of 1917 the Tsar was gone." in before
    assert "Who was Kornilov, and what did he try to do" in before

    def change(data: dict) -> None:
        data["title"] = "The Kornilov affair"
        data["sections"][0]["body"] = data["sections"][0]["body"].replace(
            "By the summer of 1917 the Tsar was gone.", "By midsummer 1917 no Tsar ruled."
        )
        data["key_terms"][0]["definition"] = "The government of Russia from March 1917 OS."
        data["questions"][0]["prompt"] = "What did Kornilov want in August 1917 OS?"

    reimport(rewrite(tmp_path, change))
    after = page(client, work)
    assert "The Kornilov affair" in after
    assert "By midsummer 1917 no Tsar ruled." in after
    assert "By the summer of 1917 the Tsar was gone." not in after
    assert "The government of Russia from March 1917 OS." in after
    assert "What did Kornilov want in August 1917 OS?" in after
    assert "Who was Kornilov, and what did he try to do" not in after


def test_a_question_taken_out_of_the_lesson_leaves_the_work_page(client, student, work, tmp_path):
    client.force_login(student)
    assert 'id="question-kornilov-aims"' in page(client, work)
    reimport(rewrite(tmp_path, lambda data: data["questions"].pop(0)))  # retired, not deleted
    html = page(client, work)
    assert 'id="question-kornilov-aims"' not in html
    assert 'id="question-why-powerless"' in html
