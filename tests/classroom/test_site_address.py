"""The address students type: `make run HOST=0.0.0.0` on a school network, and SITE_URL."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def settings_with(**env: str) -> dict:
    """ALLOWED_HOSTS and SITE_URL as the settings module reads them from `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_URL"))}
    code = (
        "import json, classroom.settings as s;"
        "print(json.dumps({'hosts': s.ALLOWED_HOSTS, 'site': s.SITE_URL}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        return {"error": result.stderr}
    return json.loads(result.stdout)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_the_school_network_passes_the_machines_address():
    out = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8080", "LAN_ADDRESS=10.9.8.7"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Students on the school network open http://10.9.8.7:8080/" in out
    assert (
        "DJANGO_LAN_URL=http://10.9.8.7:8080 bin/with-worker .venv/bin/python manage.py"
        " runserver 0.0.0.0:8080" in out
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_this_machine_only_passes_nothing():
    out = subprocess.run(
        ["make", "-n", "run"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "DJANGO_LAN_URL" not in out
    assert "bin/with-worker .venv/bin/python manage.py runserver 127.0.0.1:8000" in out


def test_the_network_address_is_an_allowed_host_and_the_site_address():
    read = settings_with(DJANGO_LAN_URL="http://10.9.8.7:8080")
    assert read["hosts"] == ["localhost", "127.0.0.1", "[::1]", "10.9.8.7"]
    assert read["site"] == "http://10.9.8.7:8080"


def test_site_url_wins_over_the_network_address():
    read = settings_with(
        DJANGO_LAN_URL="http://10.9.8.7:8080", SITE_URL="http://history.school.lan/"
    )
    assert read["site"] == "http://history.school.lan"


def test_without_either_the_address_comes_from_the_request():
    assert settings_with() == {"hosts": ["localhost", "127.0.0.1", "[::1]"], "site": ""}


def test_a_site_url_that_is_not_an_address_is_refused_with_the_reason():
    read = settings_with(SITE_URL="classroom.example.org")
    assert "SITE_URL must be a full address" in read["error"]


def test_the_site_address_in_pages(rf, settings):
    from classroom.http import site_url

    request = rf.get("/", HTTP_HOST="127.0.0.1:8611")
    settings.SITE_URL = ""
    assert site_url(request) == "http://127.0.0.1:8611"
    settings.SITE_URL = "https://history.school.example"
    assert site_url(request) == "https://history.school.example"


@pytest.mark.django_db
def test_the_join_panel_and_the_login_cards_print_site_url(client, settings):
    from django.urls import reverse

    from tests.factories import ClassroomFactory

    classroom = ClassroomFactory()
    client.force_login(classroom.teacher)
    settings.SITE_URL = "http://history.school.lan:8000"
    page = client.get(reverse("classroom:classroom-detail", args=[classroom.pk]))
    assert "http://history.school.lan:8000/join/" in page.content.decode()
    cards = client.get(reverse("classroom:students-cards", args=[classroom.pk]))
    assert cards.context["login_url"] == "http://history.school.lan:8000/accounts/login/"
    settings.SITE_URL = ""
    page = client.get(reverse("classroom:classroom-detail", args=[classroom.pk]))
    assert "http://testserver/join/" in page.content.decode()
