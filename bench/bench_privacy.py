"""What field encryption plus audit cost a request that reads one whole referral.

Run: ``.venv/bin/python bench/bench_privacy.py [--quick] [--profile]``. Target (issue "Privacy
core"): the request with both on takes at most 1.5 times as long as with both switched off.

The request is ``GET /api/v1/referrals/<id>`` through the whole Flask stack (test client, bearer
token, sharing engine, one transaction whose commit seals the audit entries) by a police referrer
on the panel, who may see every field. "Switched off" does the same work minus the privacy
machinery: a second database is written and read with an identity cipher in place of AES-GCM (the
``encrypted`` descriptors still encode, store and decode every field, but the column holds the
plaintext) and ``audit.record`` replaced by a no-op, so nothing is audited and nothing is sealed.
The two variants alternate request by request, each on a random referral, so drift in the
machine's speed falls on both alike; the figures are medians and 95th percentiles per request.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

from flask.testing import FlaskClient
from harness import (
    World,
    machine,
    make_world,
    median_ms,
    p95_ms,
    referral_body,
    timing,
    top_functions,
    verdict,
    word,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import http
from casework.audit import log as audit_log
from casework.audit.models import AuditEntry
from casework.crypto import fields
from casework.referrals.actions import submit_referral
from casework.referrals.models import Referral

TARGET = 1.5
SIZES = {  # referrals stored, timed requests per variant, warm-up requests per variant
    "default": (2_000, 2_000, 200),
    "quick": (500, 400, 50),
    "tiny": (12, 10, 3),
}


def _store_plain(_ring: Any, _table: str, _column: str, _row_id: Any, plaintext: bytes) -> bytes:
    return bytes(plaintext)


def _store_plain_row(_ring: Any, _row_id: Any, cells: list[tuple[str, str, bytes]]) -> list[bytes]:
    return [bytes(plaintext) for _table, _column, plaintext in cells]


def _read_plain(_ring: Any, _table: str, _column: str, _row_id: Any, stored: bytes) -> bytes:
    return bytes(stored)


def _primary_key_id(_stored: bytes) -> str:
    return fields.current_ring().primary


def _no_audit(*_args: Any, **_kwargs: Any) -> None:
    return None


@contextmanager
def switched_off() -> Iterator[None]:
    """Plaintext columns and no audit: the same request with the privacy machinery removed.

    ``fields`` imported ``seal``, ``seal_row``, ``open_`` and ``key_id_of`` by name, so those
    names are the ones replaced; the key ring's per-request freshness check goes too, as there
    is no ring.
    """
    with ExitStack() as stack:
        stack.enter_context(patch.object(fields, "seal", _store_plain))
        stack.enter_context(patch.object(fields, "seal_row", _store_plain_row))
        stack.enter_context(patch.object(fields, "open_", _read_plain))
        stack.enter_context(patch.object(fields, "key_id_of", _primary_key_id))
        stack.enter_context(patch.object(audit_log, "record", _no_audit))
        stack.enter_context(patch.object(http, "reload_keyring_if_changed", lambda: False))
        yield


def _fill(world: World, count: int) -> list[str]:
    """``count`` referrals through the submission action; referral ``n`` is the same in both
    databases, so the two variants read the same data."""
    ids = []
    for n in range(count):
        referral = submit_referral(world.svc, world.referrer, referral_body(world.panel_id, n))
        ids.append(str(referral.id))
        if n % 100 == 99:
            world.settle()
    world.settle()
    world.svc.db.session.remove()
    return ids


def _get(client: FlaskClient, url: str, headers: dict[str, str]) -> tuple[float, float, Any]:
    """Wall-clock and CPU seconds of one request, and its response."""
    start, start_cpu = time.perf_counter(), time.process_time()
    response = client.get(url, headers=headers)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed, cpu, response


def _audit_count(world: World, sealed_only: bool = False) -> int:
    with world.svc.db.transaction() as session:
        stmt = select(func.count()).select_from(AuditEntry)
        if sealed_only:
            stmt = stmt.where(AuditEntry.seq.is_not(None))
        return session.scalar(stmt) or 0


def _check_really_off(on: World, off: World, on_ids: list[str], off_ids: list[str]) -> None:
    """The baseline must store plaintext and answer exactly what the real thing answers."""
    stored = []
    for world, ids in ((on, on_ids), (off, off_ids)):
        sql = select(Referral.victim_last_name_ct).where(Referral.id == uuid.UUID(ids[0]))
        with world.svc.db.engine.connect() as conn:
            stored.append(conn.execute(sql).scalar_one())
    stored_on, stored_off = stored
    assert stored_off == word(0).encode(), "the switched-off database should hold plaintext"
    assert word(0).encode() not in stored_on, "the real database should hold an envelope"
    for n in range(min(5, len(on_ids))):
        bodies = []
        for world, ids, ctx in ((on, on_ids, ExitStack()), (off, off_ids, switched_off())):
            with ctx:
                *_, response = _get(world.app.test_client(), _url(ids[n]), _auth(world))
            body = response.get_json()
            own = ("id", "reference", "panel_id")  # made afresh in each database
            bodies.append({k: v for k, v in body.items() if k not in own})
        assert bodies[0] == bodies[1], "both variants must answer the same referral"
    assert _audit_count(off) == 0, "the switched-off variant must audit nothing"


def _url(referral_id: str) -> str:
    return f"/api/v1/referrals/{referral_id}"


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token}"}


def _run(
    on: World, off: World, on_ids: list[str], off_ids: list[str], requests: int, seed: int
) -> dict[str, list[tuple[float, float]]]:
    """Alternate the variants (and which goes first) request by request on random referrals;
    (wall, CPU) seconds per request for each."""
    rng = random.Random(seed)
    clients = {"on": on.app.test_client(), "off": off.app.test_client()}
    times: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    for k in range(requests):
        n = rng.randrange(len(on_ids))
        for variant in ("on", "off") if k % 2 == 0 else ("off", "on"):
            if variant == "on":
                elapsed, cpu, _ = _get(clients["on"], _url(on_ids[n]), _auth(on))
            else:
                with switched_off():
                    elapsed, cpu, _ = _get(clients["off"], _url(off_ids[n]), _auth(off))
            times[variant].append((elapsed, cpu))
    return times


PARTS = (
    (fields, "open_", "decrypt fields (AES-GCM open)"),
    (audit_log, "record", "audit.record (insert and flush)"),
    (Session, "commit", "commit the request's transaction"),
)


def _attribute(world: World, ids: list[str], requests: int, off: bool) -> dict[str, float]:
    """Wall-clock milliseconds per request spent in each part of the privacy work."""
    rng = random.Random(99)
    client = world.app.test_client()
    with ExitStack() as stack:
        if off:
            stack.enter_context(switched_off())
        totals = stack.enter_context(timing(PARTS))
        start = time.perf_counter()
        for _ in range(requests):
            _get(client, _url(ids[rng.randrange(len(ids))]), _auth(world))
        totals["whole request"] = time.perf_counter() - start
    return {label: seconds / requests * 1000 for label, seconds in totals.items()}


def _profile(on: World, off: World, on_ids: list[str], off_ids: list[str], requests: int) -> None:
    """Where the extra time goes: timed parts per variant, then cProfile's busiest functions."""
    parts = {"on": _attribute(on, on_ids, requests, off=False)}
    parts["off"] = _attribute(off, off_ids, requests, off=True)
    print(f"\nwhere the time goes ({requests} more requests per variant; ms per request):")
    for label in parts["on"]:
        print(f"  {label}: on {parts['on'][label]:.3f}, off {parts['off'].get(label, 0.0):.3f}")
    profiler = cProfile.Profile()
    rng = random.Random(98)
    client = on.app.test_client()
    profiler.enable()
    for _ in range(requests):
        _get(client, _url(on_ids[rng.randrange(len(on_ids))]), _auth(on))
    profiler.disable()
    print("  cProfile, variant on, busiest functions by own time (inflated by the profiler):")
    for line in top_functions(profiler, requests):
        print("    " + line)


