"""Anti-social behaviour (ASB) risk assessment cases: the victim, the incidents they reported,
the people (or group) responsible, the interventions against them, and Community Trigger
applications (ASB case reviews, Anti-social Behaviour, Crime and Policing Act 2014).

Names, dates of birth, addresses, the location, free text and the risk assessment's answers
are sealed per field. What the statistics count in SQL (dates, categories, scores, bands,
flags, outcomes) stays in plain columns: none of it identifies anyone. The victim's surname
and date of birth are blind-indexed so a victim's earlier cases are found for the repeat
victim rule without reading any name.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto import BlindIndex, Sealed, encrypted
from casework.crypto.indexes import surname_and_birth
from casework.db import Base, UUIDPrimaryKey, utcnow

CASE_STATUSES = ("open", "closed")
# How a case ended (statistics: case outcomes).
CASE_OUTCOMES = ("resolved", "reduced", "unresolved", "moved_away", "withdrawn")
RISK_BANDS = ("standard", "medium", "high")
INCIDENT_TYPES = (
    "noise",
    "verbal_abuse",
    "harassment_intimidation",
    "criminal_damage",
    "vehicle_nuisance",
    "drug_alcohol",
    "hate_incident",
    "neighbour_dispute",
    "other",
)
# The interventions ladder, lowest rung first.
INTERVENTION_TYPES = (
    "warning_letter",
    "acceptable_behaviour_contract",
    "community_protection_warning",
    "community_protection_notice",
    "civil_injunction",
    "criminal_behaviour_order",
    "closure_order",
)
# How pages, tables and downloads name the ladder's steps.
INTERVENTION_NAMES = {
    "warning_letter": "Warning letter",
    "acceptable_behaviour_contract": "Acceptable behaviour contract",
    "community_protection_warning": "Community protection warning",
    "community_protection_notice": "Community protection notice",
    "civil_injunction": "Civil injunction",
    "criminal_behaviour_order": "Criminal behaviour order",
    "closure_order": "Closure order",
}
INTERVENTION_OUTCOMES = ("complied", "breached", "ended", "revoked")
TRIGGER_STATUSES = ("received", "threshold_not_met", "review", "decided")
TRIGGER_DECISIONS = ("no_further_action", "recommendations_made")


class AsbCase(UUIDPrimaryKey, Base):
    """One victim's referral to an ASB risk assessment panel."""

    __tablename__ = "asb_cases"

    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"), index=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    referral_date: Mapped[date] = mapped_column(index=True)
    referring_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    referred_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    victim_first_name_ct: Mapped[bytes | None] = mapped_column("victim_first_name", Sealed())
    victim_first_name = encrypted("victim_first_name_ct")
    victim_last_name_ct: Mapped[bytes | None] = mapped_column("victim_last_name", Sealed())
    victim_last_name = encrypted("victim_last_name_ct")
    victim_date_of_birth_ct: Mapped[bytes | None] = mapped_column("victim_date_of_birth", Sealed())
    victim_date_of_birth = encrypted("victim_date_of_birth_ct", kind="date")
    victim_address_ct: Mapped[bytes | None] = mapped_column("victim_address", Sealed())
    victim_address = encrypted("victim_address_ct")
    victim_phone_ct: Mapped[bytes | None] = mapped_column("victim_phone", Sealed())
    victim_phone = encrypted("victim_phone_ct")
    victim_ix: Mapped[str | None] = mapped_column(String(80), index=True)
    # Where the behaviour happens (a street, an estate, a block): it can identify the victim.
    location_ct: Mapped[bytes | None] = mapped_column("location", Sealed())
    location = encrypted("location_ct")
    summary_ct: Mapped[bytes | None] = mapped_column("summary", Sealed())
    summary = encrypted("summary_ct")

    # The victim risk assessment: the answers (question code -> answer) are sealed; the score
    # and band the configured matrix gave them are plain, for the high-risk share.
    risk_answers_ct: Mapped[bytes | None] = mapped_column("risk_answers", Sealed())
    risk_answers = encrypted("risk_answers_ct", kind="json")
    risk_score: Mapped[int] = mapped_column(default=0)
    risk_band: Mapped[str] = mapped_column(String(16), default="standard", index=True)
    # The repeat victim rule's answer when the case was referred or an incident was added.
    repeat_victim: Mapped[bool] = mapped_column(default=False)

    closed_on: Mapped[date | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(32))
    # Erased at the end of its retention period (casework.retention): an anonymous row kept
    # for the ASB figures, shown to nobody.
    erased: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    incidents: Mapped[list[AsbIncident]] = relationship(
        cascade="all, delete-orphan", order_by="AsbIncident.occurred_on", lazy="selectin"
    )
    perpetrators: Mapped[list[AsbPerpetrator]] = relationship(
        cascade="all, delete-orphan", order_by="AsbPerpetrator.created_at", lazy="selectin"
    )

    __blind_indexes__ = (
        BlindIndex(
            "victim_ix",
            "asb_victim_name_dob",
            lambda c: surname_and_birth(c.victim_last_name, c.victim_date_of_birth),
        ),
    )


