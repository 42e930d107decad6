"""Forms of the classroom app: teachers' first, then students'."""

from datetime import date, datetime, time
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, UserCreationForm
from django.http import QueryDict
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.html import format_html

from classroom.models import (
    Announcement,
    Assignment,
    Classroom,
    CommentBankEntry,
    User,
    WorkComment,
)
from lessons.marking import MarkingResult
from lessons.models import Lesson, Question

# Teacher ---------------------------------------------------------------------------------------


class NewPasswordForm(PasswordChangeForm):
    """Django's password change, where the new password must differ from the current one
    (for a first-time password, the one on the login card)."""

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        if user.must_change_password:
            self.fields["old_password"].label = "First-time password (from your card)"

    def validate_password_for_user(self, user, password_field_name: str = "new_password1") -> None:
        """What is wrong with the new password ("too short", "too common") goes under the new
        password, the field it is about, not under its confirmation as Django puts it."""
        super().validate_password_for_user(user, "new_password1")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        new = data.get("new_password1")
        if new and self.user.check_password(new):
            self.add_error(
                "new_password1",
                "Choose a new password: it must be different from the one you have now"
                + (" (the one on your card)." if self.user.must_change_password else "."),
            )
        return data


class TeacherPasswordResetForm(PasswordResetForm):
    """Password reset by email is for teachers; students ask their teacher instead."""

    def get_users(self, email: str):
        return (user for user in super().get_users(email) if user.is_teacher)


class AccountForm(forms.ModelForm):
    """A person's own settings: an email address, and whether notifications are emailed."""

    class Meta:
        model = User
        fields = ["email", "email_notifications"]
        labels = {"email": "Email address"}
        help_texts = {
            "email": "Optional. Notifications are emailed here; teachers also reset a forgotten"
            " password with it. Leave it empty for no emails.",
            "email_notifications": "Email me each new notification as well as showing it here.",
        }
        error_messages = {
            "email": {
                "invalid": "Enter an email address such as name@school.example, or leave it empty.",
                "max_length": "That email address is too long: use one of at most 254 characters.",
            }
        }


class TeacherSignupForm(UserCreationForm):
    """Sign-up for teachers who know the school's teacher code."""

    teacher_code = forms.CharField(
        label="Teacher code",
        help_text="The code your school gave its teachers.",
        widget=forms.PasswordInput(render_value=True),
    )
    email = forms.EmailField(
        label="Email", help_text="Used only to reset your password if you forget it."
    )

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # the stubs hide it
        model = User
        fields = ["teacher_code", "username", "email"]

    def clean_teacher_code(self) -> str:
        code = self.cleaned_data["teacher_code"]
        expected = settings.TEACHER_SIGNUP_CODE
        if not expected or not constant_time_compare(code.strip(), expected):
            raise forms.ValidationError(
                "That teacher code is not right. Check it with your school's administrator."
            )
        return code

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.role = User.Role.TEACHER
        if commit:
            user.save()
        return user


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name", "year_group"]
        labels = {"name": "Class name", "year_group": "Year group"}
        help_texts = {"name": 'For example "10H History".', "year_group": 'For example "Year 10".'}
        error_messages = {"name": {"required": "Give the class a name."}}


