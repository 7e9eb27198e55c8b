"""MARAC statistics over a million referrals: the full answer against hand-written SQL.

Run: ``.venv/bin/python bench/bench_stats.py [--quick] [--repeat N]``.
Targets (issue "Performance statistics"), with 1,000,000 referrals stored on SQLite:

* the full MARAC statistics answer (the ``marac_stats`` action an analyst's request calls:
  ``marac_figures`` and ``series`` for all panels over the last 12 months) in under 1 s;
* no more than twice the time of the same figures written by hand as a few raw SQL
  statements (``text()``), measured in the same run on the same database;
* peak memory growing by less than 50 MB during the call (tracemalloc, Python allocations).

The database is the real migrated schema in a temporary directory. Agencies and panels are made
through the actions users call; referrals (dates over three years with growth, seasons and
quiet weekends; police and partner agencies in national proportions; SafeLives flags, criteria,
children), perpetrators for nearly all of them, and weekly meetings of six panels with every
heard referral on an agenda are bulk-inserted with SQLAlchemy Core ``executemany`` in large
batches. Ciphertext columns hold random bytes of realistic sizes: statistics never open them,
but they make rows as wide as real ones. ``--quick`` stores 100,000 referrals.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import TODAY, World, make_world, verdict
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from casework.accounts.actions import create_user
from casework.accounts.auth import actor_for
from casework.actors import Actor
from casework.agencies.actions import create_agency
from casework.meetings.models import AgendaItem, Meeting
from casework.panels.actions import create_panel
from casework.panels.models import Panel
from casework.referrals.models import Referral
from casework.stats.actions import marac_stats

TIME_TARGET_S = 1.0
RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 50.0
SIZES = {"default": 1_000_000, "quick": 100_000, "tiny": 2_000}
BATCH = 25_000
YEARS = 3
# (code, sector, police, share of referrals): police about 64%, as nationally.
AGENCIES = (
    ("POL", "police", True, 0.64),
    ("IDV", "idva", False, 0.10),
    ("HLT", "health", False, 0.07),
    ("CSC", "children_social_care", False, 0.06),
    ("HSG", "housing", False, 0.04),
    ("PRB", "probation", False, 0.03),
    ("MHS", "mental_health", False, 0.02),
    ("VOL", "voluntary", False, 0.02),
    ("EDU", "education", False, 0.01),
    ("SUB", "substance_misuse", False, 0.01),
)
# (name, adult female population, share of referrals)
PANELS = (
    ("North MARAC", 210_000, 0.24),
    ("South MARAC", 180_000, 0.20),
    ("East MARAC", 150_000, 0.17),
    ("West MARAC", 140_000, 0.16),
    ("City MARAC", 120_000, 0.14),
    ("Rural MARAC", 90_000, 0.09),
)
CHILDREN = ((0, 0.40), (1, 0.25), (2, 0.20), (3, 0.10), (4, 0.04), (5, 0.01))
# ciphertext column -> envelope size in bytes (nonce, tag, key id and a typical value)
REFERRAL_BLOBS = {
    "victim_first_name": 48,
    "victim_last_name": 52,
    "victim_dob": 50,
    "victim_gender": 46,
    "victim_ethnicity": 58,
    "victim_address": 110,
    "victim_postcode": 47,
    "victim_phone": 51,
    "victim_safe_to_call": 41,
    "dash_answers": 260,
    "police_incidents_12m": 41,
    "judgement_reason": 90,
    "victim_aware": 41,
    "consent": 41,
    "summary": 420,
}
PERPETRATOR_BLOBS = {
    "first_name": 48,
    "last_name": 52,
    "date_of_birth": 50,
    "relationship_to_victim": 55,
}


# ---------------------------------------------------------------------------------------------
# The partnership and its history


def _day_weights(start: date, days: int) -> list[float]:
    """Referrals per day: 10% growth a year, a winter peak, quieter weekends."""
    weights = []
    for i in range(days):
        day = start + timedelta(days=i)
        growth = 1 + 0.10 * i / 365
        season = 1 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 355) / 365)
        weekday = 0.45 if day.weekday() >= 5 else 1.0
        weights.append(growth * season * weekday)
    return weights


def _per_day(total: int, start: date, days: int) -> list[int]:
    weights = _day_weights(start, days)
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):  # hand out the rounding remainder evenly
        counts[(i * 7919) % days] += 1
    return counts


class Loader:
    """Bulk rows for one benchmark database, reproducible from ``seed``."""

    def __init__(self, world: World, seed: int = 7) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.blobs = {
            name: [self.rng.randbytes(size + self.rng.randrange(-6, 7)) for _ in range(32)]
            for name, size in {**REFERRAL_BLOBS, **PERPETRATOR_BLOBS}.items()
        }
        self.panels: list[uuid.UUID] = []
        self.shares: list[float] = []
        self.agency_choice: tuple[list[Any], list[float]] = ([], [])
        self.panel_choice: tuple[list[Any], list[float]] = ([], [])
        self.children_choice = _cumulative(CHILDREN)
        self.meetings: dict[str, list[tuple[date, str, str]]] = {}
        self.positions: dict[str, int] = {}
        self.count = 0
        self.analyst: Actor | None = None

    def partnership(self) -> None:
        """Agencies, six MARAC panels with populations, and an analyst, through the actions."""
        svc, system = self.world.svc, Actor.system("bench")
        existing = {"POL", "HLT"}  # made by the harness
        for code, sector, police, _ in AGENCIES:
            if code not in existing:
                create_agency(
                    svc,
                    system,
                    {"code": code, "name": f"{code} agency", "sector": sector, "police": police},
                )
        create_agency(
            svc,
            system,
            {"code": "CSP", "name": "CSP", "sector": "local_authority", "police": False},
        )
        codes = [a[0] for a in AGENCIES]
        # The harness's own panel takes no referrals; it stays in "all panels" like a new one.
        svc.session.execute(Panel.__table__.update().values(adult_female_population=50_000))
        for name, population, share in PANELS:
            panel = create_panel(
                svc,
                system,
                {
                    "kind": "marac",
                    "name": name,
                    "area": name.split()[0],
                    "agencies": [*codes, "CSP"],
                    "schedule": "day=1st tue; hour=10",
                    "adult_female_population": population,
                },
            )
            self.panels.append(panel.id)
            self.shares.append(share)
        analyst = create_user(
            svc,
            system,
            {
                "email": "analyst@example.org",
                "name": "Analyst",
                "agency": "CSP",
                "roles": ["analyst"],
                "password": "benchmark staple horse battery",
            },
        )
        self.world.settle()
        self.analyst = actor_for(analyst, via="web")
        from casework.agencies.models import Agency

        by_code = {a.code: a.id for a in svc.session.scalars(select(Agency))}
        self.agency_choice = _cumulative([(by_code[a[0]].hex, a[3]) for a in AGENCIES])
        self.panel_choice = _cumulative(
            [(p.hex, s) for p, s in zip(self.panels, self.shares, strict=True)]
        )
        svc.db.session.remove()

    def load(self, total: int) -> None:
        start = TODAY - timedelta(days=365 * YEARS)
        counts = _per_day(total, start, (TODAY - start).days + 1)
        with self.world.svc.db.engine.connect() as conn:
            # A larger page cache for the load only: random UUID keys touch every index page.
            conn.connection.dbapi_connection.execute("PRAGMA cache_size=-262144")
            self._meetings(conn, start)
            batch: list[date] = []
            for offset, count in enumerate(counts):
                batch.extend([start + timedelta(days=offset)] * count)
                if len(batch) >= BATCH:
                    self._insert(conn, batch)
                    batch = []
            if batch:
                self._insert(conn, batch)
            conn.connection.dbapi_connection.execute("PRAGMA cache_size=-2000")

    def _id(self) -> str:
        """A reproducible UUID in SQLAlchemy's SQLite storage form (32 hex digits)."""
        return f"{self.rng.getrandbits(128):032x}"

    def _meetings(self, conn: Connection, start: date) -> None:
        """Weekly meetings per panel (each on its own weekday), three weeks into the future."""
        rows = []
        for i, panel_id in enumerate(self.panels):
            day = start + timedelta(days=(1 + i % 4 - start.weekday()) % 7)
            slots = []
            while day <= TODAY + timedelta(days=21):
                at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
                past = day < TODAY
                status = "held" if past else "scheduled"
                if day < TODAY - timedelta(days=14):
                    status = "closed"
                if past and self.rng.random() < 0.01:
                    status = "cancelled"
                meeting_id = uuid.UUID(self._id())
                rows.append(
                    {
                        "id": meeting_id,
                        "panel_id": panel_id,
                        "starts_at": at,
                        "status": status,
                        "agenda_status": "published" if past else "draft",
                        "agenda_version": 1 if past else 0,
                        "circulated_at": at - timedelta(days=7) if past else None,
                        "created_at": at - timedelta(days=60),
                    }
                )
                if status != "cancelled":
                    slots.append((day, meeting_id.hex, _stamp(at - timedelta(days=10))))
                day += timedelta(days=7)
            self.meetings[panel_id.hex] = slots
        with conn.begin():
            conn.execute(Meeting.__table__.insert(), rows)

    def _meeting_for(self, panel_id: str, referred: date) -> tuple[date, str, str]:
        """The first meeting at least a week after the referral (cut-off and research time)."""
        slots = self.meetings[panel_id]
        i = bisect.bisect_left(slots, (referred + timedelta(days=7),))
        return slots[min(i, len(slots) - 1)]

    def _insert(self, conn: Connection, days: Sequence[date]) -> None:
        """One batch through the driver's executemany, values already in storage form: the
        ORM's per-value type processing would make the load, not SQLite, the slow part."""
        referrals, perpetrators, items = [], [], []
        for referred in days:
            referral, perps, item = self._referral(referred)
            referrals.append(referral)
            perpetrators.extend(perps)
            if item:
                items.append(item)
        with conn.begin():
            for table, rows in (
                ("referrals", referrals),
                ("referral_perpetrators", perpetrators),
                ("agenda_items", items),
            ):
                if rows:
                    conn.exec_driver_sql(_insert_sql(table, list(rows[0])), rows)

    def _pick(self, choices: tuple[list[Any], list[float]]) -> Any:
        values, cumulative = choices
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _referral(self, referred: date) -> tuple[dict, list[dict], dict | None]:
        rng, blobs = self.rng, self.blobs
        referral_id = self._id()
        panel_id = self._pick(self.panel_choice)
        score = min(24, max(0, int(rng.gauss(15, 4))))
        repeat = rng.random() < 0.30
        meeting_day, meeting_id, added_at = self._meeting_for(panel_id, referred)
        if rng.random() < 0.03:
            status = "withdrawn"
        elif meeting_day < TODAY:
            status = "closed" if meeting_day < TODAY - timedelta(days=14) else "heard"
        else:
            status = ("submitted", "accepted", "listed")[rng.randrange(3)]
        self.count += 1
        row = {
            "id": referral_id,
            "reference": f"M{self.count:010d}",
            "panel_id": panel_id,
            "referring_agency_id": self._pick(self.agency_choice),
            "status": status,
            "referral_date": referred.isoformat(),
            "created_at": f"{referred.isoformat()} 11:00:00.000000",
            "victim_ix": f"k1:{rng.getrandbits(32):08x}",
            "victim_bme": None if rng.random() < 0.05 else int(rng.random() < 0.15),
            "victim_lgbt": None if rng.random() < 0.10 else int(rng.random() < 0.012),
            "victim_disability": None if rng.random() < 0.10 else int(rng.random() < 0.064),
            "victim_male": int(rng.random() < 0.052),
            "victim_aged_16_17": int(rng.random() < 0.016),
            "children_count": self._pick(self.children_choice),
            "dash_score": score,
            "band": "high" if score >= 14 else "medium" if score >= 10 else "standard",
            "crit_visible_high_risk": int(score >= 14),
            "crit_professional_judgement": int(score < 14 or rng.random() < 0.05),
            "crit_potential_escalation": int(rng.random() < 0.22),
            "crit_repeat": int(repeat),
            "previous_referral_date": (
                referred - timedelta(days=rng.randrange(20, 365))
            ).isoformat()
            if repeat
            else None,
        }
        for column in REFERRAL_BLOBS:
            row[column] = blobs[column][rng.getrandbits(5)]
        if score >= 14:
            row["judgement_reason"] = None
        perpetrators = []
        count = 0 if rng.random() < 0.02 else 2 if rng.random() < 0.08 else 1
        for position in range(count):
            perpetrator = {
                "id": self._id(),
                "referral_id": referral_id,
                "position": position,
                "aged_17_or_under": int(rng.random() < 0.015),
                "name_dob_ix": f"k1:{rng.getrandbits(32):08x}",
            }
            for column in PERPETRATOR_BLOBS:
                perpetrator[column] = blobs[column][rng.getrandbits(5)]
            perpetrators.append(perpetrator)
        item = None
        if status in ("listed", "heard", "closed"):
            self.positions[meeting_id] = position = self.positions.get(meeting_id, 0) + 1
            item = {
                "id": self._id(),
                "meeting_id": meeting_id,
                "position": position,
                "kind": "referral",
                "referral_id": referral_id,
                "added_at": added_at,
            }
        return row, perpetrators, item


