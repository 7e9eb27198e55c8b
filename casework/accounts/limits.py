"""Rate limits counted in the database, so gunicorn workers and instances share one count.

Flask-Limiter's shared storages need Redis, Memcached or MongoDB, which this stack does not
run; the database every process already shares does the job. Each limit is a fixed window
("at most N in each window of S seconds"): one row per key and window, incremented by a
single upsert in a short transaction of its own, so a count survives the rollback of the
request it refused. Each fresh window prunes the windows that have ended.

Keys hold an HMAC of what is counted (a client address, an e-mail, a token), never the value:
the table can be read without learning who tried what.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from casework.accounts.models import RateCount
from casework.db import Database
from casework.settings import ConfigError

log = logging.getLogger("casework.rate_limits")

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*([smh]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    """At most ``count`` events in each window of ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, value: Any) -> Rate | None:
        """``"10/1m"``, ``"5/15m"``, ``"600/60"`` (seconds); empty, 0 or false turn it off.
        A value that means nothing stops the service at start, naming the setting."""
        if value in (None, "", 0, False):
            return None
        match = _RATE.match(str(value))
        if match is None or int(match.group(2)) == 0:
            raise ConfigError(f"{name} must look like 10/1m (N per seconds, minutes or hours)")
        count = int(match.group(1))
        return cls(count, int(match.group(2)) * _UNIT[match.group(3)]) if count else None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until the window ends (what `Retry-After` says)


def key(secret: str, limit: str, value: str) -> str:
    """The stored key: the limit's name and a keyed hash of the counted value."""
    mac = hmac.new(secret.encode(), f"{limit}\0{value}".encode(), hashlib.sha256)
    return f"{limit}:{mac.hexdigest()[:48]}"


def _window(rate: Rate, now: datetime) -> tuple[int, int]:
    """(window start, whole seconds left in it): windows are aligned to the Unix epoch."""
    moment = now.timestamp()
    start = int(moment // rate.seconds) * rate.seconds
    return start, max(1, math.ceil(start + rate.seconds - moment))


def _upsert(db: Database) -> Any:
    return (sqlite.insert if db.is_sqlite else postgresql.insert)(RateCount)


def hit(db: Database, key: str, rate: Rate, now: datetime) -> Verdict:
    """Count one event for ``key`` and say whether it is within ``rate``."""
    start, left = _window(rate, now)
    expires = datetime.fromtimestamp(start + rate.seconds, UTC)
    stmt = _upsert(db).values(key=key, window_start=start, count=1, expires_at=expires)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RateCount.key, RateCount.window_start],
        set_={"count": RateCount.count + 1},
    ).returning(RateCount.count)
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.info["begin_mode"] = "IMMEDIATE"  # take the write lock at once: no upgrade race
        with conn.begin():
            count = conn.execute(stmt).scalar_one()
    if count == 1:  # a new window: the ended ones are no use to anyone
        prune(db, now)
    return Verdict(count <= rate.count, left)


def peek(db: Database, key: str, rate: Rate, now: datetime) -> Verdict:
    """Whether one more event would be within ``rate``, counting nothing."""
    start, left = _window(rate, now)
    with db.engine.connect() as conn:
        count = conn.execute(
            select(RateCount.count).where(RateCount.key == key, RateCount.window_start == start)
        ).scalar()
        conn.rollback()
    return Verdict((count or 0) < rate.count, left)


def prune(db: Database, now: datetime) -> None:
    """Delete the windows that have ended, in a transaction apart from any count: two prunes
    at once can collide (a deadlock on PostgreSQL, a busy SQLite), and a count must never
    fail for that. A prune that fails is left to the next new window."""
    try:
        with db.engine.begin() as conn:
            conn.execute(delete(RateCount).where(RateCount.expires_at <= now))
    except OperationalError:
        log.info("rate-limit windows not pruned this time")