class StudentsAddForm(forms.Form):
    MAX_NAMES = 60

    names = forms.CharField(
        label="Student names",
        help_text="One name per line, for example “Anna Karenina”. Each gets a username and a "
        "first-time password.",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Type at least one name, one per line."},
    )

    confirm_same_names = forms.BooleanField(
        label="Add them anyway: they are different students with the same name",
        required=False,
        widget=forms.HiddenInput,  # shown as a tick box once a name is flagged
    )
    # The names the teacher was shown as already in the class: ticking the box above
    # confirms those, not others typed since.
    same_names = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, classroom: Classroom, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.classroom = classroom

    def clean_names(self) -> list[str]:
        """The non-blank lines; services.add_students tidies and checks each name."""
        names = [line for line in self.cleaned_data["names"].splitlines() if line.strip()]
        if len(names) > self.MAX_NAMES:
            raise forms.ValidationError(
                f"Add at most {self.MAX_NAMES} students at a time; split the list in two."
            )
        return names

    def clean(self) -> dict:
        """Flag, before anyone is made, a name a student of the class already has (or one
        typed twice): the teacher confirms it or changes it."""
        super().clean()
        data = self.cleaned_data
        names = [" ".join(name.split()) for name in data.get("names") or []]
        if not names:
            return data
        in_class = {
            student.name.casefold(): student
            for student in User.objects.filter(
                enrolments__classroom=self.classroom, enrolments__removed_at__isnull=True
            )
        }
        typed = [name.casefold() for name in names]
        flagged, reasons = [], []
        for name in dict.fromkeys(names):
            student = in_class.get(name.casefold())
            if student is not None:
                flagged.append(name)
                reasons.append(f"{name} is already in the class (username {student.username})")
            elif typed.count(name.casefold()) > 1:
                flagged.append(name)
                reasons.append(f"{name} is in the list twice")
        seen = {line.casefold() for line in (data.get("same_names") or "").splitlines()}
        if not flagged or (
            data.get("confirm_same_names") and {n.casefold() for n in flagged} <= seen
        ):
            return data
        self.data = cast(QueryDict, self.data).copy()
        self.data["same_names"] = "\n".join(flagged)
        self.data["confirm_same_names"] = ""
        self.fields["confirm_same_names"].widget = forms.CheckboxInput()
        self.add_error(
            "names",
            "No one has been added yet. "
            + "; ".join(reasons)
            + ". If they are different students, tick “Add them anyway” and press Add students;"
            " otherwise take the name out of the list, or write it so it tells them apart (for"
            " example with a surname).",
        )
        return data


