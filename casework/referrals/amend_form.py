"""The amendment page's fields, worked out from the submission schema, and what it shows.

Each one-value field of the referral (top level, or inside ``victim`` and ``risk``) becomes a
form field of the kind its schema type says: a date, yes / no, a number, a choice, a line or
a text area. A field added to the submission schema appears on the page with no change here.
The 24 DASH answers with their comments, the perpetrators and the children are sections of
their own (``SECTIONS``): each is amended on the referral form's own page for it, filled from
the stored referral (``amend_section``), and sent as the body the API takes (``dash_patch``,
``people_patch``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.db import as_uuid
from casework.errors import NotVisible
from casework.referrals import draft_form
from casework.referrals.actions import REFERRAL_IN
from casework.referrals.amend import FIXED, amend_refusal, current_body, refuse
from casework.referrals.amend_diff import protocol_field, shown_to
from casework.referrals.models import Referral
from casework.referrals.schemas import ChildIn, PerpetratorIn
from casework.risk.dash import QUESTIONS
from casework.schemas import IsoDate, PlainString
from casework.services import Services

#: How a field reads on the page; a field not named here reads as its name does.
LABELS = {
    "referral_date": "Date of referral",
    "victim.first_name": "Victim's first name",
    "victim.last_name": "Victim's last name",
    "victim.date_of_birth": "Victim's date of birth",
    "victim.gender": "Victim's gender",
    "victim.ethnicity": "Victim's ethnicity",
    "victim.bme": "Black, Asian or racially minoritised",
    "victim.lgbt": "LGBT+",
    "victim.disability": "Has a disability",
    "victim.address": "Victim's address",
    "victim.postcode": "Victim's postcode",
    "victim.phone": "Victim's phone number",
    "victim.safe_to_call": "Safe to call on this number",
    "risk.police_incidents_12m": "Police incidents in the past 12 months",
    "risk.professional_judgement": "Referred on professional judgement",
    "risk.professional_judgement_reason": "Reasons for the professional judgement",
    "victim_aware": "The victim knows of the referral",
    "consent": "The victim consented",
    "summary": "Summary",
}


@dataclass(frozen=True)
class FormField:
    path: str  # dotted, as the API names it (``victim.phone``)
    label: str
    kind: str  # date, bool, number, choice, textarea, text
    required: bool
    choices: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.path.replace(".", "-")


def _kind(field: fields.Field) -> tuple[str, tuple[str, ...]]:
    if isinstance(field, IsoDate | fields.Date):
        return "date", ()
    if isinstance(field, fields.Boolean):
        return "bool", ()
    if isinstance(field, fields.Integer):
        return "number", ()
    rules = field.validators
    for rule in rules:
        if isinstance(rule, validate.OneOf):
            return "choice", tuple(str(c) for c in rule.choices)
    if isinstance(field, PlainString) and field.multiline:
        return "textarea", ()
    return "text", ()


def form_fields(schema: Schema = REFERRAL_IN, prefix: str = "") -> list[FormField]:
    """The page's fields, in the schema's order."""
    out: list[FormField] = []
    for name, field in schema.fields.items():
        path = prefix + (field.data_key or name)
        if path in FIXED or isinstance(field, fields.List | fields.Dict):
            continue
        if isinstance(field, fields.Nested):
            nested = field.schema
            if not prefix and isinstance(nested, Schema):
                out += form_fields(nested, path + ".")
            continue
        kind, choices = _kind(field)
        label = LABELS.get(path) or _label(path)
        out.append(FormField(path, label, kind, bool(field.required), choices))
    return out


def _label(path: str) -> str:
    """``previous_marac.area`` -> "Previous marac: area"."""
    *group, name = path.split(".")
    words = name.replace("_", " ")
    if not group:
        return words.capitalize()
    return f"{group[-1].replace('_', ' ').capitalize()}: {words}"


def value_at(body: dict[str, Any], path: str) -> Any:
    node: Any = body
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


@action(reads=("referral",))
def amend_form(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """What the amendment page offers ``actor``: the fields they may see, with the referral's
    values; 404 / 403 / 409 exactly as amending would answer. Audited as a view."""
    rid = as_uuid(referral_id)
    referral, granted = svc.sharing.get(svc.session, actor, Referral, rid, verb="view")
    refusal = amend_refusal(actor, referral, svc.sharing.may(svc.session, actor, "edit", referral))
    if refusal is not None:
        refuse(referral, refusal)
    body = current_body(referral)
    shown = [f for f in form_fields() if shown_to(f.path, granted)]
    audit.record(
        svc.session,
        actor,
        "view",
        "referral",
        referral.id,
        {p for f in shown if (p := protocol_field(f.path)) and p in granted},
    )
    offered = [k for k, paths in SECTIONS.items() if all(shown_to(p, granted) for p in paths)]
    about = summaries(body)
    return {
        "id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
        "fields": shown,
        "values": {f.path: value_at(body, f.path) for f in shown},
        "sections": [{"section": k, "summary": about[k]} for k in offered],
    }


@action(reads=("referral",))
def may_amend(svc: Services, actor: Actor, referral_id: Any) -> bool:
    """Whether the referral's page offers ``actor`` the amendment (False when they may not
    see it either): the same rule amending applies, asked without refusing."""
    rid = as_uuid(referral_id)
    record = svc.session.get(Referral, rid) if rid is not None else None
    if record is None or not svc.sharing.may(svc.session, actor, "view", record):
        return False
    may_edit = svc.sharing.may(svc.session, actor, "edit", record)
    return amend_refusal(actor, record, may_edit) is None


# --- Sections amended on the referral form's own pages -----------------------------------

#: Each section and the paths a reader must be granted to amend it (one of each kind).
SECTIONS: dict[str, tuple[str, ...]] = {
    "dash": ("risk.dash.1", "risk.dash_comments.1"),
    "perpetrators": tuple(f"perpetrators[0].{k}" for k in PerpetratorIn().fields),
    "children": tuple(f"children[0].{k}" for k in ChildIn().fields),
}


def dash_values(body: dict[str, Any]) -> dict[str, str]:
    """The stored answers and comments as the DASH page's form names them."""
    risk = body.get("risk") or {}
    values = {q: a for q, a in (risk.get("dash") or {}).items() if a}
    comments = risk.get("dash_comments") or {}
    values |= {f"comment-{q}": c for q, c in comments.items() if c}
    return values


