"""The manifest written beside every backup, and the survey of a database it records.

The survey is taken from the copy itself (SQLite) or inside the snapshot ``pg_dump`` reads
(PostgreSQL), so the counts, the schema revision and the audit head describe exactly the rows
in the backup, however busy the service was while it ran. A restore takes the same survey of
the restored database and compares.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, column, func, inspect, select, table, text

from casework.backup import BackupError
from casework.migrate import alembic_config

MANIFEST = "manifest.json"
FORMAT = 1
VERSION_TABLE = "alembic_version"


def casework_version() -> str:
    """The release installed (pyproject.toml's version)."""
    try:
        return metadata.version("casework")
    except metadata.PackageNotFoundError:
        return "unknown"


def code_head() -> str:
    """The newest schema revision this code knows (the head of migrations/versions)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


@dataclass(frozen=True)
class Survey:
    """What a database holds, in terms a restore can check."""

    schema_revision: str | None
    tables: dict[str, int]
    audit_head: dict[str, Any] = field(default_factory=dict)  # {"seq": n, "mac": "..."}

    @property
    def rows(self) -> int:
        """Rows of data: every table's but the schema revision's own."""
        return sum(n for table, n in self.tables.items() if table != VERSION_TABLE)


def survey(conn: Connection) -> Survey:
    """Counts per table, schema revision and audit head, read on ``conn`` (in its snapshot)."""
    names = sorted(inspect(conn).get_table_names())
    counts = {
        name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in names
    }
    revision = None
    if VERSION_TABLE in names:
        revision = conn.execute(
            select(column("version_num")).select_from(table(VERSION_TABLE))
        ).scalar()
    head: dict[str, Any] = {"seq": 0, "mac": None}
    if "audit_entries" in names:
        row = conn.execute(
            text(
                "SELECT seq, mac FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
            )
        ).first()
        if row is not None:
            head = {"seq": int(row.seq), "mac": row.mac}
    return Survey(revision, counts, head)


@dataclass(frozen=True)
class Manifest:
    casework_version: str
    created_at: str
    database: str  # "sqlite" or "postgresql"
    file: str  # the copy's name inside the backup folder
    sha256: str
    schema_revision: str | None
    tables: dict[str, int]
    audit_head: dict[str, Any]
    format: int = FORMAT

    @classmethod
    def of(cls, database: str, file: Path, found: Survey) -> Manifest:
        return cls(
            casework_version=casework_version(),
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            database=database,
            file=file.name,
            sha256=sha256_of(file),
            schema_revision=found.schema_revision,
            tables=found.tables,
            audit_head=found.audit_head,
        )

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        path.chmod(0o600)
        return path

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            raise BackupError(f"{path} is missing: this folder is not a casework backup") from None
        except (OSError, ValueError) as exc:
            raise BackupError(f"{path} cannot be read: {exc}") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError(f"{path} is not a manifest this release can read (format {FORMAT})")
        try:
            return cls(**raw)
        except TypeError:
            raise BackupError(f"{path} is damaged: its fields are not a manifest's") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