class AsbIncident(UUIDPrimaryKey, Base):
    """One incident the victim reported: when, what kind, to which agency, its reference."""

    __tablename__ = "asb_incidents"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), index=True
    )
    occurred_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(32))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    # An incident or crime number: it leads to the victim in another agency's system.
    reference_ct: Mapped[bytes | None] = mapped_column("reference", Sealed())
    reference = encrypted("reference_ct")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AsbPerpetrator(UUIDPrimaryKey, Base):
    """A person responsible, or a group (``is_group``: a name and a description, no person)."""

    __tablename__ = "asb_perpetrators"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), index=True
    )
    is_group: Mapped[bool] = mapped_column(default=False)
    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    first_name = encrypted("first_name_ct")
    last_name_ct: Mapped[bytes | None] = mapped_column("last_name", Sealed())
    last_name = encrypted("last_name_ct")
    date_of_birth_ct: Mapped[bytes | None] = mapped_column("date_of_birth", Sealed())
    date_of_birth = encrypted("date_of_birth_ct", kind="date")
    group_name_ct: Mapped[bytes | None] = mapped_column("group_name", Sealed())
    group_name = encrypted("group_name_ct")
    description_ct: Mapped[bytes | None] = mapped_column("description", Sealed())
    description = encrypted("description_ct")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    interventions: Mapped[list[AsbIntervention]] = relationship(
        cascade="all, delete-orphan", order_by="AsbIntervention.issued_on", lazy="selectin"
    )


class AsbIntervention(UUIDPrimaryKey, Base):
    """A rung of the interventions ladder used against one perpetrator."""

    __tablename__ = "asb_interventions"

    perpetrator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_perpetrators.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the perpetrator, so the statistics and the engine reach the case in
    # one join.
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    issued_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_on: Mapped[date | None] = mapped_column()
    notes_ct: Mapped[bytes | None] = mapped_column("notes", Sealed())
    notes = encrypted("notes_ct")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    breaches: Mapped[list[AsbBreach]] = relationship(
        cascade="all, delete-orphan", order_by="AsbBreach.occurred_on", lazy="selectin"
    )


class AsbBreach(UUIDPrimaryKey, Base):
    """A breach of an intervention, and what was done about it."""

    __tablename__ = "asb_breaches"

    intervention_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_interventions.id", ondelete="CASCADE"), index=True
    )
    occurred_on: Mapped[date] = mapped_column()
    action_taken_ct: Mapped[bytes | None] = mapped_column("action_taken", Sealed())
    action_taken = encrypted("action_taken_ct")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommunityTrigger(UUIDPrimaryKey, Base):
    """An ASB case review application: checked against the local threshold, decided within
    the configured number of days, heard at the panel, and the decision letter's facts kept.

    Every application belongs to an ASB case of the panel (the victim is the case's victim,
    so the applicant's identity is the case's, sealed there).
    """

    __tablename__ = "community_triggers"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), index=True
    )
    received_on: Mapped[date] = mapped_column(index=True)
    # Who applied when not the victim (a carer, an MP, a councillor), sealed.
    applicant_ct: Mapped[bytes | None] = mapped_column("applicant", Sealed())
    applicant = encrypted("applicant_ct")
    # Complaints about the behaviour in the threshold's window, as counted at application.
    complaints_counted: Mapped[int] = mapped_column(default=0)
    threshold_met: Mapped[bool | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(24), default="received", index=True)
    decision_due_on: Mapped[date] = mapped_column()
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meetings.id"))
    decision: Mapped[str | None] = mapped_column(String(32))
    decided_on: Mapped[date | None] = mapped_column()
    # The decision letter's facts: when it went, and what it said (sealed).
    letter_sent_on: Mapped[date | None] = mapped_column()
    letter_summary_ct: Mapped[bytes | None] = mapped_column("letter_summary", Sealed())
    letter_summary = encrypted("letter_summary_ct")
    recommendations_ct: Mapped[bytes | None] = mapped_column("recommendations", Sealed())
    recommendations = encrypted("recommendations_ct")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
