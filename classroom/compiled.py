"""Reads whose SQL Django compiles once per process: the few that every save and turn-in runs
(the student's assignment, the work's lock, the latest answers), and the session and the
signed-in user (classroom/sessions.py, classroom/backends.py), read on every request.

Django turns a queryset into SQL anew each time it runs, and for a query that joins three
tables that costs more than the database takes to answer it: the assignment a student's page
starts with was 6.5 million instructions of Python, most of them compiling (callgrind,
bench/README.md). A `CompiledQuery` compiles its queryset once, with stand-ins for the values
that change from one request to the next, then runs the stored SQL with the real values and
makes the model instances as Django's own `ModelIterable` does, related objects
(`select_related`) and annotations included.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

# Stand-ins for the parameters while compiling, by the kind of value: integers no id takes
# (ids are positive), texts no key holds (a NUL character, which no database text stores).
_MOST = 8
_STAND_INS: dict[type, tuple[Any, ...]] = {
    int: tuple(-982_451_653 - number for number in range(_MOST)),
    str: tuple(f"\x00compiled-query-stand-in-{number}" for number in range(_MOST)),
}

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Compiled(Generic[M]):
    model: type[M]
    instances: bool  # a query of model instances (not values() or values_list())
    for_update: bool  # SELECT ... FOR UPDATE: only inside a transaction, as Django checks
    sql: str
    params: tuple[Any, ...]  # the compiled ones, with stand-ins where the caller's go
    compiler: Any  # Django's SQLCompiler, its select list filled in by compiling
    init_list: list[str]
    related_populators: list[Any]


class CompiledQuery(Generic[M]):
    """A read of one shape: `build(*params)` gives the queryset; its SQL is compiled once per
    database. `params` is how many parameters it takes, all integers (ids), or their kinds in
    order (`(str,)` for a session key): integers and texts.

    `build` is called once, with stand-ins, never again: nothing in the queryset may depend
    on anything but its parameters (not the time, not a setting that changes), since what it
    was at the first call is what every later call runs. Every parameter must reach the SQL
    as a value of its own (`filter(student_id=p)`, a `RawSQL` parameter), unchanged: a
    stand-in the compiled SQL lacks is an error, raised at once.

    What is compiled is only read afterwards, so the threads of a worker share it: each runs
    the SQL on its own connection; the compiler keeps the first one's, for the backend's
    conversions of values only (which never use its connection to the database).
    """

    def __init__(
        self, build: Callable[..., QuerySet[M]], *, params: int | tuple[type, ...]
    ) -> None:
        kinds: tuple[type, ...] = (int,) * params if isinstance(params, int) else params
        if not 0 < len(kinds) <= _MOST:
            raise ValueError(f"between 1 and {_MOST} parameters")
        if any(kind not in _STAND_INS for kind in kinds):
            raise ValueError("the parameters of a compiled query are integers or texts")
        self.build = build
        self.kinds = kinds
        self.stand_ins = tuple(_STAND_INS[kind][number] for number, kind in enumerate(kinds))
        self._built: QuerySet[M] | None = None
        self._compiled: dict[tuple[str, str], _Compiled[M]] = {}

    def rows(self, *params: int | str) -> list[tuple]:
        """The rows as Django gives them (its conversions done), for a `values_list()` query."""
        compiled, _, rows = self._run(params)
        return list(compiled.compiler.results_iter(results=[rows], tuple_expected=True))

    def all(self, *params: int | str) -> list[M]:
        """The model instances, with their related objects and annotations."""
        compiled, db, rows = self._run(params)
        compiler = compiled.compiler
        if not compiled.instances:
            raise TypeError("a values() or values_list() query gives rows(), not model instances")
        fields = compiler.klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        objects = []
        for row in compiler.results_iter(results=[rows]):
            obj = compiled.model.from_db(db, compiled.init_list, row[start:end])
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            for name, position in compiler.annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def get(self, *params: int | str) -> M:
        """The one instance; the model's DoesNotExist or MultipleObjectsReturned otherwise."""
        objects = self.all(*params)
        if len(objects) == 1:
            return objects[0]
        model: Any = self._model()  # its own DoesNotExist and MultipleObjectsReturned
        name = model._meta.object_name
        if not objects:
            raise model.DoesNotExist(f"{name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {name}: {len(objects)}.")

    def _run(self, params: Sequence[int | str]) -> tuple[_Compiled[M], str, list[tuple]]:
        if len(params) != len(self.kinds):
            raise TypeError(f"{len(self.kinds)} parameters expected, {len(params)} given")
        for value, kind in zip(params, self.kinds, strict=True):
            if type(value) is not kind:  # not a bool for an int, nor a str subclass
                raise TypeError(f"a parameter of kind {kind.__name__}, not {type(value).__name__}")
        db = router.db_for_read(self._model())
        compiled = self._compiled_for(db)
        if compiled.for_update and connections[db].get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        values = [
            params[self.stand_ins.index(value)] if value in self.stand_ins else value
            for value in compiled.params
        ]
        with connections[db].cursor() as cursor:
            cursor.execute(compiled.sql, values)
            return compiled, db, cursor.fetchall()

    def _model(self) -> type[M]:
        return self._queryset().model

    def _queryset(self) -> QuerySet[M]:
        """The queryset with stand-ins for the parameters, built on first use."""
        if self._built is None:
            self._built = self.build(*self.stand_ins)
        return self._built

    def _compiled_for(self, db: str) -> _Compiled[M]:
        key = (db, connections[db].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(db)
        return compiled

    def _compile(self, db: str) -> _Compiled[M]:
        queryset: Any = self._queryset()  # its private state is read below, as Django reads it
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("what prefetch_related() or a related manager adds is not compiled")
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()  # fills in compiler.select, klass_info, annotations
        missing = [number for number, value in enumerate(self.stand_ins) if value not in params]
        if missing:
            raise ValueError(
                "parameter(s) not in the compiled SQL as values of their own: "
                + ", ".join(map(str, missing))
            )
        init_list, populators = [], []
        instances = queryset._iterable_class is ModelIterable
        if instances:
            fields = compiler.klass_info["select_fields"]
            selected = compiler.select[fields[0] : fields[-1] + 1]
            init_list = [column[0].target.attname for column in selected]
            populators = get_related_populators(compiler.klass_info, compiler.select, db)
        for_update = (
            queryset.query.select_for_update and compiler.connection.features.has_select_for_update
        )
        return _Compiled(
            queryset.model,
            instances,
            for_update,
            sql,
            tuple(params),
            compiler,
            init_list,
            populators,
        )
