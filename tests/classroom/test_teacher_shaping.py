"""Shaping assignments, the pages: assigning to several classes or chosen students, extensions,
"Return all marked", and what students and the gradebook then show."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Assignment, Attempt, Extension
from tests.factories import (
    AnswerFactory,
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    LessonFactory,
    QuestionFactory,
    StudentFactory,
    TeacherFactory,
)
from tests.pages import csv_rows


def _assign_url(classroom) -> str:
    return reverse("classroom:assignment-create", args=[classroom.pk])


# --- The assign form ----------------------------------------------------------------------------


def test_the_assign_form_ticks_this_class_and_lists_the_others_and_the_students(
    client, teacher, classroom, pupils
):
    other = ClassroomFactory(teacher=teacher, name="9B")
    ClassroomFactory(teacher=teacher, name="Archived 7C", is_archived=True)
    ClassroomFactory(name="Not mine")
    client.force_login(teacher)
    response = client.get(_assign_url(classroom))
    html = response.text
    form = response.context["form"]
    assert form["classrooms"].initial == [classroom.pk]
    assert f'name="classrooms" value="{classroom.pk}"' in html and "9B" in html
    assert "Archived 7C" not in html and "Not mine" not in html
    assert "All students" in html and "Chosen students only" in html
    for pupil in pupils:
        assert f'name="students" value="{pupil.pk}"' in html
    assert other.pk in {c.pk for c in form.fields["classrooms"].queryset}


def test_assigning_to_two_classes(client, teacher, classroom):
    other = ClassroomFactory(teacher=teacher, name="9B")
    lesson = LessonFactory()
    client.force_login(teacher)
    data = {"lessons": [lesson.pk], "classrooms": [classroom.pk, other.pk], "audience": "all"}
    response = client.post(_assign_url(classroom), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("classroom:classroom-list")
    assert "1 lesson assigned to 9A and 9B." in response.text
    assert set(Assignment.objects.values_list("classroom__name", flat=True)) == {"9A", "9B"}


def test_a_class_not_yours_is_refused_with_a_message(client, teacher, classroom):
    theirs = ClassroomFactory(teacher=TeacherFactory())
    client.force_login(teacher)
    data = {"lessons": [LessonFactory().pk], "classrooms": [classroom.pk, theirs.pk]}
    response = client.post(_assign_url(classroom), data)
    assert response.status_code == 200
    assert "You can only assign to your own active classes" in response.text
    assert not Assignment.objects.exists()


def test_no_class_ticked_is_a_form_error(client, teacher, classroom):
    client.force_login(teacher)
    response = client.post(_assign_url(classroom), {"lessons": [LessonFactory().pk]})
    assert "Tick at least one class to assign to." in response.text
    assert not Assignment.objects.exists()


def test_assigning_to_chosen_students(client, teacher, classroom, pupils):
    anna, boris, clara = pupils
    client.force_login(teacher)
    data = {
        "lessons": [LessonFactory().pk],
        "classrooms": [classroom.pk],
        "audience": "chosen",
        "students": [anna.pk, boris.pk],
    }
    response = client.post(_assign_url(classroom), data, follow=True)
    assert "1 lesson assigned to 2 chosen students of 9A." in response.text
    assignment = Assignment.objects.get()
    assert set(assignment.students()) == {anna, boris}


def test_chosen_students_with_two_classes_are_refused(client, teacher, classroom, pupils):
    other = ClassroomFactory(teacher=teacher, name="9B")
    client.force_login(teacher)
    data = {
        "lessons": [LessonFactory().pk],
        "classrooms": [classroom.pk, other.pk],
        "audience": "chosen",
        "students": [pupils[0].pk],
    }
    response = client.post(_assign_url(classroom), data)
    assert "Chosen students are for 9A only: tick that class alone, or choose All" in response.text
    assert not Assignment.objects.exists()


def test_chosen_with_nobody_ticked_or_a_stranger_is_refused(client, teacher, classroom, pupils):
    client.force_login(teacher)
    base = {"lessons": [LessonFactory().pk], "classrooms": [classroom.pk], "audience": "chosen"}
    response = client.post(_assign_url(classroom), base)
    assert "Tick at least one student, or choose All students." in response.text
    stranger = StudentFactory()
    response = client.post(_assign_url(classroom), {**base, "students": [stranger.pk]})
    assert response.status_code == 200 and "is not one of the available choices" in response.text
    assert not Assignment.objects.exists()


def test_editing_changes_who_it_is_for(client, teacher, classroom, pupils):
    anna, boris, _ = pupils
    assignment = AssignmentFactory(classroom=classroom)
    AttemptFactory(assignment=assignment, student=anna, turned_in=True)
    client.force_login(teacher)
    url = reverse("classroom:assignment-update", args=[assignment.pk])
    data = {"lesson": assignment.lesson_id, "audience": "chosen", "students": [boris.pk]}
    assert client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert list(assignment.students()) == [boris]
    form = client.get(url).context["form"]
    assert form.initial["audience"] == "chosen" and form.initial["students"] == [boris.pk]
    # Anna's work stays on the marking list, under "No longer chosen".
    html = client.get(assignment.get_absolute_url()).text
    assert "No longer chosen" in html and "Anna" in html
    assert "Chosen students only (1)" in html


# --- Extensions ---------------------------------------------------------------------------------


@pytest.fixture
def due(classroom, pupils):
    return AssignmentFactory(classroom=classroom, due_at=timezone.now() - timedelta(hours=2))


def _extension_url(assignment, student) -> str:
    return reverse("classroom:extension-update", args=[assignment.pk, student.pk])


def test_giving_changing_and_removing_an_extension(client, teacher, due, pupils, settings):
    settings.TIME_ZONE = "Europe/London"
    anna = pupils[0]
    client.force_login(teacher)
    html = client.get(due.get_absolute_url()).text
    assert _extension_url(due, anna) in html and "Give extension" in html
    assert "Remove extension" not in client.get(_extension_url(due, anna)).text
    response = client.post(
        _extension_url(due, anna), {"due_date": "2030-12-12", "due_time": "09:00"}, follow=True
    )
    assert "Anna&#x27;s work is now due 12 December 2030, 09:00." in response.text
    extension = Extension.objects.get()
    assert timezone.localtime(extension.due_at).hour == 9 and extension.granted_by == teacher
    assert "Change extension" in response.text and "Extended" in response.text
    page = client.get(_extension_url(due, anna))
    assert page.context["form"].initial == {
        "due_date": timezone.localtime(extension.due_at).date(),
        "due_time": timezone.localtime(extension.due_at).time(),
    }
    assert "Remove extension" in page.text
    url = reverse("classroom:extension-delete", args=[due.pk, anna.pk])
    response = client.post(url, follow=True)
    assert "Anna&#x27;s extension is removed" in response.text
    assert not Extension.objects.exists()
    assert "had no extension" in client.post(url, follow=True).text


def test_an_extension_form_refuses_bad_dates(client, teacher, due, pupils):
    client.force_login(teacher)
    url = _extension_url(due, pupils[0])
    assert "Choose the date their work is now due." in client.post(url, {}).text
    response = client.post(url, {"due_date": "9999-12-31"})
    assert "Choose a date between 1 January 2000 and 31 December 2099." in response.text
    undated = AssignmentFactory(classroom=due.classroom)
    response = client.post(_extension_url(undated, pupils[0]), {"due_date": "2030-01-01"})
    assert "no due date, so there is nothing to extend" in response.text
    assert not Extension.objects.exists()


def test_an_extension_is_only_for_a_student_it_is_set_for(client, teacher, due, pupils):
    services.update_assignment(assignment=due, students=[pupils[0]])
    client.force_login(teacher)
    assert client.get(_extension_url(due, pupils[1])).status_code == 404
    assert client.get(_extension_url(due, StudentFactory())).status_code == 404
    client.force_login(TeacherFactory())
    assert client.get(_extension_url(due, pupils[0])).status_code == 404
    url = reverse("classroom:extension-delete", args=[due.pk, pupils[0].pk])
    assert client.post(url).status_code == 404


# --- What students see --------------------------------------------------------------------------


def test_the_extended_student_sees_their_own_due_time(client, teacher, due, pupils, settings):
    settings.TIME_ZONE = "Europe/London"
    anna, boris, _ = pupils
    services.grant_extension(
        assignment=due,
        student=anna,
        due_at=timezone.now() + timedelta(days=3),
        teacher=teacher,
    )
    own = timezone.localtime(Extension.objects.get().due_at)
    client.force_login(anna)
    html = client.get(reverse("classroom:work-list")).text
    assert f"{own:%a} {own.day} {own:%b %Y}" in html and "Extended for you" in html
    assert "Missing" not in html
    html = client.get(reverse("classroom:work-detail", args=[due.pk])).text
    assert "your own due time" in html and f"{own.day} {own:%B %Y}" in html
    client.force_login(boris)
    html = client.get(reverse("classroom:work-list")).text
    assert "Extended for you" not in html and "Missing" in html


def test_a_student_not_chosen_never_sees_it(client, teacher, classroom, pupils):
    anna, boris, _ = pupils
    [assignment] = services.assign_lessons(
        classroom=classroom,
        lessons=[LessonFactory(title="The July days")],
        teacher=teacher,
        students=[anna],
    )
    client.force_login(boris)
    assert "The July days" not in client.get(reverse("classroom:work-list")).text
    for name in ("work-detail",):
        assert client.get(reverse(f"classroom:{name}", args=[assignment.pk])).status_code == 404
    assert client.post(reverse("classroom:work-save", args=[assignment.pk])).status_code == 404
    client.force_login(anna)
    assert "The July days" in client.get(reverse("classroom:work-list")).text


# --- Return all marked ------------------------------------------------------------------------


def test_return_all_marked_says_how_many(client, teacher, classroom, pupils):
    assignment = AssignmentFactory(classroom=classroom)
    question = QuestionFactory(lesson=assignment.lesson)
    for pupil, mark in zip(pupils, [1, 2, None], strict=True):
        attempt = AttemptFactory(assignment=assignment, student=pupil, turned_in=True)
        AnswerFactory(attempt=attempt, question=question, mark=mark)
    client.force_login(teacher)
    html = client.get(assignment.get_absolute_url()).text
    assert "3 pieces of work are turned in and waiting" in html
    url = reverse("classroom:assignment-return-marked", args=[assignment.pk])
    html = client.post(url, follow=True).text
    assert "Returned 2 pieces of work to the students." in html
    assert "1 turned-in piece of work is not fully marked, so it stays turned in" in html
    assert Attempt.objects.filter(state="returned").count() == 2
    html = client.post(url, follow=True).text
    assert "No marked work was waiting to be returned." in html
    assert Attempt.objects.filter(state="returned").count() == 2
    assert client.get(url).status_code == 405


# --- Gradebook --------------------------------------------------------------------------------


def _gradebook(client, classroom):
    return client.get(reverse("classroom:classroom-gradebook", args=[classroom.pk]))


def test_gradebook_averages_percentages_missing_and_extensions(client, teacher, due, pupils):
    anna, boris, clara = pupils
    QuestionFactory(lesson=due.lesson, marks=4)
    question = due.lesson.questions.get()
    for pupil, mark in ((anna, 3), (boris, 2)):
        attempt = AttemptFactory(assignment=due, student=pupil, returned=True)
        AnswerFactory(attempt=attempt, question=question, mark=mark)
    services.grant_extension(
        assignment=due,
        student=clara,
        due_at=timezone.now() + timedelta(days=1),
        teacher=teacher,
    )
    chosen = AssignmentFactory(classroom=due.classroom, due_at=timezone.now() - timedelta(days=1))
    services.update_assignment(assignment=chosen, students=[anna])
    QuestionFactory(lesson=chosen.lesson)
    client.force_login(teacher)
    response = _gradebook(client, due.classroom)
    html = response.text
    assert "Class average" in html and "2.5 / 4" in html and "of 2 returned" in html
    assert "75%" in html and "50%" in html and "Nothing returned" in html
    own = timezone.localtime(Extension.objects.get().due_at)
    assert f"due {own.day} {own:%b} (extended)" in html
    assert 'class="badge text-bg-danger">Missing</span>' in html  # Anna, on the chosen one
    assert html.count("Not assigned") == 2  # Boris and Clara, on the chosen one
    rows = csv_rows(
        client.get(reverse("classroom:classroom-gradebook-csv", args=[due.classroom.pk]))
    )
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Anna"][2:] == ["3", "Missing", "75"]
    assert by_name["Clara"][2:] == ["Assigned", "Not assigned", ""]
    assert by_name["Class average of returned marks"][2:] == ["2.5", "", ""]
    header, *lines = csv_rows(
        client.get(reverse("classroom:classroom-answers-csv", args=[due.classroom.pk]))
    )
    answers = [dict(zip(header, line, strict=True)) for line in lines]
    assert {(r["Student"], r["Lesson"]) for r in answers if r["Lesson"] == chosen.lesson.title} == {
        ("Anna", chosen.lesson.title)
    }
    clara_due = [r["Due"] for r in answers if r["Student"] == "Clara"]
    assert clara_due == [f"{own:%Y-%m-%d %H:%M}"]


# --- Query counts -----------------------------------------------------------------------------


def _shaped(teacher, n):
    """A class of n students; one assignment for all with an extension for the first student,
    one for two chosen students, each with work in every state."""
    classroom = ClassroomFactory(teacher=teacher)
    students = [EnrolmentFactory(classroom=classroom).student for _ in range(n)]
    later = timezone.now() + timedelta(days=3)
    everyone = AssignmentFactory(classroom=classroom, due_at=timezone.now() - timedelta(days=1))
    chosen = AssignmentFactory(classroom=classroom, due_at=timezone.now() + timedelta(days=1))
    services.update_assignment(assignment=chosen, students=students[:2])
    services.grant_extension(
        assignment=everyone, student=students[0], due_at=later, teacher=teacher
    )
    for assignment in (everyone, chosen):
        question = QuestionFactory(lesson=assignment.lesson)
        for i, student in enumerate(students if assignment is everyone else students[:2]):
            state = [{}, {"turned_in": True}, {"returned": True}][i % 3]
            attempt = AttemptFactory(assignment=assignment, student=student, **state)
            AnswerFactory(attempt=attempt, question=question, mark=1)
    return classroom, everyone, chosen, students


@pytest.mark.parametrize("n", [3, 30])
def test_marking_list_query_count(client, teacher, django_assert_num_queries, n):
    _, everyone, chosen, _ = _shaped(teacher, n)
    client.force_login(teacher)
    # session, user, assignment, attempts, their answers, extensions, enrolments with students,
    # unread private comments
    with django_assert_num_queries(8):
        assert client.get(everyone.get_absolute_url()).status_code == 200
    # ... and the chosen students (9)
    with django_assert_num_queries(9):
        assert client.get(chosen.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_gradebook_query_count(client, teacher, django_assert_num_queries, n):
    classroom, *_ = _shaped(teacher, n)
    client.force_login(teacher)
    # session, user, classroom, students, assignments, extensions, chosen students, attempts,
    # their answers
    with django_assert_num_queries(9):
        assert _gradebook(client, classroom).status_code == 200
    with django_assert_num_queries(9):
        url = reverse("classroom:classroom-gradebook-csv", args=[classroom.pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_my_work_query_count(client, teacher, django_assert_num_queries, n):
    _, _, _, students = _shaped(teacher, n)
    client.force_login(students[0])
    # session, user, assignments (with the own due time), attempts, unread private comments,
    # announcements
    with django_assert_num_queries(6):
        html = client.get(reverse("classroom:work-list")).text
    assert "Extended for you" in html


@pytest.mark.parametrize("n", [3, 30])
def test_assign_form_query_count(client, teacher, django_assert_num_queries, n):
    classroom, *_ = _shaped(teacher, n)
    ClassroomFactory(teacher=teacher)
    client.force_login(teacher)
    # session, user, classroom, lessons, the teacher's classes, the class's students
    with django_assert_num_queries(6):
        assert client.get(_assign_url(classroom)).status_code == 200


def test_the_class_page_counts_chosen_students(client, teacher, classroom, pupils):
    anna, boris, clara = pupils
    [assignment] = services.assign_lessons(
        classroom=classroom, lessons=[LessonFactory()], teacher=teacher, students=[anna, boris]
    )
    AttemptFactory(assignment=assignment, student=anna, turned_in=True)
    client.force_login(teacher)
    html = client.get(classroom.get_absolute_url()).text
    assert "1 / 2" in html and "chosen students" in html
