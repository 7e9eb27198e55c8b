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
from casework.crypto.indexes import refresh_indexes
from casework.db import insert_new
from casework.errors import Invalid
from casework.referrals.actions import (
    REFERRAL_IN,
    check_panel,
    check_victim_age,
    fresh_references,
    new_referral,
    people_of,
    record_outcome,
)
from casework.referrals.models import STATUSES
from casework.referrals.repeat import (
    Candidate,
    lock_name,
    repeat_among,
    repeat_rule,
    stored_candidates,
    victim_keys,
)
from casework.risk.dash import QUESTIONS
from casework.schemas import load
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
DASH_COLUMNS = tuple((q, f"dash_{q}") for q in QUESTIONS)
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


@dataclass
class _Checked:
    line: int
    values: dict[str, Any]
    agency_id: uuid.UUID
    status: str


@action
def import_referrals(
    svc: Services,
    actor: Actor,
    panel_id: uuid.UUID,
    text: Iterable[str],
    *,
    all_or_nothing: bool = False,
    progress: Callable[[int], None] | None = None,
    batch: int = 500,
) -> ImportReport:
    """Import a CSV; commits each batch unless ``all_or_nothing`` (then one transaction).

    Rows are checked a batch at a time, then written together: the earlier referrals of the
    whole batch's victims are read in one query and each row's repeat is decided against them
    and the rows before it, so the rule sees the same history it would row by row.
    """
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
    check_panel(svc, panel_id)
    rows = sorted(enumerate(reader, start=2), key=_sort_key)
    agencies = {a.code: a.id for a in svc.session.query(Agency).filter(Agency.active.is_(True))}
    report = ImportReport()
    for first in range(0, len(rows), batch):
        checked = []
        for line, row in rows[first : first + batch]:
            item = _check_row(svc, row, line, agencies, panel_id, report)
            if item is not None:
                checked.append(item)
        _write_batch(svc, actor, checked, report)
        if not all_or_nothing:
            svc.session.commit()
        if progress:
            progress(min(first + batch, len(rows)))
    if all_or_nothing and report.errors:
        svc.session.rollback()
        report.rolled_back, report.imported = True, 0
    return report


def _check_row(
    svc: Services,
    row: dict[str, str],
    line: int,
    agencies: dict[str, uuid.UUID],
    panel_id: uuid.UUID,
    report: ImportReport,
) -> _Checked | None:
    """The row's values, or None with its problems added to the report."""
    problems: list[RowError] = []
    agency_id = agencies.get((row.get("referring_agency") or "").strip())
    if agency_id is None:
        problems.append(RowError(line, "referring_agency", "No active agency has this code"))
    status = (row.get("status") or "").strip() or "closed"
    if status not in HISTORICAL_STATUSES or status not in STATUSES:
        problems.append(
            RowError(line, "status", f"Must be one of {', '.join(HISTORICAL_STATUSES)}")
        )
    try:
        values = load(REFERRAL_IN, row_to_body(row, panel_id))
        check_victim_age(svc, values)
    except Invalid as exc:
        report.errors += problems + _row_errors(line, exc)
        return None
    if problems or agency_id is None:
        report.errors += problems
        return None
    return _Checked(line, values, agency_id, status)


def _row_errors(line: int, exc: Invalid) -> list[RowError]:
    fields = exc.fields or {"_schema": [exc.message]}
    if exc.code in ("criteria_not_met", "victim_under_16"):
        fields = {next(iter(fields)): [exc.message]}  # the explanation, not the bare rule
    return [RowError(line, column_of(k), m) for k, ms in fields.items() for m in ms]


def _write_batch(
    svc: Services, actor: Actor, checked: list[_Checked], report: ImportReport
) -> None:
    """Decide each row's repeat in date order against one read of its victims' history, then
    insert the batch with a statement per table (not the unit of work, row by row)."""
    session = svc.session
    people = [people_of(item.values) for item in checked]
    for name in sorted({lock_name(victim) for victim, _ in people}):
        svc.db.lock(session, name)  # serialised with submissions for the same victims
    keys = [victim_keys(victim) for victim, _ in people]
    # The batch's victims' earlier referrals, then each row of the batch as it is decided,
    # by blind index: a row is compared with the referrals of its own victim's keys only.
    history: dict[str | None, list[Candidate]] = {}
    for earlier in stored_candidates(session, sorted({k for ks in keys for k in ks})):
        history.setdefault(earlier.index, []).append(earlier)
    rule = repeat_rule(svc.settings)
    written = []
    references = fresh_references(session, [item.values["referral_date"] for item in checked])
    for item, (victim, perps), own, reference in zip(
        checked, people, keys, references, strict=True
    ):
        found = [c for k in own for c in history.get(k, [])]
        answer = repeat_among(found, victim, perps, item.values["referral_date"], **rule)
        try:
            referral = new_referral(
                svc, item.values, answer, item.agency_id, None, item.status, reference=reference
            )
        except Invalid as exc:
            report.errors += _row_errors(item.line, exc)
            continue
        for row in (referral, *referral.perpetrators, *referral.children):
            refresh_indexes(row)  # what the flush hook would do
        history.setdefault(referral.victim_ix, []).append(
            Candidate(
                referral.id,
                referral.referral_date,
                referral.created_at,
                victim,
                tuple(perps),
                referral.victim_ix,
            )
        )
        written.append((referral, answer, item.values))
    referrals = [referral for referral, _, _ in written]
    insert_new(session, referrals)
    insert_new(session, [p for r in referrals for p in r.perpetrators])
    insert_new(session, [c for r in referrals for c in r.children])
    for referral, answer, values in written:
        record_outcome(svc, actor, referral, answer, values)
    report.imported += len(written)
