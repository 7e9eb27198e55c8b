"""Answer shapes of endpoints whose actions build their answers themselves (visible fields
only), so the OpenAPI document can say what a client receives. Documentation only: nothing
is dumped through these, so a field the sharing engine withholds is simply absent."""

from __future__ import annotations

from marshmallow import fields

from casework.meetings.action_schemas import ActionOut
from casework.referrals.manage_schemas import RepeatOut
from casework.schemas import StrictSchema

SHOWN = "present only where the caller's agency may see it"
STATUSES = ["submitted", "accepted", "listed", "heard", "closed", "withdrawn"]


def _figures(text: str) -> fields.Dict:
    return fields.Dict(metadata={"description": text})


class MeetingSummaryOut(StrictSchema):
    id = fields.String()
    panel_id = fields.String()
    panel_name = fields.String()
    panel_kind = fields.String(metadata={"enum": ["marac", "ppo", "prevent_deter", "iom"]})
    date = fields.Date()
    start_time = fields.String(metadata={"description": "HH:MM, UK time"})
    end_time = fields.String()
    starts_at = fields.DateTime()
    length_minutes = fields.Integer()
    minutes_per_case = fields.Integer()
    status = fields.String(metadata={"enum": ["scheduled", "cancelled", "held", "closed"]})
    agenda_status = fields.String(metadata={"enum": ["none", "draft", "published"]})
    agenda_version = fields.Integer()
    circulated_at = fields.DateTime(allow_none=True)
    cutoff_on = fields.Date(allow_none=True)
    circulate_on = fields.Date(allow_none=True)
    marking = fields.String()
    recipient_agency = fields.String(allow_none=True)
    recipient_agency_name = fields.String(allow_none=True)


class ReferralShownOut(StrictSchema):
    """A referral's fields as the sharing engine shows them, without its id (agenda items
    name it ``referral_id``)."""

    reference = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    panel_id = fields.String()
    referral_date = fields.Date()
    referring_agency = fields.String(allow_none=True)
    victim = fields.Dict(metadata={"description": f"as submitted, {SHOWN}"})
    perpetrators = fields.List(fields.Dict(), metadata={"description": SHOWN})
    children = fields.List(fields.Dict(), metadata={"description": SHOWN})
    risk = fields.Dict(metadata={"description": SHOWN})
    repeat = fields.Nested(RepeatOut)
    victim_aware = fields.Boolean()
    consent = fields.Boolean()
    summary = fields.String(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)
    assigned_idva = fields.String(allow_none=True)
    referrer = fields.Dict(metadata={"description": f"name, phone, email; {SHOWN}"})
    safety = fields.Dict(
        metadata={"description": f"afraid_of, safe_to_talk_to, not_safe_to_talk_to; {SHOWN}"}
    )
    previous_marac = fields.Dict(
        metadata={"description": f"a MARAC elsewhere: elsewhere, area, date; {SHOWN}"}
    )


class ReferralOut(ReferralShownOut):
    id = fields.String()


class CohortSpellOut(StrictSchema):
    id = fields.String()
    panel_id = fields.String()
    panel_name = fields.String(allow_none=True)
    panel_kind = fields.String(allow_none=True)
    entry_date = fields.Date()
    exit_date = fields.Date(allow_none=True)
    exit_reason = fields.String(allow_none=True)
    cohort = fields.String(allow_none=True, metadata={"description": "IOM: fixed, flex, free"})
    current = fields.Boolean()


class NominalShownOut(StrictSchema):
    """A nominal's fields as the sharing engine shows them, without its id (agenda items
    name it ``nominal_id``); every field but the header is present only where shown."""

    panel_id = fields.String(allow_none=True, metadata={"description": "the current panel"})
    record_type = fields.String(metadata={"enum": ["nominal", "youth_record"]})
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    pnc_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    school = fields.String(allow_none=True)
    risk_factors = fields.Dict(metadata={"description": "young people: factor -> level"})
    lead_agency = fields.String(allow_none=True)
    lead_officer = fields.String(allow_none=True)
    cohorts = fields.List(fields.Nested(CohortSpellOut))
    classification = fields.String(allow_none=True, metadata={"enum": ["rr", "cc", None]})


