"""Backups and restores in the audit log.

A backup copies every record and a restore replaces them all: the widest disclosure and the
widest change there are, so the DPO's log shows both, by the operator at the command line
(``Actor.system``), chained and sealed as any entry. A backup is logged once it is made (the
copy holds the log up to just before); a restore once the restored data and its log have been
checked, as the restored chain's next entry.
"""

from __future__ import annotations

from casework.actors import Actor
from casework.audit import log as audit
from casework.services import Services


def log_operation(svc: Services, action: str, purpose: str) -> None:
    """Record and commit ``action`` ("backup" or "restore") of the whole database."""
    audit.record(svc.session, Actor.system("cli"), action, "database", purpose=purpose)
    svc.session.commit()
