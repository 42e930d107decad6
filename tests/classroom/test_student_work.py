"""My work: every visible assignment with its status, the ones needing action first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from tests.factories import (
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    StudentFactory,
)

WORK_LIST = "/my-work/"


@pytest.fixture
def classroom(student):
    classroom = ClassroomFactory(name="10H History")
    EnrolmentFactory(classroom=classroom, student=student)
    return classroom


def status_of(response, title: str) -> str:
    """The status, in the product's words, of the row of the lesson called `title`."""
    (row,) = [r for r in response.context["rows"] if r.assignment.lesson.title == title]
    return row.status.label


def test_my_work_shows_each_status_in_the_product_words(client, student, classroom):
    now = timezone.now()
    past, future = now - timedelta(days=1), now + timedelta(days=3)

    def assign(title, due=None, **kwargs):
        return AssignmentFactory(classroom=classroom, lesson__title=title, due_at=due, **kwargs)

    assign("Nothing yet", future)
    draft = assign("Saved a draft", future)
    AttemptFactory(assignment=draft, student=student)
    done = assign("Turned in on time", future)
    AttemptFactory(assignment=done, student=student, turned_in=True)
    late = assign("Turned in late", past)
    AttemptFactory(assignment=late, student=student, turned_in=True)
    assign("Never turned in", past)
    draft_missing = assign("Draft but overdue", past)
    AttemptFactory(assignment=draft_missing, student=student)
    returned = assign("Marked and returned", past)
    AttemptFactory(assignment=returned, student=student, returned=True)
    resubmitting = assign("Resubmitting", past)
    AttemptFactory(assignment=resubmitting, student=student, returned=True)
    AttemptFactory(assignment=resubmitting, student=student, number=2)
    assign("No due date")

    client.force_login(student)
    response = client.get(WORK_LIST)
    html = response.content.decode()
    assert "<h1>My work</h1>" in html
    expected = {
        "Nothing yet": "Assigned",
        "Saved a draft": "Draft",
        "Turned in on time": "Turned in",
        "Turned in late": "Late",
        "Never turned in": "Missing",
        "Draft but overdue": "Missing",
        "Marked and returned": "Returned",
        "Resubmitting": "Draft",
        "No due date": "Assigned",
    }
    for title, status in expected.items():
        assert status_of(response, title) == status, title
    # Each status as a badge of its colour, once per row in that status.
    badges = {"danger": "Missing", "primary": "Assigned", "warning": "Draft", "info": "Returned"}
    badges |= {"secondary": "Late", "success": "Turned in"}
    for colour, status in badges.items():
        badge = f'<span class="badge text-bg-{colour}">{status}</span>'
        assertContains(response, badge, count=list(expected.values()).count(status), html=True)
    assert "No due date" in html
    assert "10H History" in html
    # Needing action first: Missing, Assigned, Draft, then Returned, then Turned in and Late.
    order = [row.assignment.lesson.title for row in response.context["rows"]]
    assert order.index("Never turned in") < order.index("Nothing yet")
    assert order.index("Nothing yet") < order.index("Saved a draft")
    assert order.index("Saved a draft") < order.index("Marked and returned")
    assert order.index("Marked and returned") < order.index("Turned in on time")
    # Then by due date: the earlier of two assigned ones first, no due date last.
    assert order.index("Nothing yet") < order.index("No due date")


def test_my_work_hides_unstarted_archived_and_other_classes(client, student, classroom):
    now = timezone.now()
    AssignmentFactory(
        classroom=classroom, lesson__title="Starts tomorrow", start_at=now + timedelta(days=1)
    )
    AssignmentFactory(
        classroom=classroom, lesson__title="Started", start_at=now - timedelta(hours=1)
    )
    AssignmentFactory(lesson__title="Another class")
    archived = ClassroomFactory(is_archived=True)
    EnrolmentFactory(classroom=archived, student=student)
    AssignmentFactory(classroom=archived, lesson__title="Archived class")
    removed = ClassroomFactory()
    EnrolmentFactory(classroom=removed, student=student, removed_at=now)
    AssignmentFactory(classroom=removed, lesson__title="Removed from class")
    client.force_login(student)
    html = client.get(WORK_LIST).content.decode()
    assert "Started" in html
    for hidden in ("Starts tomorrow", "Another class", "Archived class", "Removed from class"):
        assert hidden not in html


def test_my_work_is_for_logged_in_students(client, teacher, db):
    response = client.get(WORK_LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(teacher)
    assert client.get(WORK_LIST).status_code == 403


def test_nav_shows_my_work_to_students(client, student, classroom):
    client.force_login(student)
    html = client.get("/").content.decode()
    assert f'href="{WORK_LIST}">My work</a>' in html


def _fill(student, classroom, n):
    for i in range(n):
        assignment = AssignmentFactory(
            classroom=classroom, due_at=timezone.now() + timedelta(days=i - n // 2)
        )
        if i % 3:
            AttemptFactory(assignment=assignment, student=student, returned=True)
            AttemptFactory(assignment=assignment, student=student, number=2)
    # Someone else's work is never fetched row by row either.
    other = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=other)


@pytest.mark.parametrize("n", [3, 30])
def test_my_work_query_count_is_fixed(client, student, classroom, n, django_assert_num_queries):
    _fill(student, classroom, n)
    client.force_login(student)
    # session, user, assignments, attempts, unread private replies, announcements
    with django_assert_num_queries(6):
        response = client.get(WORK_LIST)
    assert len(response.context["rows"]) == n
