"""Readiness: can this instance serve requests correctly right now?

A load balancer or orchestrator asks ``/readyz`` and stops sending work to an instance that
says no. Each check answers for itself and names what it looked at, never a value from the
database or a secret; an instance is ready only when every check passes. Liveness (``/healthz``)
needs none of this: a process that answers at all is alive.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from casework import clock
from casework.crypto import KeyRingNotConfiguredError, current_ring
from casework.crypto.fields import ring_file
from casework.mail.models import OutboxMessage
from casework.migrate import alembic_config
from casework.services import Services

WAITING = ("pending", "sending")  # an outbox message not yet sent nor given up on


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@functools.cache
def code_heads() -> tuple[str, ...]:
    """The migration heads this code expects: read once, since the files cannot change
    under a running process without a restart."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config("")).get_heads()))


def schema_heads(conn: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def migrations(conn: Connection) -> Check:
    expected, found = code_heads(), schema_heads(conn)
    if found == expected:
        return Check("migrations", True, f"at head {', '.join(expected)}")
    at = f"the database is at {', '.join(found)}" if found else "the database has no schema"
    return Check(
        "migrations", False, f"{at}, the code expects {', '.join(expected)}: run `casework init`"
    )


def keyring() -> Check:
    try:
        ring = current_ring()
    except KeyRingNotConfiguredError:
        return Check("keyring", False, "no key ring loaded")
    path = ring_file()
    if path is not None and not _readable(path):
        return Check(
            "keyring",
            False,
            "the key ring file cannot be read: a rotation by another process cannot be followed",
        )
    return Check("keyring", True, f"loaded, primary key {ring.primary}")


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


def audit_key(svc: Services) -> Check:
    seal = svc.db.factory.kw.get("info", {}).get("audit_seal")
    if not seal or not seal[0]:
        return Check("audit_key", False, "no audit key: entries would be written unsealed")
    return Check("audit_key", True, "loaded")


def outbox(svc: Services, conn: Connection) -> Check:
    limit = int(svc.settings.get("READY_OUTBOX_MAX_AGE_MINUTES") or 0)
    if not svc.settings.get("SMTP_HOST"):
        return Check("outbox", True, "not checked: no SMTP_HOST, mail is kept in the outbox")
    if limit <= 0:
        return Check("outbox", True, "not checked: READY_OUTBOX_MAX_AGE_MINUTES is 0")
    oldest = conn.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(WAITING))
    )
    if oldest is None:
        return Check("outbox", True, "nothing waiting")
    if oldest.tzinfo is None:  # SQLite through Core returns naive UTC
        oldest = oldest.replace(tzinfo=clock.now().tzinfo)
    age = clock.now() - oldest
    minutes = int(age.total_seconds() // 60)
    if age > timedelta(minutes=limit):
        return Check("outbox", False, f"oldest unsent message waited {minutes} min (> {limit})")
    return Check("outbox", True, f"oldest unsent message waited {minutes} min")


def readiness(svc: Services) -> list[Check]:
    """Every check, in a short read-only connection of its own (never the request's
    transaction, which would hold SQLite's write lock)."""
    checks = [keyring(), audit_key(svc)]
    try:
        with svc.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks.insert(0, Check("database", True, "reachable"))
            checks.append(migrations(conn))
            checks.append(outbox(svc, conn))
            conn.rollback()
    except Exception as exc:  # noqa: BLE001  (any failure to talk to it means not ready)
        if not any(c.name == "database" for c in checks):
            # The class only: driver messages can name hosts, users or values.
            checks.insert(0, Check("database", False, f"unreachable ({type(exc).__name__})"))
        else:
            checks.append(Check("queries", False, f"failed ({type(exc).__name__})"))
    return checks


def as_json(checks: list[Check]) -> dict[str, Any]:
    return {
        "ready": all(c.ok for c in checks),
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
