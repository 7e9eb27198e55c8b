"""The long-lived things an action needs (database, settings, hasher), handed in explicitly.

An app, a CLI command or the scheduler each builds one ``Services``; actions never import
Flask, so tests and jobs call them directly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casework.accounts.passwords import Hasher
from casework.audit.head import attach as attach_audit_head
from casework.crypto.fields import configure
from casework.crypto.indexes import configure_bits
from casework.crypto.keyring import RingFile, ensure_dev_keyring, load_keyring
from casework.db import Database
from casework.settings import ConfigError
from casework.sharing.engine import Sharing
from casework.sharing.protocols import ProtocolError, load_protocols


def configure_keyring(settings: Mapping[str, Any]) -> None:
    """Field encryption needs its key ring before any model is read or written.

    A ring read from a file is watched (``reload_keyring_if_changed``), so servers follow a
    ``casework keys rotate`` run by another process without restarting.
    """
    configure_bits(int(settings.get("BLIND_INDEX_BITS", 32)))
    path = Path(settings["KEYRING_FILE"]) if settings.get("KEYRING_FILE") else None
    value = settings.get("KEYRING") or None
    if isinstance(value, dict):  # CASEWORK_* variables are parsed as JSON, so the ring arrives so
        value = json.dumps(value)
    if path is None or value:
        configure(load_keyring(path, value))  # the ring given as a value, or a clear error
        return
    if settings.get("KEYRING_DEV"):
        ensure_dev_keyring(path)
    source = RingFile(path)
    configure(source.load(), source=source)


@dataclass
class Services:
    settings: Mapping[str, Any]
    db: Database
    hasher: Hasher
    sharing: Sharing

    @property
    def session(self) -> Session:
        return self.db.session()

    @classmethod
    def build(cls, settings: Mapping[str, Any]) -> Services:
        try:  # before anything global changes, so a refused start leaves no trace
            protocols = load_protocols(Path(settings["ISP_DIR"]))
        except ProtocolError as exc:
            raise ConfigError(f"information sharing protocol: {exc}") from None
        configure_keyring(settings)
        import casework.audit.chain  # noqa: F401  (seals audit entries as transactions commit)
        import casework.models  # noqa: F401  (every table: a flush sorts them all by foreign key)
        import casework.policies  # noqa: F401  (record types register with the sharing engine)

        db = Database(
            settings["DATABASE_URL"],
            busy_timeout_ms=settings["SQLITE_BUSY_TIMEOUT_MS"],
            audit_seal=(settings["AUDIT_KEY"], int(settings["AUDIT_CHECKPOINT_EVERY"])),
        )
        attach_audit_head(db, settings)  # each commit's chain head also goes outside the db
        return cls(
            settings=settings,
            db=db,
            hasher=Hasher(
                time_cost=settings["ARGON2_TIME_COST"],
                memory_kib=settings["ARGON2_MEMORY_KIB"],
                parallelism=settings["ARGON2_PARALLELISM"],
            ),
            sharing=Sharing(protocols),
        )
