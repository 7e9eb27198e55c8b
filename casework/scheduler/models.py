"""Run records make every job idempotent: one row per job and due time, claimed once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UUIDPrimaryKey, utcnow


class JobRun(UUIDPrimaryKey, Base):
    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "due_at"),)

    job: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="running")
    detail: Mapped[str | None] = mapped_column(String(500))


class ApschedulerJob(Base):
    """APScheduler's SQLAlchemyJobStore table, made by Alembic like every other table."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
