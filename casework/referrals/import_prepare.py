"""The part of an import that needs no database: each row validated, its personal values
sealed and its victim's look-up keys made.

That is about two thirds of an import's work, so the command line (``parallel``) has forked
processes prepare the next batches while the first writes the last: about 1.4 times the rows
a second on two cores. A web server never forks for it (its process holds sockets, and may
have threads, with which forking is unsafe), nor does any process with other threads
running, nor a file of one batch: then it all happens in process, with the same result.

The preparers end with the writer however it ends: asked to stop, it cancels the batches
not yet begun and waits only for those in hand; killed, the kernel sends each preparer
SIGTERM (``PR_SET_PDEATHSIG`` on Linux), and elsewhere a watchdog thread in each sees its
parent gone within a second.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from casework.errors import Invalid
from casework.referrals.actions import REFERRAL_IN, check_victim_age, people_of, written_fields
from casework.referrals.import_csv import RowError, row_errors, row_to_body
from casework.referrals.repeat import Person, victim_keys
from casework.referrals.rows import ReferralRows, people_rows, sealed_rows
from casework.schemas import load

Rows = list[tuple[int, dict[str, str]]]  # (line in the file, the row)
# Preparing a row takes about twice as long as writing it, so two preparers keep the writer
# busy; more would only queue for the cores.
WORKERS = 2


@dataclass
class Ready:
    """A valid row, with who it is about sealed (blind indexes made) and as the repeat rule
    compares people. Plain personal values stay in the process that sealed them, but for the
    names the rule compares."""

    basis: dict[str, Any]  # what the writer decides on: panel, referral date, risk answers
    written: list[str]  # the fields given, for the audit entry (``written_fields``)
    sealed: ReferralRows
    victim: Person
    perpetrators: list[Person]
    keys: list[str]  # the victim's look-up keys (``victim_keys``)


@dataclass
class Prepared:
    """One row of the file: ready for the writer, or refused with its errors."""

    line: int
    agency: str  # the referring agency's code and the status, as written in the file
    status: str
    ready: Ready | None
    errors: list[RowError]


def prepare_rows(rows: Rows, panel_id: uuid.UUID, min_age: int) -> list[Prepared]:
    out = []
    for line, row in rows:
        agency = (row.get("referring_agency") or "").strip()
        status = (row.get("status") or "").strip() or "closed"
        try:
            values = load(REFERRAL_IN, row_to_body(row, panel_id))
            check_victim_age(values, min_age)
        except Invalid as exc:
            out.append(Prepared(line, agency, status, None, row_errors(line, exc)))
            continue
        sealed = sealed_rows(people_rows(values))
        victim, perpetrators = people_of(values)
        basis = {k: values[k] for k in ("panel_id", "referral_date", "risk")}
        ready = Ready(
            basis, written_fields(values), sealed, victim, perpetrators, victim_keys(victim)
        )
        out.append(Prepared(line, agency, status, ready, []))
    return out


def prepared_batches(
    batches: list[Rows], panel_id: uuid.UUID, min_age: int, *, parallel: bool
) -> Iterator[list[Prepared]]:
    """Each batch prepared, in order: by ``WORKERS`` forked processes, a batch ahead each,
    when ``parallel`` and it is safe to fork."""
    if not parallel or len(batches) < 2 or not may_fork():
        for rows in batches:
            yield prepare_rows(rows, panel_id, min_age)
        return
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        WORKERS, mp_context=context, initializer=_child, initargs=(os.getpid(),)
    )
    try:
        ahead: deque[Future[list[Prepared]]] = deque()
        for rows in batches:
            ahead.append(pool.submit(prepare_rows, rows, panel_id, min_age))
            if len(ahead) > WORKERS:  # a batch ahead for each worker: memory stays flat
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
    finally:
        # Closed early (the writer stopped or failed): batches not yet begun are dropped, and
        # the preparers exit once the one in hand is done.
        pool.shutdown(wait=True, cancel_futures=True)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _child(parent: int) -> None:
    # Ctrl-C is the writer's to handle: it stops, and the pool lets its preparers finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The writer's own SIGTERM handler (stop after this batch) was inherited with the fork;
    # here SIGTERM must simply end the process.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)
    # The collector is kept off the heap the child inherits: scanning it would be slow, and
    # would copy every page it touches.
    gc.freeze()
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()


def _die_with(parent: int) -> None:
    """Have the kernel end this preparer when the writer dies (Linux), and exit now if the
    writer died before that was asked: then nothing would ever send the signal."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no libc to ask: the watchdog still ends us
            pass
    if os.getppid() != parent:
        os._exit(1)


def _end_with(parent: int) -> None:
    """Exit once the writer has gone (killed, say): nothing else would ever end a preparer
    waiting for its next batch, as it holds the pipe's other end open itself. Where the
    kernel cannot be asked to do it (``_die_with``), this is what ends it."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def may_fork() -> bool:
    """Only a process with no other thread may fork: a lock another thread holds at that
    moment (logging's, say) would stay held for ever in the child."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
