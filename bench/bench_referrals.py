"""MARAC referrals at volume: submitting, finding repeats among a million, importing history.

Run: ``.venv/bin/python bench/bench_referrals.py [--quick] [--only submit|repeat|import]``.
Targets (issue "MARAC referrals"):

* submission through the action layer costs at most 5 times a bare SQLAlchemy Core insert of
  a plaintext row of the same size, each committed on its own;
* a repeat look-up takes under 5 ms with 1,000,000 referrals stored, and no more than twice
  what it takes with 10,000 (an index, not a scan);
* the CSV import handles at least 1,000 referrals a second.

Everything runs on SQLite in a temporary directory. ``--quick`` stops the repeat look-ups at
100,000 referrals and submits and imports fewer.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import (
    TODAY,
    World,
    machine,
    make_world,
    median_ms,
    p95_ms,
    referral_body,
    timing,
    top_functions,
    verdict,
)
from repeat_data import BulkReferrals
from sqlalchemy import Column, MetaData, Table, Text, Uuid, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import NullType
from submit_floor import floor_ms

from casework.audit import log as audit_log
from casework.crypto import Sealed, encrypted_fields
from casework.crypto import indexes as crypto_indexes
from casework.db import write_intent
from casework.referrals import actions, import_prepare, importer
from casework.referrals import rows as referral_rows
from casework.referrals.actions import submit_referral
from casework.referrals.importer import COLUMNS, import_referrals
from casework.referrals.models import Referral
from casework.referrals.repeat import Person, repeat_among, stored_candidates, victim_keys
from casework.risk.dash import QUESTIONS

SUBMIT_TARGET = 5.0
LOOKUP_TARGET_MS = 5.0
GROWTH_TARGET = 2.0
IMPORT_TARGET = 1_000
SIZES: dict[str, dict[str, Any]] = {
    "default": {
        "submit": 1_000,
        "scales": (10_000, 100_000, 1_000_000),
        "lookups": 200,
        "import": 5_000,
    },
    "quick": {"submit": 300, "scales": (10_000, 100_000), "lookups": 100, "import": 1_000},
    "tiny": {"submit": 8, "scales": (200, 400), "lookups": 4, "import": 10},
}
BLOCK = 50  # submissions and bare inserts alternate in blocks this long
IMPORT_OFFSET = 40_000_000  # name spaces kept apart so generated victims never coincide

# ---------------------------------------------------------------------------------------------
# Submission


def _plain_values(referral: Referral) -> dict[str, Any]:
    """The referral's row as it would be stored without encryption: same columns, plaintext."""
    plain = {}
    for name, descriptor in encrypted_fields(Referral):
        value = getattr(referral, name)
        column = descriptor.location(Referral)[1]
        if value is None or isinstance(value, str):
            plain[column] = value
        elif descriptor.kind == "json":
            plain[column] = json.dumps(value, separators=(",", ":"))
        elif descriptor.kind == "bool":
            plain[column] = "true" if value else "false"
        else:
            plain[column] = str(value)
    mapper = inspect(Referral)
    for column in Referral.__table__.columns:
        if column.name not in plain:
            plain[column.name] = getattr(referral, mapper.get_property_by_column(column).key)
    plain["id"] = uuid.uuid4()
    return plain


def _scratch_table() -> Table:
    """As many columns as ``referrals``, of the same types, but plaintext and unconstrained."""
    columns = []
    for column in Referral.__table__.columns:
        kind = column.type
        if isinstance(kind, Sealed):
            kind = Text()
        elif isinstance(kind, NullType):  # a foreign key not yet resolved: a UUID
            kind = Uuid()
        columns.append(Column(column.name, kind, primary_key=column.primary_key))
    return Table("bench_bare_referrals", MetaData(), *columns)


