"""Fixtures shared by the tests of shaping assignments (the services and the teacher's pages).

A module that defines its own `classroom` uses its own.
"""

import pytest

from tests.factories import ClassroomFactory, EnrolmentFactory


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(teacher=teacher, name="9A")


@pytest.fixture
def pupils(classroom):
    return [
        EnrolmentFactory(classroom=classroom, student__display_name=name).student
        for name in ("Anna", "Boris", "Clara")
    ]
