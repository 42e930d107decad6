"""For cron (hourly): "due tomorrow" notices, and "new assignment" notices of scheduled
assignments that have started. Safe to run twice: no one is told twice."""

from django.core.management.base import BaseCommand

from classroom import services


class Command(BaseCommand):
    help = (
        "Tell students whose work is due within 24 hours and not turned in (once per"
        " assignment), and tell the students of scheduled assignments that have started."
        " Meant for cron, e.g. every hour; running it twice tells no one twice."
    )

    def handle(self, *args: object, **options: object) -> None:
        due = services.notify_due()
        started = services.notify_started()
        self.stdout.write(
            f"Due within 24 hours: {due.told} students told ({due.assignments} assignments"
            f" looked at). Scheduled assignments started: {started.told} students told"
            f" ({started.assignments} assignments looked at)."
        )
