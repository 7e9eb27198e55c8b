"""What a referral draft holds, and how it becomes the body ``submit_referral`` takes.

A draft keeps the answers exactly as typed (text, the day / month / year boxes of a date, the
value of the radio chosen), so a half-finished or mistyped answer is never lost and is shown
back as it was. Turning it into the API's body happens in one place (``assemble``), and every
check runs through the same marshmallow schemas as the API (``ReferralIn`` and the schemas it
nests), so the form and the API can never disagree on a rule or its wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from casework.errors import Invalid
from casework.referrals.schemas import ChildIn, PerpetratorIn, ReferralIn
from casework.risk.dash import QUESTIONS, RiskRules, band, criteria_met
from casework.schemas import load

SECTIONS = ("victim", "perpetrators", "children", "dash", "criteria", "consent", "narrative")
TITLES = {
    "victim": "About the victim",
    "perpetrators": "Perpetrators",
    "children": "Children in the household",
    "dash": "DASH risk checklist",
    "criteria": "MARAC criteria",
    "consent": "Consent and awareness",
    "narrative": "Summary, referral date and your details",
}
LIST_SECTIONS = {"perpetrators": 10, "children": 20}  # the most ReferralIn accepts
MAX_VALUE = 10_000  # characters kept per answer; the schemas allow less, and say so

DATE_PARTS = ("day", "month", "year")


def _date_keys(name: str) -> tuple[str, ...]:
    return tuple(f"{name}-{part}" for part in DATE_PARTS)


# SafeLives' questions asked on existing pages: the victim's safety and a previous MARAC on
# the victim's page, the referrer's contact details with the summary. Form names are the
# keys inside their API group ("previous_marac.area" is "area" on the page).
SAFETY_KEYS = ("afraid_of", "safe_to_talk_to", "not_safe_to_talk_to")
PREVIOUS_MARAC_KEYS = ("elsewhere", "area", *_date_keys("date"))
REFERRER_KEYS = ("name", "phone", "email")
# Section, form name -> the API group it fills (names not here fill the section's own group).
GROUP_OF = {
    **{("victim", k): "safety" for k in SAFETY_KEYS},
    **{("victim", k): "previous_marac" for k in ("elsewhere", "area", "date")},
    **{("narrative", k): "referrer" for k in REFERRER_KEYS},
}

# The answers each page may send, as the form names them.
KEYS: dict[str, tuple[str, ...]] = {
    "victim": (
        "first_name",
        "last_name",
        *_date_keys("date_of_birth"),
        "gender",
        "ethnicity",
        "bme",
        "lgbt",
        "disability",
        "address",
        "postcode",
        "phone",
        "safe_to_call",
        *SAFETY_KEYS,
        *PREVIOUS_MARAC_KEYS,
    ),
    "perpetrators": (
        "first_name",
        "last_name",
        *_date_keys("date_of_birth"),
        "relationship_to_victim",
    ),
    "children": ("first_name", "last_name", *_date_keys("date_of_birth")),
    "dash": (*QUESTIONS, *(f"comment-{q}" for q in QUESTIONS)),
    "criteria": ("police_incidents_12m", "professional_judgement", "professional_judgement_reason"),
    "consent": ("victim_aware", "consent"),
    "narrative": ("summary", *_date_keys("referral_date"), *REFERRER_KEYS),
}

# The top-level ReferralIn fields each section answers; the rest are left out when checking it.
BODY_KEYS: dict[str, tuple[str, ...]] = {
    "victim": ("victim", "safety", "previous_marac"),
    "perpetrators": ("perpetrators",),
    "children": ("children",),
    "dash": ("risk",),
    "criteria": ("risk",),
    "consent": ("victim_aware", "consent"),
    "narrative": ("referral_date", "summary", "referrer"),
}
_ALL_DASH_NO = {q: "no" for q in QUESTIONS}  # stands in for the checklist when checking criteria


def new_content(today: date) -> dict[str, Any]:
    """An empty draft; the referral date starts as today, the usual answer."""
    content: dict[str, Any] = {s: [] if s in LIST_SECTIONS else {} for s in SECTIONS}
    content["narrative"] = {
        "referral_date-day": str(today.day),
        "referral_date-month": str(today.month),
        "referral_date-year": str(today.year),
    }
    content["done"] = []
    return content


def clean(section: str, form: Mapping[str, Any]) -> dict[str, str]:
    """Only the answers this section asks for, as strings, each cut to a sane length."""
    return {k: str(form[k])[:MAX_VALUE] for k in KEYS[section] if form.get(k) not in (None, "")}


# --- from typed answers to the API's body -------------------------------------------------


def _text(raw: Mapping[str, str], key: str, out: dict[str, Any]) -> None:
    value = raw.get(key, "").strip()
    if value:
        out[key] = value


def _date(raw: Mapping[str, str], key: str, out: dict[str, Any]) -> None:
    """Day, month and year boxes joined into ISO 8601; a missing or non-numeric box makes an
    invalid date, which the schema reports against the field."""
    day, month, year = (raw.get(k, "").strip() for k in _date_keys(key))
    if day or month or year:
        out[key] = f"{year}-{month:0>2}-{day:0>2}"


def _choice(raw: Mapping[str, str], key: str, out: dict[str, Any]) -> None:
    """Radios: yes / no / not known become true / false / null; anything else goes through
    unchanged for the schema to refuse."""
    value = raw.get(key, "")
    if value:
        out[key] = {"yes": True, "no": False, "not_known": None}.get(value, value)


def victim_body(raw: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("first_name", "last_name", "gender", "ethnicity", "address", "postcode", "phone"):
        _text(raw, key, out)
    _date(raw, "date_of_birth", out)
    for key in ("bme", "lgbt", "disability", "safe_to_call"):
        _choice(raw, key, out)
    return out


def safety_body(raw: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SAFETY_KEYS:
        _text(raw, key, out)
    return out


def previous_marac_body(raw: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _choice(raw, "elsewhere", out)
    _text(raw, "area", out)
    _date(raw, "date", out)
    return out


def referrer_body(raw: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in REFERRER_KEYS:
        _text(raw, key, out)
    return out


def person_body(section: str, raw: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("first_name", "last_name", "relationship_to_victim"):
        if key in KEYS[section]:
            _text(raw, key, out)
    _date(raw, "date_of_birth", out)
    return out


def risk_body(dash: Mapping[str, str], criteria: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"dash": {q: a for q, a in dash.items() if q in QUESTIONS and a}}
    comments = {q: c for q in QUESTIONS if (c := dash.get(f"comment-{q}", "").strip())}
    if comments:
        out["dash_comments"] = comments
    _text(criteria, "police_incidents_12m", out)
    incidents = out.get("police_incidents_12m", "")
    if incidents.isascii() and incidents.isdigit():
        out["police_incidents_12m"] = int(incidents)
    _choice(criteria, "professional_judgement", out)
    out["professional_judgement"] = out.get("professional_judgement") or False
    out["professional_judgement_reason"] = None
    if out["professional_judgement"] is True:  # a reason typed and then unsaid is not sent
        _text(criteria, "professional_judgement_reason", out)
    return out


def assemble(panel_id: Any, content: Mapping[str, Any]) -> dict[str, Any]:
    """The body for ``submit_referral``, exactly in CONTRACT.md's shape."""
    body: dict[str, Any] = {
        "panel_id": str(panel_id),
        "victim": victim_body(content.get("victim", {})),
        "perpetrators": [person_body("perpetrators", p) for p in content.get("perpetrators", [])],
        "children": [person_body("children", c) for c in content.get("children", [])],
        "risk": risk_body(content.get("dash", {}), content.get("criteria", {})),
    }
    victim = content.get("victim", {})
    optional = {
        "safety": safety_body(victim),
        "previous_marac": previous_marac_body(victim),
        "referrer": referrer_body(content.get("narrative", {})),
    }
    body.update({group: answers for group, answers in optional.items() if answers})
    consent = content.get("consent", {})
    _choice(consent, "victim_aware", body)
    _choice(consent, "consent", body)
    narrative = content.get("narrative", {})
    _text(narrative, "summary", body)
    _date(narrative, "referral_date", body)
    return body