def person_values(person: dict[str, Any]) -> dict[str, str]:
    """A stored perpetrator or child as its page's form names it (a date in three boxes)."""
    values = {k: str(v) for k, v in person.items() if k != "date_of_birth" and v}
    born = str(person.get("date_of_birth") or "").split("-")
    if len(born) == 3:
        values |= {
            "date_of_birth-year": born[0],
            "date_of_birth-month": born[1].lstrip("0"),
            "date_of_birth-day": born[2].lstrip("0"),
        }
    return values


def dash_patch(raw: dict[str, str]) -> dict[str, Any]:
    """The DASH page's answers as the body's ``risk``: all 24 answers, and every comment (a
    blank one as null, so a comment cleared on the page is removed, not merged back)."""
    answers = {q: a for q in QUESTIONS if (a := raw.get(q))}
    comments = {q: (raw.get(f"comment-{q}") or "").strip() or None for q in QUESTIONS}
    return {"risk": {"dash": answers, "dash_comments": comments}}


def people_patch(
    section: str, people: list[dict[str, Any]], index: int, raw: dict[str, str] | None
) -> dict[str, Any]:
    """The whole list with one person changed, added (``index`` past the end) or removed
    (``raw`` None): lists replace what was there, so the body carries every person."""
    out = [dict(p) for p in people]
    if raw is None:
        del out[index]
    else:
        person = draft_form.person_body(section, raw)
        person.setdefault("date_of_birth", None)
        out[index : index + 1] = [person]
    return {section: out}


def summaries(body: dict[str, Any]) -> dict[str, str]:
    """Each section in a few words, with no personal data (the page links to the details)."""
    risk = body.get("risk") or {}
    yes = sum(1 for a in (risk.get("dash") or {}).values() if a == "yes")
    comments = len([c for c in (risk.get("dash_comments") or {}).values() if c])
    perpetrators = len(body.get("perpetrators") or [])
    children = len(body.get("children") or [])
    return {
        "dash": f"{yes} “yes” answers of 24"
        + (f", {comments} comment{'s' if comments != 1 else ''}" if comments else ""),
        "perpetrators": f"{perpetrators} perpetrator{'s' if perpetrators != 1 else ''}",
        "children": f"{children} child{'ren' if children != 1 else ''}" if children else "None",
    }


@action(reads=("referral",))
def amend_section(svc: Services, actor: Actor, referral_id: Any, section: str) -> dict[str, Any]:
    """One section of the referral as stored, for its amendment page: 404 when the section is
    unknown or the reader is not granted every field in it, else as ``amend_form`` refuses.
    Audited as a view of the section's fields."""
    rid = as_uuid(referral_id)
    referral, granted = svc.sharing.get(svc.session, actor, Referral, rid, verb="view")
    refusal = amend_refusal(actor, referral, svc.sharing.may(svc.session, actor, "edit", referral))
    if refusal is not None:
        refuse(referral, refusal)
    paths = SECTIONS.get(section)
    if paths is None or not all(shown_to(p, granted) for p in paths):
        raise NotVisible()
    body = current_body(referral)
    audit.record(
        svc.session,
        actor,
        "view",
        "referral",
        referral.id,
        {p for path in paths if (p := protocol_field(path))},
    )
    view: dict[str, Any] = {
        "id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
        "section": section,
    }
    if section == "dash":
        view["values"] = dash_values(body)
    else:
        view["people"] = list(body.get(section) or [])
        view["values"] = [person_values(p) for p in view["people"]]
    return view
