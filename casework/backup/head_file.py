"""The audit head file after a restore.

The head file (``casework.audit.head``) records every head the log reached, so after a restore
it names entries written after the backup, which the restored log no longer has, and on a new
server there is none at all. Either way ``casework audit verify`` would rightly report a cut
log. A restore is a deliberate rewind, made by someone holding the audit key: the old file is
kept beside the new one as the record of what the rewind lost, and a new file is begun at the
restored head and named in a freshly signed checkpoint 0.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import delete, select, text

from casework.audit.chain import HEAD_FILE_CHECKPOINT, SEAL_LOCK_ID, keep_head_file
from casework.audit.head import head_log_for
from casework.audit.models import AuditCheckpoint, AuditEntry
from casework.db import utcnow
from casework.services import Services


def begin_after_restore(svc: Services) -> Path | None:
    """Begin a new head file at the log's head; returns where the old one was moved, if any."""
    head = head_log_for(svc.settings)
    moved = None
    if head.path.exists():
        moved = head.path.with_name(f"{head.path.name}.before-restore-{utcnow():%Y%m%dT%H%M%S%fZ}")
        os.replace(head.path, moved)
    head.known_id = None
    with svc.db.serialised() as session:
        if not svc.db.is_sqlite:
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SEAL_LOCK_ID})
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.mac)
            .where(AuditEntry.seq.is_not(None))
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).first()
        session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq == HEAD_FILE_CHECKPOINT))
        keep_head_file(session, svc.settings["AUDIT_KEY"], head, last.seq if last else 0)
    if last is not None:
        head.append(last.seq, last.mac)
    return moved
