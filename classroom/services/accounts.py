"""Accounts: students added by their teacher or joining by code, first-time passwords, login
cards, and lifting a login lockout."""

import secrets
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from classroom.models import Classroom, Enrolment, User
from classroom.services.classes import enrol_student, join_class
from classroom.services.errors import ServiceError

# Short, common, easy-to-type words for first-time passwords read off a printed card.
_PASSWORD_WORDS = (
    "amber anchor apple arrow autumn badger banjo basket beacon berry biscuit blossom bramble"
    " breeze bridge bucket butter button cabin camel candle canyon carrot castle cedar cherry"
    " cloud clover cobalt comet copper coral cotton crayon cricket daisy desert dolphin dragon"
    " eagle ember falcon fern fiddle forest fossil garden ginger glacier gravel harbour hazel"
    " hedge honey island jacket jasmine jelly kettle kitten ladder lantern lemon lilac lizard"
    " maple marble meadow melon mitten monkey nectar nutmeg ocean olive orbit otter paddle"
    " panda parrot pebble pepper pickle pillow planet pocket puffin quartz rabbit raisin"
    " ribbon river rocket saddle salmon sandal shadow silver spider spring squash summit"
    " sunset swallow teapot thistle ticket timber tomato tulip turnip velvet violet walnut"
    " willow window winter yellow zebra"
).split()


def first_time_password() -> str:
    """Three words and two digits, hyphenated: readable off a card, and 16+ characters."""
    words = [secrets.choice(_PASSWORD_WORDS) for _ in range(3)]
    return "-".join([*words, f"{secrets.randbelow(90) + 10}"])


def _username_base(name: str) -> str:
    """ "Anna Karenina" -> "anna.k"; one name -> that name; nothing usable -> "student"."""
    parts = [slugify(part).replace("-", "") for part in name.split()]
    parts = [part for part in parts if part]
    if not parts:
        return "student"
    if len(parts) == 1:
        return parts[0][:30]
    return f"{parts[0][:30]}.{parts[-1][0]}"


def _free_username(base: str, taken: set[str]) -> str:
    candidate = base
    while candidate.lower() in taken or User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(900) + 100}"
    taken.add(candidate.lower())
    return candidate


def _set_first_time_password(user: User) -> str:
    while True:
        password = first_time_password()
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        user.set_password(password)
        user.must_change_password = True
        return password


@dataclass(frozen=True)
class LoginCard:
    """What a printed login card shows. The password exists only here, never stored in clear."""

    name: str
    username: str
    password: str


@transaction.atomic
def add_students(*, classroom: Classroom, names: list[str]) -> list[LoginCard]:
    """Create a student account per name, enrol them, and return their login cards."""
    names = [" ".join(name.split()) for name in names]
    names = [name for name in names if name]
    if not names:
        raise ServiceError("Type at least one name, one per line.")
    limit = User._meta.get_field("display_name").max_length
    too_long = [name for name in names if limit is not None and len(name) > limit]
    if too_long:
        raise ServiceError(f"Shorten this name to {limit} characters or fewer: {too_long[0][:40]}…")
    taken: set[str] = set()
    cards = []
    for name in names:
        user = User(
            username=_free_username(_username_base(name), taken),
            display_name=name,
            role=User.Role.STUDENT,
        )
        password = _set_first_time_password(user)
        user.save()
        enrol_student(classroom=classroom, student=user)
        cards.append(LoginCard(name=name, username=user.username, password=password))
    return cards


@transaction.atomic
def reset_student_password(*, classroom: Classroom, student: User) -> LoginCard:
    """A new first-time password for a student of the class (asked to change it at login)."""
    if not Enrolment.objects.filter(classroom=classroom, student=student).exists():
        raise ServiceError("That student is not in this class.")
    if student.is_staff or student.is_superuser or not student.is_student:
        raise ServiceError(
            "This account is not only a student's, so its password can't be reset here. Ask an"
            " admin to reset it."
        )
    elsewhere = (
        Enrolment.objects.current()
        .filter(student=student)
        .exclude(classroom__teacher=classroom.teacher)
    )
    if elsewhere.exists():
        raise ServiceError(
            f"{student.name} is also in another teacher's class, so their password can't be"
            " reset here. Ask an admin to reset it."
        )
    password = _set_first_time_password(student)
    student.save(update_fields=["password", "must_change_password"])
    return LoginCard(name=student.name, username=student.username, password=password)


class UsernameTaken(ServiceError):
    """Someone has this username (in any mix of capitals)."""

    def __init__(self) -> None:
        super().__init__(User.USERNAME_TAKEN)


@transaction.atomic
def register_student(
    *, classroom: Classroom, username: str, password: str, display_name: str = ""
) -> User:
    """Create a student account (from /join/) and enrol it in the class.

    Usernames are unique whatever their capitals, in the database too: two joins choosing the
    same name at the same moment give one account and, for the other, UsernameTaken.
    """
    student = User(username=username, display_name=display_name, role=User.Role.STUDENT)
    student.set_password(password)
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError as error:
        raise UsernameTaken() from error
    join_class(student=student, classroom=classroom)
    return student


class UnlockRefused(ServiceError):
    """The teacher may not unlock this user; the message says why."""


def unlock_student(*, teacher: User, student: User) -> int:
    """Lift a student's login lockout (a student of this teacher); returns records cleared."""
    if not teacher.is_teacher:
        raise UnlockRefused("Only teachers can unlock students.")
    in_class = Enrolment.objects.current().filter(
        classroom__teacher=teacher, student=student, student__role=User.Role.STUDENT
    )
    if not in_class.exists():
        raise UnlockRefused("You can only unlock students in your own classes.")
    return axes_reset(username=student.username)


@transaction.atomic
def update_account(*, user: User, email: str, email_notifications: bool) -> None:
    """A person's own settings: their email address (may be empty) and whether notifications
    are emailed to it."""
    user.email = email.strip()
    user.email_notifications = email_notifications
    user.save(update_fields=["email", "email_notifications"])
