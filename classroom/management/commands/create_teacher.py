"""`python manage.py create_teacher USERNAME [--password P] [--email E]`."""

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from classroom.models import User


class Command(BaseCommand):
    help = "Create a teacher account (asks for the password unless --password is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", help="The password; asked for when not given.")
        parser.add_argument("--email", default="", help="For password resets by email.")

    def handle(self, *args, username: str, password: str | None, email: str, **options) -> None:
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username!r} is taken. Choose another.")
        user = User(username=username, email=email, role=User.Role.TEACHER)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ. Run the command again.")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        with transaction.atomic():
            user.save()
        self.stdout.write(self.style.SUCCESS(f"Teacher {username} created."))
