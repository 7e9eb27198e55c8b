"""What the database holds at rest, read past the application: the SQLite files' raw bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session


def database_bytes(database_url: str) -> bytes | None:
    """The SQLite database file and its write-ahead log as bytes (None on PostgreSQL, whose
    files this test process cannot read).

    Read by another process: closing any descriptor of a file drops every POSIX lock this
    process holds on it, so opening the live database here would silently release the locks
    of the suite's open SQLite connections, and the next connection would find the shared
    memory index in a state that answers "disk I/O error" from then on.
    """
    if not database_url.startswith("sqlite:///"):
        return None
    return b"".join(database_files(database_url).values())


def database_files(database_url: str) -> dict[str, bytes]:
    """Each SQLite file (the database, its write-ahead log) by name, read as above."""
    path = Path(database_url.removeprefix("sqlite:///"))
    return {
        p.name: _read_elsewhere(p) for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    }


def _read_elsewhere(path: Path) -> bytes:
    reader = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.run(  # noqa: S603  (our own interpreter, our own file)
        [sys.executable, "-c", reader, str(path)], capture_output=True, check=True
    ).stdout


def stored(session: Session, table: str, column: str) -> list[bytes]:
    """Every value of one column as a raw SQL SELECT returns it."""
    query = text(f'SELECT "{column}" FROM {table} WHERE "{column}" IS NOT NULL')  # noqa: S608
    return [bytes(v) if not isinstance(v, str) else v.encode() for v in session.scalars(query)]
