"""Login lockout (django-axes): by username and address together, ending by itself."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from classroom.services import UnlockRefused, unlock_student
from tests.factories import PASSWORD, EnrolmentFactory, StudentFactory

SCHOOL = "203.0.113.7"
WRONG = "not-the-password"


def login(client, username, password, address=SCHOOL):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_five_times(client, username):
    for _ in range(4):
        response = login(client, username, WRONG)
        assert response.status_code == 200  # the form again, with its error
    # axes answers the failure that reaches the limit with the lockout page already.
    assert_locked_out(login(client, username, WRONG))
    assert "_auth_user_id" not in client.session


def assert_locked_out(response):
    assert response.status_code in (403, 429)
    html = response.content.decode()
    assert "Too many failed attempts" in html
    assert "ask your teacher to unlock your account" in html


def test_sixth_login_is_locked_even_with_the_right_password(client, world):
    fail_five_times(client, world.student_a.username)
    response = login(client, world.student_a.username, PASSWORD)
    assert_locked_out(response)
    assert "_auth_user_id" not in client.session


def test_lockout_is_never_by_address_alone(client, world):
    fail_five_times(client, world.student_a.username)
    response = login(client, world.student_b.username, PASSWORD)  # same school address
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.student_b.pk)


def test_the_same_username_from_another_address_is_not_locked(client, world):
    fail_five_times(client, world.student_a.username)
    response = login(client, world.student_a.username, PASSWORD, address="198.51.100.9")
    assert response.status_code == 302


def test_lockout_ends_by_itself(client, world, settings):
    fail_five_times(client, world.student_a.username)
    assert_locked_out(login(client, world.student_a.username, PASSWORD))
    # Time passes: the failures are older than the cool-off period.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    response = login(client, world.student_a.username, PASSWORD)
    assert response.status_code == 302


def test_teacher_unlocks_their_own_student(client, world):
    fail_five_times(client, world.student_a.username)
    assert unlock_student(teacher=world.teacher_a, student=world.student_a) >= 1
    response = login(client, world.student_a.username, PASSWORD)
    assert response.status_code == 302


def test_teacher_cannot_unlock_someone_elses_student(client, world):
    fail_five_times(client, world.student_a.username)
    with pytest.raises(UnlockRefused):
        unlock_student(teacher=world.teacher_b, student=world.student_a)
    with pytest.raises(UnlockRefused):  # a student is not a teacher
        unlock_student(teacher=world.student_b, student=world.student_a)
    assert_locked_out(login(client, world.student_a.username, PASSWORD))


def test_a_removed_student_is_not_unlocked_by_the_old_teacher(world):
    former = StudentFactory()
    enrolment = EnrolmentFactory(classroom=world.class_a, student=former)
    enrolment.removed_at = timezone.now()
    enrolment.save()
    with pytest.raises(UnlockRefused):
        unlock_student(teacher=world.teacher_a, student=former)


def test_unlock_button_on_the_class_page_works(client, world):
    fail_five_times(client, world.student_a.username)
    teacher = type(client)()
    teacher.force_login(world.teacher_a)
    url = reverse("classroom:student-unlock", args=[world.class_a.pk, world.student_a.pk])
    assert teacher.post(url).status_code == 302
    assert login(client, world.student_a.username, PASSWORD).status_code == 302


def test_unlocking_an_account_that_is_not_a_students_is_refused_with_a_message(client, world):
    """A teacher's account enrolled in a class through the admin: refused, not a server error."""
    EnrolmentFactory(classroom=world.class_a, student=world.teacher_b)
    client.force_login(world.teacher_a)
    url = reverse("classroom:student-unlock", args=[world.class_a.pk, world.teacher_b.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(world.class_a.get_absolute_url(), 302)]
    assert "You can only unlock students in your own classes." in response.content.decode()
