"""Member agencies of the partnership."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UUIDPrimaryKey, utcnow

SECTORS = (
    "police",
    "probation",
    "idva",
    "health",
    "mental_health",
    "housing",
    "children_social_care",
    "adult_social_care",
    "education",
    "substance_misuse",
    "youth_offending",
    "fire",
    "voluntary",
    "local_authority",
    "other",
)


class Agency(UUIDPrimaryKey, Base):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(32))
    is_police: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
