"""The benchmarks still run: each at its smallest size, checked for figures, never for speed.

Benchmarks are run by hand (README, Benchmarks); this only stops them rotting as the code they
drive changes.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from casework.crypto import fields as crypto_fields
from casework.crypto import indexes as crypto_indexes

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture()
def load(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """Import a benchmark as a script sees it (bench/ on the path), and afterwards put back the
    process-wide key ring that the benchmark's own app replaced."""
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.setattr(crypto_fields, "_ring", crypto_fields._ring)
    monkeypatch.setattr(crypto_fields, "_source", crypto_fields._source)
    monkeypatch.setattr(crypto_indexes, "_bits", crypto_indexes._bits)

    def _load(name: str) -> ModuleType:
        return importlib.import_module(name)

    return _load


def _numeric(figures: dict[str, float], *names: str) -> None:
    for name in names:
        assert name in figures, f"missing figure {name}"
        value = figures[name]
        assert isinstance(value, float) and math.isfinite(value) and value > 0, (name, value)


def test_privacy_benchmark_reports_both_variants_and_their_ratio(
    load: Callable[[str], ModuleType],
) -> None:
    figures = load("bench_privacy").main(["--tiny"])
    _numeric(figures, "median_on_ms", "p95_on_ms", "median_off_ms", "p95_off_ms", "ratio")


def test_referrals_benchmark_reports_submission_lookups_and_import(
    load: Callable[[str], ModuleType],
) -> None:
    figures = load("bench_referrals").main(["--tiny"])
    _numeric(figures, "submit_per_second", "bare_per_second", "submit_ratio")
    _numeric(figures, "lookup_found_ms_200", "lookup_absent_ms_400", "lookup_growth")
    _numeric(figures, "import_per_second", "import_one_process_per_second")
    if figures["submit_ratio"] > 5:  # the floor is measured whenever the target is missed
        _numeric(figures, "submit_floor_ratio")


def test_crypto_benchmark_runs(
    load: Callable[[str], ModuleType],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = load("bench_crypto")
    monkeypatch.setattr(bench, "BATCHES", 1)
    monkeypatch.setattr(bench, "BATCH_SIZE", 10)
    bench.main()
    lines = [line for line in capsys.readouterr().out.splitlines() if line.endswith(" us")]
    assert len(lines) == 6 and all(float(line.split(": ")[1][:-3]) > 0 for line in lines)


def test_stats_benchmark_reports_times_ratio_and_memory(
    load: Callable[[str], ModuleType],
) -> None:
    # main() also checks that the action and the hand-written SQL give the same figures
    figures = load("bench_stats").main(["--tiny"])
    _numeric(figures, "action_ms", "hand_ms", "ratio", "memory_mb")


def test_the_million_row_list_data_can_be_listed_in_its_month(
    load: Callable[[str], ModuleType], tmp_path: Path
) -> None:
    """``bench_http --million`` lists a month among bulk rows: the month's rows must open."""
    from datetime import date

    from casework.referrals.actions import list_referrals, submit_referral

    harness, list_data = load("harness"), load("list_data")
    first, last = date(2025, 12, 1), date(2025, 12, 31)
    world = harness.make_world(tmp_path, "list")
    try:
        with world.app.app_context():
            svc = world.svc
            for n in range(3):
                body = harness.referral_body(world.panel_id, 1000 + n, last)
                submit_referral(svc, world.referrer, body)
            world.settle()
            bulk = list_data.MonthBulk(world, 1, first, last)
            bulk.start()
            bulk.grow_to(bulk.count + 1_000)
            query = {"panel_id": str(world.panel_id), "from": str(first), "to": str(last)}
            listed = list_referrals(svc, world.police, query)
            assert bulk.sealed > 0
            assert len(listed) == 3 + bulk.sealed
            assert all(r["victim"]["last_name"] and r["perpetrators"] for r in listed)
    finally:
        world.close()
