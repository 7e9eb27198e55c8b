"""The search benchmark still runs at its smallest size (figures checked, never speed)."""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import pytest

from casework.crypto import fields as crypto_fields
from casework.crypto import indexes as crypto_indexes

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_search_benchmark_reports_each_size_and_the_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.setattr(crypto_fields, "_ring", crypto_fields._ring)
    monkeypatch.setattr(crypto_fields, "_source", crypto_fields._source)
    monkeypatch.setattr(crypto_indexes, "_bits", crypto_indexes._bits)
    figures = importlib.import_module("bench_search").main(["--tiny"])
    for name in ("exact_ms_500", "similar_ms_2000", "ratio"):
        assert math.isfinite(figures[name]) and figures[name] > 0, name