SUBMIT_PARTS = (
    (actions, "load", "validate (marshmallow)"),
    (actions, "stored_candidates", "repeat check: the victim's earlier referrals"),
    (actions, "repeat_among", "repeat check: decrypt and compare"),
    (crypto_indexes, "sealed_row", "encrypt fields (AES-GCM)"),
    (crypto_indexes, "blind_index", "blind indexes (HMAC)"),
    (referral_rows, "insert_rows", "Core inserts: referral, perpetrator, child"),
    (audit_log, "record", "audit.record"),
    (Session, "flush", "ORM flushes (the audit entry)"),
    (Session, "commit", "commit (seals the audit entry)"),
)


def bench_submit(world: World, count: int, profile: bool) -> dict[str, float]:
    """Referrals a second through ``submit_referral``, against a bare insert of the same rows."""
    engine = world.svc.db.engine
    bare = _scratch_table()
    bare.metadata.create_all(engine)
    warm = 10
    bodies = [referral_body(world.panel_id, n) for n in range(count + warm)]
    for body in bodies[:warm]:
        with write_intent():
            submit_referral(world.svc, world.referrer, body)
            world.settle()
    spent = {"action": 0.0, "bare": 0.0, "action_cpu": 0.0, "bare_cpu": 0.0}
    done = 0
    for first in range(warm, count + warm, BLOCK):
        block = bodies[first : first + BLOCK]
        made = []
        start, start_cpu = time.perf_counter(), time.process_time()
        for body in block:
            with write_intent():  # as the request layer does for a POST
                made.append(submit_referral(world.svc, world.referrer, body))
                world.settle()
        spent["action"] += time.perf_counter() - start
        spent["action_cpu"] += time.process_time() - start_cpu
        rows = [_plain_values(r) for r in made]
        start, start_cpu = time.perf_counter(), time.process_time()
        for row in rows:
            with engine.begin() as conn:
                conn.execute(bare.insert(), row)
        spent["bare"] += time.perf_counter() - start
        spent["bare_cpu"] += time.process_time() - start_cpu
        done += len(block)
        world.svc.db.session.remove()
    figures = {
        "submit_per_second": done / spent["action"],
        "bare_per_second": done / spent["bare"],
        "submit_ratio": spent["action"] / spent["bare"],
        "submit_cpu_ratio": spent["action_cpu"] / spent["bare_cpu"],
    }
    print(f"submission, {done:,} referrals committed one by one (blocks of {BLOCK} alternate):")
    print(
        f"  submit_referral: {figures['submit_per_second']:,.0f} a second "
        f"({spent['action'] / done * 1000:.2f} ms each, "
        f"CPU {spent['action_cpu'] / done * 1000:.2f}; writes referral, perpetrator, child and "
        "audit rows; the commit seals the audit chain)"
    )
    print(
        f"  bare Core insert of a plaintext row of the same columns: "
        f"{figures['bare_per_second']:,.0f} a second ({spent['bare'] / done * 1000:.3f} ms each, "
        f"CPU {spent['bare_cpu'] / done * 1000:.3f})"
    )
    print(
        f"  ratio: {figures['submit_ratio']:.1f}x (of CPU time: {figures['submit_cpu_ratio']:.1f}x)"
    )
    print(verdict(f"at most {SUBMIT_TARGET:g}x the bare insert", figures["submit_ratio"] <= 5))
    if profile or figures["submit_ratio"] > SUBMIT_TARGET:
        row = _plain_values(made[-1])

        def bare_insert() -> None:
            with engine.begin() as conn:
                conn.execute(bare.insert(), {**row, "id": uuid.uuid4()})

        replay, alone = floor_ms(world, bare_insert)
        figures["submit_floor_ratio"] = replay / alone
        print(
            f"  floor: one submission's statements replayed through the sqlite3 driver alone, no "
            f"Python work: {replay:.3f} ms, {replay / alone:.1f}x the bare insert ({alone:.3f} "
            "ms in the same run); validating and sealing add to that"
        )
        _profile_submit(world, count)
    return figures


