"""Standing panels (MARAC, PPO, Prevent and Deter, IOM) and their member agencies."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency
from casework.db import Base, UUIDPrimaryKey, utcnow
from casework.panels.cadence import Cadence


class Panel(UUIDPrimaryKey, Base):
    __tablename__ = "panels"

    kind: Mapped[str] = mapped_column(String(16))  # a registered kind (casework.panels.kinds)
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200))
    schedule: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(32), default="england-and-wales")
    active: Mapped[bool] = mapped_column(default=True)
    # The Information Sharing Protocol (config/isp/<protocol>.toml) this panel works under.
    protocol: Mapped[str] = mapped_column(String(64))
    meeting_minutes: Mapped[int] = mapped_column(default=180)
    minutes_per_case: Mapped[int] = mapped_column(default=15)
    cutoff_working_days: Mapped[int] = mapped_column(default=8)
    circulation_working_days: Mapped[int] = mapped_column(default=5)
    # Adults (16+) who are female in the panel's area: the SafeLives volume denominator.
    adult_female_population: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[PanelMember]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def schedule_text(self) -> str:
        return Cadence.parse(self.schedule).describe()

    @property
    def agency_codes(self) -> list[str]:
        return sorted(m.agency.code for m in self.members)


class PanelMember(Base):
    __tablename__ = "panel_members"

    panel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panels.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), primary_key=True, index=True
    )

    agency: Mapped[Agency] = relationship(lazy="joined")
