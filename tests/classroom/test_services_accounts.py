"""The account services (classroom/services/accounts.py): passwords reset by a teacher."""

import pytest
from django.utils import timezone

from classroom import services
from classroom.models import Enrolment
from tests.factories import (
    PASSWORD,
    ClassroomFactory,
    EnrolmentFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


def test_a_teacher_cannot_reset_the_password_of_staff_or_another_teachers_student(teacher):
    classroom = ClassroomFactory(teacher=teacher)
    staff = StudentFactory(username="staff-kid", is_staff=True)
    shared = StudentFactory(username="shared-kid")
    for person in (staff, shared):
        EnrolmentFactory(classroom=classroom, student=person)
    EnrolmentFactory(classroom=ClassroomFactory(teacher=TeacherFactory()), student=shared)
    with pytest.raises(services.ServiceError, match="Ask an admin"):
        services.reset_student_password(classroom=classroom, student=staff)
    with pytest.raises(services.ServiceError, match="another teacher's class"):
        services.reset_student_password(classroom=classroom, student=shared)
    for person in (staff, shared):
        person.refresh_from_db()
        assert person.check_password(PASSWORD) and not person.must_change_password
    # Once they left the other class, their own teacher can.
    Enrolment.objects.filter(student=shared).exclude(classroom=classroom).update(
        removed_at=timezone.now()
    )
    assert services.reset_student_password(classroom=classroom, student=shared).password
