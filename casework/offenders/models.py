"""Nominals (people managed by an offender panel), their cohort history and their records.

Identity fields are encrypted and blind-indexed (surname + date of birth; PNC number) so the
same person is never entered twice. Dates, categories and outcomes that the targeting matrix
and the outcome measures count in SQL stay in plain columns; none of them identifies anyone.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto import BlindIndex, Sealed, encrypted
from casework.crypto.indexes import surname_and_birth
from casework.db import Base, UUIDPrimaryKey, utcnow

COHORTS = ("fixed", "flex", "free")
EXIT_REASONS = ("deselected", "died", "long_custody", "moved_away")
CLASSIFICATIONS = ("rr", "cc")
EVENT_KINDS = ("offence", "intelligence", "warrant", "drug_test")
OUTCOMES = ("arrest", "charge", "caution", "conviction", "no_further_action")
PATHWAYS = (
    "accommodation",
    "education_training_employment",
    "health",
    "drugs_alcohol",
    "finance",
    "children_families",
    "attitudes_behaviour",
)
PATHWAY_STATUSES = ("identified", "in_progress", "met", "not_met")
RISK_FACTORS = (
    "school_attendance",
    "school_exclusion",
    "family_offending",
    "antisocial_behaviour",
    "substance_misuse",
    "victim",
)
INTERVENTIONS = (
    "acceptable_behaviour_contract",
    "parenting_support",
    "diversionary_activity",
    "mentoring",
    "yot_referral",
    "civil_injunction_evidence",
)


def _pnc_parts(n: Nominal) -> tuple[str] | None:
    return (n.pnc_id,) if n.pnc_id else None


class Nominal(UUIDPrimaryKey, Base):
    __tablename__ = "nominals"

    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    first_name = encrypted("first_name_ct")
    last_name_ct: Mapped[bytes | None] = mapped_column("last_name", Sealed())
    last_name = encrypted("last_name_ct")
    date_of_birth_ct: Mapped[bytes | None] = mapped_column("date_of_birth", Sealed())
    date_of_birth = encrypted("date_of_birth_ct", kind="date")
    pnc_id_ct: Mapped[bytes | None] = mapped_column("pnc_id", Sealed())
    pnc_id = encrypted("pnc_id_ct")
    address_ct: Mapped[bytes | None] = mapped_column("address", Sealed())
    address = encrypted("address_ct")
    school_ct: Mapped[bytes | None] = mapped_column("school", Sealed())
    school = encrypted("school_ct")
    # Prevent and Deter risk factors, by name (RISK_FACTORS), with notes.
    risk_factors_ct: Mapped[bytes | None] = mapped_column("risk_factors", Sealed())
    risk_factors = encrypted("risk_factors_ct", kind="json")
    lead_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    lead_officer_ct: Mapped[bytes | None] = mapped_column("lead_officer", Sealed())
    lead_officer = encrypted("lead_officer_ct")
    # A young person's record follows youth-justice sharing rules (youth_record category).
    is_youth: Mapped[bool] = mapped_column(default=False, index=True)
    name_dob_ix: Mapped[str | None] = mapped_column(String(80), index=True)
    pnc_ix: Mapped[str | None] = mapped_column(String(80), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Erased at the end of its retention period (casework.retention): an anonymous row kept
    # for the cohort figures, shown to nobody.
    erased: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships: Mapped[list[CohortMembership]] = relationship(
        cascade="all, delete-orphan", order_by="CohortMembership.entry_date", lazy="selectin"
    )

    # Plain text until migration 0015; the values it carried over are sealed by
    # casework.crypto.backfill (run by ``casework init``).
    __sealed_from_plain__ = ("lead_officer",)

    __blind_indexes__ = (
        BlindIndex(
            "name_dob_ix",
            "nominal_name_dob",
            lambda n: surname_and_birth(n.last_name, n.date_of_birth),
        ),
        BlindIndex("pnc_ix", "nominal_pnc", _pnc_parts),
    )


class CohortMembership(UUIDPrimaryKey, Base):
    """A spell on one panel's cohort; history is kept, a person may return or move panels."""

    __tablename__ = "cohort_memberships"

    nominal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nominals.id", ondelete="CASCADE"), index=True
    )
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"), index=True)
    entry_date: Mapped[date] = mapped_column(index=True)
    exit_date: Mapped[date | None] = mapped_column()
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    cohort: Mapped[str | None] = mapped_column(String(8))  # IOM: fixed / flex / free
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meetings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OffenderEvent(UUIDPrimaryKey, Base):
    """An offence (with its outcome), an intelligence report, a warrant or a drug test."""

    __tablename__ = "offender_events"
    # Covers the targeting matrix's grouped read (casework/offenders/targeting.py).
    __table_args__ = (
        Index(
            "ix_offender_events_targeting",
            "nominal_id",
            "event_date",
            "kind",
            "category",
            "outcome",
            "positive",
        ),
    )

    nominal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nominals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="offence")
    event_date: Mapped[date] = mapped_column(index=True)
    category: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    positive: Mapped[bool | None] = mapped_column()  # drug tests
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustodyPeriod(UUIDPrimaryKey, Base):
    __tablename__ = "custody_periods"

    nominal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nominals.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()


class Classification(UUIDPrimaryKey, Base):
    """R&R or C&C, with who, when, why, and the meeting that decided it."""

    __tablename__ = "classifications"

    nominal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nominals.id", ondelete="CASCADE"), index=True
    )
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"), index=True)
    classification: Mapped[str] = mapped_column(String(2))
    decided_on: Mapped[date] = mapped_column(index=True)
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meetings.id"))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PathwayNeed(UUIDPrimaryKey, Base):
    """A need or intervention on one of the seven resettlement pathways."""

    __tablename__ = "pathway_needs"

    nominal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nominals.id", ondelete="CASCADE"), index=True
    )
    pathway: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="identified")
    # Referred to drug/alcohol treatment, in stable accommodation, in ETE: counted in SQL.
    achieved: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    notes_ct: Mapped[bytes | None] = mapped_column("notes", Sealed())
    notes = encrypted("notes_ct")


class Intervention(UUIDPrimaryKey, Base):
    """Prevent and Deter interventions (ABC, parenting support, diversion...) and outcomes."""

    __tablename__ = "interventions"

    nominal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nominals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    outcome_ct: Mapped[bytes | None] = mapped_column("outcome", Sealed())
    outcome = encrypted("outcome_ct")


class TargetingDecision(UUIDPrimaryKey, Base):
    """Selection or rejection of a candidate at a meeting: the score advises, people decide."""

    __tablename__ = "targeting_decisions"

    nominal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nominals.id", ondelete="CASCADE"), index=True
    )
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"), index=True)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meetings.id"))
    decision: Mapped[str] = mapped_column(String(16))  # selected / rejected
    score: Mapped[int] = mapped_column(default=0)
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date] = mapped_column()
