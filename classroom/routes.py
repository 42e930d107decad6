"""Addresses of the classroom app. Private things are addressed by id, never by name."""

app_name = "classroom"

urlpatterns: list = []
