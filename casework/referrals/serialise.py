"""A referral as a reader may see it: only the granted fields are decrypted.

The one serialiser for referrals: the detail answer, lists and agendas all build their
output here from the fields the sharing engine granted, so a field nobody may see is never
even opened. ``dump`` (everything) is the same with every catalogue field granted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from casework.crypto import encrypted
from casework.referrals.models import Referral
from casework.sharing.catalogue import FIELDS


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _pick(source: Any, prefix: str, names: dict[str, str], fields: frozenset[str]) -> dict:
    return {k: _plain(getattr(source, attr)) for k, attr in names.items() if prefix + k in fields}


_VICTIM = {
    k: f"victim_{k}"
    for k in (
        "first_name",
        "last_name",
        "date_of_birth",
        "gender",
        "ethnicity",
        "bme",
        "lgbt",
        "disability",
        "address",
        "postcode",
        "phone",
        "safe_to_call",
    )
}
_PERSON = {k: k for k in ("first_name", "last_name", "date_of_birth", "relationship_to_victim")}
_RISK = {
    "dash": "dash_answers",
    "police_incidents_12m": "police_incidents_12m",
    "professional_judgement": "crit_professional_judgement",
    "professional_judgement_reason": "professional_judgement_reason",
    "dash_comments": "dash_comment_map",
    "dash_score": "dash_score",
    "band": "band",
    "criteria": "criteria",
}
_REPEAT = {"is_repeat": "crit_repeat", "previous_referral_date": "previous_referral_date"}
_OTHER = {k: k for k in ("victim_aware", "consent", "summary", "withdrawn_reason")}
_REFERRER = {k: f"referrer_{k}" for k in ("name", "phone", "email")}
_SAFETY = {k: f"victim_{k}" for k in ("afraid_of", "safe_to_talk_to", "not_safe_to_talk_to")}
_PREVIOUS_MARAC = {k: f"previous_marac_{k}" for k in ("elsewhere", "area", "date")}


_GROUPS = (
    ("victim", _VICTIM),
    ("risk", _RISK),
    ("repeat", _REPEAT),
    ("referrer", _REFERRER),
    ("safety", _SAFETY),
    ("previous_marac", _PREVIOUS_MARAC),
)
# What ``visible_referral`` reads of every referral: the header and the referring agency.
_HEADER = ("id", "reference", "status", "panel_id", "referral_date", "referring_agency_id")
# The model's properties the groups name, by the columns they read.
_DERIVED = {
    "is_repeat": ("crit_repeat",),
    "dash_comment_map": ("dash_comments",),
    "criteria": (
        "crit_visible_high_risk",
        "crit_professional_judgement",
        "crit_potential_escalation",
        "crit_repeat",
    ),
}


def _columns_of(attribute: str) -> list[str]:
    """The mapped columns reading ``Referral.<attribute>`` loads (an encrypted field: its
    ciphertext; a property: what it reads)."""
    if attribute in _DERIVED:
        return [c for name in _DERIVED[attribute] for c in _columns_of(name)]
    found = vars(Referral).get(attribute)
    return [found.ct_attr] if isinstance(found, encrypted) else [attribute]


def columns_shown(fields: frozenset[str]) -> list[InstrumentedAttribute[Any]]:
    """The columns ``visible_referral`` reads to show ``fields`` (people are rows of their own,
    read apart): a list page loads these, not a referral's 53 columns."""
    names = list(_HEADER)
    for key, group in (*_GROUPS, ("", _OTHER)):
        prefix = key + "." if key else ""
        names += [c for k, attr in group.items() if prefix + k in fields for c in _columns_of(attr)]
    if "assigned_idva" in fields:
        names.append("assigned_idva_id")
    return [getattr(Referral, name) for name in dict.fromkeys(names)]


def visible_referral(referral: Referral, fields: frozenset[str], agency: str | None) -> dict:
    """The record header plus the granted ``fields`` of a referral (``agency``: the referring
    agency's code). Fields left out are not decrypted: an agenda of 40 cases opens only what
    each reader is granted."""
    out: dict[str, Any] = {
        "id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
        "panel_id": str(referral.panel_id),
        "referral_date": referral.referral_date.isoformat(),
        "referring_agency": agency,
    }
    for key, names in _GROUPS:
        if any(f.startswith(key + ".") for f in fields):
            out[key] = _pick(referral, key + ".", names, fields)
    for key in ("perpetrators", "children"):
        if any(f.startswith(key + ".") for f in fields):
            rows = referral.perpetrators if key == "perpetrators" else referral.children
            out[key] = [_pick(row, key + ".", _PERSON, fields) for row in rows]
    out.update(_pick(referral, "", _OTHER, fields))
    if "assigned_idva" in fields:
        idva = referral.assigned_idva_id
        out["assigned_idva"] = None if idva is None else str(idva)
    return out


ALL_FIELDS = frozenset(FIELDS["referral"])


def dump(referral: Referral, agency_code: str | None) -> dict[str, Any]:
    """Everything about a referral (every catalogue field granted)."""
    return visible_referral(referral, ALL_FIELDS, agency_code)
