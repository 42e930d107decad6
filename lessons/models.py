"""What is taught: lessons, their sections and key terms, questions and mark schemes.

This app knows nothing about users or classes. Questions, key points and
misconceptions are never deleted by the importer: they are retired, so work
that refers to them stays intact.
"""

import hashlib
import json
from functools import cache, cached_property

from django.core.exceptions import ValidationError
from django.db import NotSupportedError, connection, models
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.text import slugify

from lessons.marking import Criterion, MarkScheme, phrase_words


def split_lines(text: str) -> list[str]:
    """The non-blank lines of a text field that holds one item per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_word_group(words: list[str]) -> str | None:
    """What is wrong with one word group, or None: at least two members, each a single word."""
    if len(words) < 2:
        return "a word group needs at least two words"
    for word in words:
        if len(list(phrase_words(word))) != 1:
            return f"{word!r} is not a single word: a word group holds single words"
    return None


def parse_word_groups(text: str) -> list[list[str]]:
    """Word groups from the admin's text (a group per line, words separated by commas)."""
    groups = []
    for number, line in enumerate(split_lines(text), start=1):
        words = [w.strip() for w in line.split(",") if w.strip()]
        problem = check_word_group(words)
        if problem:
            raise ValueError(
                f"Line {number} ({line!r}): {problem}. Write one group per line, its words"
                " separated by commas, for example: troops, soldiers"
            )
        groups.append(words)
    return groups


class LessonQuerySet(models.QuerySet):
    def with_content_version(self) -> "LessonQuerySet":
        """Annotate what a version of the rendered lesson depends on (one query, one column).

        For sections, key terms and questions: how many there are and when the latest changed,
        as one text column built in SQL. Plain SQL: as ORM `Subquery` objects (six of them,
        with six columns to convert) this cost about 2 ms of Python a page, when the SQL itself
        takes a fraction of a millisecond; the bench (bench/README.md) measured both.
        """
        return self.annotate(
            _content_parts=RawSQL(content_parts_sql(), (), output_field=models.TextField())
        )


def column_sql(model: type[models.Model], field: str) -> str:
    """A model field's column, quoted with its table's name, for plain SQL (below, and in
    classroom.models)."""
    quote = connection.ops.quote_name
    concrete = model._meta.get_field(field)
    assert isinstance(concrete, models.Field) and concrete.column  # a column, not a relation
    return f"{quote(model._meta.db_table)}.{quote(concrete.column)}"


def content_parts_sql() -> str:
    """The SQL of a lesson's content parts (`Lesson.content_version`), for a query that has the
    lesson's table joined under its own name. No user input: table and column names only."""
    _refuse_other_databases("A lesson's content version")
    return _content_parts_sql(connection.vendor)


@cache  # every page of a student's work uses it: built once per database kind
def _content_parts_sql(vendor: str) -> str:
    quote = connection.ops.quote_name

    def part(model: type[models.Model]) -> str:
        table, changed = quote(model._meta.db_table), column_sql(model, "updated_at")
        return (
            f"(SELECT CAST(COUNT(*) AS TEXT) || '/' || COALESCE(CAST(MAX({changed}) AS TEXT),"
            f" '') FROM {table} WHERE {column_sql(model, 'lesson')} = {column_sql(Lesson, 'id')})"
        )

    return " || '|' || ".join(part(model) for model in (Section, KeyTerm, Question))


# The databases the plain SQL here is written for (|| joins text, CAST(... AS TEXT)).
SQL_DATABASES = ("sqlite", "postgresql")


def _refuse_other_databases(what: str) -> None:
    """Stop with a clear error on a database the plain SQL was not written for."""
    if connection.vendor not in SQL_DATABASES:
        raise NotSupportedError(
            f"{what} uses SQL written for SQLite and PostgreSQL; this database is"
            f" {connection.vendor}. Use one of those (DATABASE_URL), or rewrite the SQL for it."
        )


