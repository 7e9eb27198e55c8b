"""``casework restore PATH``: put a backup back, then prove it is whole and readable.

Refused before anything is touched: a manifest from another schema revision (restore with the
release that made it, then upgrade), a copy whose SHA-256 differs from the manifest's, a backup
of the other kind of database, and a target that already holds data unless ``replace``.
Checked after: every table's count, the schema revision and the audit head against the
manifest; one sealed field of every encrypted table opened with the configured key ring (a
wrong ring fails here, loudly, rather than on the first page a user opens); the audit chain
walked with the configured audit key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, or_, select

from casework.audit.chain import verify
from casework.backup import BackupError, postgres, sqlite
from casework.backup.head_file import begin_after_restore
from casework.backup.logged import log_operation
from casework.backup.manifest import Manifest, Survey, code_head, sha256_of, survey
from casework.bootstrap import build_services
from casework.crypto import DecryptionError
from casework.crypto.fields import encrypted_fields
from casework.crypto.rotate import find_targets
from casework.services import Services

FILES = {"sqlite": sqlite.FILE, "postgresql": postgres.FILE}


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    rows: int
    entries_checked: int
    head_moved_to: Path | None  # the head file from before the restore, kept


def kind_of(database_url: str) -> str:
    for kind in FILES:
        if database_url.startswith(kind):
            return kind
    raise BackupError("the database URL names neither SQLite nor PostgreSQL")


def current(database_url: str) -> Survey:
    """What the database holds now (an SQLite file not yet made holds nothing)."""
    if kind_of(database_url) == "sqlite" and not sqlite.path_of(database_url).exists():
        return Survey(None, {})
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return survey(conn)
    finally:
        engine.dispose()


def _refuse_early(manifest: Manifest, folder: Path, database_url: str, replace: bool) -> Path:
    kind = kind_of(database_url)
    if manifest.database != kind:
        raise BackupError(
            f"this is a backup of a {manifest.database} database and the configured database "
            f"is {kind}"
        )
    head = code_head()
    if manifest.schema_revision != head:
        raise BackupError(
            f"the backup is at schema revision {manifest.schema_revision} (made by casework "
            f"{manifest.casework_version}) and this release's schema is {head}: restore with "
            "the release that made it, then upgrade with this one (casework init)"
        )
    if manifest.file != FILES[kind]:
        raise BackupError(f"the manifest names {manifest.file!r}, not {FILES[kind]!r}")
    copy = folder / manifest.file
    if not copy.is_file():
        raise BackupError(f"{copy} is missing")
    if sha256_of(copy) != manifest.sha256:
        raise BackupError(
            f"{copy} does not match the SHA-256 in its manifest: it is damaged or was changed"
        )
    if not replace:
        rows = current(database_url).rows
        if rows:
            raise BackupError(
                f"the configured database is not empty ({rows} rows): restore into an empty "
                "database, or give --replace to overwrite this one"
            )
    return copy


def _compare(manifest: Manifest, found: Survey) -> None:
    if found.schema_revision != manifest.schema_revision:
        raise BackupError(
            f"after the restore the schema revision is {found.schema_revision}, "
            f"not the manifest's {manifest.schema_revision}"
        )
    for table in sorted(set(manifest.tables) | set(found.tables)):
        want, got = manifest.tables.get(table), found.tables.get(table)
        if want != got:
            raise BackupError(
                f"after the restore table {table} holds {got if got is not None else 'no'} "
                f"rows and the manifest says {want if want is not None else 'no such table'}"
            )
    if found.audit_head != manifest.audit_head:
        raise BackupError(
            f"after the restore the audit log ends at entry {found.audit_head.get('seq')}, "
            f"not at the manifest's {manifest.audit_head.get('seq')}"
        )


def check_key_ring(svc: Services) -> int:
    """Open every encrypted field of one row of each table that has one; returns how many
    tables were checked. The wrong ring fails on the first."""
    checked = 0
    with svc.db.transaction() as session:
        for target in find_targets():
            if not target.sealed:
                continue
            row = session.scalars(
                select(target.model).where(or_(*(c.is_not(None) for c in target.sealed))).limit(1)
            ).first()
            if row is None:
                continue
            try:
                for name, _field in encrypted_fields(target.model):
                    getattr(row, name)
            except DecryptionError:
                raise BackupError(
                    "the key ring does not match this backup: a sealed field in table "
                    f"{target.table} cannot be opened with it. Configure the key ring the "
                    "service used when the backup was made (CASEWORK_KEYRING_FILE) and restore "
                    "again with --replace"
                ) from None
            checked += 1
    return checked


def _verify_chain(svc: Services) -> tuple[int, Path | None]:
    verdict = verify(svc)
    if verdict.ok:
        return verdict.checked, None
    moved = begin_after_restore(svc)  # the old head file names entries the backup predates
    verdict = verify(svc)
    if not verdict.ok:
        raise BackupError(
            f"the audit chain does not verify after the restore: {verdict.problem}. "
            "Is CASEWORK_AUDIT_KEY the key of the service that made the backup?"
        )
    return verdict.checked, moved


def restore_backup(settings: Mapping[str, Any], folder: Path, *, replace: bool) -> Restored:
    manifest = Manifest.read(folder)
    database_url = settings["DATABASE_URL"]
    copy = _refuse_early(manifest, folder, database_url, replace)
    svc = build_services(settings)  # a configuration error stops it before anything changes
    try:
        if kind_of(database_url) == "sqlite":
            sqlite.copy(copy, sqlite.path_of(database_url))
        else:
            postgres.restore(database_url, copy)
        found = current(database_url)
        _compare(manifest, found)
        check_key_ring(svc)
        checked, moved = _verify_chain(svc)
        log_operation(svc, "restore", f"from the backup made {manifest.created_at}")
    finally:
        svc.db.dispose()
    return Restored(manifest, found.rows, checked, moved)
