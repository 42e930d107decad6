"""My classes, the class page, join codes, archiving and the roster."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse

from classroom import services
from classroom.models import Classroom, Enrolment, User
from tests.factories import (
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def classroom(teacher):
    return services.create_classroom(teacher=teacher, name="10H History", year_group="Year 10")


def test_create_class_page(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("classroom:classroom-create"))
    assert b"Class name" in response.content and b"Year group" in response.content
    response = client.post(reverse("classroom:classroom-create"), {"name": "", "year_group": ""})
    assert b"Give the class a name." in response.content
    response = client.post(
        reverse("classroom:classroom-create"), {"name": "9R History", "year_group": "Year 9"}
    )
    classroom = Classroom.objects.get(name="9R History")
    assert classroom.teacher == teacher
    assert response["Location"] == classroom.get_absolute_url()


def test_my_classes_lists_active_then_archived(client, teacher, classroom):
    archived = ClassroomFactory(teacher=teacher, name="Old class", is_archived=True)
    ClassroomFactory(name="Someone else's class")
    EnrolmentFactory(classroom=classroom)
    client.force_login(teacher)
    response = client.get(reverse("classroom:classroom-list"))
    html = response.content.decode()
    assert "<h1" in html and "My classes" in html and "Create class" in html
    assert classroom.join_code in html
    assert html.index("10H History") < html.index("Archived classes") < html.index("Old class")
    assert reverse("classroom:classroom-restore", args=[archived.pk]) in html
    assert "Someone else" not in html


def test_update_classroom(client, teacher, classroom):
    client.force_login(teacher)
    url = reverse("classroom:classroom-update", args=[classroom.pk])
    client.post(url, {"name": "10H Hist", "year_group": "Y10"})
    classroom.refresh_from_db()
    assert classroom.name == "10H Hist"


def test_class_page(client, teacher, classroom):
    student = StudentFactory(display_name="Anna Karenina", username="anna.k")
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom, lesson__title="The Kornilov revolt")
    AttemptFactory(assignment=assignment, student=student, turned_in=True)
    client.force_login(teacher)
    html = client.get(classroom.get_absolute_url()).content.decode()
    assert "Join code" in html and classroom.join_code in html
    assert "Assign lesson" in html and "Gradebook" in html
    assert "Anna Karenina" in html and "anna.k" in html
    assert "The Kornilov revolt" in html and assignment.get_absolute_url() in html
    assert "1 / 1" in html
    assert reverse("classroom:enrolment-remove", args=[classroom.pk, student.pk]) in html


def test_regenerate_join_code(client, teacher, classroom):
    old = classroom.join_code
    client.force_login(teacher)
    assert (
        client.get(reverse("classroom:classroom-regenerate-code", args=[classroom.pk])).status_code
        == 405
    )
    client.post(reverse("classroom:classroom-regenerate-code", args=[classroom.pk]))
    classroom.refresh_from_db()
    assert classroom.join_code != old


def test_archive_and_restore(client, teacher, classroom):
    client.force_login(teacher)
    client.post(reverse("classroom:classroom-archive", args=[classroom.pk]))
    classroom.refresh_from_db()
    assert classroom.is_archived
    client.post(reverse("classroom:classroom-restore", args=[classroom.pk]))
    classroom.refresh_from_db()
    assert not classroom.is_archived


def test_remove_student_keeps_work_and_rejoin_clears(client, teacher, classroom):
    student = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom)
    AttemptFactory(assignment=assignment, student=student)
    client.force_login(teacher)
    response = client.post(reverse("classroom:enrolment-remove", args=[classroom.pk, student.pk]))
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(classroom=classroom, student=student)
    assert enrolment.removed_at is not None
    assert student.attempts.count() == 1
    client.get(classroom.get_absolute_url())  # shows the message
    assert student.name not in client.get(classroom.get_absolute_url()).content.decode()
    services.enrol_student(classroom=classroom, student=student)
    enrolment.refresh_from_db()
    assert enrolment.removed_at is None


def test_add_students_in_bulk(client, teacher, classroom):
    StudentFactory(username="anna.k")
    client.force_login(teacher)
    url = reverse("classroom:students-add", args=[classroom.pk])
    response = client.post(url, {"names": "  \n"})
    assert b"Type at least one name, one per line." in response.content
    response = client.post(url, {"names": "Anna Karenina\n\nBoris  Godunov\nCher\n"})
    cards_url = reverse("classroom:students-cards", args=[classroom.pk])
    assert response.status_code == 302 and response["Location"] == cards_url
    response = client.get(cards_url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    students = User.objects.filter(enrolments__classroom=classroom).order_by("pk")
    assert [s.display_name for s in students] == ["Anna Karenina", "Boris Godunov", "Cher"]
    usernames = [s.username for s in students]
    assert re.fullmatch(r"anna\.k\d+", usernames[0])
    assert usernames[1:] == ["boris.g", "cher"]
    passwords = re.findall(r"[a-z]+-[a-z]+-[a-z]+-\d\d", html)
    assert len(passwords) == 3
    for student, password in zip(students, passwords, strict=True):
        assert student.must_change_password and student.is_student
        assert student.check_password(password)
        assert password not in student.password
        assert len(password) >= 12
        validate_password(password, student)
        assert student.username in html
    assert classroom.join_code in html and "/accounts/login/" in html


def test_reset_student_password(client, teacher, classroom):
    student = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=student)
    client.force_login(teacher)
    response = client.post(
        reverse("classroom:student-reset-password", args=[classroom.pk, student.pk]),
        follow=True,
    )
    assert response.redirect_chain == [
        (reverse("classroom:students-cards", args=[classroom.pk]), 302)
    ]
    password = re.search(r"[a-z]+-[a-z]+-[a-z]+-\d\d", response.content.decode()).group()
    student.refresh_from_db()
    assert student.check_password(password) and student.must_change_password


def test_other_teachers_ids_give_404(client, classroom):
    student = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=student)
    client.force_login(TeacherFactory())
    pk = classroom.pk
    for name in (
        "classroom-detail",
        "classroom-update",
        "students-add",
        "classroom-gradebook",
        "classroom-gradebook-csv",
        "classroom-answers-csv",
        "assignment-create",
    ):
        assert client.get(reverse(f"classroom:{name}", args=[pk])).status_code == 404, name
    for name in ("classroom-archive", "classroom-restore", "classroom-regenerate-code"):
        assert client.post(reverse(f"classroom:{name}", args=[pk])).status_code == 404, name
    for name in ("enrolment-remove", "student-reset-password"):
        url = reverse(f"classroom:{name}", args=[pk, student.pk])
        assert client.post(url).status_code == 404, name
    student.refresh_from_db()
    assert not student.must_change_password


def test_student_not_in_class_gives_404(client, teacher, classroom):
    outsider = StudentFactory()
    client.force_login(teacher)
    url = reverse("classroom:student-reset-password", args=[classroom.pk, outsider.pk])
    assert client.post(url).status_code == 404


def _class_with_students(teacher, n):
    classroom = ClassroomFactory(teacher=teacher)
    assignments = [AssignmentFactory(classroom=classroom) for _ in range(3)]
    for i in range(n):
        student = StudentFactory()
        EnrolmentFactory(classroom=classroom, student=student)
        AttemptFactory(assignment=assignments[i % 3], student=student, turned_in=True)
    return classroom


@pytest.mark.parametrize("n", [3, 30])
def test_class_page_query_count(client, teacher, django_assert_num_queries, n):
    classroom = _class_with_students(teacher, n)
    client.force_login(teacher)
    url = classroom.get_absolute_url()
    # session, user, classroom, enrolments with students, assignments with counts, and the
    # login lockouts of the class's students (6, not 5: "Unlock login" shows only for those),
    # the class's announcements
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_my_classes_query_count(client, teacher, django_assert_num_queries, n):
    for _ in range(n // 3):
        _class_with_students(teacher, 3)
    client.force_login(teacher)
    with django_assert_num_queries(3):
        assert client.get(reverse("classroom:classroom-list")).status_code == 200


def test_add_students_refuses_an_overlong_name_and_keeps_the_list(client, teacher, classroom):
    client.force_login(teacher)
    url = reverse("classroom:students-add", args=[classroom.pk])
    names = "Anna Karenina\n" + "B" * 151 + "\n"
    response = client.post(url, {"names": names})
    html = response.content.decode()
    assert "Shorten this name to 150 characters or fewer: BBBB" in html
    assert "Anna Karenina" in html  # the list typed is shown again
    assert not User.objects.filter(enrolments__classroom=classroom).exists()
    too_many = "\n".join(f"Student {n}" for n in range(61))
    assert "Add at most 60 students at a time" in client.post(url, {"names": too_many}).text
