"""classroom.backends.ModelBackend: the signed-in user read as Django's ModelBackend reads it."""

import pytest
from django.contrib.auth import backends as django_backends
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classroom.backends import ModelBackend
from tests.factories import StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def _fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def test_get_user_gives_what_djangos_gives():
    ours, django = ModelBackend(), django_backends.ModelBackend()
    student, teacher = StudentFactory(), TeacherFactory()
    inactive = StudentFactory(is_active=False)
    for user in (student, teacher):
        with CaptureQueriesContext(connection) as queries:
            found = ours.get_user(user.pk)
        assert len(queries) == 1
        assert _fields(found) == _fields(django.get_user(user.pk))
    for user_id in (inactive.pk, teacher.pk + 1000, "not a number", None):
        assert ours.get_user(user_id) is None
    assert django.get_user(inactive.pk) is None  # the same rule as Django's


def test_a_signed_in_student_is_read_by_it_on_every_request(client):
    student = StudentFactory()
    client.force_login(student, backend="classroom.backends.ModelBackend")
    response = client.get("/my-work/")
    assert response.status_code == 200
    assert response.wsgi_request.user == student
