"""The long-lived things an action needs (database, settings, hasher), handed in explicitly.

An app, a CLI command or the scheduler each builds one ``Services``; actions never import
Flask, so tests and jobs call them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casework.accounts.passwords import Hasher
from casework.crypto.fields import configure
from casework.crypto.keyring import ensure_dev_keyring, load_keyring
from casework.db import Database


def configure_keyring(settings: Mapping[str, Any]) -> None:
    """Field encryption needs its key ring before any model is read or written."""
    path = Path(settings["KEYRING_FILE"]) if settings.get("KEYRING_FILE") else None
    if settings.get("KEYRING_DEV") and path is not None:
        configure(ensure_dev_keyring(path))
    else:
        configure(load_keyring(path, settings.get("KEYRING") or None))


@dataclass
class Services:
    settings: Mapping[str, Any]
    db: Database
    hasher: Hasher

    @property
    def session(self) -> Session:
        return self.db.session()

    @classmethod
    def build(cls, settings: Mapping[str, Any]) -> Services:
        configure_keyring(settings)
        return cls(
            settings=settings,
            db=Database(
                settings["DATABASE_URL"], busy_timeout_ms=settings["SQLITE_BUSY_TIMEOUT_MS"]
            ),
            hasher=Hasher(
                time_cost=settings["ARGON2_TIME_COST"],
                memory_kib=settings["ARGON2_MEMORY_KIB"],
                parallelism=settings["ARGON2_PARALLELISM"],
            ),
        )
