"""A consistent copy of the database, taken while the site runs, into backups/.

SQLite: the online backup API (readers and writers carry on; the copy is a single moment).
PostgreSQL: pg_dump in its custom format (restore with pg_restore). docs/security.md says how
to restore either.
"""

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = "Write a consistent copy of the database into backups/ (UTC time in the name)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir",
            default=str(settings.BASE_DIR / "backups"),
            help="Where to write the backup (default: backups/ in the project).",
        )
        parser.add_argument("--database", default="default", help="Which database to copy.")

    def handle(self, *args, **options) -> None:
        connection = connections[options["database"]]
        directory = Path(options["dir"])
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Microseconds too, so two backups in the same second never overwrite each other.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        if connection.vendor == "sqlite":
            path = _private_file(directory / f"db-{stamp}.sqlite3")
            self._sqlite(connection, path)
        elif connection.vendor == "postgresql":
            path = _private_file(directory / f"db-{stamp}.dump")
            self._postgres(connection.settings_dict, path)
        else:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")
        self.stdout.write(str(path))

    def _sqlite(self, connection, path: Path) -> None:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            # Copies page by page but restarts on concurrent writes from other connections,
            # so the result is always one consistent moment of the database.
            connection.connection.backup(target)
        finally:
            target.close()

    def _postgres(self, db: dict, path: Path) -> None:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError(
                "pg_dump was not found. Install the PostgreSQL client tools (for example "
                "`apt-get install postgresql-client`) at the server's version, then run again."
            )
        command = [pg_dump, "--format=custom", "--no-owner", f"--file={path}"]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db.get(key):
                command.append(f"{option}={db[key]}")
        command.append(f"--dbname={db['NAME']}")
        env = dict(os.environ)
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = str(db["PASSWORD"])  # never on the command line (ps shows it)
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")


def _private_file(path: Path) -> Path:
    """Create the backup file empty, readable and writable by its owner only, before anything
    is written to it: a backup holds every child's work."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    return path
