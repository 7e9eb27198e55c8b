"""A MARAC referral and the people in it. Everything about a person is encrypted per field.

What stays in plain columns is what the partnership counts in SQL (statuses, dates of
referral, DASH score and band, which criteria were met, repeat flags, and the SafeLives
diversity flags). None of it identifies a person; who the person is lives only in the
encrypted fields, found again through blind indexes over surname and date of birth.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto import BlindIndex, Sealed, encrypted
from casework.crypto.indexes import surname_and_birth
from casework.db import Base, UUIDPrimaryKey, utcnow
from casework.panels.models import Panel

STATUSES = ("submitted", "accepted", "listed", "heard", "closed", "withdrawn")


class Referral(UUIDPrimaryKey, Base):
    __tablename__ = "referrals"
    # Covering indexes for the performance figures (casework/stats/marac.py): statistics read
    # these and never the wide rows with their ciphertexts.
    __table_args__ = (
        Index(
            "ix_referrals_stats",
            "panel_id",
            "referral_date",
            "referring_agency_id",
            "status",
            "crit_repeat",
            "crit_visible_high_risk",
            "crit_professional_judgement",
            "crit_potential_escalation",
            "victim_bme",
            "victim_lgbt",
            "victim_disability",
            "victim_male",
            "victim_aged_16_17",
            "children_count",
            "idva_offered",
            "idva_engaged",
        ),
        # A panel's month as a list is filtered by sharing and sorted before it is cut to a
        # page: this lets both read the index alone, not ~3 KB rows of ciphertexts (a month of
        # 28,000 referrals filtered in 9 ms instead of 107; docs/benchmarks.md).
        Index(
            "ix_referrals_list",
            "panel_id",
            "referral_date",
            "erased",
            "referring_agency_id",
            "assigned_idva_id",
            "status",
            "reference",
            "id",
        ),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"), index=True)
    referring_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    referrer_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    assigned_idva_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    referral_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Erased by the DPO (casework.retention): every personal field is gone, no sharing
    # protocol shows it again, and the plain columns stay for the statistics.
    erased: Mapped[bool] = mapped_column(default=False, server_default=false())

    victim_first_name_ct: Mapped[bytes | None] = mapped_column("victim_first_name", Sealed())
    victim_first_name = encrypted("victim_first_name_ct")
    victim_last_name_ct: Mapped[bytes | None] = mapped_column("victim_last_name", Sealed())
    victim_last_name = encrypted("victim_last_name_ct")
    victim_date_of_birth_ct: Mapped[bytes | None] = mapped_column("victim_dob", Sealed())
    victim_date_of_birth = encrypted("victim_date_of_birth_ct", kind="date")
    victim_gender_ct: Mapped[bytes | None] = mapped_column("victim_gender", Sealed())
    victim_gender = encrypted("victim_gender_ct")
    victim_ethnicity_ct: Mapped[bytes | None] = mapped_column("victim_ethnicity", Sealed())
    victim_ethnicity = encrypted("victim_ethnicity_ct")
    victim_address_ct: Mapped[bytes | None] = mapped_column("victim_address", Sealed())
    victim_address = encrypted("victim_address_ct")
    victim_postcode_ct: Mapped[bytes | None] = mapped_column("victim_postcode", Sealed())
    victim_postcode = encrypted("victim_postcode_ct")
    victim_phone_ct: Mapped[bytes | None] = mapped_column("victim_phone", Sealed())
    victim_phone = encrypted("victim_phone_ct")
    victim_safe_to_call_ct: Mapped[bytes | None] = mapped_column("victim_safe_to_call", Sealed())
    victim_safe_to_call = encrypted("victim_safe_to_call_ct", kind="bool")
    victim_ix: Mapped[str | None] = mapped_column(String(80), index=True)

    # SafeLives diversity counts, aggregated in SQL (see module docstring).
    victim_bme: Mapped[bool | None] = mapped_column()
    victim_lgbt: Mapped[bool | None] = mapped_column()
    victim_disability: Mapped[bool | None] = mapped_column()
    victim_male: Mapped[bool] = mapped_column(default=False)
    victim_aged_16_17: Mapped[bool] = mapped_column(default=False)
    children_count: Mapped[int] = mapped_column(default=0)
    # IDVA engagement (SafeLives): was the victim offered an IDVA, and did they engage?
    idva_offered: Mapped[bool | None] = mapped_column()
    idva_engaged: Mapped[bool | None] = mapped_column()

    dash_answers_ct: Mapped[bytes | None] = mapped_column("dash_answers", Sealed())
    dash_answers = encrypted("dash_answers_ct", kind="json")
    police_incidents_ct: Mapped[bytes | None] = mapped_column("police_incidents_12m", Sealed())
    police_incidents_12m = encrypted("police_incidents_ct", kind="int")
    judgement_reason_ct: Mapped[bytes | None] = mapped_column("judgement_reason", Sealed())
    professional_judgement_reason = encrypted("judgement_reason_ct")
    dash_score: Mapped[int] = mapped_column(default=0)
    band: Mapped[str] = mapped_column(String(16), default="standard")
    crit_visible_high_risk: Mapped[bool] = mapped_column(default=False)
    crit_professional_judgement: Mapped[bool] = mapped_column(default=False)
    crit_potential_escalation: Mapped[bool] = mapped_column(default=False)
    crit_repeat: Mapped[bool] = mapped_column(default=False)
    previous_referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"))
    previous_referral_date: Mapped[date | None] = mapped_column()

    # What SafeLives' referral form asks besides: who referred and how to call them back, a
    # comment beside each DASH answer (a map from question number to text), who the victim
    # fears, who is and is not safe to talk to, and a MARAC heard elsewhere (not a repeat under
    # the local rule, but the coordinator asks that MARAC for its minutes).
    referrer_name_ct: Mapped[bytes | None] = mapped_column("referrer_name", Sealed())
    referrer_name = encrypted("referrer_name_ct")
    referrer_phone_ct: Mapped[bytes | None] = mapped_column("referrer_phone", Sealed())
    referrer_phone = encrypted("referrer_phone_ct")
    referrer_email_ct: Mapped[bytes | None] = mapped_column("referrer_email", Sealed())
    referrer_email = encrypted("referrer_email_ct")
    dash_comments_ct: Mapped[bytes | None] = mapped_column("dash_comments", Sealed())
    dash_comments = encrypted("dash_comments_ct", kind="json")
    afraid_of_ct: Mapped[bytes | None] = mapped_column("victim_afraid_of", Sealed())
    victim_afraid_of = encrypted("afraid_of_ct")
    safe_contacts_ct: Mapped[bytes | None] = mapped_column("victim_safe_to_talk_to", Sealed())
    victim_safe_to_talk_to = encrypted("safe_contacts_ct")
    unsafe_contacts_ct: Mapped[bytes | None] = mapped_column("victim_not_safe_to_talk_to", Sealed())
    victim_not_safe_to_talk_to = encrypted("unsafe_contacts_ct")
    previous_marac_ct: Mapped[bytes | None] = mapped_column("previous_marac_elsewhere", Sealed())
    previous_marac_elsewhere = encrypted("previous_marac_ct", kind="bool")
    previous_marac_area_ct: Mapped[bytes | None] = mapped_column("previous_marac_area", Sealed())
    previous_marac_area = encrypted("previous_marac_area_ct")
    previous_marac_date_ct: Mapped[bytes | None] = mapped_column("previous_marac_date", Sealed())
    previous_marac_date = encrypted("previous_marac_date_ct", kind="date")

    victim_aware_ct: Mapped[bytes | None] = mapped_column("victim_aware", Sealed())
    victim_aware = encrypted("victim_aware_ct", kind="bool")
    consent_ct: Mapped[bytes | None] = mapped_column("consent", Sealed())
    consent = encrypted("consent_ct", kind="bool")
    summary_ct: Mapped[bytes | None] = mapped_column("summary", Sealed())
    summary = encrypted("summary_ct")
    withdrawn_reason_ct: Mapped[bytes | None] = mapped_column("withdrawn_reason", Sealed())
    withdrawn_reason = encrypted("withdrawn_reason_ct")

    perpetrators: Mapped[list[Perpetrator]] = relationship(
        cascade="all, delete-orphan", order_by="Perpetrator.position", lazy="selectin"
    )
    children: Mapped[list[Child]] = relationship(
        cascade="all, delete-orphan", order_by="Child.position", lazy="selectin"
    )

    __blind_indexes__ = (
        BlindIndex(
            "victim_ix",
            "victim_name_dob",
            lambda r: surname_and_birth(r.victim_last_name, r.victim_date_of_birth),
        ),
    )

    @property
    def is_repeat(self) -> bool:
        return self.crit_repeat

    @property
    def dash_comment_map(self) -> dict[str, str]:
        """The DASH comments, empty for a referral made before they were asked."""
        return self.dash_comments or {}

    @property
    def criteria(self) -> list[str]:
        names = ("visible_high_risk", "professional_judgement", "potential_escalation", "repeat")
        return [n for n in names if getattr(self, f"crit_{n}")]


class Perpetrator(UUIDPrimaryKey, Base):
    __tablename__ = "referral_perpetrators"
    # Young perpetrators are few: the statistics find them without reading every row.
    __table_args__ = (Index("ix_referral_perpetrators_young", "aged_17_or_under", "referral_id"),)

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    first_name = encrypted("first_name_ct")
    last_name_ct: Mapped[bytes | None] = mapped_column("last_name", Sealed())
    last_name = encrypted("last_name_ct")
    date_of_birth_ct: Mapped[bytes | None] = mapped_column("date_of_birth", Sealed())
    date_of_birth = encrypted("date_of_birth_ct", kind="date")
    relationship_ct: Mapped[bytes | None] = mapped_column("relationship_to_victim", Sealed())
    relationship_to_victim = encrypted("relationship_ct")
    aged_17_or_under: Mapped[bool] = mapped_column(default=False)
    name_dob_ix: Mapped[str | None] = mapped_column(String(80), index=True)

    __blind_indexes__ = (
        BlindIndex(
            "name_dob_ix",
            "perpetrator_name_dob",
            lambda p: surname_and_birth(p.last_name, p.date_of_birth),
        ),
    )


class Child(UUIDPrimaryKey, Base):
    __tablename__ = "referral_children"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    first_name = encrypted("first_name_ct")
    last_name_ct: Mapped[bytes | None] = mapped_column("last_name", Sealed())
    last_name = encrypted("last_name_ct")
    date_of_birth_ct: Mapped[bytes | None] = mapped_column("date_of_birth", Sealed())
    date_of_birth = encrypted("date_of_birth_ct", kind="date")


class PossibleMatch(UUIDPrimaryKey, Base):
    """A near match (same surname and date of birth but another first name, or day and month
    of birth swapped) waiting for a coordinator: it never sets the repeat flag by itself."""

    __tablename__ = "referral_possible_matches"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    other_referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferralDraft(UUIDPrimaryKey, Base):
    """A referral being written (``casework.referrals.drafts``): a model, so it lives with the
    models and ``casework.models`` can list it without importing any action."""

    __tablename__ = "referral_drafts"

    owner_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_ct: Mapped[bytes | None] = mapped_column("content", Sealed())
    content = encrypted("content_ct", kind="json")
    panel: Mapped[Panel] = relationship(lazy="joined")

    def victim_name(self) -> str:
        victim = (self.content or {}).get("victim", {})
        return " ".join(v.strip() for k in ("first_name", "last_name") if (v := victim.get(k)))