def _report(
    times: dict[str, list[tuple[float, float]]], referrals: int, requests: int, warmup: int
) -> dict[str, float]:
    figures = {}
    for variant in ("on", "off"):
        wall = [w for w, _ in times[variant]]
        figures[f"median_{variant}_ms"] = median_ms(wall)
        figures[f"p95_{variant}_ms"] = p95_ms(wall)
        figures[f"cpu_median_{variant}_ms"] = median_ms([c for _, c in times[variant]])
    figures["ratio"] = figures["median_on_ms"] / figures["median_off_ms"]
    figures["cpu_ratio"] = figures["cpu_median_on_ms"] / figures["cpu_median_off_ms"]
    print(
        f"GET /api/v1/referrals/<id> as a police referrer on the panel, SQLite, "
        f"{referrals:,} referrals; {requests:,} requests per variant after {warmup} warm-up, "
        "interleaved"
    )
    for variant, label in (("on", "encryption + audit on"), ("off", "both switched off   ")):
        print(
            f"  {label}: median {figures[f'median_{variant}_ms']:.2f} ms, "
            f"p95 {figures[f'p95_{variant}_ms']:.2f} ms "
            f"(CPU median {figures[f'cpu_median_{variant}_ms']:.2f} ms)"
        )
    print(
        f"  ratio of medians: {figures['ratio']:.2f}x "
        f"(of CPU-time medians, which other work on the machine disturbs less: "
        f"{figures['cpu_ratio']:.2f}x)"
    )
    print(verdict(f"at most {TARGET}x", figures["ratio"] <= TARGET))
    return figures


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 referrals, 400 requests")
    parser.add_argument("--tiny", action="store_true", help="a few requests (smoke test only)")
    parser.add_argument("--profile", action="store_true", help="profile even if the target is met")
    args = parser.parse_args(argv)
    size = "tiny" if args.tiny else "quick" if args.quick else "default"
    referrals, requests, warmup = SIZES[size]

    print(f"bench_privacy ({size}) on {machine()}")
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        instance = Path(tmp)
        on = make_world(instance, "encrypted")
        with switched_off():
            off = make_world(instance, "plaintext")
        try:
            print(f"writing {referrals:,} referrals into each database ...", flush=True)
            on_ids = _fill(on, referrals)
            with switched_off():
                off_ids = _fill(off, referrals)
            _check_really_off(on, off, on_ids, off_ids)
            audited_before = _audit_count(on)
            _run(on, off, on_ids, off_ids, warmup, seed=1)
            gc.collect()
            times = _run(on, off, on_ids, off_ids, requests, seed=2)
            audited = _audit_count(on) - audited_before
            unsealed = audited_before + audited - _audit_count(on, sealed_only=True)
            assert audited == warmup + requests, "every real read must be audited"
            assert unsealed == 0, "every audit entry must be sealed"
            assert _audit_count(off) == 0

            figures = _report(times, referrals, requests, warmup)
            if args.profile or figures["ratio"] > TARGET:
                _profile(on, off, on_ids, off_ids, max(requests // 4, 5))
        finally:
            on.close()
            off.close()
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
