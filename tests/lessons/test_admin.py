"""The admin's "Try an answer" page on a question: marks a typed answer, saves nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lessons.models import KeyPoint, Misconception, Question, SampleAnswer
from tests.factories import (
    KeyPointFactory,
    MisconceptionFactory,
    QuestionFactory,
    SampleAnswerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def question():
    question = QuestionFactory(key="why-support-grew", marks=2)
    KeyPointFactory(
        question=question,
        key="saved-petrograd",
        position=1,
        text="The Bolsheviks were seen as the saviours of Petrograd.",
        hint="Who did people credit with stopping Kornilov?",
        phrases="bolsheviks saved petrograd",
    )
    KeyPointFactory(
        question=question,
        key="red-guards",
        position=2,
        text="The Red Guards were armed.",
        hint="What did the workers get during the crisis?",
        phrases="red guards armed",
    )
    MisconceptionFactory(
        question=question,
        key="kornilov-bolshevik",
        phrases="kornilov was a bolshevik",
        feedback="Kornilov was a general.",
    )
    SampleAnswerFactory(
        question=question,
        position=0,
        answer="Bolsheviks saved Petrograd.",
        expect=["saved-petrograd"],
    )
    SampleAnswerFactory(question=question, position=1, answer="No idea.", expect=["red-guards"])
    return question


def try_url(question):
    return reverse("admin:lessons_question_try", args=[question.pk])


def counts():
    return [m.objects.count() for m in (Question, KeyPoint, Misconception, SampleAnswer)]


def test_change_form_links_to_try_page(client, admin_user, question):
    client.force_login(admin_user)
    response = client.get(reverse("admin:lessons_question_change", args=[question.pk]))
    assert response.status_code == 200
    assert f'href="{try_url(question)}"' in response.content.decode()


def test_try_page_shows_form_and_sample_check(client, admin_user, question):
    client.force_login(admin_user)
    response = client.get(try_url(question))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<textarea name="answer"' in html
    assert "Mark this answer" in html
    assert "What the engine found" not in html
    # "Check samples": each stored sample and whether the engine agrees.
    assert "1 of 2 stored sample answers agree with the engine." in html
    assert 'class="try-agrees"' in html and 'class="try-disagrees"' in html
    assert "style=" not in html  # no inline styles (the CSP forbids them)


def test_try_an_answer_shows_result_and_saves_nothing(client, admin_user, question):
    client.force_login(admin_user)
    before = counts()
    updated = question.updated_at
    response = client.post(
        try_url(question),
        {"answer": "The Bolsheviks saved Petrograd. Kornilov was a Bolshevik, I think."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    result = response.context["result"]
    assert [hit.key for hit in result.points_made] == ["saved-petrograd"]
    assert result.suggested_mark == 1
    assert '<mark class="try-hit" title="saved-petrograd">Bolsheviks</mark>' in html
    assert '<mark class="try-hit" title="saved-petrograd">Petrograd</mark>.' in html
    assert "Suggested mark: <strong>1 / 2</strong>" in html
    assert "Hint: What did the workers get during the crisis?" in html  # the missed point
    assert "<code>kornilov-bolshevik</code>" in html
    assert "Correction shown: Kornilov was a general." in html
    assert counts() == before
    question.refresh_from_db()
    assert question.updated_at == updated


def test_empty_answer_asks_for_one(client, admin_user, question):
    client.force_login(admin_user)
    response = client.post(try_url(question), {"answer": ""})
    assert response.status_code == 200
    assert response.context["result"] is None
    assert "This field is required." in response.content.decode()


def test_try_page_needs_staff(client, question, teacher):
    url = try_url(question)
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(teacher)
    assert client.get(url).status_code == 302


def test_unknown_question_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:lessons_question_try", args=[999999])).status_code == 404


def test_lesson_change_form_edits_word_groups(client, admin_user, question):
    client.force_login(admin_user)
    url = reverse("admin:lessons_lesson_change", args=[question.lesson.pk])
    html = client.get(url).content.decode()
    assert 'name="word_groups"' in html
    assert "separated by commas" in html  # the help text says how to write them


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("troops", "Line 1 ('troops'): a word group needs at least two words"),
        ("troops, soldiers\nred guards, pg", "'red guards' is not a single word"),
    ],
)
def test_lesson_word_groups_are_checked_when_edited(question, text, problem):
    lesson = question.lesson
    lesson.word_groups = text
    with pytest.raises(ValidationError) as excinfo:
        lesson.full_clean()
    (message,) = excinfo.value.message_dict["word_groups"]
    assert problem in message
    assert "for example: troops, soldiers" in message
    lesson.word_groups = "troops, soldiers\n\n  pg ,government  "
    lesson.full_clean()
    assert lesson.word_group_list == [["troops", "soldiers"], ["pg", "government"]]
