"""MARAC statistics over a million referrals: the full answer against hand-written SQL.

Run: ``.venv/bin/python bench/bench_stats.py [--quick] [--rounds N] [--plans]``.
Targets (issue "Performance statistics"), with 1,000,000 referrals stored on SQLite:

* the full MARAC statistics answer (the ``marac_stats`` action an analyst's request calls:
  the figures and their monthly and quarterly series, all panels, the last 12 months) in
  under 1 s;
* no more than twice the time of the same figures written by hand as a few raw SQL
  statements (``text()``, the same plan), measured in turns in the same run;
* peak memory growing by less than 50 MB during the call (tracemalloc for Python allocations;
  the process's peak resident memory as well, where Linux lets us reset it).

The database is the real migrated schema in a temporary directory, filled by ``stats_data``
(see there for the data). Both ways must give equal figures before anything is timed.
``--quick`` stores 100,000 referrals.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from harness import TODAY, World, make_world, verdict
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from stats_data import Loader

from casework.actors import Actor
from casework.meetings.models import AgendaItem
from casework.referrals.models import Referral
from casework.stats.actions import marac_stats

TIME_TARGET_S = 1.0
RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 50.0
SIZES = {"default": 1_000_000, "quick": 100_000, "tiny": 2_000}
# ---------------------------------------------------------------------------------------------
# The same figures written by hand


def _flag(column: str) -> str:
    return f"count(*) FILTER (WHERE r.{column})"


# The same plan as the action's (casework/stats/marac.py), written by hand: one grouped pass
# over the covering index, agencies looked up apart, cases heard counted from the agenda
# items' copies of their flags. Built from constant column names only, hence the noqa.
MARAC_PANELS = "SELECT id FROM panels WHERE kind = 'marac'"
HAND_REFERRALS = f"""
SELECT strftime('%Y-%m', day) AS month, agency_id, {", ".join(f"sum(c{i})" for i in range(13))}
FROM (
  SELECT r.referral_date AS day, r.referring_agency_id AS agency_id, count(*) AS c0,
         {_flag("crit_repeat")} AS c1, {_flag("crit_visible_high_risk")} AS c2,
         {_flag("crit_professional_judgement")} AS c3,
         {_flag("crit_potential_escalation")} AS c4, {_flag("victim_bme")} AS c5,
         {_flag("victim_lgbt")} AS c6, {_flag("victim_disability")} AS c7,
         {_flag("victim_male")} AS c8, {_flag("victim_aged_16_17")} AS c9,
         {_flag("idva_offered")} AS c10, {_flag("idva_engaged")} AS c11,
         coalesce(sum(r.children_count), 0) AS c12
  FROM referrals r
  WHERE r.panel_id IN ({MARAC_PANELS}) AND r.referral_date BETWEEN :start AND :end
    AND r.status <> 'withdrawn'
  GROUP BY r.panel_id, r.referral_date, r.referring_agency_id
)
GROUP BY month, agency_id
"""  # noqa: S608
HAND_AGENCIES = "SELECT id, code, sector, is_police FROM agencies"
HAND_YOUNG = f"""
SELECT count(DISTINCT p.referral_id)
FROM referral_perpetrators p JOIN referrals r ON r.id = p.referral_id
WHERE p.aged_17_or_under = 1 AND r.panel_id IN ({MARAC_PANELS})
  AND r.referral_date BETWEEN :start AND :end AND r.status <> 'withdrawn'
