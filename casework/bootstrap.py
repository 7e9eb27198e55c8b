"""Building the ``Services`` an app, a CLI command or the scheduler runs on.

Kept apart from ``casework.services`` (the type every action receives) because building needs
everything: every model (a flush sorts all tables by foreign key), every record type's policy
(they register with the sharing engine), the audit chain (it seals entries as transactions
commit) and the key ring. Actions import the type; only entry points import this module, so
nothing an action imports can lead back to the whole application (no import cycle).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import casework.audit.chain  # noqa: F401  (seals audit entries as transactions commit)
import casework.models  # noqa: F401  (every table: a flush sorts them all by foreign key)
import casework.policies  # noqa: F401  (record types register with the sharing engine)
from casework.accounts.passwords import Hasher
from casework.audit.head import attach as attach_audit_head
from casework.crypto.settings import configure_keyring
from casework.db import Database
from casework.panels import kinds as panel_kinds
from casework.retention.policy import check as check_retention
from casework.services import Services
from casework.settings import ConfigError
from casework.sharing.engine import Sharing
from casework.sharing.protocols import ProtocolError, load_protocols
from casework.stats.reference import reference_lines


def build_services(settings: Mapping[str, Any]) -> Services:
    """The services for these settings; a refused start (bad protocol) changes nothing global."""
    try:
        protocols = load_protocols(Path(settings["ISP_DIR"]))
    except ProtocolError as exc:
        raise ConfigError(f"information sharing protocol: {exc}") from None
    panel_kinds.check_settings(settings)  # each kind's own settings (the ASB risk matrix)
    check_retention(settings)  # a retention period nobody chose lists nothing for erasure
    reference_lines(settings)  # a national line must say where it comes from
    configure_keyring(settings)
    db = Database(
        settings["DATABASE_URL"],
        busy_timeout_ms=settings["SQLITE_BUSY_TIMEOUT_MS"],
        audit_seal=(settings["AUDIT_KEY"], int(settings["AUDIT_CHECKPOINT_EVERY"])),
    )
    attach_audit_head(db, settings)  # each commit's chain head also goes outside the db
    return Services(
        settings=settings,
        db=db,
        hasher=Hasher(
            time_cost=settings["ARGON2_TIME_COST"],
            memory_kib=settings["ARGON2_MEMORY_KIB"],
            parallelism=settings["ARGON2_PARALLELISM"],
        ),
        sharing=Sharing(protocols),
    )