class Lesson(models.Model):
    slug = models.SlugField(
        unique=True, help_text="Stable: the lesson's address is /lessons/ followed by this slug."
    )
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(help_text="Position in the list of lessons.")
    period = models.CharField(max_length=100, help_text='When it happened, e.g. "August 1917".')
    summary = models.TextField()
    why_it_mattered = models.TextField(help_text="Markdown: how this cause led to October.")
    word_groups = models.TextField(
        blank=True,
        help_text=(
            "One group per line: single words that count as the same word in every phrase of"
            " this lesson, separated by commas (for example: troops, soldiers)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        try:
            parse_word_groups(self.word_groups)
        except ValueError as error:
            raise ValidationError({"word_groups": str(error)}) from error

    @property
    def word_group_list(self) -> list[list[str]]:
        """The word groups as lists of words (rule "Word groups" of CONTENT-FORMAT.md)."""
        return [
            [w.strip() for w in line.split(",") if w.strip()]
            for line in split_lines(self.word_groups)
        ]

    @property
    def content_version(self) -> str:
        """Changes whenever anything shown on the lesson page changes; keys its cache."""
        if not hasattr(self, "_content_parts"):
            raise RuntimeError(
                "content_version needs the lesson fetched with"
                " Lesson.objects.with_content_version() (read in the same query)."
            )
        raw = f"{self.updated_at}|{self._content_parts}"
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]

    def outline(self) -> tuple[list[tuple["Section", list["Question"]]], list["Question"]]:
        """Each section with the active questions shown after it, then the questions at the end.

        Uses `sections` and `questions` as prefetched, so it adds no queries.
        """
        sections = list(self.sections.all())
        by_section: dict[int, list[Question]] = {s.position: [] for s in sections}
        at_end: list[Question] = []
        for question in self.questions.all():
            if question.is_retired:
                continue
            by_section.get(question.after_section, at_end).append(question)
        return [(s, by_section[s.position]) for s in sections], at_end


class Section(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(help_text="1 for the first section.")
    heading = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="section_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.heading}"

    def get_absolute_url(self) -> str:
        return f"{self.lesson.get_absolute_url()}#section-{self.position}"


class KeyTerm(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="key_terms")
    position = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=100)
    definition = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="keyterm_unique_position"),
        ]

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return f"{self.lesson.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        """The id of the term on its lesson page, which the glossary links to."""
        return f"term-{slugify(self.term)}"


class QuestionQuerySet(models.QuerySet):
    def active(self) -> "QuestionQuerySet":
        return self.filter(is_retired=False)

    def with_markscheme(self) -> "QuestionQuerySet":
        """Fetch what `mark_scheme` needs, so marking many questions costs fixed queries."""
        return self.select_related("lesson").prefetch_related(
            models.Prefetch("key_points", queryset=KeyPoint.objects.active()),
            models.Prefetch("misconceptions", queryset=Misconception.objects.active()),
        )


class Question(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=100, help_text="Stable within its lesson.")
    position = models.PositiveSmallIntegerField()
    prompt = models.TextField()
    marks = models.PositiveSmallIntegerField()
    after_section = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Shown after this section (1-based); empty: at the end."
    )
    model_answer = models.TextField()
    is_retired = models.BooleanField(
        default=False, help_text="Retired questions are kept for past work but not shown."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "key"], name="question_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson.slug}/{self.key}"

    def get_absolute_url(self) -> str:
        return f"{self.lesson.get_absolute_url()}#question-{self.key}"

    @cached_property
    def _criteria(self) -> tuple[list[Criterion], list[Criterion]]:
        """The active key points and misconceptions as the engine's criteria (no queries when
        they are prefetched)."""
        points = [
            Criterion(
                key=p.key, phrases=tuple(p.phrase_list), marks=p.marks, text=p.text, hint=p.hint
            )
            for p in self.key_points.all()
            if not p.is_retired
        ]
        misconceptions = [
            Criterion(key=m.key, phrases=tuple(m.phrase_list), feedback=m.feedback)
            for m in self.misconceptions.all()
            if not m.is_retired
        ]
        return points, misconceptions

    @cached_property
    def mark_scheme(self) -> MarkScheme:
        """The prepared mark scheme of the active key points and misconceptions.

        Preparing one (tokenising and stemming a few hundred phrases) costs milliseconds, so
        prepared schemes are kept in this process, keyed by everything they are made of; an
        edit to any of it (a hint too) makes a new key, so a kept scheme is never stale.
        """
        points, misconceptions = self._criteria
        groups = self.lesson.word_group_list
        raw = json.dumps([self.pk, self.marks, groups, points, misconceptions], default=vars)
        key = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
        scheme = _PREPARED.get(key)
        if scheme is None:
            scheme = MarkScheme(points, misconceptions, max_marks=self.marks, word_groups=groups)
            if len(_PREPARED) >= _PREPARED_LIMIT:
                _PREPARED.pop(next(iter(_PREPARED)))  # the oldest
            _PREPARED[key] = scheme
        return scheme

    @cached_property
    def markscheme_version(self) -> str:
        """A hash of what marks an answer (not hints or texts), stored with every result."""
        points, misconceptions = self._criteria
        data = {
            "marks": self.marks,
            "points": [[c.key, c.marks, list(c.phrases)] for c in points],
            "misconceptions": [[c.key, list(c.phrases)] for c in misconceptions],
            "word_groups": [list(group) for group in self.lesson.word_group_list],
        }
        raw = json.dumps(data, sort_keys=True)
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:12]


# Prepared mark schemes of this process, by what they are made of (see Question.mark_scheme).
_PREPARED: dict[str, MarkScheme] = {}
_PREPARED_LIMIT = 500
# A lesson's active questions with their schemes prepared, by lesson and markscheme stamp.
_MARKING: dict[tuple[int, str], dict[int, Question]] = {}
_MARKING_LIMIT = 50


def markscheme_stamp_sql() -> str:
    """The SQL of a lesson's markscheme stamp (`markscheme_stamp`), for a query that has the
    lesson's table joined under its own name. No user input: table and column names only."""
    _refuse_other_databases("A lesson's markscheme stamp")
    return _markscheme_stamp_sql(connection.vendor)


