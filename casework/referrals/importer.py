"""Loading historical referrals from CSV, through the same validation, encryption, audit and
repeat rule as a referral made today.

Rows are processed in referral-date order so the repeat rule sees earlier referrals first.
A bad row is reported (row number, column, message) and skipped, or, with all-or-nothing,
nothing is kept. Values never appear in the report: only row numbers and column names.

Each import is a run (``casework.imports.runs``): rows an earlier import wrote are skipped
(found by their identity, not their encrypted values), so a file given again after an
interruption carries on where it stopped, and one given twice adds nothing twice. The run's
progress is committed with each batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass

from casework.actors import Actor
from casework.agencies.models import Agency
from casework.authz import action, require_role
from casework.csv_import import CsvFile, ImportReport
from casework.db import insert_rows
from casework.errors import Invalid
from casework.imports.runs import Identity, Run, RunStart, already_imported, identities
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
    on_start: Callable[[RunStart], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import a CSV; commits each batch unless ``all_or_nothing`` (then one transaction).
    ``parallel`` (the command line) prepares rows in forked processes when that is safe
    (``casework.referrals.import_prepare``). ``on_start`` hears how many rows there are to
    do and how far an earlier run of the file got; ``stop`` is asked after each batch (the
    command line's Ctrl-C or SIGTERM) and ends the run there, its batches kept.

    Rows are checked a batch at a time, then written together: the earlier referrals of the
    whole batch's victims are read in one query and each row's repeat is decided against them
    and the rows before it, so the rule sees the same history it would row by row.
    """
    require_role(actor, "coordinator")
    source = CsvFile(text)
    missing = [
        c
        for c in ("referral_date", "referring_agency", "victim_first_name")
        if c not in source.columns
    ]
    if missing:
        raise Invalid(
            {"file": [f"Missing column {c}" for c in missing]}, "The file is not a referral import"
        )
    unknown = [c for c in source.columns if c not in COLUMNS]
    if unknown:
        raise Invalid(
            {"file": [f"Unknown column {c}" for c in unknown]}, "The file has unknown columns"
        )
    check_panel(svc, panel_id)
    report = ImportReport()
    read: list[tuple[int, dict[str, str]]] = []
    for record in source.records():
        if record.row is None:
            report.errors += record.errors
        else:
            read.append((record.line, record.row))
    keys = dict(
        zip(
            (line for line, _ in read),
            identities("referrals", str(panel_id), COLUMNS, (row for _, row in read)),
            strict=True,
        )
    )
    before = already_imported(svc, list(keys.values()))
    fresh = [item for item in read if keys[item[0]][0] not in before]
    report.already_imported = len(read) - len(fresh)
    report.rows_total = len(read) + report.failed_rows
    first_done = report.already_imported + report.failed_rows
    run = Run.begin(
        svc,
        actor,
        "referrals",
        panel_id,
        source.fingerprint,
        rows_total=report.rows_total,
        rows_done=first_done,
        already=report.already_imported,
    )
    report.previous, report.rows_done = run.previous, first_done
    if on_start:
        on_start(RunStart(report.rows_total, len(fresh), report.already_imported, run.previous))
    plan = _Plan(run, panel_id, keys, all_or_nothing, progress, batch, parallel, stop)
    try:
        _run(svc, actor, plan, fresh, report)
    except BaseException as exc:
        run.abandon(exc)
        raise
    return report


@dataclass
class _Plan:
    run: Run
    panel_id: uuid.UUID
    keys: dict[int, Identity]  # each row's identity, by its line
    all_or_nothing: bool
    progress: Callable[[int], None] | None
    batch: int
    parallel: bool
    stop: Callable[[], bool] | None


def _run(
    svc: Services,
    actor: Actor,
    plan: _Plan,
    fresh: list[tuple[int, dict[str, str]]],
    report: ImportReport,
) -> None:
    """The rows not imported before, batch by batch, each committed with the run's progress."""
    run, keys, all_or_nothing, stop = plan.run, plan.keys, plan.all_or_nothing, plan.stop
    rows = sorted(fresh, key=sort_key)
    agencies = {a.code: a.id for a in svc.session.query(Agency).filter(Agency.active.is_(True))}
    batches = [rows[first : first + plan.batch] for first in range(0, len(rows), plan.batch)]
    done, first_done = 0, report.rows_done
    min_age = min_victim_age(svc.settings)
    prepared_all = prepared_batches(batches, plan.panel_id, min_age, parallel=plan.parallel)
    with closing(prepared_all):  # an interruption shuts the preparers down at once
        for prepared in prepared_all:
            checked = [c for c in (_check_row(item, agencies, report) for item in prepared) if c]
            run.lock()
            # Another import of the same rows may have written some since the file was read.
            again = already_imported(svc, [keys[c.line] for c in checked])
            checked = [c for c in checked if keys[c.line][0] not in again]
            report.already_imported += len(again)
            written = _write_batch(svc, actor, checked, report)
            run.wrote([{"row_key": keys[line][0], "referral_id": id_} for line, id_ in written])
            done += len(prepared)
            report.rows_done = first_done + done
            run.progress(
                done=report.rows_done,
                imported=report.imported,
                already=report.already_imported,
                refused=report.failed_rows,
            )
            if not all_or_nothing:
                svc.session.commit()
            if plan.progress:
                plan.progress(done)
            if stop is not None and stop() and done < len(rows):
                report.stopped = True
                break
    if all_or_nothing and (report.errors or report.stopped):
        svc.session.rollback()
        report.rolled_back = bool(report.errors)
        report.imported, report.rows_done = 0, first_done
        run.progress(
            done=first_done, imported=0, already=report.already_imported, refused=report.failed_rows
        )
    run.finish("interrupted" if report.stopped else "failed" if report.rolled_back else "finished")


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
) -> list[tuple[int, uuid.UUID]]:
    """Decide each row's repeat in date order against one read of its victims' history, then
    insert the batch with a statement per table (not the unit of work, row by row). Returns
    the line and referral id of each row written."""
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
        written.append((stored, r, answer, item.line))
    insert_rows(session, Referral, [stored for stored, _, _, _ in written])
    insert_rows(session, Perpetrator, [p for _, r, _, _ in written for p in r.sealed.perpetrators])
    insert_rows(session, Child, [c for _, r, _, _ in written for c in r.sealed.children])
    for stored, r, answer, _ in written:
        record_outcome(svc, actor, stored["id"], answer, r.written)
    report.imported += len(written)
    return [(line, stored["id"]) for stored, _, _, line in written]
