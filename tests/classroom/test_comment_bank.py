"""The comment bank's own page: a teacher's reusable comments, to add, reword and delete."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from classroom.models import CommentBankEntry
from tests.factories import LessonFactory, QuestionFactory, StudentFactory, TeacherFactory

LIST = reverse("classroom:commentbank-list")
CREATE = reverse("classroom:commentbank-create")


@pytest.fixture
def questions(db):
    first = LessonFactory(title="The Kornilov revolt", order=1)
    second = LessonFactory(title="The July Days", order=2)
    return [
        QuestionFactory(lesson=second, position=1, prompt="Why did the July Days fail?"),
        QuestionFactory(lesson=first, position=2, prompt="Who armed the Red Guards?"),
        QuestionFactory(lesson=first, position=1, prompt="Why did Kornilov march?"),
    ]


def _entry(teacher, question, text):
    return CommentBankEntry.objects.create(teacher=teacher, question=question, text=text)


def _edit(entry):
    return reverse("classroom:commentbank-update", args=[entry.pk])


def _delete(entry):
    return reverse("classroom:commentbank-delete", args=[entry.pk])


def test_the_page_groups_comments_by_lesson_then_question(client, teacher, questions):
    july, red_guards, kornilov = questions
    _entry(teacher, red_guards, "Say who armed them.")
    _entry(teacher, kornilov, "Give the month.")
    _entry(teacher, kornilov, "Add a date.")
    _entry(teacher, july, "Name the party.")
    _entry(TeacherFactory(), kornilov, "Another teacher's comment")
    client.force_login(teacher)
    response = client.get(LIST)
    html = response.content.decode()
    listed = [
        (e.question.lesson.title, e.question.position, e.text) for e in response.context["entries"]
    ]
    assert listed == [
        ("The Kornilov revolt", 1, "Add a date."),
        ("The Kornilov revolt", 1, "Give the month."),
        ("The Kornilov revolt", 2, "Say who armed them."),
        ("The July Days", 1, "Name the party."),
    ]
    # Grouped under one heading per lesson and per question.
    for lesson in (kornilov.lesson, july.lesson):
        heading = f'<h2 id="lesson-{lesson.pk}" class="h4">{lesson.title}</h2>'
        assertContains(response, heading, count=1, html=True)
    for question in (kornilov, red_guards):
        heading = f"Question {question.position}: {question.prompt}"
        assertContains(response, f'<h3 class="h6 mt-3">{heading}</h3>', count=1, html=True)
    assert "Another teacher&#x27;s comment" not in html and "Another teacher's" not in html
    assert html.count('action="/comment-bank/') == 4 + 1  # a Delete per comment, and Add


def test_an_empty_bank_says_how_to_fill_it(client, teacher, questions):
    client.force_login(teacher)
    html = client.get(LIST).content.decode()
    assert "Your comment bank is empty" in html
    assert "Save this comment to my comment bank" in html


def test_the_add_form_offers_only_questions_still_asked(client, teacher, questions):
    july, red_guards, kornilov = questions
    red_guards.is_retired = True
    red_guards.save()
    client.force_login(teacher)
    html = client.get(LIST).content.decode()
    assert f'<option value="{kornilov.pk}">' in html
    assert f'<option value="{red_guards.pk}">' not in html


def test_adding_from_the_page_returns_to_it(client, teacher, questions):
    client.force_login(teacher)
    response = client.post(CREATE, {"question": questions[0].pk, "text": "Name the party."})
    assert response["Location"] == LIST
    assert list(teacher.comment_bank.values_list("text", flat=True)) == ["Name the party."]
    assert "Comment saved to your comment bank." in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "Name the party."}, "Choose the question this comment is for."),
        ({"question": "", "text": "Name the party."}, "Choose the question this comment is for."),
        ({"question": "999999", "text": "x"}, "Choose one of the questions in the list."),
        ({"question": "Q", "text": "   "}, "Type a comment before saving it"),
        ({"question": "Q", "text": "x" * 1001}, "Keep a comment to 1000 characters or fewer"),
    ],
)
def test_a_refused_comment_is_explained_and_the_text_kept(
    client, teacher, questions, data, message
):
    data = {key: str(questions[0].pk) if value == "Q" else value for key, value in data.items()}
    client.force_login(teacher)
    response = client.post(CREATE, data)
    assert response.status_code == 200  # the page again, with the form as it was sent
    html = response.content.decode()
    assert message in html
    if data["text"].strip() and len(data["text"]) < 100:
        assert data["text"] in html
    assert not CommentBankEntry.objects.exists()


def test_rewording_a_comment(client, teacher, questions):
    entry = _entry(teacher, questions[0], "Name the party")
    client.force_login(teacher)
    page = client.get(_edit(entry)).content.decode()
    assert "Name the party" in page and "Why did the July Days fail?" in page
    response = client.post(_edit(entry), {"text": "  Name the party that led the rising.  "})
    assert response["Location"] == LIST
    entry.refresh_from_db()
    assert entry.text == "Name the party that led the rising."
    assert entry.question == questions[0] and entry.teacher == teacher


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type the comment, or delete it from your comment bank instead."),
        ("x" * 1001, "Keep a comment to 1000 characters or fewer (this one has 1001)."),
        ("Add a date.", "Your comment bank already has this comment for this question"),
    ],
)
def test_a_refused_rewording_is_explained_and_nothing_changes(
    client, teacher, questions, text, message
):
    _entry(teacher, questions[0], "Add a date.")
    entry = _entry(teacher, questions[0], "Name the party")
    client.force_login(teacher)
    response = client.post(_edit(entry), {"text": text})
    assert response.status_code == 200
    assert message in response.content.decode()
    entry.refresh_from_db()
    assert entry.text == "Name the party"


def test_the_same_wording_on_another_question_is_allowed(client, teacher, questions):
    _entry(teacher, questions[1], "Add a date.")
    entry = _entry(teacher, questions[0], "Name the party")
    client.force_login(teacher)
    assert client.post(_edit(entry), {"text": "Add a date."})["Location"] == LIST
    assert teacher.comment_bank.filter(text="Add a date.").count() == 2


def test_deleting_a_comment_twice(client, teacher, questions):
    """A double click or a second tab: the second delete explains, and nothing else goes."""
    keep = _entry(teacher, questions[0], "Add a date.")
    entry = _entry(teacher, questions[0], "Name the party")
    client.force_login(teacher)
    response = client.post(_delete(entry), follow=True)
    assert "Deleted from your comment bank: “Name the party”" in response.content.decode()
    response = client.post(_delete(entry), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "no longer in your comment bank" in response.content.decode()
    assert list(teacher.comment_bank.all()) == [keep]
    assert client.get(_delete(keep)).status_code == 405


def test_saving_a_comment_deleted_in_another_tab(client, teacher, questions):
    entry = _entry(teacher, questions[0], "Name the party")
    client.force_login(teacher)
    entry_url = _edit(entry)
    entry.delete()
    assert client.get(entry_url).status_code == 404
    response = client.post(entry_url, {"text": "Name the party that led it."}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "no longer in your comment bank" in response.content.decode()
    assert not CommentBankEntry.objects.exists()


def test_another_teachers_comment_cannot_be_seen_changed_or_deleted(client, questions):
    entry = _entry(TeacherFactory(), questions[0], "Mine")
    client.force_login(TeacherFactory())
    assert client.get(_edit(entry)).status_code == 404
    assert "no longer in your" in client.post(_edit(entry), {"text": "x"}, follow=True).text
    assert "no longer in your" in client.post(_delete(entry), follow=True).text
    entry.refresh_from_db()
    assert entry.text == "Mine"


def test_students_and_visitors_are_kept_out(client, teacher, questions):
    entry = _entry(teacher, questions[0], "Mine")
    for url in (LIST, _edit(entry)):
        assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(StudentFactory())
    for url in (LIST, _edit(entry)):
        assert client.get(url).status_code == 403
    assert client.post(_delete(entry)).status_code == 403
    assert CommentBankEntry.objects.filter(pk=entry.pk).exists()


def test_teachers_find_the_bank_in_the_navigation(client, teacher, questions):
    client.force_login(teacher)
    html = client.get(reverse("classroom:classroom-list")).content.decode()
    assert f'href="{LIST}">Comment bank</a>' in html  # in the navigation


@pytest.mark.parametrize("n", [3, 30])
def test_comment_bank_query_count(client, teacher, questions, django_assert_num_queries, n):
    for i in range(n):
        _entry(teacher, questions[i % 3], f"Comment {i}")
    client.force_login(teacher)
    # session, user, the entries with their questions and lessons, the questions to choose from
    with django_assert_num_queries(4):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_edit_page_query_count(client, teacher, questions, django_assert_num_queries, n):
    entries = [_entry(teacher, questions[i % 3], f"Comment {i}") for i in range(n)]
    client.force_login(teacher)
    # session, user, the comment with its question and lesson
    with django_assert_num_queries(3):
        assert client.get(_edit(entries[-1])).status_code == 200
