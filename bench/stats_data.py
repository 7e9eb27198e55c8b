"""A million MARAC referrals, with their perpetrators and cases heard, fast enough to benchmark.

Agencies, panels and an analyst are made through the actions users call. Everything else is
bulk-inserted through the driver's ``executemany`` (SQLAlchemy Core ``exec_driver_sql``) in
large batches, values already in their stored form. Referral dates span three years with
growth, a winter peak and quiet weekends; agencies refer in national proportions (police about
64%); SafeLives flags, criteria, IDVA engagement and children follow national shares;
nearly every referral has a perpetrator; six panels meet weekly and every referral that
reached a meeting is on its agenda. Ciphertext columns hold random bytes of realistic sizes:
statistics never open them, but they make rows as wide as real ones. The same seed gives the
same data.
"""

from __future__ import annotations

import bisect
import math
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from harness import TODAY, World
from sqlalchemy import select
from sqlalchemy.engine import Connection

from casework.accounts.actions import create_user
from casework.accounts.auth import actor_for
from casework.actors import Actor
from casework.agencies.actions import create_agency
from casework.agencies.models import Agency
from casework.meetings.models import Meeting
from casework.panels.actions import create_panel
from casework.panels.models import Panel

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
        offered = None if rng.random() < 0.10 else int(rng.random() < 0.75)
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
            "idva_offered": offered,
            "idva_engaged": None if offered is None else int(bool(offered) and rng.random() < 0.6),
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
                "case_repeat": row["crit_repeat"],
                "case_children": row["children_count"],
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
