"""Shaping assignments, the services: several classes at once, chosen students, extensions (a
student's own due time), and returning all marked work in one go."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from classroom import services
from classroom.models import (
    AssignedStudent,
    Assignment,
    Attempt,
    Extension,
    Notification,
    Status,
    work_status,
)
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


@pytest.fixture
def assignment(classroom):
    return AssignmentFactory(classroom=classroom)


@pytest.fixture
def question(db):
    return QuestionFactory()


# --- Several classes ------------------------------------------------------------------------


def test_one_lesson_to_several_classes_makes_one_assignment_each(teacher, classroom, pupils):
    other = ClassroomFactory(teacher=teacher, name="9B")
    somebody = EnrolmentFactory(classroom=other).student
    lessons = [LessonFactory(), LessonFactory()]
    made = services.assign_lessons(classrooms=[classroom, other], lessons=lessons, teacher=teacher)
    assert len(made) == 4
    for target in (classroom, other):
        assert {a.lesson_id for a in made if a.classroom_id == target.pk} == {
            lesson.pk for lesson in lessons
        }
    # Each class's students are told of their own class's assignments only.
    assert Notification.objects.filter(recipient=somebody).count() == 2
    assert Notification.objects.filter(recipient=pupils[0]).count() == 2


def test_the_same_class_twice_is_one_class(teacher, classroom):
    made = services.assign_lessons(
        classroom=classroom, classrooms=[classroom], lessons=[LessonFactory()], teacher=teacher
    )
    assert len(made) == 1


def test_a_class_not_yours_is_refused_and_nothing_is_set(teacher, classroom):
    theirs = ClassroomFactory(teacher=TeacherFactory())
    with pytest.raises(services.ServiceError, match="your own classes"):
        services.assign_lessons(
            classrooms=[classroom, theirs], lessons=[LessonFactory()], teacher=teacher
        )
    assert not Assignment.objects.exists()


def test_an_archived_class_is_refused(teacher, classroom):
    classroom.is_archived = True
    classroom.save()
    with pytest.raises(services.ServiceError, match="Restore 9A"):
        services.assign_lessons(classrooms=[classroom], lessons=[LessonFactory()], teacher=teacher)


def test_no_class_is_refused(teacher):
    with pytest.raises(services.ServiceError, match="at least one class"):
        services.assign_lessons(lessons=[LessonFactory()], teacher=teacher)


# --- Chosen students -------------------------------------------------------------------------


def test_chosen_students_only_see_it(teacher, classroom, pupils):
    anna, boris, clara = pupils
    [assignment] = services.assign_lessons(
        classroom=classroom, lessons=[LessonFactory()], teacher=teacher, students=[anna, boris]
    )
    assert assignment.for_chosen_students
    assert set(assignment.students()) == {anna, boris}
    assert list(Assignment.objects.for_student(anna)) == [assignment]
    assert not Assignment.objects.for_student(clara).exists()
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert told == {anna.pk, boris.pk}


def test_no_private_thread_about_work_not_set_for_the_student(client, teacher, classroom, pupils):
    from django.urls import reverse

    from classroom.models import WorkComment

    anna, _, clara = pupils
    [assignment] = services.assign_lessons(
        classroom=classroom, lessons=[LessonFactory()], teacher=teacher, students=[anna]
    )
    with pytest.raises(services.ServiceError, match="not set for Clara"):
        services.post_comment(assignment=assignment, student=clara, author=teacher, body="Hi")
    client.force_login(clara)
    url = reverse("classroom:work-comment", args=[assignment.pk])
    assert client.post(url, {"body": "What is this?"}).status_code == 404
    services.post_comment(assignment=assignment, student=anna, author=anna, body="A question")
    assert list(WorkComment.objects.values_list("student", flat=True)) == [anna.pk]


def test_chosen_students_go_with_one_class_only(teacher, classroom, pupils):
    other = ClassroomFactory(teacher=teacher)
    with pytest.raises(services.ServiceError, match="tick only one class"):
        services.assign_lessons(
            classrooms=[classroom, other],
            lessons=[LessonFactory()],
            teacher=teacher,
            students=[pupils[0]],
        )
    assert not Assignment.objects.exists()


def test_chosen_students_must_be_current_students_of_the_class(teacher, classroom, pupils):
    stranger = StudentFactory()
    with pytest.raises(services.ServiceError, match="Only current students of 9A"):
        services.assign_lessons(
            classroom=classroom, lessons=[LessonFactory()], teacher=teacher, students=[stranger]
        )
    with pytest.raises(services.ServiceError, match="at least one student"):
        services.assign_lessons(
            classroom=classroom, lessons=[LessonFactory()], teacher=teacher, students=[]
        )
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("chosen", [False, True])
@pytest.mark.parametrize("start", ["none", "past", "future"])
@pytest.mark.parametrize("archived", ["no", "assignment", "class"])
@pytest.mark.parametrize("enrolment", ["current", "removed", "none"])
def test_one_assignment_for_a_student_follows_the_rules_of_the_list(
    teacher, classroom, pupils, chosen, start, archived, enrolment
):
    """`get_for_student` (a student's work pages) decides one row in Python what
    `for_student` (My work) decides in SQL: both agree in every case."""
    anna, boris, _ = pupils
    now = timezone.now()
    assignment = AssignmentFactory(
        classroom=classroom,
        for_chosen_students=chosen,
        start_at={"none": None, "past": now - timedelta(days=1), "future": now + timedelta(days=1)}[
            start
        ],
        is_archived=archived == "assignment",
        due_at=now + timedelta(days=2),
    )
    if chosen:
        AssignedStudent.objects.create(assignment=assignment, student=anna)
    if archived == "class":
        classroom.is_archived = True
        classroom.save()
    if enrolment == "removed":
        anna.enrolments.update(removed_at=now)
        boris.enrolments.update(removed_at=now)
    elif enrolment == "none":
        anna.enrolments.all().delete()
        boris.enrolments.all().delete()
    Extension.objects.create(
        assignment=assignment, student=anna, due_at=now + timedelta(days=5), granted_by=teacher
    )

    for student in (anna, boris):
        listed = Assignment.objects.for_student(student).filter(pk=assignment.pk).exists()
        try:
            found = Assignment.objects.get_for_student(student, assignment.pk)
        except Assignment.DoesNotExist:
            found = None
        assert (found is not None) == listed, (student, listed)
        if found is not None:  # with the student's own due time, read without a query
            expected = now + timedelta(days=5) if student == anna else assignment.due_at
            assert found.due_at_for(student) == expected
    # Both are visible in exactly one case each: started, nothing archived, enrolled now.
    visible = start != "future" and archived == "no" and enrolment == "current"
    assert Assignment.objects.for_student(anna).exists() == visible
    assert Assignment.objects.for_student(boris).exists() == (visible and not chosen)


def test_another_classs_assignment_is_not_found_for_a_student(pupils, assignment):
    elsewhere = AssignmentFactory()
    with pytest.raises(Assignment.DoesNotExist):
        Assignment.objects.get_for_student(pupils[0], elsewhere.pk)
    assert Assignment.objects.get_for_student(pupils[0], assignment.pk) == assignment


def test_changing_the_choice_keeps_work_and_tells_the_newly_chosen(teacher, classroom, pupils):
    anna, boris, clara = pupils
    [assignment] = services.assign_lessons(
        classroom=classroom, lessons=[LessonFactory()], teacher=teacher, students=[anna]
    )
    AttemptFactory(assignment=assignment, student=anna)
    services.update_assignment(assignment=assignment, students=[boris, clara])
    assert set(assignment.students()) == {boris, clara}
    assert not Assignment.objects.for_student(anna).exists()
    assert Attempt.objects.filter(assignment=assignment, student=anna).exists()  # kept
    assert Notification.objects.filter(recipient__in=[boris, clara]).count() == 2
    # Back to the whole class: everyone sees it, no one is told twice.
    services.update_assignment(assignment=assignment, students=None)
    assert not assignment.for_chosen_students
    assert not AssignedStudent.objects.exists()
    assert set(assignment.students()) == set(pupils)
    assert Notification.objects.filter(recipient=anna).count() == 1


def test_editing_refuses_fields_it_does_not_edit(assignment):
    with pytest.raises(ValueError, match="classroom"):
        services.update_assignment(assignment=assignment, students=None, classroom=None)


# --- Extensions ---------------------------------------------------------------------------------


@pytest.fixture
def due(classroom, pupils):
    return AssignmentFactory(classroom=classroom, due_at=timezone.now() - timedelta(hours=1))


def test_an_extension_is_the_students_own_due_time(teacher, due, pupils):
    anna, boris, _ = pupils
    later = timezone.now() + timedelta(days=2)
    services.grant_extension(assignment=due, student=anna, due_at=later, teacher=teacher)
    fresh = Assignment.objects.get(pk=due.pk)
    assert fresh.due_at_for(anna) == later and fresh.is_extended_for(anna)
    assert fresh.due_at_for(boris) == due.due_at and not fresh.is_extended_for(boris)
    # Missing follows the own due time.
    assert work_status(fresh, anna, None) == Status.ASSIGNED
    assert work_status(fresh, boris, None) == Status.MISSING
    # Late work refused: Anna may still turn in, Boris may not.
    fresh.accept_late = False
    assert fresh.accepts_turn_in_for(anna) and not fresh.accepts_turn_in_for(boris)


def test_a_turn_in_before_the_own_due_time_is_not_late(teacher, due, pupils, question):
    anna, boris, _ = pupils
    question.lesson = due.lesson
    question.save()
    services.grant_extension(
        assignment=due, student=anna, due_at=timezone.now() + timedelta(days=1), teacher=teacher
    )
    texts = {question.pk: "The Bolsheviks"}
    mine = services.turn_in(student=anna, assignment=due, texts=texts, base_version=0)
    theirs = services.turn_in(student=boris, assignment=due, texts=texts, base_version=0)
    assert not mine.is_late and theirs.is_late


def test_late_work_refused_is_accepted_with_an_extension(teacher, due, pupils, question):
    anna = pupils[0]
    question.lesson = due.lesson
    question.save()
    due.accept_late = False
    due.save()
    texts = {question.pk: "The Bolsheviks"}
    with pytest.raises(services.ServiceError, match="not accepting late work"):
        services.turn_in(student=anna, assignment=due, texts=texts, base_version=0)
    services.grant_extension(
        assignment=due, student=anna, due_at=timezone.now() + timedelta(days=1), teacher=teacher
    )
    fresh = Assignment.objects.get(pk=due.pk)
    attempt = services.turn_in(student=anna, assignment=fresh, texts=texts, base_version=0)
    assert attempt.state == Attempt.State.TURNED_IN and not attempt.is_late


def test_an_extension_given_after_a_late_turn_in_makes_it_on_time(teacher, due, pupils):
    anna = pupils[0]
    attempt = AttemptFactory(assignment=due, student=anna, turned_in=True)
    assert attempt.is_late
    services.grant_extension(
        assignment=due, student=anna, due_at=timezone.now() + timedelta(days=1), teacher=teacher
    )
    attempt.refresh_from_db()
    assert not attempt.is_late
    assert services.remove_extension(assignment=due, student=anna, teacher=teacher)
    attempt.refresh_from_db()
    assert attempt.is_late
    assert not Extension.objects.exists()
    assert not services.remove_extension(assignment=due, student=anna, teacher=teacher)


def test_a_second_extension_replaces_the_first(teacher, due, pupils):
    anna = pupils[0]
    for days in (1, 3):
        services.grant_extension(
            assignment=due,
            student=anna,
            due_at=timezone.now() + timedelta(days=days),
            teacher=teacher,
        )
    assert Extension.objects.get().due_at > timezone.now() + timedelta(days=2)


def test_extensions_are_refused_where_they_cannot_be(teacher, due, pupils, classroom):
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(services.ServiceError, match="own classes"):
        services.grant_extension(
            assignment=due, student=pupils[0], due_at=later, teacher=TeacherFactory()
        )
    with pytest.raises(services.ServiceError, match="not set this assignment"):
        services.grant_extension(
            assignment=due, student=StudentFactory(), due_at=later, teacher=teacher
        )
    undated = AssignmentFactory(classroom=classroom)
    with pytest.raises(services.ServiceError, match="no due date"):
        services.grant_extension(
            assignment=undated, student=pupils[0], due_at=later, teacher=teacher
        )
    with pytest.raises(services.ServiceError, match="An extension gives more time"):
        services.grant_extension(
            assignment=due, student=pupils[0], due_at=due.due_at, teacher=teacher
        )
    assert not Extension.objects.exists()


def test_due_times_of_a_list_are_read_in_one_query(teacher, due, pupils, django_assert_num_queries):
    from classroom.models import read_students_due_times

    later = timezone.now() + timedelta(days=1)
    services.grant_extension(assignment=due, student=pupils[0], due_at=later, teacher=teacher)
    assignment = Assignment.objects.get(pk=due.pk)
    with django_assert_num_queries(1):
        read_students_due_times([assignment])
    with django_assert_num_queries(0):
        assert [assignment.due_at_for(p) for p in pupils] == [later, due.due_at, due.due_at]


def test_due_tomorrow_notices_follow_own_due_times_and_chosen_students(teacher, classroom, pupils):
    """The cron's "due tomorrow": a student extended past tomorrow is not told, one extended
    into it is, and a student the assignment is not set for never is."""
    from django.core.management import call_command

    anna, boris, clara = pupils
    now = timezone.now()
    soon = AssignmentFactory(classroom=classroom, due_at=now + timedelta(hours=5))
    services.update_assignment(assignment=soon, students=[anna, boris])
    services.grant_extension(
        assignment=soon, student=boris, due_at=now + timedelta(days=3), teacher=teacher
    )
    overdue = AssignmentFactory(classroom=classroom, due_at=now - timedelta(days=1))
    services.update_assignment(assignment=overdue, students=[clara])
    services.grant_extension(
        assignment=overdue, student=clara, due_at=now + timedelta(hours=6), teacher=teacher
    )
    call_command("notify_due", stdout=io.StringIO())
    call_command("notify_due", stdout=io.StringIO())  # twice: no one is told twice
    told = Notification.objects.filter(kind=Notification.Kind.DUE_TOMORROW)
    assert sorted((n.recipient_id, n.key) for n in told) == sorted(
        [(anna.pk, f"due:{soon.pk}"), (clara.pk, f"due:{overdue.pk}")]
    )


# --- Return all marked -----------------------------------------------------------------------


def _work(assignment, student, marks, state="turned_in"):
    attempt = AttemptFactory(assignment=assignment, student=student, **{state: True})
    for question, mark in zip(assignment.lesson.questions.order_by("position"), marks, strict=True):
        AnswerFactory(attempt=attempt, question=question, mark=mark)
    return attempt


def test_return_all_marked_returns_the_fully_marked_only(teacher, classroom, pupils):
    assignment = AssignmentFactory(classroom=classroom)
    QuestionFactory.create_batch(2, lesson=assignment.lesson)
    anna, boris, clara = pupils
    marked = _work(assignment, anna, [1, 0])
    half = _work(assignment, boris, [1, None])
    done = _work(assignment, clara, [1, 1], state="returned")
    report = services.return_all_marked(assignment=assignment, teacher=teacher)
    assert report == services.ReturnedAll(returned=1, not_marked=1)
    for attempt, state in ((marked, "returned"), (half, "turned_in"), (done, "returned")):
        attempt.refresh_from_db()
        assert attempt.state == state
    marked.refresh_from_db()
    assert marked.returned_by == teacher
    assert Notification.objects.filter(recipient=anna, kind="returned").count() == 1
    # Twice: nothing more to return.
    again = services.return_all_marked(assignment=assignment, teacher=teacher)
    assert again == services.ReturnedAll(returned=0, not_marked=1)
    assert Notification.objects.filter(kind="returned").count() == 1


def test_return_all_marked_is_for_the_class_teacher_only(classroom, pupils):
    assignment = AssignmentFactory(classroom=classroom)
    QuestionFactory(lesson=assignment.lesson)
    attempt = _work(assignment, pupils[0], [1])
    with pytest.raises(services.ServiceError, match="own classes"):
        services.return_all_marked(assignment=assignment, teacher=TeacherFactory())
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TURNED_IN


# --- Privacy ---------------------------------------------------------------------------------


def test_a_students_extension_and_choice_are_exported_and_erased(teacher, due, pupils):
    from tests.factories import UserFactory

    anna = pupils[0]
    services.update_assignment(assignment=due, students=[anna])
    services.grant_extension(
        assignment=due, student=anna, due_at=timezone.now() + timedelta(days=1), teacher=teacher
    )
    data = services.export_student_work(student=anna)
    assert data["extensions"][0]["lesson"] == due.lesson.title
    assert data["chosen_for"] == [{"lesson": due.lesson.title, "class": "9A"}]
    admin = UserFactory(is_staff=True, role="teacher")
    counts = services.erase_student(student=anna, erased_by=admin)
    assert counts["extensions"] == 1 and counts["chosen_for"] == 1
    assert not Extension.objects.exists() and not AssignedStudent.objects.exists()