"""  # noqa: S608
HELD = f"""m.panel_id IN ({MARAC_PANELS}) AND m.status IN ('held', 'closed')
  AND m.starts_at >= :start AND m.starts_at < :stop"""  # noqa: S608
HAND_MEETINGS = f"SELECT count(*) FROM meetings m WHERE {HELD}"  # noqa: S608
HAND_HEARD = f"""
SELECT count(*), count(*) FILTER (WHERE i.case_repeat), coalesce(sum(i.case_children), 0)
FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
WHERE {HELD} AND i.kind = 'referral'
"""  # noqa: S608
HAND_POPULATION = "SELECT adult_female_population FROM panels WHERE kind = 'marac'"
CRITERIA = ("visible_high_risk", "professional_judgement", "potential_escalation", "repeat")
VICTIMS = ("bme", "lgbt", "disability", "male", "aged_16_17")


def _rate(part: int, total: int) -> float | None:
    return None if not total else round(part / total, 4)


def _period(name: str, total: int, repeat: int, non_police: int) -> dict[str, Any]:
    return {
        "period": name,
        "total": total,
        "repeat": repeat,
        "repeat_rate": _rate(repeat, total),
        "non_police": non_police,
        "non_police_rate": _rate(non_police, total),
    }


def hand_written(conn: Connection, start: date, end: date) -> dict[str, Any]:
    """The full answer from six raw statements, folded in Python the obvious way."""
    span = {"start": start.isoformat(), "end": end.isoformat()}
    groups = conn.execute(text(HAND_REFERRALS), span).all()
    agencies = {row[0]: row[1:] for row in conn.execute(text(HAND_AGENCIES))}
    total = repeat = police = children = offered = engaged = 0
    criteria = dict.fromkeys(CRITERIA, 0)
    victims = dict.fromkeys(VICTIMS, 0)
    by_agency: dict[str, int] = {}
    by_sector: dict[str, int] = {}
    months: dict[str, list[int]] = {}
    for month_key, agency_id, n, rep, vhr, pj, esc, *rest in groups:
        code, sector, is_police = agencies[agency_id]
        total, repeat, children = total + n, repeat + rep, children + rest[-1]
        offered, engaged = offered + rest[-3], engaged + rest[-2]
        police += n if is_police else 0
        for key, value in zip(CRITERIA, (vhr, pj, esc, rep), strict=True):
            criteria[key] += value
        for key, value in zip(VICTIMS, rest[:-3], strict=True):
            victims[key] += value
        by_agency[code] = by_agency.get(code, 0) + n
        by_sector[sector] = by_sector.get(sector, 0) + n
        month = months.setdefault(month_key, [0, 0, 0])
        month[0], month[1] = month[0] + n, month[1] + rep
        month[2] += 0 if is_police else n
    young = conn.execute(text(HAND_YOUNG), span).scalar_one()
    stamps = {
        "start": f"{start.isoformat()} 00:00:00.000000",
        "stop": f"{(end + timedelta(days=1)).isoformat()} 00:00:00.000000",
    }
    meetings = conn.execute(text(HAND_MEETINGS), stamps).scalar_one()
    cases, heard_repeat, heard_children = conn.execute(text(HAND_HEARD), stamps).one()
    populations = conn.execute(text(HAND_POPULATION)).scalars().all()
    volume = None
    if populations and all(populations):
        volume = round(total / sum(populations) * 10_000 * 365.25 / ((end - start).days + 1), 2)
    monthly, quarterly = [], {}
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        key = f"{cursor.year:04d}-{cursor.month:02d}"
        values = months.get(key, [0, 0, 0])
        monthly.append(_period(key, *values))
        quarter = quarterly.setdefault(f"{cursor.year}-Q{(cursor.month - 1) // 3 + 1}", [0, 0, 0])
        for i in range(3):
            quarter[i] += values[i]
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "referrals": {
            "total": total,
            "repeat": repeat,
            "repeat_rate": _rate(repeat, total),
            "police": police,
            "non_police": total - police,
            "non_police_rate": _rate(total - police, total),
            "by_agency": dict(sorted(by_agency.items())),
            "by_sector": dict(sorted(by_sector.items())),
            "criteria": criteria,
            "victims": victims,
            "perpetrators_17_or_under": young,
            "children": children,
            "idva": {
                "offered": offered,
                "engaged": engaged,
                "engagement_rate": _rate(engaged, offered),
            },
            "volume_per_10k": volume,
        },
        "heard": {
            "meetings": meetings,
            "cases": cases,
            "repeat": heard_repeat,
            "repeat_rate": _rate(heard_repeat, cases),
            "children": heard_children,
        },
        "series": {
            "monthly": monthly,
            "quarterly": [_period(k, *v) for k, v in quarterly.items()],
        },
    }


# ---------------------------------------------------------------------------------------------
# Measuring


def _last_12_months() -> tuple[date, date]:
    end = TODAY
    return date(end.year - 1, end.month, end.day) + timedelta(days=1), end


def _alternating(world: World, analyst: Actor, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per full answer through the action, and by hand, taken in turns."""
    start, end = _last_12_months()
    query = {"from": start.isoformat(), "to": end.isoformat()}
    svc, action_times, hand_times = world.svc, [], []
    for _ in range(rounds):
        began = time.perf_counter()
        marac_stats(svc, analyst, query)
        action_times.append(time.perf_counter() - began)
        svc.db.session.remove()
        with svc.db.engine.connect() as conn:
            began = time.perf_counter()
            hand_written(conn, start, end)
            hand_times.append(time.perf_counter() - began)
    return action_times, hand_times


