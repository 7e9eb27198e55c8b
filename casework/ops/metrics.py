"""Prometheus metrics: what a hosting team watches, never anything about a person.

Two kinds of figure, chosen so the answer is right whichever gunicorn worker is scraped:

- per-request figures (latency by route and status, database time) are counted in each
  worker; under gunicorn they live in ``PROMETHEUS_MULTIPROC_DIR`` (set by
  config/gunicorn.conf.py) and every scrape adds up all workers' files;
- figures about shared state (the outbox, the audit chain, the scheduler's runs, imports) are
  read from the database when scraped (``StateCollector``), so every worker, every instance,
  and the separate scheduler process agree on them.

Labels are the route's template (``/referrals/<uuid:referral_id>``, never the path with its id),
the status, the method, a job's name without its meeting, an import's kind. Nothing else.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection, Engine

from casework import clock
from casework.audit.chain import HEAD_FILE_CHECKPOINT
from casework.audit.models import AuditCheckpoint, AuditEntry
from casework.db import Database
from casework.imports.models import ImportRun
from casework.mail.models import OutboxMessage
from casework.scheduler.models import JobRun
from casework.version import __version__

UNMATCHED = "unmatched"  # a path no route knows: one label, whatever was asked for

REQUEST_SECONDS = Histogram(
    "casework_http_request_duration_seconds",
    "Time to answer a request, by route template, method and status.",
    ("route", "method", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUERY_SECONDS = Histogram(
    "casework_db_query_duration_seconds",
    "Time the database took per statement (cursor execute to result), all routes and jobs.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)


def observe_request(route: str | None, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route or UNMATCHED, method, str(status)).observe(seconds)


def time_queries(engine: Engine) -> None:
    """Time every statement on this engine (SQLAlchemy's cursor events; the start is kept on
    the statement's own execution context, so threads and nested statements do not mix)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(
        _conn: Connection, _cursor: Any, _sql: str, _params: Any, context: Any, _many: bool
    ):
        if context is not None:
            context._casework_started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Connection, _cursor: Any, _sql: str, _params: Any, context: Any, _many: bool):
        started = getattr(context, "_casework_started", None)
        if started is not None:
            QUERY_SECONDS.observe(time.perf_counter() - started)


def _seconds_since(moment: datetime | None) -> float:
    return 0.0 if moment is None else max(0.0, (clock.now() - moment).total_seconds())


def _family(job: str) -> str:
    """``agenda_draft:<meeting id>`` counts as ``agenda_draft``: no ids in labels."""
    return job.split(":", 1)[0]


class StateCollector(Collector):
    """Figures read from the database at each scrape (see the module's docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        build = GaugeMetricFamily("casework_build_info", "The running version.", labels=["version"])
        build.add_metric([__version__], 1)
        yield build
        with self.db.engine.connect() as conn:
            yield from _outbox(conn)
            yield from _audit(conn)
            yield from _scheduler(conn)
            yield from _imports(conn)
            conn.rollback()


def _outbox(conn: Connection) -> Iterator[Metric]:
    by_status = GaugeMetricFamily(
        "casework_outbox_messages", "E-mails in the outbox by status.", labels=["status"]
    )
    counts = dict(
        conn.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        .tuples()
        .all()
    )
    for status in ("pending", "sending", "sent", "failed"):
        by_status.add_metric([status], counts.get(status, 0))
    yield by_status
    oldest = conn.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_(("pending", "sending"))
        )
    )
    yield GaugeMetricFamily(
        "casework_outbox_oldest_waiting_seconds",
        "Age of the oldest e-mail not yet sent (0 when none waits).",
        value=_seconds_since(oldest),
    )


def _audit(conn: Connection) -> Iterator[Metric]:
    head = conn.scalar(select(func.max(AuditEntry.seq))) or 0
    point = (
        conn.scalar(
            select(func.max(AuditCheckpoint.seq)).where(AuditCheckpoint.seq > HEAD_FILE_CHECKPOINT)
        )
        or 0
    )
    unsealed = conn.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_(None))
    )
    yield GaugeMetricFamily(
        "casework_audit_entries_awaiting_checkpoint",
        "Audit entries after the last signed checkpoint, plus any not yet chained.",
        value=max(0, head - point) + (unsealed or 0),
    )


def _scheduler(conn: Connection) -> Iterator[Metric]:
    runs = GaugeMetricFamily(
        "casework_scheduler_runs",
        "Job runs recorded, by job and current status (running, done, failed).",
        labels=["job", "status"],
    )
    last_done = GaugeMetricFamily(
        "casework_scheduler_last_done_timestamp_seconds",
        "When each job last finished a run successfully (Unix time).",
        labels=["job"],
    )
    counts: dict[tuple[str, str], int] = {}
    latest: dict[str, datetime] = {}
    rows = conn.execute(
        select(JobRun.job, JobRun.status, func.count(), func.max(JobRun.finished_at)).group_by(
            JobRun.job, JobRun.status
        )
    )
    for job, status, count, finished in rows:
        key = (_family(job), status)
        counts[key] = counts.get(key, 0) + count
        if status == "done" and finished is not None:
            name = _family(job)
            latest[name] = max(latest.get(name, finished), finished)
    for (job, status), count in sorted(counts.items()):
        runs.add_metric([job, status], count)
    for job, finished in sorted(latest.items()):
        last_done.add_metric([job], finished.timestamp())
    yield runs
    yield last_done


def _imports(conn: Connection) -> Iterator[Metric]:
    running = GaugeMetricFamily(
        "casework_imports_running", "Imports under way, by kind.", labels=["kind"]
    )
    done = GaugeMetricFamily(
        "casework_import_rows_done", "Rows dealt with by the imports under way.", labels=["kind"]
    )
    total = GaugeMetricFamily(
        "casework_import_rows_total", "Rows in the files of the imports under way.", labels=["kind"]
    )
    rows = conn.execute(
        select(
            ImportRun.kind,
            func.count(),
            func.coalesce(func.sum(ImportRun.rows_done), 0),
            func.coalesce(func.sum(ImportRun.rows_total), 0),
        )
        .where(ImportRun.status == "running")
        .group_by(ImportRun.kind)
    )
    found = {kind: (n, d, t) for kind, n, d, t in rows}
    for kind in ("referrals", "offences"):
        n, d, t = found.get(kind, (0, 0, 0))
        running.add_metric([kind], n)
        done.add_metric([kind], d)
        total.add_metric([kind], t)
    yield running
    yield done
    yield total


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def exposition(db: Database) -> bytes:
    """The text a scrape receives: this process's (or, under gunicorn, every worker's)
    request figures and the database's state."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(StateCollector(db))
    return generate_latest(registry)


class _Forward(Collector):
    """The process's own default registry, inside the registry built for one scrape."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        return self.source.collect()