def dash_score(content: Mapping[str, Any]) -> int:
    """The "yes" answers so far (a comment reading "yes" is not one)."""
    return yes_count(content.get("dash", {}))


def yes_count(dash: Mapping[str, str]) -> int:
    return sum(1 for q, a in dash.items() if q in QUESTIONS and a == "yes")


def preview(content: Mapping[str, Any], rules: RiskRules) -> dict[str, Any]:
    """Score, band and the criteria met so far, with the rules ``submit_referral`` applies.
    Whether it is a repeat is only known at submission, so it is not counted here."""
    score = dash_score(content)
    body = risk_body(content.get("dash", {}), content.get("criteria", {}))
    incidents = body.get("police_incidents_12m", 0)
    incidents = incidents if isinstance(incidents, int) else 0
    judgement = body["professional_judgement"] is True
    return {
        "score": score,
        "band": band(score, rules),
        "criteria": criteria_met(score, incidents, judgement, False, rules),
    }


# --- checks -------------------------------------------------------------------------------


def section_of(path: str) -> str | None:
    """The section whose page asks for the field at a dotted API path (None: the check page)."""
    head = path.split(".", 1)[0]
    if head == "risk":
        return "dash" if path.startswith("risk.dash") else "criteria"
    for section, keys in BODY_KEYS.items():
        if head in keys:
            return section
    return None