def _peak_mb(world: World, analyst: Actor) -> float:
    start, end = _last_12_months()
    query = {"from": start.isoformat(), "to": end.isoformat()}
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        marac_stats(world.svc, analyst, query)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        world.svc.db.session.remove()
    return (peak - before) / 1_048_576


def _rss_growth_mb(world: World, analyst: Actor) -> float:
    """Peak resident memory during the call over resident memory before it (Linux: the peak
    is reset through /proc/self/clear_refs), so SQLite's own caches and sorts count too."""
    start, end = _last_12_months()
    query = {"from": start.isoformat(), "to": end.isoformat()}
    status = Path("/proc/self/status")
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return math.nan
    before = _status_kb(status, "VmRSS")
    marac_stats(world.svc, analyst, query)
    world.svc.db.session.remove()
    return (_status_kb(status, "VmHWM") - before) / 1024


def _status_kb(status: Path, key: str) -> int:
    line = next(x for x in status.read_text().splitlines() if x.startswith(key + ":"))
    return int(line.split()[1])


def _same(world: World, analyst: Actor) -> None:
    """Both ways must give the same figures, or the comparison means nothing."""
    start, end = _last_12_months()
    _, figures = marac_stats(world.svc, analyst, {"from": start.isoformat(), "to": end.isoformat()})
    world.svc.db.session.remove()
    with world.svc.db.engine.connect() as conn:
        by_hand = hand_written(conn, start, end)
    assert figures == by_hand, "the action and the hand-written SQL disagree"


def plans(world: World) -> Iterator[str]:
    """SQLite's query plans for the hand-written statements (which indexes they use)."""
    start, end = _last_12_months()
    params = {"start": start.isoformat(), "end": end.isoformat(), "stop": end.isoformat()}
    with world.svc.db.engine.connect() as conn:
        for name, sql in (("referrals", HAND_REFERRALS), ("heard", HAND_HEARD)):
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql), params).all()
            yield f"  plan {name}: " + "; ".join(str(r[-1]) for r in rows)


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 referrals")
    parser.add_argument("--tiny", action="store_true", help="a few rows (smoke test only)")
    parser.add_argument("--rounds", type=int, default=7, help="timed answers of each kind")
    parser.add_argument("--plans", action="store_true", help="print SQLite's query plans")
    args = parser.parse_args(argv)
    size = SIZES["tiny" if args.tiny else "quick" if args.quick else "default"]
    rounds = 2 if args.tiny else args.rounds
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        world = make_world(Path(tmp), "stats")
        try:
            loader = Loader(world)
            loader.partnership()
            began = time.perf_counter()
            loader.load(size)
            with world.svc.db.engine.connect() as conn:
                stored = conn.scalar(select(func.count()).select_from(Referral))
                heard = conn.scalar(select(func.count()).select_from(AgendaItem))
            assert stored == size, (stored, size)
            print(
                f"stored {stored:,} referrals and {heard:,} agenda items "
                f"in {time.perf_counter() - began:.0f} s",
                flush=True,
            )
            assert loader.analyst is not None
            _same(world, loader.analyst)
            if args.plans:
                for line in plans(world):
                    print(line)
            _alternating(world, loader.analyst, 1)  # warm the caches both ways
            action_times, hand_times = _alternating(world, loader.analyst, rounds)
            memory = _peak_mb(world, loader.analyst)
            rss = _rss_growth_mb(world, loader.analyst)
        finally:
            world.close()
    action_s, hand_s = statistics.median(action_times), statistics.median(hand_times)
    ratio = action_s / hand_s
    print(f"full MARAC answer, all panels, 12 months ({rounds} runs, median):")
    print(f"  through the action: {action_s * 1000:8.1f} ms")
    print(f"  hand-written SQL:   {hand_s * 1000:8.1f} ms")
    print(f"  ratio:              {ratio:8.2f}")
    print(f"  peak memory growth: {memory:8.2f} MB (Python allocations, tracemalloc)")
    print(f"  peak RSS growth:    {rss:8.2f} MB (whole process, SQLite included)")
    print(verdict(f"under {TIME_TARGET_S:.0f} s", action_s < TIME_TARGET_S))
    print(verdict(f"at most {RATIO_TARGET:.0f}x hand-written SQL", ratio <= RATIO_TARGET))
    within = memory < MEMORY_TARGET_MB and not rss >= MEMORY_TARGET_MB  # nan: not measured
    print(verdict(f"memory growth under {MEMORY_TARGET_MB:.0f} MB", within))
    return {
        "action_ms": action_s * 1000,
        "hand_ms": hand_s * 1000,
        "ratio": ratio,
        "memory_mb": memory,
        "rss_mb": rss,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
