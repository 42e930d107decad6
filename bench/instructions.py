"""What a student's turn-in costs the app server, in instructions: `python bench/instructions.py`.

Times on a shared 2-core machine move by a factor of two within an hour (bench/README.md), so
two runs of `make bench` a few minutes apart cannot tell a change of 10 % in the code from the
machine. The number of instructions a process executes for a request hardly moves. This runs
the two requests each student sends when the whole class turns in at once, the Turn in form
and the page after it, in one process with the production settings under valgrind's
callgrind, counts the instructions of those requests only (their Python, Django, the database
driver and SQLite itself), and prints millions of instructions a request.

    python bench/instructions.py [--db sqlite|postgres] [--requests 5]

Needs valgrind (Debian's package of that name). The database is made as `make bench` makes
it (bench/run.py: migrate, the lessons, the seeded class of 50). PostgreSQL: DATABASE_URL
names the server; a scratch database is made there and dropped afterwards. On PostgreSQL the
server's own work is not counted (it is another process): compare PostgreSQL with PostgreSQL.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402 - bench/run.py: the same fresh database as make bench

KINDS = {"post": "Turn in (POST)", "page": "the page after it (GET)"}
FORM = "application/x-www-form-urlencoded"
WARM_UP = 3  # the first turn-in prepares the mark schemes, the first page renders the frame


def measure(kind: str, requests: int) -> None:
    """Inside valgrind: save a draft, turn in, read the page, unsubmit, `WARM_UP + requests`
    times; instructions are counted only while the request of `kind` runs."""
    import gc
    import random

    import django

    django.setup()
    from answers import answer_text
    from django.test import Client
    from django.urls import reverse

    from classroom import services
    from classroom.models import Assignment, Attempt, User
    from lessons.models import Question

    assignment = Assignment.objects.get(
        classroom__teacher__username="demo-teacher",
        classroom__name="Demo class",
        lesson__slug=bench.WORK_LESSONS[0],
    )
    questions = list(Question.objects.active().filter(lesson=assignment.lesson))
    student = next(
        s
        for s in User.objects.filter(username__startswith="demo-student-").order_by("-pk")
        if not Attempt.objects.filter(student=s, assignment=assignment).exists()
    )
    client = Client(HTTP_X_FORWARDED_PROTO="https", secure=True)
    client.force_login(student)
    turn_in = reverse("classroom:work-turn-in", args=[assignment.pk])
    page = reverse("classroom:work-detail", args=[assignment.pk])
    rng = random.Random("instructions")
    version = 0

    def counting(on: bool) -> None:
        state = "on" if on else "off"
        subprocess.run(
            ["callgrind_control", "-i", state, str(os.getpid())],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    for number in range(WARM_UP + requests):
        if number == WARM_UP:
            # What lives for the whole process (Django, the prepared schemes, the frame) goes
            # out of the garbage collector's sight, as gc.freeze() is meant for: otherwise one
            # full collection (about 25 million instructions) lands in one counted request or
            # another, and the figure a request depends on how many are counted.
            gc.collect()
            gc.freeze()
        texts = {q.pk: answer_text(rng) for q in questions}
        draft = services.save_draft(
            student=student, assignment=assignment, texts=texts, base_version=version
        )
        form = {f"answer-{q.pk}": answer_text(rng) for q in questions} | {"version": draft.version}
        counted = number >= WARM_UP
        counting(counted and kind == "post")
        # As a browser sends the form (urlencoded; the test client's default is multipart).
        posted = client.post(turn_in, urlencode(form), content_type=FORM)
        counting(counted and kind == "page")
        shown = client.get(page)
        counting(False)
        if posted.status_code != 302 or shown.status_code != 200:
            sys.exit(f"unexpected answers: {posted.status_code}, {shown.status_code}")
        version = services.unsubmit(student=student, assignment=assignment).version


def counted(kind: str, requests: int, env: dict[str, str], workdir: Path) -> float:
    """Millions of instructions a request of `kind`, from a run under callgrind."""
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={workdir / f'callgrind.{kind}.out'}",
            sys.executable,
            str(Path(__file__).resolve()),
            "--measure",
            kind,
            "--requests",
            str(requests),
        ],
        env=env,
        cwd=bench.REPO,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        sys.exit(f"valgrind failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return int(found.group(1)) / requests / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=5, help="requests counted of each kind")
    parser.add_argument("--measure", choices=list(KINDS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.requests)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")

    workdir = Path(tempfile.mkdtemp(prefix="classroom-instructions-"))
    drop = None
    try:
        if args.db == "sqlite":
            database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        else:
            url = os.environ.get("DATABASE_URL", "")
            if not url.startswith(("postgres://", "postgresql://")):
                sys.exit("PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name")
            database_url, drop = bench.postgres_scratch(url)
        env = bench.production_env(workdir, database_url, hosts="testserver")
        print(f"[{args.db}] preparing a fresh database ...", flush=True)
        ready = workdir / "bench.json"
        bench.run([sys.executable, str(Path(bench.__file__)), "--prepare", str(ready)], env)
        bench.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        figures = {}
        for kind, name in KINDS.items():
            figures[kind] = counted(kind, args.requests, env, workdir)
            print(f"[{args.db}] {name}: {figures[kind]:.2f} M instructions a request", flush=True)
        total = sum(figures.values())
        print(f"[{args.db}] a student's turn-in, both requests: {total:.2f} M instructions")
        print(json.dumps({"db": args.db, "requests": args.requests, **figures}))
    finally:
        if drop is not None:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
