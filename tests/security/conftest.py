"""The security tests run against the shared world (tests/worlds.py) built on small lessons."""

import pytest

from tests.worlds import small_lessons


@pytest.fixture
def lessons(db):
    return small_lessons()
