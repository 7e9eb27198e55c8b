"""Loading offences and other events from a police extract (CSV), through the same validation
and audit as the API.

Each row names the person by PNC number, matched through the blind index and then compared
exactly after decrypting. Through the upload page a coordinator reaches only nominals the
sharing engine lets them change on the chosen panel; at the command line the operator reaches
the panel's cohort (or every nominal when no panel is given). An unknown PNC number, and one
the caller may not reach, give the same row error.

Police extracts overlap from one run to the next, so a row is skipped and counted, not
recorded twice, when an earlier import wrote it (its identity: ``casework.imports.runs``), or
when events identical to it (same person, kind, date, category, outcome, result) recorded
before this import began, less those that rows of this file imported before became, number at
least the identical rows so far in the file. Identical rows within one file are all kept (two
shoplifting offences on one day are two offences), and a file given again after an
interruption records the second of two identical rows that the interrupted run did not reach.
A row counts as imported before only once it is checked like any other, so the answer never
tells a coordinator about a person they may not reach. Values never appear in the report:
only row numbers, column names and messages.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, true

from casework.actors import Actor
from casework.authz import action, require_role
from casework.crypto import candidates
from casework.csv_import import CsvFile, Record, RowError, header_row
from casework.csv_import import ImportReport as _Report
from casework.errors import Invalid
from casework.imports.runs import Identity, Run, RunStart, already_imported, identities
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
class ImportReport(_Report):
    skipped: int = 0  # already recorded (``already_imported`` of them by an earlier import)


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


def _recorded(svc: Services, nominal: Nominal, values: dict[str, Any], before: datetime) -> int:
    """How many events identical to this row were recorded before the import began."""
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
    return svc.session.scalar(select(func.count()).select_from(e).where(*same)) or 0


@dataclass
class _Walk:
    """One run through the file: what the rows are checked against as it goes."""

    run: Run
    match: _Matcher
    operator: bool
    keys: dict[int, Identity]  # each readable row's identity, by its line
    before: set[str]  # identities an earlier import wrote
    seen: Counter[tuple[Any, ...]] = field(default_factory=Counter)  # identical new rows so far
    claimed: Counter[tuple[Any, ...]] = field(default_factory=Counter)  # events of rows in before
    checked: dict[int, list[RowError] | _Checked] = field(default_factory=dict)


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
    on_start: Callable[[RunStart], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import a police extract; commits in batches (with the run's progress) unless
    ``all_or_nothing``. ``on_start`` and ``stop`` are as for the referral import.

    ``operator`` is the command line (no agency, so no sharing rights to check against);
    pages leave it False, and rows reach only nominals the engine lets the caller change.
    """
    require_role(actor, "coordinator")
    source = CsvFile(text)
    columns = source.columns
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
    records = list(source.records())
    readable = [r for r in records if r.row is not None]
    found = identities("offences", "any", COLUMNS, (r.row or {} for r in readable))
    keys = dict(zip((r.line for r in readable), found, strict=True))
    before = already_imported(svc, found)
    run = Run.begin(
        svc,
        actor,
        "offences",
        panel_id,
        source.fingerprint,
        rows_total=len(records),
        rows_done=0,
        already=0,
    )
    report = ImportReport(previous=run.previous, rows_total=len(records))
    if on_start:
        on_start(RunStart(len(records), len(records), len(before), run.previous))
    walk = _Walk(run, _Matcher(svc, actor, panel_id, operator), operator, keys, before)
    try:
        _claimed(svc, actor, records, walk)
        _walk(svc, actor, walk, records, report, all_or_nothing, progress, commit_every, stop)
    except BaseException as exc:
        run.abandon(exc)
        raise
    return report


