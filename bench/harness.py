"""What the benchmarks share, so each measures its own question and not its own set-up.

Every run lives in a temporary directory (database, key ring, audit key): a benchmark must never
touch the developer's ``instance/``. The partnership is made through the same actions users
call; generated victims have distinct surnames and dates of birth, as real ones mostly do, so
blind-index candidate sets stay as small as 32-bit indexes make them in production.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import secrets
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from flask import Flask

from casework import create_app
from casework.accounts.actions import create_user
from casework.accounts.auth import actor_for, create_token
from casework.actors import Actor
from casework.agencies.actions import create_agency
from casework.crypto import KeyRing, write_keyring
from casework.migrate import upgrade
from casework.panels.actions import create_panel
from casework.services import Services

PASSWORD = "benchmark staple horse battery"  # noqa: S105 (a throw-away account in a temp dir)
TODAY = date(2026, 1, 15)  # fixed, so runs on different days generate the same data
_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"


def word(n: int, syllables: int = 4) -> str:
    """A pronounceable name unique to ``n`` (90 syllables, so 4 give 65 million names)."""
    out = []
    for _ in range(syllables):
        n, k = divmod(n, len(_CONSONANTS) * len(_VOWELS))
        out.append(_CONSONANTS[k // len(_VOWELS)] + _VOWELS[k % len(_VOWELS)])
    return "".join(out).capitalize()


def birth_date(n: int) -> date:
    """A date of birth between 1950 and 2005 that varies with ``n``."""
    return date(1950, 1, 1) + timedelta(days=(n * 7919) % 20_000)


def dash(yes: int) -> dict[str, str]:
    return {str(q): ("yes" if q <= yes else "no") for q in range(1, 25)}


def referral_body(panel_id: uuid.UUID, n: int, day: date = TODAY) -> dict[str, Any]:
    """A valid referral (visible high risk) for victim ``n``; the same ``n`` gives the same body."""
    surname = word(n)
    return {
        "panel_id": str(panel_id),
        "referral_date": day.isoformat(),
        "victim": {
            "first_name": word(n * 31 + 7, 2),
            "last_name": surname,
            "date_of_birth": birth_date(n).isoformat(),
            "gender": "female",
            "ethnicity": "White British",
            "bme": False,
            "lgbt": False,
            "disability": False,
            "address": f"{n % 300 + 1} High Street, Anytown",
            "postcode": "AN1 1AA",
            "phone": "07700 900000",
            "safe_to_call": True,
        },
        "perpetrators": [
            {
                "first_name": word(n * 17 + 3, 2),
                "last_name": word(n + 5_000_000),
                "date_of_birth": birth_date(n + 11).isoformat(),
                "relationship_to_victim": "ex-partner",
            }
        ],
        "children": [
            {
                "first_name": word(n * 13 + 1, 2),
                "last_name": surname,
                "date_of_birth": "2019-05-05",
            }
        ],
        "risk": {
            "dash": dash(15),
            "police_incidents_12m": 1,
            "professional_judgement": False,
            "professional_judgement_reason": None,
        },
        "victim_aware": True,
        "consent": True,
        "summary": "Escalating abuse since separation; threats to kill reported to police.",
    }


@dataclass
class World:
    """A migrated database with a police and a health agency, their users and a MARAC panel."""

    app: Flask
    svc: Services
    panel_id: uuid.UUID
    police: Actor  # a police referrer: the panel_member rule shows them whole referrals
    referrer: Actor  # a health referrer, who submits the generated referrals
    coordinator: Actor  # a police coordinator (imports)
    token: str  # the police referrer's API token

    def settle(self) -> None:
        """Commit (which seals the audit chain), exactly as the request layer does."""
        self.svc.session.commit()

    def close(self) -> None:
        self.svc.db.dispose()


def _keys(instance: Path) -> dict[str, str]:
    """Secrets for a throw-away instance, made here so the service does not warn about
    generating development keys on every run."""
    ring = instance / "keyring.json"
    if not ring.exists():
        write_keyring(ring, KeyRing.generate())
    return {
        "KEYRING_FILE": str(ring),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "AUDIT_KEY": secrets.token_urlsafe(48),
    }


def make_world(instance: Path, name: str, url: str | None = None) -> World:
    """A fresh database ``<instance>/<name>.db`` (or the empty database ``url``); worlds in one
    instance share its key ring."""
    url = url or f"sqlite:///{instance / name}.db"
    upgrade(url, "heads")  # every head: a benchmark need not wait for branches to be merged
    settings = {"ENV": "testing", "DATABASE_URL": url, "INSTANCE_PATH": str(instance)}
    app = create_app({**settings, **_keys(instance)})
    svc: Services = app.extensions["casework"]
    system = Actor.system("bench")
    for code, sector in (("POL", "police"), ("HLT", "health")):
        create_agency(
            svc,
            system,
            {"code": code, "name": f"{code} agency", "sector": sector, "police": code == "POL"},
        )
    users = {}
    for email, agency, roles in (
        ("police@example.org", "POL", ["referrer"]),
        ("health@example.org", "HLT", ["referrer"]),
        ("coordinator@example.org", "POL", ["coordinator"]),
    ):
        users[email] = create_user(
            svc,
            system,
            {
                "email": email,
                "name": "Bench",
                "agency": agency,
                "roles": roles,
                "password": PASSWORD,
            },
        )
    panel = create_panel(
        svc,
        system,
        {
            "kind": "marac",
            "name": "Anytown MARAC",
            "area": "Anytown",
            "agencies": ["POL", "HLT"],
            "schedule": "day=1st tue; hour=10",
        },
    )
    _, token = create_token(svc, users["police@example.org"])
    world = World(
        app=app,
        svc=svc,
        panel_id=panel.id,
        police=actor_for(users["police@example.org"], via="api"),
        referrer=actor_for(users["health@example.org"], via="api"),
        coordinator=actor_for(users["coordinator@example.org"], via="cli"),
        token=token,
    )
    world.settle()
    return world


def median_ms(seconds: Sequence[float]) -> float:
    return statistics.median(seconds) * 1000


def p95_ms(seconds: Sequence[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def machine() -> str:
    """The machine as the figures should be read: its cores and how busy it was."""
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, load average {load:.1f} when the run started"


def verdict(target: str, met: bool) -> str:
    return f"  target {target}: {'MET' if met else 'NOT MET'}"


def _timed(totals: dict[str, float], label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.perf_counter() - start

    return wrapper


@contextmanager
def timing(parts: Sequence[tuple[Any, str, str]]) -> Iterator[dict[str, float]]:
    """Seconds spent inside each ``(owner, attribute, label)`` while the block runs.

    Wall-clock wrappers cost well under a microsecond a call, so they distort far less than a
    profiler; nested parts (a flush inside a commit) are counted in both.
    """
    totals: dict[str, float] = {}
    with ExitStack() as stack:
        for owner, name, label in parts:
            wrapped = _timed(totals, label, getattr(owner, name))
            stack.enter_context(patch.object(owner, name, wrapped))
        yield totals


def top_functions(profiler: cProfile.Profile, per: int, count: int = 12) -> list[str]:
    """The busiest functions by own time, as lines of "ms per unit, calls per unit, where"."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    busiest = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    lines = []
    for (path, line, fn), (_cc, calls, own, _cum, _callers) in busiest:
        where = "/".join(Path(path).parts[-2:])
        lines.append(f"{own / per * 1000:7.3f} ms {calls / per:7.1f} calls  {where}:{line} {fn}")
    return lines
