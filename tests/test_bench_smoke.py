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