def section_errors(panel_id: Any, content: Mapping[str, Any], section: str) -> dict[str, list]:
    """Every problem with one section, keyed by dotted API path, from ReferralIn itself."""
    body = assemble(panel_id, content)
    if section == "criteria":
        body["risk"]["dash"] = _ALL_DASH_NO
    partial = tuple(k for k in ReferralIn().fields if k not in BODY_KEYS[section])
    wanted = {k: body[k] for k in BODY_KEYS[section] if k in body}
    try:
        load(ReferralIn(partial=partial), wanted)
    except Invalid as exc:
        return {p: m for p, m in exc.fields.items() if section_of(p) == section}
    return {}


def item_errors(section: str, index: int, raw: Mapping[str, str]) -> dict[str, list]:
    """Problems with one perpetrator or child, keyed as the API names them."""
    schema = PerpetratorIn() if section == "perpetrators" else ChildIn()
    try:
        load(schema, person_body(section, raw))
    except Invalid as exc:
        return {f"{section}.{index}.{p}": m for p, m in exc.fields.items()}
    return {}


def completed(panel_id: Any, content: Mapping[str, Any]) -> dict[str, bool]:
    """Per section: finished by the user and, as it stands, valid."""
    done = set(content.get("done", []))
    return {s: s in done and not section_errors(panel_id, content, s) for s in SECTIONS}


def field_names(section: str, raw: Mapping[str, Any]) -> list[str]:
    """The API field names a section's answers fill (for the audit log: names, never values)."""
    prefix = {"victim": "victim.", "perpetrators": "perpetrators.", "children": "children."}
    if section == "dash":
        names = ["risk.dash"] if any(k in QUESTIONS for k in raw) else []
        return names + (["risk.dash_comments"] if any(k not in QUESTIONS for k in raw) else [])
    names = set()
    for key in raw:
        base = key.rsplit("-", 1)[0] if key.endswith(tuple(f"-{p}" for p in DATE_PARTS)) else key
        if group := GROUP_OF.get((section, base)):
            names.add(f"{group}.{base}")
        else:
            names.add(("risk." if section == "criteria" else prefix.get(section, "")) + base)
    return sorted(names)


def content_field_names(content: Mapping[str, Any]) -> list[str]:
    names: set[str] = set()
    for section in SECTIONS:
        value = content.get(section) or ([] if section in LIST_SECTIONS else {})
        for raw in value if section in LIST_SECTIONS else [value]:
            names.update(field_names(section, raw))
    return sorted(names)
