"""Loading historical referrals from CSV, through the same validation, encryption, audit and
repeat rule as a referral made today.

Rows are processed in referral-date order so the repeat rule sees earlier referrals first.
A bad row is reported (row number, column, message) and skipped, or, with all-or-nothing,
nothing is kept. Values never appear in the report: only row numbers and column names.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.actors import Actor
from casework.agencies.models import Agency
from casework.authz import action, require_role
from casework.errors import Invalid
from casework.panels.models import Panel
from casework.referrals.actions import check_referral, record_referral
from casework.referrals.models import STATUSES
from casework.referrals.schemas import ReferralIn
from casework.risk.dash import QUESTIONS
from casework.services import Services

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
HISTORICAL_STATUSES = ("submitted", "accepted", "heard", "closed")
TRUE, FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def template() -> str:
    """The header row partnerships fill in (offered as a download)."""
    out = io.StringIO()
    csv.writer(out).writerow(COLUMNS)
    return out.getvalue()


@dataclass
class RowError:
    row: int  # the line in the file (the header is line 1)
    column: str
    message: str


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    rolled_back: bool = False

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


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
    risk: dict[str, Any] = {
        "dash": {q: get(f"dash_{q}").strip().lower() for q in QUESTIONS if get(f"dash_{q}").strip()}
    }
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
    if parts[0] in ("perpetrators", "children") and len(parts) > 2 and parts[1].isdigit():
        kind = "perpetrator" if parts[0] == "perpetrators" else "child"
        return f"{kind}{int(parts[1]) + 1}_{parts[2]}"
    if parts[:2] == ["risk", "dash"]:
        return f"dash_{parts[2]}" if len(parts) > 2 else "dash"
    if parts[0] == "risk" and len(parts) > 1:
        return parts[1]
    return parts[0]


def _sort_key(item: tuple[int, dict[str, str]]) -> tuple[str, int]:
    try:
        return (
            date.fromisoformat((item[1].get("referral_date") or "").strip()).isoformat(),
            item[0],
        )
    except ValueError:
        return ("", item[0])  # bad dates first; they are reported, not imported


@action
def import_referrals(
    svc: Services,
    actor: Actor,
    panel_id: uuid.UUID,
    text: Iterable[str],
    *,
    all_or_nothing: bool = False,
    progress: Callable[[int], None] | None = None,
    commit_every: int = 200,
) -> ImportReport:
    """Import a CSV; commits in batches unless ``all_or_nothing`` (then one transaction)."""
    require_role(actor, "coordinator")
    reader = csv.DictReader(text)
    missing = [
        c
        for c in ("referral_date", "referring_agency", "victim_first_name")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise Invalid(
            {"file": [f"Missing column {c}" for c in missing]}, "The file is not a referral import"
        )
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    if unknown:
        raise Invalid(
            {"file": [f"Unknown column {c}" for c in unknown]}, "The file has unknown columns"
        )
    rows = sorted(enumerate(reader, start=2), key=_sort_key)
    agencies = {a.code: a.id for a in svc.session.query(Agency).filter(Agency.active.is_(True))}
    # Made once for every row: the schema, and the panel, held so that each row's panel check
    # finds it in the session (whose identity map is weak) instead of loading it again.
    schema = ReferralIn()
    panel = svc.session.get(Panel, panel_id)
    report = ImportReport()
    session = svc.session
    for done, (line, row) in enumerate(rows, start=1):
        errors = _import_row(svc, actor, panel_id, row, line, agencies, schema)
        if errors:
            report.errors += errors
        else:
            report.imported += 1
            if not all_or_nothing and report.imported % commit_every == 0:
                session.commit()
        if progress:
            progress(done)
    del panel  # held until every row was checked
    if all_or_nothing and report.errors:
        session.rollback()
        report.rolled_back, report.imported = True, 0
    return report


def _import_row(
    svc: Services,
    actor: Actor,
    panel_id: uuid.UUID,
    row: dict[str, str],
    line: int,
    agencies: dict,
    schema: ReferralIn,
) -> list[RowError]:
    problems: list[RowError] = []
    code = (row.get("referring_agency") or "").strip()
    agency_id = agencies.get(code)
    if agency_id is None:
        problems.append(RowError(line, "referring_agency", "No active agency has this code"))
    status = (row.get("status") or "").strip() or "closed"
    if status not in HISTORICAL_STATUSES or status not in STATUSES:
        problems.append(
            RowError(line, "status", f"Must be one of {', '.join(HISTORICAL_STATUSES)}")
        )
    try:
        values = check_referral(svc, row_to_body(row, panel_id), schema)
    except Invalid as exc:
        fields = exc.fields or {"_schema": [exc.message]}
        if exc.code in ("criteria_not_met", "victim_under_16"):
            fields = {next(iter(fields)): [exc.message]}
        return problems + [RowError(line, column_of(k), m) for k, ms in fields.items() for m in ms]
    if problems:
        return problems
    with svc.session.begin_nested():
        try:
            record_referral(svc, actor, values, agency_id, None, status=status)
        except Invalid as exc:
            return [
                RowError(line, column_of(next(iter(exc.fields or {"_schema": []}))), exc.message)
            ]
    return []
