"""Import runs and the rows they wrote.

A run records one import of one file (its SHA-256, never its name or contents) and how far it
got, committed with each batch of rows, so a run killed half way still says truly how many of
its rows are in. A row's identity is a keyed hash of its normalised cells and of how many
identical rows came before it in the file: it names a row without holding or revealing any
value, and stays the same whichever file, or which position in it, the row comes back in.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UUIDPrimaryKey

KINDS = ("referrals", "offences")
STATUSES = ("running", "interrupted", "finished", "failed")


class ImportRun(UUIDPrimaryKey, Base):
    __tablename__ = "import_runs"

    kind: Mapped[str] = mapped_column(String(16))
    panel_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("panels.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the file
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]  # when the last batch (and this record with it) committed
    finished_at: Mapped[datetime | None]
    rows_total: Mapped[int] = mapped_column(Integer)
    # Rows of the file dealt with (written, refused or found already imported), as committed.
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    already_imported: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    via: Mapped[str] = mapped_column(String(16))  # web, api or cli


class ImportRow(Base):
    """One imported row's identity and the record it became. Deleting the record frees the
    identity (so the row may be imported again); the primary key makes a second write of
    the same row fail rather than add it twice."""

    __tablename__ = "import_rows"

    row_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("import_runs.id"), index=True)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("offender_events.id", ondelete="CASCADE"), index=True
    )
