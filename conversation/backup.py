"""Backups of the gateway database and the knowledge base, and their restore.

SQLite is copied with its online backup API: consistent while the API writes, WAL included.
PostgreSQL goes through ``pg_dump --format=custom`` and ``pg_restore --clean`` (the
postgresql-client package must be on PATH). The KB is a ``tar.gz`` of ``knowledge/kb``.
A restored database is migrated to this release's schema, so an older backup restores too.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from conversation.db import engine_for, migrate

KB_ARCHIVE_ROOT = "kb"


class BackupError(ValueError):
    """A backup or restore could not be made (missing tool, bad file); the CLI prints it."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(parsed.database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as pg_dump/pg_restore take it (no ``+driver``, no password) and the
    environment that passes the password (never on the command line, which ``ps`` shows)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(drivername="postgresql", password=None).render_as_string(), env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH: install the postgresql-client package")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        # report the tool's own message, not the command line
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")


def backup_database(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``target``.

    Args:
        url: NSO_DATABASE_URL (sqlite:///... or postgresql+psycopg://...).
        target: The backup file (an SQLite file, or a pg_dump custom-format archive).

    Returns:
        ``target``.

    Raises:
        BackupError: PostgreSQL without pg_dump on PATH, or the dump failed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    path = _sqlite_path(url)
    if path is None:
        dsn, env = _libpq(url)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", dsn], env)
        return target
    if not path.exists():
        raise BackupError(f"no database at {path}")
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target


def restore_database(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup ``source``, then migrate it to head.

    Stop the API (and Rasa's action calls) first: open sessions would see the swap mid-way.

    Args:
        url: NSO_DATABASE_URL.
        source: A file written by :func:`backup_database`.

    Raises:
        BackupError: The file is missing or not a backup of this kind of database.
    """
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    path = _sqlite_path(url)
    if path is None:
        dsn, env = _libpq(url)
        _run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", f"--dbname={dsn}", str(source)],
            env,
        )
    else:
        with closing(sqlite3.connect(source)) as backup:
            try:
                ok = backup.execute("PRAGMA integrity_check").fetchone()
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{source} is not an SQLite database: {exc}") from exc
            if ok != ("ok",):
                raise BackupError(f"{source} fails SQLite's integrity check")
            path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(path)) as live:
                backup.backup(live)  # page by page, under the database's own locks
    engine_for.cache_clear()  # engines of this process may hold the old schema's state
    engine = create_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def backup_kb(kb_dir: Path, target: Path) -> Path:
    """Pack the knowledge base folder into ``target`` (``.tar.gz``).

    Args:
        kb_dir: NSO_KB_DIR.
        target: The archive to write.

    Returns:
        ``target``.
    """
    if not kb_dir.is_dir():
        raise BackupError(f"no knowledge base at {kb_dir}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as archive:
        archive.add(kb_dir, arcname=KB_ARCHIVE_ROOT)
    return target


def restore_kb(kb_dir: Path, source: Path) -> None:
    """Replace the knowledge base folder with the archive ``source``.

    The archive is unpacked next to ``kb_dir`` first and swapped in only when complete; the
    index is rebuilt on the API's next start (its manifest records the KB's digest).

    Args:
        kb_dir: NSO_KB_DIR.
        source: An archive written by :func:`backup_kb`.

    Raises:
        BackupError: The file is missing or not a KB archive.
    """
    if not source.is_file():
        raise BackupError(f"no archive at {source}")
    with tempfile.TemporaryDirectory(dir=kb_dir.parent, prefix=".kb-restore-") as scratch:
        try:
            with tarfile.open(source, "r:gz") as archive:
                archive.extractall(scratch, filter="data")  # no absolute paths, links or devices
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"{source} is not a KB archive: {exc}") from exc
        unpacked = Path(scratch) / KB_ARCHIVE_ROOT
        if not unpacked.is_dir():
            raise BackupError(f"{source} has no {KB_ARCHIVE_ROOT}/ folder")
        old = Path(scratch) / "previous"
        if kb_dir.exists():
            kb_dir.rename(old)
        unpacked.rename(kb_dir)
