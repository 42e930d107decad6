from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "classroom"
    verbose_name = "Classroom"

    def ready(self) -> None:
        from classroom import checks  # noqa: F401 (registers the checks)
