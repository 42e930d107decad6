"""Load lesson files into the database: keyed, idempotent, nothing deleted that work refers to."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.content import DEFAULT_CONTENT_DIR, ContentError, import_lessons


class Command(BaseCommand):
    help = "Create or update lessons from YAML files (default: lessons/content/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Lesson files or folders of *.yaml files."
        )

    def handle(self, *args: object, paths: list[Path], **options: object) -> None:
        try:
            report = import_lessons(paths or [DEFAULT_CONTENT_DIR])
        except ContentError as exc:
            raise CommandError(f"{exc}\nNothing was imported. Fix the file and run again.") from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(report.created)} created, {len(report.updated)} updated, "
                    f"{len(report.retired)} retired, {len(report.removed)} removed."
                )
            )
        else:
            self.stdout.write("No changes: the database already matches the files.")
