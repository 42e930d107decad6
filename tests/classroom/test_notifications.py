"""The notifications pages: the count in the navigation, the list, opening one (read, then
its page, never another site), and "Mark all as read"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.http import local_path
from classroom.models import Notification
from tests.factories import StudentFactory, TeacherFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db

LIST = reverse("classroom:notification-list")
READ_ALL = reverse("classroom:notification-read-all")


def tell(person, n: int = 1, *, url: str = "/my-work/", kind=Notification.Kind.RETURNED):
    for i in range(n):
        services.notify(recipients=[person], kind=kind, message=f"Notice {i + 1}", url=url)
    return list(Notification.objects.filter(recipient=person))


def open_url(notice: Notification) -> str:
    return reverse("classroom:notification-open", kwargs={"pk": notice.pk})


def test_the_navigation_shows_the_unread_count_in_words(client, student):
    client.force_login(student)
    page = client.get(reverse("lessons:lesson-list")).content.decode()
    assert f'href="{LIST}"' in page and "unread" not in page  # none unread: no count
    tell(student, 3)
    page = client.get(reverse("lessons:lesson-list")).content.decode()
    assert '3<span class="visually-hidden"> unread</span>' in page
    assert "Notifications 3 unread" in text_of(page)


def test_teachers_see_the_link_and_visitors_do_not(client, teacher):
    assert f'href="{LIST}"' not in client.get(reverse("lessons:lesson-list")).content.decode()
    client.force_login(teacher)
    assert f'href="{LIST}"' in client.get(reverse("lessons:lesson-list")).content.decode()


def test_the_list_is_newest_first_with_unread_kind_and_time(client, student):
    old = tell(student, 1, kind=Notification.Kind.ASSIGNED)[0]
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=2), read_at=timezone.now()
    )
    tell(student, 1)
    client.force_login(student)
    page = text_of(client.get(LIST).content.decode())
    assert page.index("Unread Work returned") < page.index("New assignment")
    assert "Unread New assignment" not in page  # the old one was read
    assert "You have 1 unread" in page
    assert timezone.localtime(old.created_at - timedelta(days=2)).strftime("%-d %b %Y") in page


def test_the_list_is_paginated(client, student):
    tell(student, 25)
    client.force_login(student)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 20
    assert "Notice 25" in first.content.decode() and "Page 1 of 2" in first.content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "Notice 5<" in second and "Notice 25" not in second
    assert client.get(LIST, {"page": "nonsense"}).status_code == 200


def test_an_empty_list_says_what_will_appear(client, student):
    client.force_login(student)
    page = text_of(client.get(LIST).content.decode())
    assert "Nothing yet" in page and "Mark all as read" not in page


def test_opening_marks_it_read_and_goes_to_its_page(client, student):
    notice, other = tell(student, 2, url="/my-work/7/")
    client.force_login(student)
    response = client.get(open_url(notice))
    assert response.status_code == 302 and response["Location"] == "/my-work/7/"
    notice.refresh_from_db()
    student.refresh_from_db()
    assert notice.read_at is not None and student.unread_notifications == 1
    read_at = notice.read_at
    client.get(open_url(notice))  # opened again: stays read, from the first time
    notice.refresh_from_db()
    assert notice.read_at == read_at
    other.refresh_from_db()
    assert other.read_at is None


def test_someone_elses_notification_is_404_and_stays_unread(client, student):
    [notice] = tell(student)
    for intruder in (StudentFactory(), TeacherFactory()):
        client.force_login(intruder)
        assert client.get(open_url(notice)).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_visitors_log_in_first(client, student):
    [notice] = tell(student)
    for url in (LIST, open_url(notice), reverse("classroom:account-update")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    assert client.post(READ_ALL)["Location"].startswith(reverse("login"))
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_a_link_off_the_site_is_never_followed(client, student, url):
    [notice] = tell(student, url=url)
    client.force_login(student)
    response = client.get(open_url(notice))
    assert response.status_code == 302 and response["Location"] == LIST
    notice.refresh_from_db()
    assert notice.read_at is not None  # read all the same
    assert "no page on this site" in client.get(LIST).content.decode()


def test_local_paths_pass_the_guard():
    assert local_path("/my-work/3/?tab=feedback#q2") == "/my-work/3/?tab=feedback#q2"
    assert local_path("/my-work/3/\nLocation: x") is None


def test_mark_all_as_read(client, student):
    tell(student, 3)
    someone = StudentFactory()
    tell(someone, 1)
    client.force_login(student)
    assert client.get(READ_ALL).status_code == 405  # POST only
    response = client.post(READ_ALL, follow=True)
    assert "Marked 3 notifications read." in response.content.decode()
    student.refresh_from_db()
    assert student.unread_notifications == 0
    assert not Notification.objects.filter(recipient=student, read_at__isnull=True).exists()
    someone.refresh_from_db()
    assert someone.unread_notifications == 1  # nobody else's
    again = client.post(READ_ALL, follow=True).content.decode()
    assert "You had no unread notifications." in again


def test_mark_all_as_read_needs_the_csrf_token(student):
    from django.test import Client

    tell(student)
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(READ_ALL).status_code == 403
    student.refresh_from_db()
    assert student.unread_notifications == 1


@pytest.mark.parametrize("n", [3, 30])
def test_notifications_page_query_count(client, student, n, django_assert_num_queries):
    tell(student, n)
    client.force_login(student)
    # session, user, count (the pages), the page's notices
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == min(n, 20)


@pytest.mark.parametrize("n", [3, 30])
def test_the_navigation_count_costs_no_query(client, student, n, django_assert_num_queries):
    tell(student, n)
    client.force_login(student)
    # session, user, the account form's page: nothing for the count
    with django_assert_num_queries(2):
        response = client.get(reverse("classroom:account-update"))
    assert f"{n}<span" in response.content.decode()


def test_the_admin_lists_notifications_read_only(client, student):
    from tests.factories import UserFactory

    [notice] = tell(student)
    client.force_login(UserFactory(username="support", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:classroom_notification_changelist"))
    assert listing.status_code == 200
    assert "Notice 1" in listing.content.decode()
    assert client.get(reverse("admin:classroom_notification_add")).status_code == 403
    detail = client.get(reverse("admin:classroom_notification_change", args=[notice.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    delete = reverse("admin:classroom_notification_delete", args=[notice.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=notice.pk).exists()
