"""Wording for the referral pages: GOV.UK error messages and plain names for codes.

The rules and most messages come from the API's schemas unchanged. Only marshmallow's own
generic messages ("Missing data for required field.") are reworded, because a page can say
which field it means ("Enter the victim's last name") where an API answer names it by key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from casework.risk.dash import RiskRules
from casework.web.forms import error_list

# Dotted API path (list indices removed) -> what the field is, and whether one types or picks.
LABELS: dict[str, tuple[str, str]] = {
    "victim.first_name": ("the victim's first name", "enter"),
    "victim.last_name": ("the victim's last name", "enter"),
    "victim.date_of_birth": ("the victim's date of birth", "enter"),
    "victim.gender": ("the victim's gender", "select"),
    "victim.ethnicity": ("the victim's ethnicity", "enter"),
    "victim.bme": ("whether the victim is from a Black or minority ethnic background", "select"),
    "victim.lgbt": ("whether the victim identifies as lesbian, gay, bisexual or trans", "select"),
    "victim.disability": ("whether the victim has a disability", "select"),
    "victim.address": ("the victim's address", "enter"),
    "victim.postcode": ("the victim's postcode", "enter"),
    "victim.phone": ("the victim's phone number", "enter"),
    "victim.safe_to_call": ("whether it is safe to call the victim", "select"),
    "perpetrators.first_name": ("the perpetrator's first name", "enter"),
    "perpetrators.last_name": ("the perpetrator's last name", "enter"),
    "perpetrators.date_of_birth": ("the perpetrator's date of birth", "enter"),
    "perpetrators.relationship_to_victim": ("the relationship to the victim", "enter"),
    "children.first_name": ("the child's first name", "enter"),
    "children.last_name": ("the child's last name", "enter"),
    "children.date_of_birth": ("the child's date of birth", "enter"),
    "risk.police_incidents_12m": ("the number of incidents reported to the police", "enter"),
    "risk.professional_judgement": (
        "whether you are referring on professional judgement",
        "select",
    ),
    "risk.professional_judgement_reason": ("the reasons for your professional judgement", "enter"),
    "victim_aware": ("whether the victim knows about this referral", "select"),
    "consent": ("whether the victim has consented to the referral", "select"),
    "summary": ("the summary", "enter"),
    "referral_date": ("the date of referral", "enter"),
    "safety.afraid_of": ("who the victim is afraid of", "enter"),
    "safety.safe_to_talk_to": ("who is safe to talk to", "enter"),
    "safety.not_safe_to_talk_to": ("who is not safe to talk to", "enter"),
    "previous_marac.elsewhere": ("whether a MARAC in another area heard the case", "select"),
    "previous_marac.area": ("the area of the previous MARAC", "enter"),
    "previous_marac.date": ("the date of the previous MARAC", "enter"),
    "referrer.name": ("your name", "enter"),
    "referrer.phone": ("your phone number", "enter"),
    "referrer.email": ("your email address", "enter"),
}
TOO_LONG = re.compile(r"(?:Length must be between 1 and|Longer than maximum length) (\d+)\.")
DATE_FIELDS = ("date_of_birth", "referral_date", "from", "to", "date")

GENDERS = {"female": "Female", "male": "Male", "other": "Other", "not_known": "Not known"}
BANDS = {"high": "High", "medium": "Medium", "standard": "Standard"}
STATUS_NAMES = {
    "submitted": "Submitted",
    "accepted": "Accepted",
    "listed": "Listed for a meeting",
    "heard": "Heard",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
}


def criteria_text(rules: RiskRules) -> dict[str, str]:
    """The four criteria in words, with this partnership's thresholds."""
    return {
        "visible_high_risk": f"Visible high risk (a DASH score of {rules.high_from} or more)",
        "professional_judgement": "Professional judgement",
        "potential_escalation": (
            f"Potential escalation ({rules.escalation_incidents} or more incidents reported "
            "to the police in 12 months)"
        ),
        "repeat": "Repeat referral (within 12 months of the last referral)",
    }


def _reword(path: str, message: str) -> str:
    if match := re.fullmatch(r"risk\.dash\.(\d+)", path):
        return f"Question {match.group(1)}: {message}"
    if path == "perpetrators" and message.startswith("Length must be"):
        return "Add at least one perpetrator"
    label, how = LABELS.get(re.sub(r"\.\d+\.", ".", path), ("", ""))
    if match := re.fullmatch(r"risk\.dash_comments\.(\d+)", path):
        label, how = f"the comment on question {match.group(1)}", "enter"
    if not label:
        return message
    verb = "Select" if how == "select" else "Enter"
    if message in ("Missing data for required field.", "Field may not be null."):
        return f"{verb} {label}"
    if message in ("Not a valid boolean.",) or message.startswith("Must be one of"):
        return f"Select {label}"
    if message == "Not a valid date.":
        return f"{label[0].upper()}{label[1:]} must be a real date"
    if message == "Not a valid integer.":
        return f"Enter {label} as a whole number, like 3"
    if match := TOO_LONG.fullmatch(message):
        return f"{label[0].upper()}{label[1:]} must be {match.group(1)} characters or fewer"
    return message


def friendly(fields: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {path: [_reword(path, m) for m in messages] for path, messages in fields.items()}


def summary_items(fields: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """Error summary links; a date links to its day box and 'risk' (no criterion met) to the
    professional judgement question, as GOV.UK asks."""
    items = error_list(dict(fields))
    for item in items:
        target = item["href"].lstrip("#")
        if any(target == d or target.endswith(f"-{d}") for d in DATE_FIELDS):
            item["href"] += "-day"
        elif target == "risk":
            item["href"] = "#risk-professional_judgement"
        elif target == "perpetrators":  # none added: shown on the first perpetrator's page
            item["href"] = "#perpetrators-0-first_name"
        elif target in ("panel_id", "_schema"):
            item["href"] = "#main-content"
    return items
