"""What a new referral's rows hold, built from checked values: one definition for a submission's
mapped objects and an import's bulk-inserted rows.

A referral splits in two: who it is about (the people and the risk answers, sealed per field,
needing no database) and what the partnership decides of it (score, band, criteria, repeat,
reference, status). An import seals the first half in forked processes while its own process
writes the batch before; a submission does both in turn.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from casework.crypto.indexes import stored_row
from casework.db import insert_rows, utcnow
from casework.errors import Invalid
from casework.referrals.models import Child, Perpetrator, Referral
from casework.referrals.repeat import RepeatAnswer
from casework.risk.dash import CRITERIA, CRITERIA_EXPLAINED, RiskRules, band, criteria_met, score

VICTIM_FIELDS = (
    *("first_name", "last_name", "date_of_birth", "gender", "ethnicity", "address"),
    *("postcode", "phone", "safe_to_call", "bme", "lgbt", "disability"),
)
# SafeLives' referral form, by API path -> Referral attribute: each sealed, none required.
# Amending a referral writes these through ``safelives_values`` too.
SAFELIVES_FIELDS = {
    "referrer.name": "referrer_name",
    "referrer.phone": "referrer_phone",
    "referrer.email": "referrer_email",
    "risk.dash_comments": "dash_comments",
    "safety.afraid_of": "victim_afraid_of",
    "safety.safe_to_talk_to": "victim_safe_to_talk_to",
    "safety.not_safe_to_talk_to": "victim_not_safe_to_talk_to",
    "previous_marac.elsewhere": "previous_marac_elsewhere",
    "previous_marac.area": "previous_marac_area",
    "previous_marac.date": "previous_marac_date",
}
PERPETRATOR_FIELDS = ("first_name", "last_name", "date_of_birth", "relationship_to_victim")
CHILD_FIELDS = ("first_name", "last_name", "date_of_birth")


def safelives_values(values: dict[str, Any]) -> dict[str, Any]:
    """The SafeLives fields of checked ``values`` (``ReferralIn``) by Referral attribute; a
    group left out reads as nothing given. No DASH comments are stored as none (NULL)."""
    out: dict[str, Any] = {}
    for path, attr in SAFELIVES_FIELDS.items():
        group, key = path.split(".")
        out[attr] = (values.get(group) or {}).get(key)
    out["dash_comments"] = out["dash_comments"] or None
    return out


def safelives_field_names(values: dict[str, Any]) -> list[str]:
    """The API paths of the SafeLives fields given (for the audit: names, never values)."""
    given = safelives_values(values)
    return [path for path, attr in SAFELIVES_FIELDS.items() if given[attr] not in (None, "")]


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class ReferralRows:
    """A new referral and its people as values by attribute name, ids included: plain, or
    sealed as they are inserted (``sealed_rows``). Every row of a kind has the same keys, so a
    batch inserts as one statement."""

    referral: dict[str, Any]
    perpetrators: list[dict[str, Any]]
    children: list[dict[str, Any]]


def people_rows(values: dict[str, Any]) -> ReferralRows:
    """Who the referral is about, with fresh ids: everything in it that is sealed, and the
    plain facts derived from it alone (ages, counts), none of which needs the database."""
    v, risk, day = values["victim"], values["risk"], values["referral_date"]
    referral_id = uuid.uuid4()
    referral = {
        "id": referral_id,
        **{f"victim_{key}": v[key] for key in VICTIM_FIELDS},
        "victim_male": v["gender"] == "male",
        "victim_aged_16_17": age_on(v["date_of_birth"], day) < 18,
        "children_count": len(values["children"]),
        "dash_answers": risk["dash"],
        "police_incidents_12m": risk["police_incidents_12m"],
        "professional_judgement_reason": risk["professional_judgement_reason"],
        "victim_aware": values["victim_aware"],
        "consent": values["consent"],
        "summary": values["summary"],
        **safelives_values(values),
    }
    perpetrators = [
        {
            "id": uuid.uuid4(),
            "referral_id": referral_id,
            "position": i,
            **{key: p[key] for key in PERPETRATOR_FIELDS},
            "aged_17_or_under": bool(p["date_of_birth"]) and age_on(p["date_of_birth"], day) < 18,
        }
        for i, p in enumerate(values["perpetrators"])
    ]
    children = [
        {"id": uuid.uuid4(), "referral_id": referral_id, "position": i}
        | {key: c[key] for key in CHILD_FIELDS}
        for i, c in enumerate(values["children"])
    ]
    return ReferralRows(referral, perpetrators, children)


def decided(
    values: dict[str, Any],
    answer: RepeatAnswer,
    rules: RiskRules,
    agency_id: uuid.UUID,
    referrer_user_id: uuid.UUID | None,
    status: str,
    reference: str,
) -> dict[str, Any]:
    """The referral's plain columns: scored, its criteria and repeat decided; refused (422)
    when it meets no criterion. Of ``values`` it reads the panel, referral date and risk."""
    risk = values["risk"]
    dash_score = score(risk["dash"])
    met = criteria_met(
        dash_score,
        risk["police_incidents_12m"],
        risk["professional_judgement"],
        answer.previous is not None,
        rules,
    )
    if not met:
        raise Invalid(
            {"risk": ["The referral meets none of the MARAC criteria"]},
            message=CRITERIA_EXPLAINED.format(
                high=rules.high_from, incidents=rules.escalation_incidents
            ),
            code="criteria_not_met",
        )
    previous = answer.previous
    return {
        "reference": reference,
        "panel_id": values["panel_id"],
        "referring_agency_id": agency_id,
        "referrer_user_id": referrer_user_id,
        "referral_date": values["referral_date"],
        "status": status,
        "created_at": utcnow(),  # set now: a referral of the same import may compare with it
        "dash_score": dash_score,
        "band": band(dash_score, rules),
        **{f"crit_{name}": name in met for name in CRITERIA},
        "previous_referral_id": previous.id if previous else None,
        "previous_referral_date": previous.referral_date if previous else None,
    }


def sealed_rows(rows: ReferralRows) -> ReferralRows:
    """The rows as they are inserted: fields sealed, blind indexes made."""
    return ReferralRows(
        stored_row(Referral, rows.referral),
        [stored_row(Perpetrator, p) for p in rows.perpetrators],
        [stored_row(Child, c) for c in rows.children],
    )


def insert_referral(session: Session, stored: ReferralRows) -> Referral:
    """Insert one referral's sealed rows with Core and hand back the referral as a persistent
    mapped object with its people, built from the same values (no reload, no second write).

    The unit of work would cost several times the rows themselves for these three inserts;
    the objects are what callers read and change afterwards, through the session as usual.
    """
    insert_rows(session, Referral, [stored.referral])
    insert_rows(session, Perpetrator, stored.perpetrators)
    insert_rows(session, Child, stored.children)
    referral = Referral(**_as_stored(Referral, stored.referral))
    referral.perpetrators = [Perpetrator(**_as_stored(Perpetrator, p)) for p in stored.perpetrators]
    referral.children = [Child(**_as_stored(Child, c)) for c in stored.children]
    for obj in (referral, *referral.perpetrators, *referral.children):
        make_transient_to_detached(obj)
    session.add(referral)
    return referral


def _as_stored(cls: type, row: dict[str, Any]) -> dict[str, Any]:
    """The row as the database now holds it: a column the insert left out is NULL, or its
    default when that is a plain value (a flag that starts false). Saying so spares the first
    read of one (the IDVA, say) a query to find out."""
    return {**row, **{key: value for key, value in _left_out(cls).items() if key not in row}}


@functools.cache
def _left_out(cls: type) -> dict[str, Any]:
    """What each attribute holds when an insert leaves it out, for columns with no default or a
    plain one, worked out once per class (each submission asks)."""
    out: dict[str, Any] = {}
    for attr in inspect(cls).column_attrs:
        column = attr.columns[0]
        if column.default is None and column.server_default is None:
            out[attr.key] = None
        elif column.default is not None and column.default.is_scalar:
            out[attr.key] = column.default.arg
    return out
