"""A missing page shows the project's 404 page with DEBUG on too (`make run`)."""

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

DEBUG_PAGE = "Using the URLconf defined in"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_an_address_that_matches_nothing(client, debug):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    text = response.content.decode()
    assert "Page not found" in text
    assert DEBUG_PAGE not in text


def test_a_missing_slash_is_still_added(client, debug):
    response = client.get("/my-work")
    assert response.status_code == 301
    assert response["Location"] == "/my-work/"


def test_someone_elses_id_in_a_url(client, debug, student):
    other = AssignmentFactory()  # a class the student is not in
    client.force_login(student)
    response = client.get(reverse("classroom:work-detail", args=[other.pk]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "Go to your home page" in response.content.decode()


def test_a_deliberate_404_response_is_left_alone(client, debug):
    """A view that answers 404 itself (here: a missing static file under DEBUG) is not
    replaced; only what no view answered, or a view's Http404, becomes the project page."""
    response = client.get("/static/no-such-file.css")
    assert response.status_code == 404
