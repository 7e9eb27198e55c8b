"""Loading offences and other events from a police extract (CSV), through the same validation
and audit as the API.

Each row names the person by PNC number, matched through the blind index and then compared
exactly after decrypting. Through the upload page a coordinator reaches only nominals the
sharing engine lets them change on the chosen panel; at the command line the operator reaches
the panel's cohort (or every nominal when no panel is given). An unknown PNC number, and one
the caller may not reach, give the same row error.

Police extracts overlap from one run to the next, so a row identical to an event recorded
before this import began (same person, kind, date, category, outcome, result) is skipped and
counted, not recorded twice; identical rows within one file are all kept (two shoplifting
offences on one day are two offences). Values never appear in the report: only row numbers,
column names and messages.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select, true

from casework.actors import Actor
from casework.authz import action, require_role
from casework.crypto import candidates
from casework.csv_import import RowError, header_row
from casework.db import utcnow
from casework.errors import Invalid
from casework.offenders.models import CohortMembership, Nominal, OffenderEvent
from casework.offenders.records import add_event, check_event, field_of
from casework.offenders.schemas import EventIn, canonical_pnc
from casework.schemas import load
from casework.services import Services

COLUMNS = ("pnc_id", "date", "kind", "category", "outcome", "positive")
REQUIRED = ("pnc_id", "date")
TRUE, FALSE = {"yes", "y", "true", "1", "positive"}, {"no", "n", "false", "0", "negative"}
UNKNOWN_PNC = "No nominal you may record against has this PNC number"


def template() -> str:
    """The header row a police extract is mapped to (offered as a download)."""
    return header_row(COLUMNS)


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0  # already recorded by an earlier import
    errors: list[RowError] = field(default_factory=list)
    rolled_back: bool = False

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


def row_to_body(row: dict[str, str]) -> dict[str, Any]:
    """The ``POST /nominals/{id}/events`` body for one row; blank cells are left out."""
    body: dict[str, Any] = {"kind": (row.get("kind") or "").strip().lower() or "offence"}
    for key in ("date", "category", "outcome"):
        value = (row.get(key) or "").strip()
        if value:
            body[key] = value.lower() if key != "date" else value
    positive = (row.get("positive") or "").strip().lower()
    if positive:
        body["positive"] = True if positive in TRUE else False if positive in FALSE else positive
    return body


class _Matcher:
    """PNC number -> the nominal the importer may record against, or None."""

    def __init__(self, svc: Services, actor: Actor, panel_id: uuid.UUID | None, operator: bool):
        self.svc, self.actor = svc, actor
        scope: list[ColumnElement[bool]] = [true()]
        if panel_id is not None:
            scope.append(
                exists().where(
                    CohortMembership.nominal_id == Nominal.id,
                    CohortMembership.panel_id == panel_id,
                )
            )
        if not operator:
            scope.append(svc.sharing.visible_clause(actor, "edit", Nominal))
        self.scope = scope
        self.cache: dict[str, Nominal | None] = {}

    def __call__(self, pnc: str) -> Nominal | None:
        if pnc not in self.cache:
            keys = candidates("nominal_pnc", pnc)
            found = None
            if keys:
                stmt = select(Nominal).where(Nominal.pnc_ix.in_(keys), *self.scope)
                for n in self.svc.session.scalars(stmt):
                    if n.pnc_id and canonical_pnc(n.pnc_id) == pnc:
                        found = n
                        break
            self.cache[pnc] = found
        return self.cache[pnc]


def _already(svc: Services, nominal: Nominal, values: dict[str, Any], before: datetime) -> bool:
    e = OffenderEvent
    same = [
        e.nominal_id == nominal.id,
        e.kind == values["kind"],
        e.event_date == values["date"],
        e.created_at < before,
    ]
    for column, key in ((e.category, "category"), (e.outcome, "outcome"), (e.positive, "positive")):
        value = values.get(key)
        same.append(column.is_(None) if value is None else column == value)
    return bool(svc.session.scalar(select(exists().where(*same))))


@action
def import_events(
    svc: Services,
    actor: Actor,
    text: Iterable[str],
    *,
    panel_id: uuid.UUID | None = None,
    operator: bool = False,
    all_or_nothing: bool = False,
    progress: Callable[[int], None] | None = None,
    commit_every: int = 200,
) -> ImportReport:
    """Import a police extract; commits in batches unless ``all_or_nothing``.

    ``operator`` is the command line (no agency, so no sharing rights to check against);
    pages leave it False, and rows reach only nominals the engine lets the caller change.
    """
    require_role(actor, "coordinator")
    reader = csv.DictReader(text)
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise Invalid(
            {"file": [f"Missing column {c}" for c in missing]}, "The file is not an offence import"
        )
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise Invalid(
            {"file": [f"Unknown column {c}" for c in unknown]}, "The file has unknown columns"
        )
    match = _Matcher(svc, actor, panel_id, operator)
    started = utcnow()
    report = ImportReport()
    for done, row in enumerate(reader, start=1):
        line = done + 1
        outcome = _import_row(svc, actor, row, line, match, operator, started)
        if isinstance(outcome, list):
            report.errors += outcome
        elif outcome == "skipped":
            report.skipped += 1
        else:
            report.imported += 1
            if not all_or_nothing and report.imported % commit_every == 0:
                svc.session.commit()
        if progress:
            progress(done)
    if all_or_nothing and report.errors:
        svc.session.rollback()
        report.rolled_back, report.imported, report.skipped = True, 0, 0
    return report


def _import_row(
    svc: Services,
    actor: Actor,
    row: dict[str, str],
    line: int,
    match: _Matcher,
    operator: bool,
    started: datetime,
) -> list[RowError] | str:
    if None in row:  # more cells than the header has columns
        return [RowError(line, "file", "The row has more cells than the header")]
    problems: list[RowError] = []
    pnc = canonical_pnc(row.get("pnc_id") or "")
    nominal = match(pnc) if pnc else None
    if not pnc:
        problems.append(RowError(line, "pnc_id", "Enter the PNC number"))
    elif nominal is None:
        problems.append(RowError(line, "pnc_id", UNKNOWN_PNC))
    try:
        values = check_event(svc, load(EventIn(), row_to_body(row)))
    except Invalid as exc:
        fields = exc.fields or {"file": [exc.message]}
        return problems + [RowError(line, k, m) for k, ms in fields.items() for m in ms]
    if problems or nominal is None:
        return problems
    if not operator:
        granted = svc.sharing.visible_fields(svc.session, actor, nominal, "edit")
        if field_of(values["kind"]) not in granted:
            return [RowError(line, "kind", "You may not record this kind of event for this person")]
    if _already(svc, nominal, values, started):
        return "skipped"
    try:
        with svc.session.begin_nested():
            add_event(svc, actor, nominal, values)
    except Invalid as exc:
        key = next(iter(exc.fields or {"file": []}))
        return [RowError(line, key, (exc.fields.get(key) or [exc.message])[0])]
    return "imported"