def _walk(
    svc: Services,
    actor: Actor,
    walk: _Walk,
    records: list[Record],
    report: ImportReport,
    all_or_nothing: bool,
    progress: Callable[[int], None] | None,
    commit_every: int,
    stop: Callable[[], bool] | None,
) -> None:
    """The file in slices of ``commit_every`` rows, each a transaction that takes the import
    lock, re-reads its rows' identities (another import may have written them meanwhile) and
    commits with the run's progress."""
    run = walk.run
    done = 0
    for first in range(0, len(records), commit_every):
        part = records[first : first + commit_every]
        run.lock()
        walk.before |= already_imported(svc, [walk.keys[r.line] for r in part if r.row is not None])
        for record in part:
            if record.row is None:
                report.errors += record.errors
            else:
                outcome = _import_row(svc, actor, record, walk)
                if isinstance(outcome, list):
                    report.errors += outcome
                elif outcome == "imported":
                    report.imported += 1
                else:
                    report.skipped += 1
                    report.already_imported += outcome == "already"
            done += 1
            if progress:
                progress(done)
        report.rows_done = done
        run.progress(
            done=done,
            imported=report.imported,
            already=report.already_imported,
            refused=report.failed_rows,
        )
        if not all_or_nothing:
            svc.session.commit()
        if stop is not None and stop() and done < len(records):
            report.stopped = True
            break
    if all_or_nothing and (report.errors or report.stopped):
        svc.session.rollback()
        report.rolled_back = bool(report.errors)
        report.imported = report.skipped = report.already_imported = report.rows_done = 0
        run.progress(done=0, imported=0, already=0, refused=report.failed_rows)
    run.finish("interrupted" if report.stopped else "failed" if report.rolled_back else "finished")


@dataclass
class _Checked:
    """A row fit to record: whom it is about and its values."""

    nominal: Nominal
    values: dict[str, Any]

    @property
    def same(self) -> tuple[Any, ...]:
        """What makes two events the same event."""
        v = self.values
        return (
            self.nominal.id,
            *(v.get(k) for k in ("kind", "date", "category", "outcome")),
            v.get("positive"),
        )


def _check_row(
    svc: Services, actor: Actor, record: Record, walk: _Walk
) -> list[RowError] | _Checked:
    """The row checked as the API checks an event, and reached as the caller may reach it."""
    row, line = record.row or {}, record.line
    if None in row:  # more cells than the header has columns
        return [RowError(line, "file", "The row has more cells than the header")]
    problems: list[RowError] = []
    pnc = canonical_pnc(row.get("pnc_id") or "")
    nominal = walk.match(pnc) if pnc else None
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
    if not walk.operator:
        granted = svc.sharing.visible_fields(svc.session, actor, nominal, "edit")
        if field_of(values["kind"]) not in granted:
            return [RowError(line, "kind", "You may not record this kind of event for this person")]
    return _Checked(nominal, values)


def _claimed(svc: Services, actor: Actor, records: list[Record], walk: _Walk) -> None:
    """Check the rows an earlier import wrote (kept for the walk) and count them by event:
    the events they became are theirs, not to be matched again by other rows."""
    for record in records:
        if record.row is not None and walk.keys[record.line][0] in walk.before:
            checked = walk.checked[record.line] = _check_row(svc, actor, record, walk)
            if isinstance(checked, _Checked):
                walk.claimed[checked.same] += 1


def _import_row(svc: Services, actor: Actor, record: Record, walk: _Walk) -> list[RowError] | str:
    """ "imported", "already" (an earlier import wrote it), "skipped" (recorded otherwise)
    or the row's errors."""
    checked = walk.checked.pop(record.line, None) or _check_row(svc, actor, record, walk)
    if isinstance(checked, list):
        return checked
    key = walk.keys[record.line][0]
    if key in walk.before:
        return "already"
    same = checked.same
    walk.seen[same] += 1
    recorded = _recorded(svc, checked.nominal, checked.values, walk.run.record.started_at)
    if recorded - walk.claimed[same] >= walk.seen[same]:
        return "skipped"
    try:
        with svc.session.begin_nested():
            event = add_event(svc, actor, checked.nominal, checked.values)
            walk.run.add(key, event_id=event.id)
    except Invalid as exc:
        column = next(iter(exc.fields or {"file": []}))
        return [RowError(record.line, column, (exc.fields.get(column) or [exc.message])[0])]
    return "imported"
