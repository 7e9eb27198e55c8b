"""SQLite copies through the online backup API (``sqlite3.Connection.backup``).

The API copies a consistent snapshot page by page while the service keeps running (WAL lets
its readers and writer carry on), unlike copying the file, which can catch a half-written
page or miss what still sits in the write-ahead log.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from casework.backup import BackupError

FILE = "database.sqlite"


def path_of(database_url: str) -> Path:
    """The database file a ``sqlite:///`` URL names (an in-memory database has none)."""
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def copy(source: Path, target: Path) -> None:
    """Copy the database ``source`` into ``target`` (replacing all of its content)."""
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"copying the SQLite database failed: {exc}") from None