class AgendaItemOut(ReferralShownOut, NominalShownOut):
    """A slot, then the case's fields the caller may see: a referral's (as GET
    /referrals/{id}) or, on offender panels, a nominal's (as GET /nominals/{id})."""

    panel_id = fields.String(allow_none=True)
    item_id = fields.String()
    position = fields.Integer()
    start_time = fields.String()
    end_time = fields.String()
    kind = fields.String(metadata={"enum": ["referral", "review", "candidate", "asb_case"]})
    referral_id = fields.String(allow_none=True, metadata={"description": "the latest referral"})
    referral_ids = fields.List(
        fields.String(), metadata={"description": "every referral of the victim waiting here"}
    )
    nominal_id = fields.String(allow_none=True)
    case_type = fields.String(
        metadata={"description": "a case of the panel kind's own (asb_case): its record type"}
    )
    case_id = fields.String(
        metadata={"description": "that case's id; its fields follow, as the kind shows them"}
    )
    action_id = fields.String(allow_none=True, metadata={"description": "review items"})
    action = fields.Dict(metadata={"description": f"the action reviewed, {SHOWN}"})


class AgendaOut(StrictSchema):
    meeting = fields.Nested(MeetingSummaryOut)
    items = fields.List(fields.Nested(AgendaItemOut))


class RiskResultOut(StrictSchema):
    dash_score = fields.Integer()
    band = fields.String()
    criteria = fields.List(fields.String())


class SubmittedOut(StrictSchema):
    id = fields.String()
    reference = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    risk = fields.Nested(RiskResultOut)
    repeat = fields.Nested(RepeatOut)


class IdvaEngagementOut(StrictSchema):
    offered = fields.Boolean()
    engaged = fields.Boolean()


class EngagementOut(StrictSchema):
    id = fields.String()
    idva = fields.Nested(IdvaEngagementOut)


class CreatedOut(StrictSchema):
    id = fields.String()


class ExitOut(StrictSchema):
    id = fields.String()
    exit_date = fields.Date()


class NominalOut(NominalShownOut):
    """A nominal in a list; every field but the header only where the caller may see it."""

    id = fields.String()


class EventOut(StrictSchema):
    id = fields.String()
    date = fields.Date(allow_none=True)
    category = fields.String(allow_none=True, metadata={"description": "offences"})
    outcome = fields.String(allow_none=True, metadata={"description": "offences"})
    positive = fields.Boolean(allow_none=True, metadata={"description": "drug tests"})


class NominalDetailOut(NominalOut):
    """One nominal: its records too, each only where the caller may see it."""

    offences = fields.List(fields.Nested(EventOut))
    intelligence = fields.List(fields.Nested(EventOut))
    warrants = fields.List(fields.Nested(EventOut))
    drug_tests = fields.List(fields.Nested(EventOut))
    custody = fields.List(fields.Dict(), metadata={"description": "id, start_date, end_date"})
    classifications = fields.List(
        fields.Dict(), metadata={"description": "id, classification, date, reason, panel_id"}
    )
    pathways = fields.List(fields.Dict(), metadata={"description": "the pathway needs"})
    interventions = fields.List(fields.Dict(), metadata={"description": "young people"})
    may_edit = fields.List(
        fields.String(), metadata={"description": "fields the caller may record"}
    )


class ActionStateOut(ActionOut):
    """An action as its answers give it: with the case it is about (only what the caller may
    see of it; null when nothing) and when the meeting that agreed it started."""

    case = fields.Nested(ReferralOut, allow_none=True)
    meeting_starts_at = fields.DateTime(allow_none=True)


class CohortCountOut(StrictSchema):
    panel_id = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": ["ppo", "prevent_deter", "iom"]})
    current = fields.Integer()
    by_cohort = fields.Dict(allow_none=True, metadata={"description": "IOM: fixed, flex, free"})
    entries_12m = fields.Integer()
    exits_12m = fields.Integer()
    since = fields.Date()


class MaracStatsOut(StrictSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    referrals = _figures("total, repeat, rates, police, by_agency, criteria, victims, children")
    heard = _figures("meetings, cases, repeat, repeat_rate")


class QuarterlyOut(StrictSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    meetings = fields.List(fields.Dict(), metadata={"description": "one row per meeting held"})


class OffenderStatsOut(StrictSchema):
    nominals = fields.Integer()
    classification = _figures("rr, cc")
    followed_up = fields.Integer()
    offences_before = fields.Integer()
    offences_after = fields.Integer()
    reduction_rate = fields.Float(allow_none=True)