def _insert_sql(table: str, names: list[str]) -> str:
    """The benchmark's own table and column names only, never input."""
    columns, values = ", ".join(names), ", ".join(":" + n for n in names)
    return f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608


def _stamp(at: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores it on SQLite."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def _cumulative(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values, total, cumulative = [], 0.0, []
    for value, weight in pairs:
        values.append(value)
        total += weight
        cumulative.append(total)
    return values, cumulative


# ---------------------------------------------------------------------------------------------
# The same figures written by hand


def _flag(column: str) -> str:
    return f"count(*) FILTER (WHERE r.{column})"


# The same plan as the action's (casework/stats/marac.py), written by hand: one grouped pass
# over the covering index, agencies looked up apart, cases heard joined in referral-id order
# through the narrow covering index. Built from constant column names only, hence the noqa.
MARAC_PANELS = "SELECT id FROM panels WHERE kind = 'marac'"
HAND_REFERRALS = f"""
SELECT r.panel_id, r.referral_date, r.referring_agency_id, count(*),
       {_flag("crit_repeat")}, {_flag("crit_visible_high_risk")},
       {_flag("crit_professional_judgement")}, {_flag("crit_potential_escalation")},
       {_flag("victim_bme")}, {_flag("victim_lgbt")}, {_flag("victim_disability")},
       {_flag("victim_male")}, {_flag("victim_aged_16_17")}, coalesce(sum(r.children_count), 0)
FROM referrals r
WHERE r.panel_id IN ({MARAC_PANELS}) AND r.referral_date BETWEEN :start AND :end
  AND r.status <> 'withdrawn'
GROUP BY r.panel_id, r.referral_date, r.referring_agency_id
"""  # noqa: S608
HAND_AGENCIES = "SELECT id, code, sector, is_police FROM agencies"
HAND_YOUNG = f"""
SELECT count(DISTINCT p.referral_id)
FROM referral_perpetrators p JOIN referrals r ON r.id = p.referral_id
WHERE p.aged_17_or_under AND r.panel_id IN ({MARAC_PANELS})
  AND r.referral_date BETWEEN :start AND :end AND r.status <> 'withdrawn'
"""  # noqa: S608
HELD = f"""m.panel_id IN ({MARAC_PANELS}) AND m.status IN ('held', 'closed')
  AND m.starts_at >= :start AND m.starts_at < :stop"""  # noqa: S608
HAND_MEETINGS = f"SELECT count(*) FROM meetings m WHERE {HELD}"  # noqa: S608
HAND_HEARD = f"""
SELECT count(*), {_flag("crit_repeat")}, coalesce(sum(r.children_count), 0)
FROM (SELECT i.referral_id FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
      WHERE {HELD} AND i.kind = 'referral' ORDER BY i.referral_id) h
JOIN referrals r INDEXED BY ix_referrals_heard ON r.id = h.referral_id
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
    """The full answer from five raw statements, folded in Python the obvious way."""
    span = {"start": start.isoformat(), "end": end.isoformat()}
    groups = conn.execute(text(HAND_REFERRALS), span).all()
    agencies = {row[0]: row[1:] for row in conn.execute(text(HAND_AGENCIES))}
    total = repeat = police = children = 0
    criteria = dict.fromkeys(CRITERIA, 0)
    victims = dict.fromkeys(VICTIMS, 0)
    by_agency: dict[str, int] = {}
    by_sector: dict[str, int] = {}
    months: dict[str, list[int]] = {}
    for _panel, day, agency_id, n, rep, vhr, pj, esc, *rest in groups:
        code, sector, is_police = agencies[agency_id]
        total, repeat, children = total + n, repeat + rep, children + rest[-1]
        police += n if is_police else 0
        for key, value in zip(CRITERIA, (vhr, pj, esc, rep), strict=True):
            criteria[key] += value
        for key, value in zip(VICTIMS, rest[:-1], strict=True):
            victims[key] += value
        by_agency[code] = by_agency.get(code, 0) + n
        by_sector[sector] = by_sector.get(sector, 0) + n
        month = months.setdefault(str(day)[:7], [0, 0, 0])
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
