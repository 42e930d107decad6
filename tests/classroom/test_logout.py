"""Logging out says so on the page the user lands on."""

from django.urls import reverse


def test_logging_out_confirms_it_on_the_landing_page(client, student):
    client.force_login(student)
    response = client.post(reverse("logout"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("lessons:lesson-list")
    assert "You have logged out." in html
    assert "_auth_user_id" not in client.session
    assert ">Log in</a>" in html
    # Said once: the next page does not repeat it.
    assert "You have logged out." not in client.get(reverse("lessons:lesson-list")).content.decode()


def test_logout_is_post_only(client, student):
    client.force_login(student)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
