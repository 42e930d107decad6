"""Demo accounts (and, as the classroom grows, demo classes) for trying the site."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from classroom.models import User

DEMO_PASSWORD = "petrograd-1917"


class Command(BaseCommand):
    help = "Create the demo teachers, students and admin (idempotent). Refuses in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=5, help="How many demo students.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a real site)."
        )

    @transaction.atomic
    def handle(self, *args: object, students: int, force: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it does not run with "
                "DJANGO_DEBUG=false. Use --force only on a site that is not used by real people."
            )
        if students < 1:
            raise CommandError("--students must be 1 or more.")
        teachers = [
            self._user("demo-teacher", User.Role.TEACHER, "Ms Demo"),
            self._user("demo-teacher-2", User.Role.TEACHER, "Mr Demo"),
        ]
        pupils = [
            self._user(f"demo-student-{n}", User.Role.STUDENT, f"Demo Student {n}")
            for n in range(1, students + 1)
        ]
        self._user("demo-admin", User.Role.TEACHER, "Demo Admin", staff=True)
        self.stdout.write(
            f"Demo accounts ready: {', '.join(u.username for u in teachers)}, "
            f"demo-student-1 to demo-student-{len(pupils)}, demo-admin "
            f"(password {DEMO_PASSWORD})."
        )

    def _user(self, username: str, role: str, name: str, *, staff: bool = False) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "display_name": name}
        )
        user.role = role
        user.is_staff = user.is_superuser = staff
        user.must_change_password = False
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        return user
