"""Loading historical referrals from CSV, through the same validation, encryption, audit and
repeat rule as a referral made today.

Rows are processed in referral-date order so the repeat rule sees earlier referrals first.
A bad row is reported (row number, column, message) and skipped, or, with all-or-nothing,
nothing is kept. Values never appear in the report: only row numbers and column names.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from casework.actors import Actor
from casework.agencies.models import Agency
from casework.authz import action, require_role
from casework.db import insert_rows
from casework.errors import Invalid
from casework.referrals.actions import check_panel, fresh_references, min_victim_age, record_outcome
from casework.referrals.import_csv import (
    COLUMNS,
    HISTORICAL_STATUSES,
    RowError,
    row_errors,
    sort_key,
    template,
)
from casework.referrals.import_prepare import Prepared, Ready, prepared_batches
from casework.referrals.models import STATUSES, Child, Perpetrator, Referral
from casework.referrals.repeat import (
    Candidate,
    lock_name,
    repeat_among,
    repeat_rule,
    stored_candidates,
)
from casework.referrals.rows import decided
from casework.risk.dash import RiskRules
from casework.services import Services

__all__ = ["COLUMNS", "ImportReport", "RowError", "import_referrals", "template"]


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    rolled_back: bool = False

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


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
    parallel: bool = False,
) -> ImportReport:
    """Import a CSV; commits each batch unless ``all_or_nothing`` (then one transaction).
    ``parallel`` (the command line) prepares rows in forked processes when that is safe
    (``casework.referrals.import_prepare``).

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
    rows = sorted(enumerate(reader, start=2), key=sort_key)
    agencies = {a.code: a.id for a in svc.session.query(Agency).filter(Agency.active.is_(True))}
    report = ImportReport()
    batches = [rows[first : first + batch] for first in range(0, len(rows), batch)]
    done = 0
    min_age = min_victim_age(svc.settings)
    for prepared in prepared_batches(batches, panel_id, min_age, parallel=parallel):
        checked = [c for c in (_check_row(item, agencies, report) for item in prepared) if c]
        _write_batch(svc, actor, checked, report)
        if not all_or_nothing:
            svc.session.commit()
        done += len(prepared)
        if progress:
            progress(done)
    if all_or_nothing and report.errors:
        svc.session.rollback()
        report.rolled_back, report.imported = True, 0
    return report


@dataclass
class _Checked:
    line: int
    ready: Ready
    agency_id: uuid.UUID
    status: str


def _check_row(
    item: Prepared, agencies: dict[str, uuid.UUID], report: ImportReport
) -> _Checked | None:
    """The row to write, or None with its problems added to the report."""
    line, status = item.line, item.status
    problems: list[RowError] = []
    agency_id = agencies.get(item.agency)
    if agency_id is None:
        problems.append(RowError(line, "referring_agency", "No active agency has this code"))
    if status not in HISTORICAL_STATUSES or status not in STATUSES:
        problems.append(
            RowError(line, "status", f"Must be one of {', '.join(HISTORICAL_STATUSES)}")
        )
    report.errors += problems + item.errors
    if problems or item.ready is None or agency_id is None:
        return None
    return _Checked(line, item.ready, agency_id, status)


def _write_batch(
    svc: Services, actor: Actor, checked: list[_Checked], report: ImportReport
) -> None:
    """Decide each row's repeat in date order against one read of its victims' history, then
    insert the batch with a statement per table (not the unit of work, row by row)."""
    session = svc.session
    ready = [item.ready for item in checked]
    for name in sorted({lock_name(r.keys) for r in ready}):
        svc.db.lock(session, name)  # serialised with submissions for the same victims
    # The batch's victims' earlier referrals, then each row of the batch as it is decided,
    # by blind index: a row is compared with the referrals of its own victim's keys only.
    history: dict[str | None, list[Candidate]] = {}
    for earlier in stored_candidates(session, sorted({k for r in ready for k in r.keys})):
        history.setdefault(earlier.index, []).append(earlier)
    rule, rules = repeat_rule(svc.settings), RiskRules.from_settings(svc.settings)
    written = []
    references = fresh_references(session, [r.basis["referral_date"] for r in ready])
    for item, reference in zip(checked, references, strict=True):
        r = item.ready
        day = r.basis["referral_date"]
        found = [c for k in r.keys for c in history.get(k, [])]
        answer = repeat_among(found, r.victim, r.perpetrators, day, **rule)
        try:
            decision = decided(r.basis, answer, rules, item.agency_id, None, item.status, reference)
        except Invalid as exc:
            report.errors += row_errors(item.line, exc)
            continue
        stored = r.sealed.referral | decision
        index = stored["victim_ix"]
        history.setdefault(index, []).append(
            Candidate(
                stored["id"], day, stored["created_at"], r.victim, tuple(r.perpetrators), index
            )
        )
        written.append((stored, r, answer))
    insert_rows(session, Referral, [stored for stored, _, _ in written])
    insert_rows(session, Perpetrator, [p for _, r, _ in written for p in r.sealed.perpetrators])
    insert_rows(session, Child, [c for _, r, _ in written for c in r.sealed.children])
    for stored, r, answer in written:
        record_outcome(svc, actor, stored["id"], answer, r.written)
    report.imported += len(written)
