"""Write the database's lessons as YAML files, one per lesson."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from lessons.content import DEFAULT_CONTENT_DIR, export_lessons


class Command(BaseCommand):
    help = "Write every lesson in the database as a YAML file (default: lessons/content/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", type=Path, default=DEFAULT_CONTENT_DIR, help="Folder to write into."
        )

    def handle(self, *args: object, out: Path, **options: object) -> None:
        for path in export_lessons(out):
            self.stdout.write(f"Wrote {path}")
