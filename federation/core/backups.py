"""Backups of the database and the uploaded files, for `manage.py backup` and `restore`.

A backup is one folder, readable by its owner only:

    fulian-20250301-023000/
        manifest.json       time, engine, applied migrations, row count of every table, sha256 of every file
        database.sqlite3    (SQLite, made with the online backup API) or database.dump (pg_dump -Fc)
        media/...           a copy of MEDIA_ROOT

The manifest's checksums let a restore refuse a damaged copy before it touches anything, and
its row counts let it prove that the database came back whole.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "fulian-backup"
MANIFEST = "manifest.json"
DATABASE_FILE = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
}


def engine() -> str:
    """Return the configured database's vendor, refusing any we cannot back up."""
    if connection.vendor not in DATABASE_FILE:
        raise CommandError(
            _("Backups are made of SQLite and PostgreSQL databases only, not %(engine)s.")
            % {"engine": connection.vendor}
        )
    return connection.vendor


def database_state(cursor, vendor: str) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Return the applied migrations per app and the row count of every table."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    cursor.execute(TABLES[vendor])
    counts = {}
    for (table,) in cursor.fetchall():
        # The names come from the database's own catalog, not from a user.
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return migrations, counts


def sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def run_postgres_program(program: str, *arguments: str) -> None:
    """Run pg_dump or pg_restore against the configured database. The password goes in
    PGPASSWORD: on the command line every user of the machine could read it in `ps`."""
    executable = shutil.which(program)
    if executable is None:
        raise CommandError(
            _("%(program)s was not found; install the PostgreSQL client programs.") % {"program": program}
        )
    database = connection.settings_dict
    env = dict(os.environ)
    for variable, value in [
        ("PGHOST", database.get("HOST")),
        ("PGPORT", database.get("PORT")),
        ("PGUSER", database.get("USER")),
        ("PGPASSWORD", database.get("PASSWORD")),
        ("PGSSLMODE", database.get("OPTIONS", {}).get("sslmode")),
    ]:
        if value:
            env[variable] = str(value)
    # A fixed program with our own paths and the configured database name: no shell, no user input.
    result = subprocess.run([executable, *arguments], env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(_("%(program)s failed: %(error)s") % {"program": program, "error": result.stderr.strip()})


def _dump_database(vendor: str, target: Path) -> tuple[dict, dict]:
    """Write a consistent copy of the database to target; return its migrations and counts."""
    if vendor == "sqlite":
        # The online backup API copies under a read lock, so writers of a running server
        # wait a moment instead of leaving a half-written copy. Django's own connection is the
        # source, so the copy is of exactly the configured database.
        connection.ensure_connection()
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
            return database_state(copy.cursor(), vendor)
    # pg_dump reads the snapshot of our REPEATABLE READ transaction, so the manifest's counts
    # are of the very rows in the dump even while the server keeps writing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        run_postgres_program(
            "pg_dump", "-Fc", "--snapshot", snapshot, "-f", str(target), connection.settings_dict["NAME"]
        )
        return database_state(cursor, vendor)


def backup_create(*, directory: Path) -> tuple[Path, dict]:
    """Write a new backup folder under directory; return its path and manifest."""
    vendor = engine()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = timezone.localtime().strftime("fulian-%Y%m%d-%H%M%S")
    # Written under a hidden name and renamed when complete: a backup that died half-way
    # is never mistaken for a good one.
    partial = directory / f".{name}.partial"
    partial.mkdir(mode=0o700)
    try:
        database = partial / DATABASE_FILE[vendor]
        migrations, counts = _dump_database(vendor, database)
        database.chmod(0o600)
        files = {database.name: sha256(database)}
        # Copied after the database: a file is stored before the row that names it is
        # committed, so every file that a copied row names is already in MEDIA_ROOT.
        media = Path(settings.MEDIA_ROOT)
        for source in sorted(path for path in media.rglob("*") if path.is_file()):
            relative = source.relative_to(media).as_posix()
            target = partial / "media" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(source, target)
            except FileNotFoundError:
                continue  # deleted since the database was copied
            target.chmod(0o600)
            files[f"media/{relative}"] = sha256(target)
        for folder in partial.rglob("*"):
            if folder.is_dir():
                folder.chmod(0o700)  # mkdir's mode reaches only the last folder of a path
        manifest = {
            "format": FORMAT,
            "version": 1,
            "created": timezone.now().isoformat(),
            "engine": vendor,
            "migrations": migrations,
            "tables": counts,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        (partial / MANIFEST).chmod(0o600)
        final = directory / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final, manifest


def backup_read(path: Path) -> dict:
    """Return the manifest of the backup at path after checking that it is a whole backup
    of this installation's engine; raise CommandError (in Chinese) when it is not."""
    not_a_backup = CommandError(_("%(path)s is not a backup made by manage.py backup.") % {"path": path})
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError):
        raise not_a_backup from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not (
        isinstance(files, dict)
        and manifest.get("format") == FORMAT
        and manifest.get("engine") in DATABASE_FILE
        and isinstance(manifest.get("tables"), dict)
        # A name with ../ or an absolute path would write outside MEDIA_ROOT.
        and all(".." not in PurePosixPath(name).parts and not name.startswith("/") for name in files)
    ):
        raise not_a_backup
    vendor = engine()
    if manifest["engine"] != vendor:
        raise CommandError(
            _("This is a backup of a %(backup)s database; this installation uses %(current)s.")
            % {"backup": manifest["engine"], "current": vendor}
        )
    for name in {DATABASE_FILE[vendor], *files}:
        file = path / name
        if not file.is_file() or sha256(file) != files.get(name):
            raise CommandError(
                _("The backup is damaged: %(file)s is missing or has changed since it was written.") % {"file": file}
            )
    return manifest


def backup_time(manifest: dict) -> str:
    return timezone.localtime(datetime.fromisoformat(manifest["created"])).strftime("%Y-%m-%d %H:%M")


def backup_restore(*, path: Path, manifest: dict) -> bool:
    """Put the database and the uploaded files of a checked backup back in place. Return
    whether the restored database still needs `migrate` (a backup older than the code)."""
    vendor = manifest["engine"]
    database = path / DATABASE_FILE[vendor]
    # Our own connections would hold locks (PostgreSQL) or cached state across the swap.
    connections.close_all()
    if vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source:
            source.backup(connection.connection)
    else:
        # One transaction: a restore that fails half-way leaves the database as it was.
        run_postgres_program(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(database),
        )
    # Files uploaded after the backup stay where they are: no restored row names them, and
    # deleting them could not be undone.
    media = Path(settings.MEDIA_ROOT)
    for name in manifest["files"]:
        if name.startswith("media/"):
            target = media / name.removeprefix("media/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path / name, target)
            target.chmod(settings.FILE_UPLOAD_PERMISSIONS or 0o600)
    connections.close_all()
    with connection.cursor() as cursor:
        _migrations, counts = database_state(cursor, vendor)
    different = sorted(table for table in manifest["tables"] if counts.get(table) != manifest["tables"][table])
    if different:
        raise CommandError(
            _("The restored database differs from the backup in these tables: %(tables)s.")
            % {"tables": ", ".join(different)}
        )
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
