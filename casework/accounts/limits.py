"""Rate limits counted in the database, so gunicorn workers and instances share one count.

Flask-Limiter's shared storages need Redis, Memcached or MongoDB, which this stack does not
run; the database every process already shares does the job. Each limit is a fixed window
("at most N in each window of S seconds"): one row per key and window, incremented by a
single upsert. Sign-in attempts are counted in a short transaction of their own, so a count
survives the rollback of the request it refused. An API request that is let through is counted
with its own commit instead (``count_at_commit``): for a read, in the short transaction that
writes its audit entries, which saves a write transaction a request (``docs/benchmarks.md``).
Each fresh window prunes the windows that have ended.

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

from sqlalchemy import Connection, bindparam, delete, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from casework.accounts.models import RateCount
from casework.db import Database, UTCDateTime, defer_write
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


# The upsert counting one event, its key, window and expiry bound at execution. Written as
# SQL both databases read (``ON CONFLICT ... DO UPDATE``, SQLite 3.24 and later): the dialects'
# own upsert constructs are compiled afresh on every execution (SQLAlchemy keys no cache for
# them), and every API request runs this.
_UPSERT = (
    'INSERT INTO rate_counts ("key", window_start, "count", expires_at) '
    "VALUES (:rate_key, :rate_start, 1, :rate_expires) "
    'ON CONFLICT ("key", window_start) DO UPDATE SET "count" = rate_counts."count" + 1'
)
_EXPIRES = bindparam("rate_expires", type_=UTCDateTime())
_COUNT = text(_UPSERT).bindparams(_EXPIRES)
_COUNT_RETURNING = text(_UPSERT + ' RETURNING "count"').bindparams(_EXPIRES)


def _counted(key: str, rate: Rate, now: datetime) -> dict[str, Any]:
    start, _ = _window(rate, now)
    return {
        "rate_key": key,
        "rate_start": start,
        "rate_expires": datetime.fromtimestamp(start + rate.seconds, UTC),
    }


def hit(db: Database, key: str, rate: Rate, now: datetime) -> Verdict:
    """Count one event for ``key`` and say whether it is within ``rate``."""
    _, left = _window(rate, now)
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.info["begin_mode"] = "IMMEDIATE"  # take the write lock at once: no upgrade race
        with conn.begin():
            count = conn.execute(_COUNT_RETURNING, _counted(key, rate, now)).scalar_one()
    if count == 1:  # a new window: the ended ones are no use to anyone
        prune(db, now)
    return Verdict(count <= rate.count, left)


def counts(conn: Connection, asked: list[tuple[str, Rate]], now: datetime) -> list[int]:
    """How many events each (key, rate) has counted in its window of ``now``, in one read on
    ``conn`` (the request's own: the read costs no transaction of its own)."""
    if not asked:
        return []
    windows = [(key, _window(rate, now)[0]) for key, rate in asked]
    values = {"keys": [k for k, _ in windows], "starts": sorted({w for _, w in windows})}
    found = {(k, w): n for k, w, n in conn.execute(_COUNTS, values)}
    return [found.get(window, 0) for window in windows]


_COUNTS = select(RateCount.key, RateCount.window_start, RateCount.count).where(
    RateCount.key.in_(bindparam("keys", expanding=True)),
    RateCount.window_start.in_(bindparam("starts", expanding=True)),
)


def verdict(count: int, rate: Rate, now: datetime) -> Verdict:
    """Whether one more event, after ``count`` in the window, is within ``rate``."""
    return Verdict(count < rate.count, _window(rate, now)[1])


def count_at_commit(session: Session, key: str, rate: Rate, now: datetime) -> None:
    """Count one event for ``key`` as ``session``'s transaction commits (a rollback drops it:
    the caller then counts it with ``hit``)."""
    defer_write(session, _COUNT, _counted(key, rate, now))


def prune(db: Database, now: datetime) -> None:
    """Delete the windows that have ended, in a transaction apart from any count: two prunes
    at once can collide (a deadlock on PostgreSQL, a busy SQLite), and a count must never
    fail for that. A prune that fails is left to the next new window."""
    try:
        with db.engine.begin() as conn:
            conn.execute(delete(RateCount).where(RateCount.expires_at <= now))
    except OperationalError:
        log.info("rate-limit windows not pruned this time")
