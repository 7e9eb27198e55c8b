"""``casework backup PATH``: one consistent copy of the database and its manifest.

Only the database is copied. The key ring (``CASEWORK_KEYRING_FILE``) and the audit key
(``CASEWORK_AUDIT_KEY``) are not read here at all, so no backup can carry them; the hosting
team keeps them apart (docs/backups.md).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy import create_engine, text

from casework.backup import BackupError, postgres, sqlite
from casework.backup.manifest import Manifest, Survey, survey
from casework.db import make_engine


def _folder(path: Path) -> None:
    """A new or empty folder, readable by its owner only: a backup is never written over."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{path} already exists and is not an empty folder: choose a new one")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def make_backup(database_url: str, path: Path) -> Manifest:
    _folder(path)
    if database_url.startswith("sqlite"):
        out = path / sqlite.FILE
        out.touch(mode=0o600)
        sqlite.copy(sqlite.path_of(database_url), out)
        found = _survey_of(f"sqlite:///{out}")
        manifest = Manifest.of("sqlite", out, found)
    elif database_url.startswith("postgresql"):
        out = path / postgres.FILE
        engine = make_engine(database_url)
        try:
            with engine.connect() as conn, conn.begin():
                conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                found = survey(conn)  # the snapshot pg_dump reads, held open until it ends
                postgres.dump(database_url, out, snapshot)
        finally:
            engine.dispose()
        out.chmod(0o600)
        manifest = Manifest.of("postgresql", out, found)
    else:
        raise BackupError("the database URL names neither SQLite nor PostgreSQL")
    if found.schema_revision is None:
        with contextlib.suppress(OSError):
            out.unlink()
        raise BackupError("the database has no schema: there is nothing to back up")
    manifest.write(path)
    return manifest


def _survey_of(url: str) -> Survey:
    """Read the copy with a plain engine: nothing is written to it (no journal mode set)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return survey(conn)
    finally:
        engine.dispose()