class _DateInput(forms.DateInput):
    """A date picker: its value is an ISO date (2026-12-08), whatever the site's date format."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class _TimeInput(forms.TimeInput):
    """A time picker: its value is 24-hour hours and minutes (16:30)."""

    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _lesson_label(lesson: Lesson) -> str:
    return f"{lesson.title} ({lesson.period})"


class _AssignmentFieldsForm(forms.Form):
    """Fields shared by assigning and editing: instructions, dates and options."""

    instructions = forms.CharField(
        label="Instructions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Students see this above the lesson.",
    )
    due_date = forms.DateField(
        label="Due", required=False, widget=_DateInput, help_text="Optional."
    )
    due_time = forms.TimeField(
        label="Due time",
        required=False,
        widget=_TimeInput,
        help_text="Optional. Without a time, work is due at the end of the day.",
    )
    start_date = forms.DateField(
        label="Start date",
        required=False,
        widget=_DateInput,
        help_text="Optional. Students do not see the assignment before this day.",
    )
    show_instant_feedback = forms.BooleanField(
        label="Show instant feedback", required=False, initial=True
    )
    accept_late = forms.BooleanField(label="Accept late work", required=False, initial=True)

    # Dates a school year can have; far-off ones (0001-01-01, 9999-12-31) cannot even be
    # converted between time zones.
    EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)

    def _check_range(self, field: str) -> None:
        value = self.cleaned_data.get(field)
        if value and not self.EARLIEST <= value <= self.LATEST:
            self.add_error(
                field,
                f"Choose a date between {self.EARLIEST:%-d %B %Y} and {self.LATEST:%-d %B %Y}.",
            )

    def clean(self) -> dict:
        self._check_range("due_date")
        self._check_range("start_date")
        super().clean()
        data = self.cleaned_data
        tz = timezone.get_default_timezone()
        due_date, due_time, start_date = (
            data.get("due_date"),
            data.get("due_time"),
            data.get("start_date"),
        )
        if due_time and not due_date:
            self.add_error("due_date", "Choose a due date for the due time, or clear the time.")
        due_at = start_at = None
        if due_date and "due_date" not in self.errors:
            due_at = datetime.combine(due_date, due_time or time(23, 59, 59), tzinfo=tz)
        if start_date and "start_date" not in self.errors:
            start_at = datetime.combine(start_date, time(0, 0), tzinfo=tz)
        if due_at and start_at and due_at < start_at:
            self.add_error("due_date", "Set the due date on or after the start date.")
        data["due_at"], data["start_at"] = due_at, start_at
        return data

    @staticmethod
    def initial_from(assignment: Assignment) -> dict:
        """The form's initial values for an existing assignment, in the site's time zone."""
        initial = {
            "lesson": assignment.lesson_id,
            "instructions": assignment.instructions,
            "show_instant_feedback": assignment.show_instant_feedback,
            "accept_late": assignment.accept_late,
            "audience": CHOSEN_STUDENTS if assignment.for_chosen_students else ALL_STUDENTS,
            "students": [chosen.student_id for chosen in assignment.chosen.all()],
        }
        if assignment.due_at:
            due = timezone.localtime(assignment.due_at)
            initial["due_date"] = due.date()
            if due.time() != time(23, 59, 59):
                initial["due_time"] = due.time().replace(second=0, microsecond=0)
        if assignment.start_at:
            initial["start_date"] = timezone.localtime(assignment.start_at).date()
        return initial


ALL_STUDENTS, CHOSEN_STUDENTS = "all", "chosen"


class _AudienceForm(forms.Form):
    """Who the assignment is for: the whole class, or chosen students of `classroom`."""

    audience = forms.ChoiceField(
        label="Students",
        choices=[(ALL_STUDENTS, "All students"), (CHOSEN_STUDENTS, "Chosen students only")],
        initial=ALL_STUDENTS,
        required=False,  # none posted: the whole class
        widget=forms.RadioSelect,
        help_text="Students it is not for never see it.",
    )
    students = forms.ModelMultipleChoiceField(
        label="Chosen students",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With “Chosen students only”: tick the students it is for.",
    )

    def _set_students(self, classroom: Classroom) -> None:
        field = self.fields["students"]
        field.queryset = User.objects.filter(  # type: ignore[attr-defined]
            enrolments__classroom=classroom, enrolments__removed_at__isnull=True
        ).order_by("display_name", "username")
        field.label_from_instance = lambda student: student.name  # type: ignore[attr-defined]
        field.label = f"Chosen students of {classroom.name}"

    def chosen(self) -> list[User] | None:
        """The chosen students, or None for the whole class (after is_valid)."""
        if self.cleaned_data.get("audience") != CHOSEN_STUDENTS:
            return None
        return list(self.cleaned_data.get("students") or [])

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("audience") == CHOSEN_STUDENTS and not data.get("students"):
            self.add_error("students", "Tick at least one student, or choose All students.")
        return data


class AssignmentCreateForm(_AudienceForm, _AssignmentFieldsForm):
    lessons = forms.ModelMultipleChoiceField(
        label="Lesson",
        queryset=Lesson.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose one or more; each lesson becomes its own assignment.",
        error_messages={"required": "Choose at least one lesson to assign."},
    )

    assign_again = forms.BooleanField(
        label="Assign again: I want this class to do these lessons a second time",
        required=False,
        widget=forms.HiddenInput,  # shown as a tick box once a lesson is found set already
    )

    classrooms = forms.ModelMultipleChoiceField(
        label="Classes",
        queryset=Classroom.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick more of your classes to set the same lessons for each of them.",
        error_messages={
            "required": "Tick at least one class to assign to.",
            "invalid_choice": "You can only assign to your own active classes: reload the page.",
        },
    )

    field_order = ["lessons", "classrooms", "audience", "students"]

    def __init__(self, *args, classroom: Classroom, **kwargs) -> None:
        kwargs.setdefault("initial", {"classrooms": [classroom.pk]})
        super().__init__(*args, **kwargs)
        self.classroom = classroom
        self.fields["lessons"].label_from_instance = _lesson_label  # type: ignore[attr-defined]
        self.fields["classrooms"].queryset = (  # type: ignore[attr-defined]
            Classroom.objects.filter(teacher_id=classroom.teacher_id).active()
        )
        self._set_students(classroom)

    def clean(self) -> dict:
        """Chosen students go with this class alone; warn before a lesson a class already has is
        set again (the teacher may go on)."""
        super().clean()
        data = self.cleaned_data
        targets = list(data.get("classrooms") or [])
        if self.chosen() is not None and [c.pk for c in targets] not in ([], [self.classroom.pk]):
            self.add_error(
                "classrooms",
                f"Chosen students are for {self.classroom.name} only: tick that class alone, or"
                " choose All students.",
            )
        lessons = data.get("lessons")
        if not lessons or not targets or data.get("assign_again"):
            return data
        already = list(
            Assignment.objects.filter(classroom__in=targets, lesson__in=lessons)
            .select_related("lesson", "classroom")
            .order_by("classroom__name", "lesson__order", "lesson__slug", "created_at")
        )
        if already:
            self._warn_again(already)
        return data

    def _warn_again(self, already: list[Assignment]) -> None:
        sets = ", ".join(
            f"{a.lesson.title} (set {timezone.localtime(a.created_at):%-d %B %Y}"
            + (", archived)" if a.is_archived else ")")
            for a in already
        )
        names = sorted({a.classroom.name for a in already})
        self.fields["assign_again"].widget = forms.CheckboxInput()
        self.add_error(
            None,
            f"{' and '.join(names)} already {'has' if len(names) == 1 else 'have'} {sets}. To"
            " set it again, tick “Assign again” and press Assign; otherwise untick the lesson.",
        )


class AssignmentUpdateForm(_AudienceForm, _AssignmentFieldsForm):
    lesson = forms.ModelChoiceField(
        label="Lesson",
        queryset=Lesson.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose the lesson to assign."},
    )

    field_order = ["lesson", "audience", "students"]

    def __init__(
        self, *args, classroom: Classroom | None = None, has_work: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lesson"].label_from_instance = _lesson_label  # type: ignore[attr-defined]
        if classroom is not None:
            self._set_students(classroom)
            self.fields["students"].help_text += (
                " Students you untick no longer see it; work they saved or turned in stays on"
                " your marking list."
            )
        if has_work:
            # Students have answered this lesson's questions; changing it would orphan them.
            self.fields["lesson"].disabled = True
            self.fields["lesson"].help_text = "Students have started work, so the lesson is fixed."


class ExtensionForm(forms.Form):
    """One student's own due time: a date, and a time (the end of the day without one)."""

    due_date = forms.DateField(
        label="Their own due date",
        widget=_DateInput,
        error_messages={"required": "Choose the date their work is now due."},
    )
    due_time = forms.TimeField(
        label="Their own due time",
        required=False,
        widget=_TimeInput,
        help_text="Optional. Without a time, work is due at the end of the day.",
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        due_date = data.get("due_date")
        earliest, latest = _AssignmentFieldsForm.EARLIEST, _AssignmentFieldsForm.LATEST
        if due_date and not earliest <= due_date <= latest:
            self.add_error(
                "due_date",
                f"Choose a date between {earliest:%-d %B %Y} and {latest:%-d %B %Y}.",
            )
        elif due_date:
            data["due_at"] = datetime.combine(
                due_date,
                data.get("due_time") or time(23, 59, 59),
                tzinfo=timezone.get_default_timezone(),
            )
        return data

    @staticmethod
    def initial_for(due_at: datetime | None) -> dict:
        if due_at is None:
            return {}
        due = timezone.localtime(due_at)
        initial: dict[str, object] = {"due_date": due.date()}
        if due.time() != time(23, 59, 59):
            initial["due_time"] = due.time().replace(second=0, microsecond=0)
        return initial


STALE_CHOICE = (
    "The mark scheme has changed since this page was opened: reload the page, check the ticks"
    " and save again."
)


class MarkingForm(forms.Form):
    """A mark and comment per question, the overall comment, and whether to allow resubmitting.

    Fields are named by question id: mark_<id>, comment_<id>, bank_<id>.
    """

    overall_comment = forms.CharField(
        label="Overall comment", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    allow_resubmission = forms.BooleanField(label="Allow resubmission", required=False)

    def __init__(
        self,
        *args,
        questions: list[Question],
        answers: dict,
        results: dict[int, MarkingResult],
        **kwargs,
    ) -> None:
        """`answers` and `results` (each answer's instant feedback) by question id."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.judged: list[Question] = []  # questions with an answer: they have tick boxes
        for question in questions:
            answer = answers.get(question.pk)
            placeholder = ""
            if answer is not None:
                self._add_judgement_fields(question, answer, results[question.pk])
                ticked = self.fields[f"points_{question.pk}"].initial
                marks = {p.key: p.marks for p in question.mark_scheme.points}
                placeholder = str(min(sum(marks[k] for k in ticked), question.marks))
            self.fields[f"mark_{question.pk}"] = forms.IntegerField(
                label="Mark",
                required=False,
                min_value=0,
                max_value=question.marks,
                initial=answer.mark if answer is not None else None,
                widget=forms.NumberInput(attrs={"placeholder": placeholder}),
                help_text=(
                    f"0 to {question.marks}. Left blank: the marks of the points ticked as made."
                    if answer is not None
                    else f"0 to {question.marks}."
                ),
                error_messages={
                    "min_value": f"Give a mark from 0 to {question.marks}.",
                    "max_value": f"Give a mark from 0 to {question.marks}.",
                    "invalid": f"Type a whole number from 0 to {question.marks}.",
                },
            )
            self.fields[f"comment_{question.pk}"] = forms.CharField(
                label="Comment",
                required=False,
                initial=answer.comment if answer else "",
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"bank_{question.pk}"] = forms.BooleanField(
                label="Save this comment to my comment bank", required=False
            )

    def _add_judgement_fields(self, question: Question, answer, result: MarkingResult) -> None:
        """Tick boxes for the key points ("Made") and for each flagged misconception ("Not in
        this answer"), first ticked as the teacher left them, or as the check found them."""
        scheme = question.mark_scheme
        found = [hit.key for hit in result.points_made]
        self.fields[f"points_{question.pk}"] = forms.MultipleChoiceField(
            label="Made",
            required=False,
            choices=[(p.key, p.text) for p in scheme.points],
            initial=answer.points_judged if answer.is_judged else found,
            widget=forms.CheckboxSelectMultiple,
            help_text="Tick each key point the answer makes; the mark follows your ticks.",
            error_messages={"invalid_choice": STALE_CHOICE},
        )
        flagged = [hit.key for hit in result.misconceptions]
        keys = dict.fromkeys([*flagged, *answer.misconceptions_dismissed])
        feedback = {m.key: m.feedback for m in scheme.misconceptions}
        self.fields[f"dismiss_{question.pk}"] = forms.MultipleChoiceField(
            label="Possible misconceptions",
            required=False,
            choices=[(key, feedback.get(key, key)) for key in keys],
            initial=answer.misconceptions_dismissed,
            widget=forms.CheckboxSelectMultiple,
            help_text='Tick "Not in this answer" for a misconception the answer does not show.',
            error_messages={"invalid_choice": STALE_CHOICE},
        )
        self.judged.append(question)

    def points(self) -> dict[int, list[str]]:
        return {q.pk: self.cleaned_data[f"points_{q.pk}"] for q in self.judged}

    def dismissed(self) -> dict[int, list[str]]:
        return {q.pk: self.cleaned_data[f"dismiss_{q.pk}"] for q in self.judged}

    def judgement_fields(self, question: Question) -> tuple:
        """The bound tick boxes of one question (None, None when it has no answer)."""
        if question not in self.judged:
            return None, None
        return self[f"points_{question.pk}"], self[f"dismiss_{question.pk}"]

    def question_fields(self, question: Question) -> tuple:
        """The bound mark, comment and bank fields of one question, for the template."""
        return (
            self[f"mark_{question.pk}"],
            self[f"comment_{question.pk}"],
            self[f"bank_{question.pk}"],
        )

    def marks(self) -> dict[int, int | None]:
        return {q.pk: self.cleaned_data[f"mark_{q.pk}"] for q in self.questions}

    def comments(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[f"comment_{q.pk}"].strip() for q in self.questions}

    def bank_comments(self) -> list[tuple[Question, str]]:
        """The comments the teacher ticked to keep in their comment bank."""
        return [
            (q, self.cleaned_data[f"comment_{q.pk}"].strip())
            for q in self.questions
            if self.cleaned_data[f"bank_{q.pk}"] and self.cleaned_data[f"comment_{q.pk}"].strip()
        ]


COMMENT_TOO_LONG = (
    "Keep a comment to %(limit_value)d characters or fewer (this one has %(show_value)d)."
)


class QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        prompt = obj.prompt if len(obj.prompt) <= 90 else obj.prompt[:89].rstrip() + "…"
        return f"{obj.lesson.title}, question {obj.position}: {prompt}"


class CommentBankEntryForm(forms.ModelForm):
    """A new comment for the bank: from the marking view (one question) or the bank's page."""

    # Any question, retired ones too: an attempt being marked may have answered one. The
    # comment bank's page offers only the questions still asked (`for_new_comments`).
    question = QuestionChoiceField(
        queryset=Question.objects.select_related("lesson").order_by("lesson__order", "position"),
        label="Question",
        empty_label="Choose a question",
        error_messages={
            "required": "Choose the question this comment is for.",
            "invalid_choice": "Choose one of the questions in the list.",
        },
    )

    class Meta:
        model = CommentBankEntry
        fields = ["question", "text"]
        labels = {"text": "Comment"}
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "text": {
                "required": "Type a comment before saving it to your comment bank.",
                "max_length": COMMENT_TOO_LONG,
            },
        }

    def for_new_comments(self) -> "CommentBankEntryForm":
        """Offer only the questions still asked (the comment bank's own page)."""
        field = cast(forms.ModelChoiceField, self.fields["question"])
        field.queryset = field.queryset.active()  # type: ignore[union-attr]  # of questions
        return self


class CommentBankEditForm(forms.ModelForm):
    """Change the wording of a comment in the bank; its question stays."""

    DUPLICATE = (
        "Your comment bank already has this comment for this question: change the wording, "
        "or delete this one instead."
    )

    class Meta:
        model = CommentBankEntry
        fields = ["text"]
        labels = {"text": "Comment"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "text": {
                "required": "Type the comment, or delete it from your comment bank instead.",
                "max_length": COMMENT_TOO_LONG,
            },
        }

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        duplicate = (
            CommentBankEntry.objects.filter(
                teacher_id=self.instance.teacher_id,
                question_id=self.instance.question_id,
                text=text,
            )
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if duplicate:
            raise forms.ValidationError(self.DUPLICATE)
        return text


class _TalkForm(forms.Form):
    """One text box: an announcement or a private comment. Its label and limit are set by the
    subclass; the messages say what to do."""

    LABEL = ""
    HELP = ""
    LIMIT = 0
    ROWS = 3

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"] = forms.CharField(
            label=self.LABEL,
            help_text=self.HELP,
            widget=forms.Textarea(attrs={"rows": self.ROWS}),
            error_messages={"required": "Write something first: the box is empty."},
        )

    def clean_body(self) -> str:
        """The text as the box showed it (browsers send CRLF line ends), within the limit."""
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if len(body) > self.LIMIT:
            raise forms.ValidationError(
                f"This is {len(body)} characters long: shorten it to {self.LIMIT} characters "
                "or fewer. Your text is kept below."
            )
        return body


class AnnouncementForm(_TalkForm):
    LABEL = "Announcement"
    HELP = (
        "Every student in the class sees it on My work and is notified. Markdown works: "
        "**bold**, *italic*, lists, links."
    )
    LIMIT = Announcement.MAX_LENGTH
    ROWS = 4


class CommentForm(_TalkForm):
    LABEL = "Private comment"
    HELP = "Only you and {other} see this conversation."
    LIMIT = WorkComment.MAX_LENGTH

    def __init__(self, *args, other: str = "your teacher", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Help texts are shown as HTML: the name (typed by a person) is escaped.
        self.fields["body"].help_text = format_html(self.HELP, other=other)


# Students --------------------------------------------------------------------------------------


def normalise_join_code(code: str) -> str:
    """Join codes are accepted in any case and with spaces: "ab3 k7q" is "AB3K7Q"."""
    return "".join(code.split()).upper()


class JoinCodeForm(forms.Form):
    """Join a class with its join code (a logged-in student joining another class)."""

    join_code = forms.CharField(
        label="Join code",
        max_length=30,
        help_text="The 6-character code your teacher gave you.",
        error_messages={"required": "Type the join code your teacher gave you."},
    )

    classroom: Classroom  # the class the code is for: set once the form is valid

    def clean_join_code(self) -> str:
        code = normalise_join_code(self.cleaned_data["join_code"])
        classroom = Classroom.objects.active().filter(join_code=code).first()
        if classroom is None:
            raise forms.ValidationError(
                f"No class has the join code {code}. Check the code with your teacher and "
                "type it again."
            )
        self.classroom = classroom
        return code


class JoinForm(JoinCodeForm):
    """A new student: join code, username and password create the account."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[User.username_validator],
        help_text="You log in with this. Letters, digits and @ . + - _ only; no email needed.",
        error_messages={"required": "Choose a username to log in with."},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 12 characters. A few words you will remember works well.",
        error_messages={"required": "Choose a password of at least 12 characters."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        help_text="Optional: the name your teacher sees, for example “Anna K.”.",
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        username = data.get("username")
        # Whether a username is taken is said only once the join code is right, so the page
        # cannot be used to find out children's usernames.
        if username and "join_code" not in self.errors:
            if User.objects.filter(username__iexact=username).exists():
                self.add_error("username", User.USERNAME_TAKEN)
        password = data.get("password")
        if password:
            user = User(
                username=data.get("username", ""), display_name=data.get("display_name", "")
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data
