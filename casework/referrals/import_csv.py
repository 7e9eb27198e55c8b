"""The referral import's file: its columns, how a row becomes a referral body, and how a
refusal is reported (row number, column, message; never a value)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from casework.csv_import import RowError, header_row
from casework.errors import Invalid
from casework.risk.dash import QUESTIONS

PEOPLE = {"perpetrator": 2, "child": 3}
VICTIM = (
    *("first_name", "last_name", "date_of_birth", "gender", "ethnicity", "bme", "lgbt"),
    *("disability", "address", "postcode", "phone", "safe_to_call"),
)
PERPETRATOR = ("first_name", "last_name", "date_of_birth", "relationship_to_victim")
CHILD = ("first_name", "last_name", "date_of_birth")
COLUMNS: tuple[str, ...] = (
    "referral_date",
    "referring_agency",
    "status",
    *(f"victim_{k}" for k in VICTIM),
    *(f"perpetrator{n}_{k}" for n in (1, 2) for k in PERPETRATOR),
    *(f"child{n}_{k}" for n in (1, 2, 3) for k in CHILD),
    *(f"dash_{q}" for q in QUESTIONS),
    "police_incidents_12m",
    "professional_judgement",
    "professional_judgement_reason",
    "victim_aware",
    "consent",
    "summary",
)
DASH_COLUMNS = tuple((q, f"dash_{q}") for q in QUESTIONS)
HISTORICAL_STATUSES = ("submitted", "accepted", "heard", "closed")
TRUE, FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def template() -> str:
    """The header row partnerships fill in (offered as a download)."""
    return header_row(COLUMNS)


def _flag(raw: str) -> bool | None | str:
    value = raw.strip().lower()
    if not value:
        return None
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return raw  # left for the schema to refuse by name


def _opt(raw: str) -> str | None:
    return raw.strip() or None


def row_to_body(row: dict[str, str], panel_id: uuid.UUID) -> dict[str, Any]:
    """The CONTRACT.md body for one CSV row; blank optional cells are left out."""
    get = lambda key: row.get(key) or ""  # noqa: E731
    victim: dict[str, Any] = {}
    for key in VICTIM:
        value = (
            _flag(get(f"victim_{key}"))
            if key in ("bme", "lgbt", "disability", "safe_to_call")
            else _opt(get(f"victim_{key}"))
        )
        if value is not None:
            victim[key] = value
    people: dict[str, list[dict[str, Any]]] = {"perpetrator": [], "child": []}
    for kind, keys in (("perpetrator", PERPETRATOR), ("child", CHILD)):
        for n in range(1, PEOPLE[kind] + 1):
            person = {k: _opt(get(f"{kind}{n}_{k}")) for k in keys}
            if any(person.values()):
                people[kind].append({k: v for k, v in person.items() if v is not None})
    answers = ((q, get(column).strip().lower()) for q, column in DASH_COLUMNS)
    risk: dict[str, Any] = {"dash": {q: answer for q, answer in answers if answer}}
    if get("police_incidents_12m").strip():
        risk["police_incidents_12m"] = get("police_incidents_12m").strip()
    judgement = _flag(get("professional_judgement"))
    if judgement is not None:
        risk["professional_judgement"] = judgement
    risk["professional_judgement_reason"] = _opt(get("professional_judgement_reason"))
    body: dict[str, Any] = {
        "panel_id": str(panel_id),
        "victim": victim,
        "perpetrators": people["perpetrator"],
        "children": people["child"],
        "risk": risk,
        "summary": _opt(get("summary")),
    }
    for key in ("referral_date",):
        if get(key).strip():
            body[key] = get(key).strip()
    for key in ("victim_aware", "consent"):
        value = _flag(get(key))
        if value is not None:
            body[key] = value
    return body


def column_of(path: str) -> str:
    """API field path to CSV column (``perpetrators.0.first_name``: ``perpetrator1_first_name``)."""
    parts = path.split(".")
    if parts[0] == "victim" and len(parts) > 1:
        return f"victim_{parts[1]}"
    if (
        parts[0] in ("perpetrators", "children")
        and len(parts) > 2
        and parts[1].isascii()
        and parts[1].isdigit()
    ):
        kind = "perpetrator" if parts[0] == "perpetrators" else "child"
        return f"{kind}{int(parts[1]) + 1}_{parts[2]}"
    if parts[:2] == ["risk", "dash"]:
        return f"dash_{parts[2]}" if len(parts) > 2 else "dash"
    if parts[0] == "risk" and len(parts) > 1:
        return parts[1]
    return parts[0]


def sort_key(item: tuple[int, dict[str, str]]) -> tuple[str, int]:
    try:
        return (
            date.fromisoformat((item[1].get("referral_date") or "").strip()).isoformat(),
            item[0],
        )
    except ValueError:
        return ("", item[0])  # bad dates first; they are reported, not imported


def row_errors(line: int, exc: Invalid) -> list[RowError]:
    fields = exc.fields or {"_schema": [exc.message]}
    if exc.code in ("criteria_not_met", "victim_under_16"):
        fields = {next(iter(fields)): [exc.message]}  # the explanation, not the bare rule
    return [RowError(line, column_of(k), m) for k, ms in fields.items() for m in ms]