@cache  # every page of a student's work uses it: built once per database kind
def _markscheme_stamp_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    lesson_id = column_sql(Lesson, "id")

    def rows(model: type[models.Model], join: str = "") -> str:
        table, pk, changed = (
            quote(model._meta.db_table),
            column_sql(model, "id"),
            column_sql(model, "updated_at"),
        )
        return (
            f"(SELECT CAST(COUNT(*) AS TEXT) || '/' || CAST(COALESCE(SUM({pk}), 0) AS TEXT)"
            f" || '/' || COALESCE(CAST(MAX({changed}) AS TEXT), '') FROM {table}{join}"
            f" WHERE {column_sql(Question, 'lesson')} = {lesson_id})"
        )

    def via_question(model: type[models.Model]) -> str:
        join = f" JOIN {quote(Question._meta.db_table)} ON {column_sql(Question, 'id')} = "
        return rows(model, join + column_sql(model, "question"))

    return (
        f"CAST({column_sql(Lesson, 'updated_at')} AS TEXT) || '|' || {rows(Question)} || '|'"
        f" || {via_question(KeyPoint)} || '|' || {via_question(Misconception)}"
    )


def markscheme_stamp(lesson_id: int) -> str:
    """What a lesson's mark schemes are made of, as one value read in one query.

    The lesson's own change time (its word groups) and, for its questions, their key points
    and their misconceptions: how many rows, the sum of their ids and the latest change. Every
    save of any of them moves `updated_at` (auto_now), adding or deleting one moves the count
    and the sum; so a new stamp follows every edit, in any process, without reading the
    phrases. Plain SQL, with table and column names from the models. A query that reads the
    lesson anyway can read the stamp with it (`markscheme_stamp_sql`).
    """
    table = connection.ops.quote_name(Lesson._meta.db_table)
    sql = f"SELECT {markscheme_stamp_sql()} FROM {table} WHERE {column_sql(Lesson, 'id')} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [lesson_id])
        row = cursor.fetchone()
    return row[0] if row else ""


def marking_questions(lesson_id: int, stamp: str | None = None) -> dict[int, "Question"]:
    """The lesson's active questions by id, each with its mark scheme and version ready.

    For marking many answers at once (a turn-in): one query (the stamp) when this process
    has marked answers to this lesson since its mark schemes last changed, four otherwise;
    none for the stamp when the caller read it in this request (`stamp`). The questions
    returned are shared by the requests of this process: read them, never change them.
    """
    key = (lesson_id, markscheme_stamp(lesson_id) if stamp is None else stamp)
    questions = _MARKING.get(key)
    if questions is None:
        questions = {
            q.pk: q for q in Question.objects.active().filter(lesson_id=lesson_id).with_markscheme()
        }
        for question in questions.values():
            question.mark_scheme  # noqa: B018 - prepared now, not by a later request
            question.markscheme_version  # noqa: B018
        if len(_MARKING) >= _MARKING_LIMIT:
            _MARKING.pop(next(iter(_MARKING)))  # the oldest
        _MARKING[key] = questions
    return questions


class CriterionQuerySet(models.QuerySet):
    def active(self) -> "CriterionQuerySet":
        return self.filter(is_retired=False)


class KeyPoint(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="key_points")
    key = models.SlugField(max_length=100, help_text="Stable within its question.")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="The point, as a teacher would state it.")
    marks = models.PositiveSmallIntegerField(default=1)
    hint = models.TextField(blank=True, help_text="Shown to a student who missed the point.")
    phrases = models.TextField(help_text="One phrase per line; any one shows the point was made.")
    is_retired = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="keypoint_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def phrase_list(self) -> list[str]:
        return split_lines(self.phrases)


class Misconception(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="misconceptions")
    key = models.SlugField(max_length=100, help_text="Stable within its question.")
    position = models.PositiveSmallIntegerField()
    phrases = models.TextField(help_text="One phrase per line; any one shows the error.")
    feedback = models.TextField(help_text="The correction shown to the student.")
    is_retired = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="misconception_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def phrase_list(self) -> list[str]:
        return split_lines(self.phrases)


class SampleAnswer(models.Model):
    """An example answer with the key points and misconceptions it should show."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="samples")
    position = models.PositiveSmallIntegerField(help_text="0 for the first sample.")
    answer = models.TextField()
    expect = models.JSONField(default=list, blank=True, help_text="Key point keys, as a list.")
    expected_misconceptions = models.JSONField(
        default=list, blank=True, help_text="Misconception keys, as a list."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="sample_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.question} sample {self.position}"
