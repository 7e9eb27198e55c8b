"""Copying what is held about one person out of the records it lives in, as items.

Each function takes records already loaded (the actions load them, after the DPO check) and
returns ``Draft`` items: a title and (label, value) lines, the record it came from and what
it is. The proposed decision is added by the caller (``defaults.proposed``). Everything here
is plain data in, plain data out; the audit entries for what was read are the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from casework.dates import long_date
from casework.names import full_name
from casework.risk.dash import QUESTIONS

Line = tuple[str, str]


@dataclass(frozen=True)
class Draft:
    source_key: str
    source_type: str
    category: str
    title: str
    lines: list[Line]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "isoformat"):
        return long_date(value)
    return str(value)


def _lines(pairs: Iterable[tuple[str, Any]]) -> list[Line]:
    """Only what is held: an empty field is not printed as a blank line."""
    return [(label, _text(v)) for label, v in pairs if v not in (None, "", [], {})]


def _person(p: Any, relationship: bool = False) -> list[Line]:
    pairs = [
        ("Name", full_name(p.first_name, p.last_name)),
        ("Date of birth", p.date_of_birth),
    ]
    if relationship:
        pairs.append(("Relationship to the victim", p.relationship_to_victim))
    return _lines(pairs)


def referral_items(
    referral: Any, role: str, person_id: Any, names: Mapping[Any, str]
) -> list[Draft]:
    """A MARAC referral: the referral, the victim, each perpetrator and child, the DASH.

    ``role`` is the data subject's role in it (victim, perpetrator, child) and ``person_id``
    which perpetrator or child they are; ``names`` holds agency and panel names by id.
    """
    r = referral
    key = f"referral:{r.id}"
    out = [
        Draft(
            f"{key}:referral",
            "referral",
            "referral",
            f"Referral {r.reference}",
            _lines(
                [
                    ("Reference", r.reference),
                    ("Referred on", r.referral_date),
                    ("Referred by", names.get(r.referring_agency_id)),
                    ("Panel", names.get(r.panel_id)),
                    ("Status", r.status.capitalize()),
                ]
            ),
        ),
        Draft(
            f"{key}:victim",
            "referral",
            "own_details" if role == "victim" else "victim_details",
            f"Referral {r.reference}: the victim",
            _lines(
                [
                    ("Name", full_name(r.victim_first_name, r.victim_last_name)),
                    ("Date of birth", r.victim_date_of_birth),
                    ("Gender", r.victim_gender),
                    ("Ethnicity", r.victim_ethnicity),
                    ("Address", r.victim_address),
                    ("Postcode", r.victim_postcode),
                    ("Phone", r.victim_phone),
                    ("Safe to call", r.victim_safe_to_call),
                ]
            ),
        ),
    ]
    for n, p in enumerate(r.perpetrators, start=1):
        mine = role == "perpetrator" and p.id == person_id
        out.append(
            Draft(
                f"{key}:perpetrator:{p.id}",
                "referral",
                "own_details" if mine else "perpetrator_details",
                f"Referral {r.reference}: perpetrator {n}",
                _person(p, relationship=True),
            )
        )
    for n, c in enumerate(r.children, start=1):
        mine = role == "child" and c.id == person_id
        out.append(
            Draft(
                f"{key}:child:{c.id}",
                "referral",
                "own_details" if mine else "child_details",
                f"Referral {r.reference}: child {n}",
                _person(c),
            )
        )
    answers = r.dash_answers or {}
    dash = [(QUESTIONS.get(q, f"Question {q}"), a.replace("_", " ")) for q, a in answers.items()]
    out.append(
        Draft(
            f"{key}:risk",
            "referral",
            "risk",
            f"Referral {r.reference}: risk assessment",
            _lines(
                [
                    *dash,
                    ("DASH score", r.dash_score),
                    ("Risk", r.band),
                    ("Police incidents in the last 12 months", r.police_incidents_12m),
                    ("Professional judgement", r.professional_judgement_reason),
                    ("Summary", r.summary),
                ]
            ),
        )
    )
    return out


def agenda_item(item: Any, reference: str, meeting_day: Any) -> Draft:
    return Draft(
        f"agenda:{item.id}",
        "referral",
        "agenda",
        f"Referral {reference}: listed at a meeting",
        _lines([("Meeting", meeting_day)]),
    )


def minute_item(minute: Any, reference: str, meeting_day: Any) -> Draft:
    return Draft(
        f"minute:{minute.id}",
        "minute",
        "minute",
        f"Referral {reference}: minutes of the meeting on {long_date(meeting_day)}",
        _lines([("Information shared", minute.text), ("Risks identified", minute.risks)]),
    )


def action_item(action: Any, reference: str, owner: str | None, source: str) -> Draft:
    return Draft(
        f"action:{action.id}",
        source,
        "action",
        f"{reference}: action for {owner or 'an agency'}",
        _lines(
            [
                ("Action", action.description),
                ("Agency", owner),
                ("Due", action.due_on),
                ("Status", action.status.replace("_", " ").capitalize()),
                ("Outcome", action.outcome),
            ]
        ),
    )


def research_item(note: Any, reference: str, agency: str | None) -> Draft:
    return Draft(
        f"research_note:{note.id}",
        "research_note",
        "research",
        f"Referral {reference}: research by {agency or 'an agency'}",
        _lines(
            [
                ("Has information", note.has_information),
                ("Research", note.text),
                ("Facts", note.facts),
                ("Opinion", note.opinion),
                ("Held but not shared", note.held_not_shared),
                ("Why not shared", note.not_shared_reason),
            ]
        ),
    )


def nominal_items(
    nominal: Any, source: str, names: Mapping[Any, str], offences: Iterable[Any]
) -> list[Draft]:
    """An offender management record: the person, their cohort spells and offences."""
    n = nominal
    spells = [
        (
            f"Cohort of {names.get(m.panel_id, 'a panel')}",
            f"from {long_date(m.entry_date)}"
            + (f" to {long_date(m.exit_date)}" if m.exit_date else ""),
        )
        for m in n.memberships
    ]
    events = [
        (
            f"{e.kind.replace('_', ' ').capitalize()} on {long_date(e.event_date)}",
            ", ".join(x.replace("_", " ") for x in (e.category, e.outcome) if x) or "recorded",
        )
        for e in offences
    ]
    return [
        Draft(
            f"{source}:{n.id}",
            source,
            "own_details",
            "Offender management record",
            _lines(
                [
                    ("Name", full_name(n.first_name, n.last_name)),
                    ("Date of birth", n.date_of_birth),
                    ("PNC number", n.pnc_id),
                    ("Address", n.address),
                    ("School", n.school),
                    ("Lead agency", names.get(n.lead_agency_id)),
                    ("Lead officer", n.lead_officer),
                    *spells,
                    *events,
                ]
            ),
        )
    ]


def asb_items(case: Any, names: Mapping[Any, str], role: str, person_id: Any) -> list[Draft]:
    """An anti-social behaviour case in which the data subject is the victim (``role``
    ``asb_victim``) or the person responsible ``person_id`` (``asb_perpetrator``): their own
    details are theirs, everyone else's another person's."""
    is_victim = role == "asb_victim"
    key = f"asb_case:{case.id}"
    incidents = [
        (f"Incident on {long_date(i.occurred_on)}", i.kind.replace("_", " "))
        for i in case.incidents
    ]
    out = [
        Draft(
            f"{key}:case",
            "asb_case",
            "asb_case",
            f"Anti-social behaviour case {case.reference}",
            _lines(
                [
                    ("Reference", case.reference),
                    ("Referred on", case.referral_date),
                    ("Referred by", names.get(case.referring_agency_id)),
                    ("Panel", names.get(case.panel_id)),
                    ("Where", case.location),
                    ("Summary", case.summary),
                    ("Risk", case.risk_band),
                    *incidents,
                ]
            ),
        ),
        Draft(
            f"{key}:victim",
            "asb_case",
            "own_details" if is_victim else "victim_details",
            f"Anti-social behaviour case {case.reference}: the victim",
            _lines(
                [
                    ("Name", full_name(case.victim_first_name, case.victim_last_name)),
                    ("Date of birth", case.victim_date_of_birth),
                    ("Address", case.victim_address),
                    ("Phone", case.victim_phone),
                ]
            ),
        ),
    ]
    for n, p in enumerate(case.perpetrators, start=1):
        name = p.group_name if p.is_group else full_name(p.first_name, p.last_name)
        out.append(
            Draft(
                f"{key}:perpetrator:{p.id}",
                "asb_case",
                "own_details" if p.id == person_id and not is_victim else "perpetrator_details",
                f"Anti-social behaviour case {case.reference}: person responsible {n}",
                _lines([("Name", name), ("Date of birth", p.date_of_birth)]),
            )
        )
    return out