def _profile_submit(world: World, count: int) -> None:
    sample = max(min(count // 4, 200), 5)
    bodies = [referral_body(world.panel_id, 20_000_000 + n) for n in range(sample)]
    with timing(SUBMIT_PARTS) as totals:
        start = time.perf_counter()
        for body in bodies[: sample // 2]:
            with write_intent():
                submit_referral(world.svc, world.referrer, body)
                world.settle()
        whole = time.perf_counter() - start
    half = sample // 2
    print(f"  where the time goes ({half} more submissions; ms each, nested parts overlap):")
    print(f"    whole submission: {whole / half * 1000:.3f}")
    for _owner, _name, label in SUBMIT_PARTS:
        print(f"    {label}: {totals.get(label, 0.0) / half * 1000:.3f}")
    profiler = cProfile.Profile()
    profiler.enable()
    for body in bodies[half:]:
        with write_intent():
            submit_referral(world.svc, world.referrer, body)
            world.settle()
    profiler.disable()
    print("  cProfile, busiest functions by own time per submission (inflated by the profiler):")
    for line in top_functions(profiler, sample - half, 10):
        print("    " + line)


# ---------------------------------------------------------------------------------------------
# Repeat look-ups


def _lookup_all(
    world: World, people: list[tuple[Person, Person]], day: date
) -> list[tuple[float, float, bool]]:
    """One repeat look-up per victim, each in a fresh session as a request would have:
    (wall seconds, CPU seconds, found a repeat)."""
    out = []
    for victim, perpetrator in people:
        session = world.svc.db.factory()
        try:
            start, start_cpu = time.perf_counter(), time.process_time()
            found = stored_candidates(session, victim_keys(victim))
            answer = repeat_among(found, victim, [perpetrator], day)
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            out.append((wall, cpu, answer.previous is not None))
        finally:
            session.close()
    return out


def bench_repeat(world: World, scales: Sequence[int], lookups: int) -> dict[str, float]:
    """Median look-up time as one database grows through ``scales`` referrals."""
    bulk = BulkReferrals(world, seed=5)
    print(f"repeat look-ups ({lookups} victims on file, {lookups} not), one database growing:")
    existing = bulk.add_targets(lookups)  # through the action: correctly sealed, correct indexes
    missing = bulk.strangers(lookups)
    print(f"  query plan: {bulk.plan(existing[0][0])}")
    figures: dict[str, float] = {}
    for scale in scales:
        start = time.perf_counter()
        bulk.grow_to(scale)
        loaded = time.perf_counter() - start
        _lookup_all(world, existing + missing, TODAY)  # warm the caches, as a live server is
        runs: dict[str, list[tuple[float, float, bool]]] = {"found": [], "absent": []}
        for _ in range(3):
            runs["found"] += _lookup_all(world, existing, TODAY)
            runs["absent"] += _lookup_all(world, missing, TODAY)
        assert all(hit for *_, hit in runs["found"]), "every victim on file must be a repeat"
        assert not any(hit for *_, hit in runs["absent"]), "no stranger may be found"
        line = []
        for kind, label in (("found", "on file"), ("absent", "not on file")):
            wall = [w for w, _, _ in runs[kind]]
            figures[f"lookup_{kind}_ms_{scale}"] = median_ms(wall)
            figures[f"lookup_{kind}_cpu_ms_{scale}"] = median_ms([c for _, c, _ in runs[kind]])
            line.append(
                f"{label} {median_ms(wall):.2f} ms (p95 {p95_ms(wall):.2f}, "
                f"CPU {figures[f'lookup_{kind}_cpu_ms_{scale}']:.2f})"
            )
        print(f"  {scale:>9,} referrals (grown in {loaded:.0f} s): median " + "; ".join(line))
    small, large = scales[0], scales[-1]
    worst = max(figures[f"lookup_{kind}_ms_{large}"] for kind in ("found", "absent"))
    growth = max(
        figures[f"lookup_{kind}_ms_{large}"] / figures[f"lookup_{kind}_ms_{small}"]
        for kind in ("found", "absent")
    )
    cpu_growth = max(
        figures[f"lookup_{kind}_cpu_ms_{large}"] / figures[f"lookup_{kind}_cpu_ms_{small}"]
        for kind in ("found", "absent")
    )
    figures["lookup_growth"] = growth
    print(
        f"  growth {small:,} -> {large:,}: {growth:.2f}x, the worse of the two kinds "
        f"(CPU time: {cpu_growth:.2f}x)"
    )
    print(verdict(f"under {LOOKUP_TARGET_MS:g} ms at {large:,}", worst < LOOKUP_TARGET_MS))
    print(verdict(f"at most {GROWTH_TARGET:g}x the {small:,} figure", growth <= GROWTH_TARGET))
    if large < 1_000_000:
        print("  (the targets are set at 1,000,000 referrals: run without --quick for them)")
    return figures


# ---------------------------------------------------------------------------------------------
# Import


REPEAT_EVERY = 10  # one row in ten is another referral of an earlier row's victim and abuser


def import_csv(rows: int, offset: int = IMPORT_OFFSET) -> list[str]:
    """A CSV of ``rows`` historical referrals in no particular date order; one in ten is of a
    victim already in the file (a repeat or not, as the dates fall)."""
    rng = random.Random(offset)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for n in range(rows):
        again = n >= REPEAT_EVERY and n % REPEAT_EVERY == 0
        body = referral_body(uuid.UUID(int=0), offset + (n - 7 if again else n))
        v, p, c = body["victim"], body["perpetrators"][0], body["children"][0]
        row = {column: "" for column in COLUMNS}
        row.update({f"victim_{k}": _cell(value) for k, value in v.items()})
        row.update({f"perpetrator1_{k}": _cell(value) for k, value in p.items()})
        row.update({f"child1_{k}": _cell(value) for k, value in c.items()})
        row.update({f"dash_{q}": body["risk"]["dash"][q] for q in QUESTIONS})
        row.update(
            referral_date=(TODAY - timedelta(days=rng.randrange(730))).isoformat(),
            referring_agency=rng.choice(("POL", "HLT")),
            status="closed",
            police_incidents_12m="1",
            victim_aware="yes",
            consent="yes",
            summary=body["summary"],
        )
        writer.writerow(row)
    return out.getvalue().splitlines(keepends=True)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


IMPORT_PARTS = (
    (import_prepare, "row_to_body", "CSV row to request body"),
    (import_prepare, "load", "validate (marshmallow)"),
    (import_prepare, "sealed_rows", "seal fields and make blind indexes"),
    (importer, "_write_batch", "write the batches (repeat, decide, insert, audit)"),
    (importer, "stored_candidates", "  of which reading the victims' earlier referrals"),
    (importer, "repeat_among", "  of which deciding repeats"),
    (importer, "decided", "  of which scoring and criteria"),
    (importer, "insert_rows", "  of which bulk inserts"),
    (importer, "record_outcome", "  of which audit entries and near matches"),
    (Session, "commit", "commits (which flush and seal the audit entries)"),
)


def _timed_import(world: World, rows: int, offset: int, parallel: bool) -> tuple[float, float]:
    """(wall, CPU of this process) seconds to import ``rows`` generated rows."""
    text = import_csv(rows, offset)
    start, start_cpu = time.perf_counter(), time.process_time()
    report = import_referrals(world.svc, world.coordinator, world.panel_id, text, parallel=parallel)
    world.settle()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert report.imported == rows and not report.errors, "every generated row must import"
    return elapsed, cpu


IMPORT_RUNS = 3  # of each way, alternating; the median is the figure (shared machines vary)


def bench_import(world: World, rows: int, profile: bool) -> dict[str, float]:
    """Rows a second as ``casework import referrals`` runs (forked processes prepare rows
    while the first writes), and all in one process as the upload page runs; each way
    ``IMPORT_RUNS`` times, alternating, into one growing database."""
    runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for n in range(IMPORT_RUNS * 2):
        parallel = n % 2 == 0
        offset = IMPORT_OFFSET + n * 3_000_000
        runs[parallel].append(_timed_import(world, rows, offset, parallel=parallel))
    rates = {way: sorted(rows / wall for wall, _ in found) for way, found in runs.items()}
    cpu = {way: statistics.median(c for _, c in found) / rows * 1000 for way, found in runs.items()}
    figures = {
        "import_per_second": statistics.median(rates[True]),
        "import_one_process_per_second": statistics.median(rates[False]),
    }
    repeats = world.svc.session.scalar(
        select(func.count()).select_from(Referral).where(Referral.crit_repeat.is_(True))
    )
    print(
        f"import of a {rows:,}-row CSV ({IMPORT_RUNS} runs each way, alternating), one row in "
        f"{REPEAT_EVERY} of a victim met before ({repeats:,} repeats found over all runs), "
        "committed a batch at a time:"
    )
    print(
        f"  as the command line runs it: median {figures['import_per_second']:,.0f} referrals a "
        f"second (runs {', '.join(f'{r:,.0f}' for r in rates[True])}; this process's CPU "
        f"{cpu[True]:.2f} ms a row, two more validating and sealing alongside)"
    )
    print(
        f"  all in one process, as the upload page runs it: median "
        f"{figures['import_one_process_per_second']:,.0f} a second "
        f"(runs {', '.join(f'{r:,.0f}' for r in rates[False])}; CPU {cpu[False]:.2f} ms a row)"
    )
    met = figures["import_per_second"] >= IMPORT_TARGET
    print(verdict(f"at least {IMPORT_TARGET:,} a second", met))
    if profile or not met:
        _profile_import(world, max(min(rows // 5, 1_000), 4))
    return figures


def _profile_import(world: World, rows: int) -> None:
    """Where an import's time goes, all in one process so every part is seen."""
    text = import_csv(rows, IMPORT_OFFSET + 1_000_000)  # other victims than the timed runs'
    with timing(IMPORT_PARTS) as totals:
        start = time.perf_counter()
        import_referrals(world.svc, world.coordinator, world.panel_id, text)
        world.settle()
        whole = time.perf_counter() - start
    print(f"  where the time goes ({rows} more rows in one process; ms a row, indented parts")
    print("  are inside others; the command line moves the first three to forked processes):")
    print(f"    whole import: {whole / rows * 1000:.3f}")
    for _owner, _name, label in IMPORT_PARTS:
        print(f"    {label}: {totals.get(label, 0.0) / rows * 1000:.3f}")
    profiler = cProfile.Profile()
    text = import_csv(rows, IMPORT_OFFSET + 2_000_000)
    profiler.enable()
    import_referrals(world.svc, world.coordinator, world.panel_id, text)
    world.settle()
    profiler.disable()
    print("  cProfile, busiest functions by own time per row (inflated by the profiler):")
    for line in top_functions(profiler, rows, 12):
        print("    " + line)


# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 100,000; fewer rows")
    parser.add_argument("--tiny", action="store_true", help="a few rows (smoke test only)")
    parser.add_argument("--only", choices=("submit", "repeat", "import"), action="append")
    parser.add_argument("--profile", action="store_true", help="profile even if targets are met")
    args = parser.parse_args(argv)
    size = SIZES["tiny" if args.tiny else "quick" if args.quick else "default"]
    parts = args.only or ["submit", "repeat", "import"]
    figures: dict[str, float] = {}
    started = datetime.now(UTC)
    print(f"bench_referrals ({', '.join(parts)}) on {machine()}")
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        for part in parts:
            world = make_world(Path(tmp), part)
            try:
                if part == "submit":
                    figures.update(bench_submit(world, size["submit"], args.profile))
                elif part == "repeat":
                    figures.update(bench_repeat(world, size["scales"], size["lookups"]))
                else:
                    figures.update(bench_import(world, size["import"], args.profile))
            finally:
                world.close()
            print(flush=True)
    print(f"finished in {(datetime.now(UTC) - started).total_seconds():.0f} s")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
