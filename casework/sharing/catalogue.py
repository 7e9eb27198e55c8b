"""Every field of case data a protocol can grant, by record type.

A protocol may only name fields listed here, so a typo in a protocol stops the service at
start-up instead of silently hiding (or, worse, being read as) something else. Field names
are the dotted paths used in API answers; a field on a list element (``perpetrators``) names
the key inside each element.
"""

from __future__ import annotations

FIELDS: dict[str, tuple[str, ...]] = {
    "referral": (
        "victim.first_name",
        "victim.last_name",
        "victim.date_of_birth",
        "victim.gender",
        "victim.address",
        "victim.postcode",
        "victim.phone",
        "victim.safe_to_call",
        "victim.ethnicity",
        "victim.bme",
        "victim.lgbt",
        "victim.disability",
        "perpetrators.first_name",
        "perpetrators.last_name",
        "perpetrators.date_of_birth",
        "perpetrators.relationship_to_victim",
        "children.first_name",
        "children.last_name",
        "children.date_of_birth",
        "risk.dash",
        "risk.police_incidents_12m",
        "risk.professional_judgement",
        "risk.professional_judgement_reason",
        "risk.dash_comments",
        "risk.dash_score",
        "risk.band",
        "risk.criteria",
        "repeat.is_repeat",
        "repeat.previous_referral_date",
        "victim_aware",
        "consent",
        "summary",
        "withdrawn_reason",
        "assigned_idva",
        # SafeLives' referral form: who referred, the victim's safety, a MARAC elsewhere
        "referrer.name",
        "referrer.phone",
        "referrer.email",
        "safety.afraid_of",
        "safety.safe_to_talk_to",
        "safety.not_safe_to_talk_to",
        "previous_marac.elsewhere",
        "previous_marac.area",
        "previous_marac.date",
    ),
    # SafeLives' research form: facts apart from opinion, and information held but not
    # shared (and why), which a protocol would normally leave with the agency alone.
    "research_note": (
        "text",
        "has_information",
        "facts",
        "opinion",
        "held_not_shared",
        "not_shared_reason",
    ),
    "minute": ("text", "risks"),
    "action": ("description", "owner_agency", "due_date", "status", "outcome"),
    "nominal": (
        "first_name",
        "last_name",
        "date_of_birth",
        "pnc_id",
        "address",
        "lead_agency",
        "lead_officer",
        "cohort",
        "classification",
        "offences",
        "pathways",
        "drug_tests",
        "targeting_score",
    ),
    "youth_record": (
        "first_name",
        "last_name",
        "date_of_birth",
        "address",
        "school",
        "risk_factors",
        "interventions",
        # A young person's offending and cohort spell follow the same youth-justice rule.
        "pnc_id",
        "lead_agency",
        "lead_officer",
        "cohort",
        "offences",
    ),
}

# Not personal and shown with any visible record: what it is, where it stands.
RECORD_HEADER: dict[str, tuple[str, ...]] = {
    "referral": ("id", "reference", "status", "panel_id", "referral_date", "referring_agency"),
    "research_note": ("id", "referral_id", "agency", "shared_before_meeting"),
    "minute": ("id", "meeting_id", "referral_id"),
    "action": ("id", "meeting_id", "referral_id"),
    "nominal": ("id", "panel_id"),
    "youth_record": ("id", "panel_id"),
}


def declare(record_type: str, fields: tuple[str, ...], header: tuple[str, ...]) -> None:
    """Add a record type's grantable fields and its header, from the package that defines the
    record type (a panel kind added later, such as ASB): protocols may then name them, and no
    list here needs an edit. Declare before protocol files are read (``casework.policies``)."""
    FIELDS[record_type] = tuple(fields)
    RECORD_HEADER[record_type] = tuple(header)


VERBS = ("view", "list", "export", "edit")

# Conditions a rule can require; each record type answers those that make sense for it and
# the rest are false for it (deny by default).
CONDITIONS = (
    "always",
    "panel_member",  # the actor's agency is a member of the record's panel
    "own_agency",  # the actor's agency made the record (referred it, wrote the note)
    "assigned_idva",  # the actor is the IDVA assigned to the case
    "on_agenda",  # on a circulated agenda of the actor's panel, until N days after the meeting
    "attendee",  # the actor's agency attended a meeting that discussed the case
    "own_research",  # research notes written by the actor's own agency
    # research notes their agency marked "share with the chair and coordinator before the
    # meeting", read by a member agency of the meeting's panel from the agenda's circulation
    # until N days after the meeting
    "shared_research",
)

# The roles a protocol may grant to (and those it may not) are in casework.roles.


def record_type_of(field: str) -> str:
    """``"referral:victim.first_name"`` -> ``"referral"``."""
    return field.split(":", 1)[0]
