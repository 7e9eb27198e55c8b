"""Running Alembic from code: ``casework init`` and the tests use the same path.

An upgrade is the schema change and then the sealing of any values a migration carried over
from a formerly plain column (``casework.crypto.backfill``): migrations hold no keys, so that
step runs here, where the key ring is configured, in committed batches. An interrupted upgrade
is finished by running it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect as sa_inspect

import casework.models  # noqa: F401  (every model: sealing and rotation find them on Base)
from casework.crypto import KeyRing, KeyRingNotConfiguredError, backfill, current_ring
from casework.crypto.settings import configure_keyring
from casework.db import Database
from casework.search import maintain as search_maintain
from casework.settings import PROJECT_ROOT, load_settings

log = logging.getLogger("casework.migrate")


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
    seal_carried_over(database_url)
    index_for_search(database_url)


def index_for_search(database_url: str) -> int:
    """Search tokens for people written before the search table existed (or by a path
    without the hooks): one cheap anti-join per source when there is nothing to do."""
    db = Database(database_url)
    try:
        if not sa_inspect(db.engine).has_table("search_tokens"):
            return 0
        with db.transaction() as session:
            if not search_maintain.anyone_missing(session):
                return 0
        keyring_for_data()
        return search_maintain.fill_missing(db)
    finally:
        db.dispose()


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def keyring_for_data() -> KeyRing:
    """The key ring, for a migration step that must open or seal stored values: the one the
    process configured (``casework init`` does so first), else the one the settings name."""
    try:
        return current_ring()
    except KeyRingNotConfiguredError:
        configure_keyring(load_settings())
        return current_ring()


@dataclass(frozen=True)
class Sealing:
    """What ``seal_carried_over`` did: rows sealed per table, and a line for the operator if
    the old plain values could not be cleared from free space yet."""

    sealed: dict[str, int]
    note: str | None = None


def seal_carried_over(
    database_url: str,
    batch_size: int = 500,
    progress: Callable[[str, int], None] | None = None,
) -> Sealing:
    """Seal what migrations left marked for sealing.

    Cheap when there is nothing to do (one count per declared table), so every upgrade runs it.
    Safe to run again after an interruption and from several processes: each batch commits,
    and a sealed value is never picked up twice.
    """
    db = Database(database_url)
    try:
        jobs = backfill.find(engine=db.engine)
        waiting = backfill.pending(db, jobs)
        if not any(waiting.values()):
            return Sealing(dict.fromkeys(waiting, 0))
        keyring_for_data()  # a clear error now rather than half way through
        sealed = backfill.run(db, jobs, batch_size, progress)
        note = backfill.scrub(db, [table for table, n in sealed.items() if n])
        if note:
            log.warning("sealing carried-over values: %s", note)
        return Sealing(sealed, note)
    finally:
        db.dispose()
