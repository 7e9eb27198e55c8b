"""Comparing the audit log's tail with the heads kept outside the database (``head.py``).

What it catches, beyond the chain walk and the signed checkpoints (``chain.verify``):

* the newest entries deleted: the head file records an entry the log no longer has;
* the log emptied, or cut back, and written again: a recorded head names an entry whose MAC
  is not the log's (or the heads go back to a lower number and the old ones no longer match);
* the head file replaced by a fresh one: its id is not the one the log's signed checkpoint 0
  names, or it has no header, or it is missing.

The file is read *before* the log, so every head in it was committed before the log is read
and a writer committing meanwhile cannot look like a truncation. Lines from processes that
committed at the same moment may be out of order, so a lower number after a higher one is not
wrong in itself: both lines are checked against the log, and only a mismatch is reported. The
file is streamed: memory grows only with such reorderings, not with the file.

What a local file cannot catch: someone able to rewrite both the database and this file. The
syslog copy (``AUDIT_HEAD_SYSLOG``), on another machine, is the answer to that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit.head import Header, HeadLog, Line, read_lines
from casework.audit.models import AuditEntry

CHUNK = 500


@dataclass
class Survey:
    """What the head file says, read before the log."""

    path: Path
    exists: bool = False
    header: Header | None = None
    damaged: int | None = None  # first damaged line number
    last: Line | None = None  # the highest head recorded
    checks: list[tuple[Line, Line]] = field(default_factory=list)  # (higher, lower after it)


def survey(head: HeadLog) -> Survey:
    found = Survey(head.path)
    try:
        found.header = head.header()
        found.exists = True
        lines: Iterable[Line | int] = read_lines(head.path)
        for line in lines:
            if isinstance(line, int):
                found.damaged = found.damaged or line
                continue
            if found.last is None or line.seq > found.last.seq:
                found.last = line
            else:
                found.checks.append((found.last, line))
    except FileNotFoundError:
        found.exists = False
    return found


@dataclass
class Findings:
    problem: str | None = None
    notes: list[str] = field(default_factory=list)


def _macs(session: Session, seqs: set[int]) -> dict[int, str | None]:
    ordered = sorted(seqs)
    found: dict[int, str | None] = {}
    for i in range(0, len(ordered), CHUNK):
        part = ordered[i : i + CHUNK]
        rows = session.execute(
            select(AuditEntry.seq, AuditEntry.mac).where(AuditEntry.seq.in_(part))
        )
        found.update({seq: mac for seq, mac in rows})
    return found


def _file_problem(seen: Survey, named: str | None, tail: int) -> str | None:
    where = seen.path
    if not seen.exists:
        if named is not None:
            return f"the audit head file {where} is missing (the log names head file {named[:8]})"
        if tail:
            return f"there is no audit head file at {where}, although the log holds {tail} entries"
        return None
    if seen.header is None:
        return f"the audit head file {where} has no header: it was replaced or damaged"
    if named is not None and named != seen.header.file_id:
        return (
            f"the audit head file {where} was replaced: the log names head file {named[:8]}, "
            f"this one is {seen.header.file_id[:8]}, begun {seen.header.begun} after entry "
            f"{seen.header.after}"
        )
    if named is None:
        return f"the log names no head file, although {where} exists: checkpoint 0 was removed"
    if seen.damaged is not None:
        return f"line {seen.damaged} of the audit head file {where} is damaged"
    return None


def compare(session: Session, seen: Survey, named: str | None, tail: int) -> Findings:
    """Compare the survey with the log, whose last entry is ``tail`` (0: empty) and whose
    signed checkpoint 0 names head file ``named``."""
    problem = _file_problem(seen, named, tail)
    if problem is not None:
        return Findings(problem)
    if seen.last is None:
        return Findings()
    wanted = {seen.last.seq} | {line.seq for pair in seen.checks for line in pair}
    macs = _macs(session, wanted)
    for higher, lower in seen.checks:
        if macs.get(higher.seq) != higher.mac and macs.get(lower.seq) == lower.mac:
            return Findings(
                f"the log was emptied or cut back and written again: the head file records "
                f"entry {higher.seq} (line {higher.number}, {higher.at}), then entry "
                f"{lower.seq} (line {lower.number}), and entry {higher.seq} is "
                + ("not the one recorded" if macs.get(higher.seq) else "missing")
            )
    last = seen.last
    if last.seq > tail:
        return Findings(
            f"{last.seq - tail} entries are missing from the end of the log, from entry "
            f"{tail + 1}: the audit head file {seen.path} records entry {last.seq} "
            f"(line {last.number}, {last.at}) and the log ends at entry {tail}"
        )
    for line in [last, *(x for pair in seen.checks for x in pair)]:
        if macs.get(line.seq) != line.mac:
            return Findings(
                f"entry {line.seq} is not the one the audit head file {seen.path} recorded "
                f"(line {line.number}, {line.at}): the log was rewritten"
            )
    notes = []
    if last.seq < tail:
        notes.append(
            f"the head file's newest head is entry {last.seq}; the log's {tail - last.seq} "
            "newer entries were committed after it was read, or by a process that stopped "
            "before recording its head"
        )
    return Findings(None, notes)
