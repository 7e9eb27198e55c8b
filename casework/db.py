"""Database plumbing: the declarative base, engines for SQLite and PostgreSQL, and sessions.

Plain SQLAlchemy rather than an extension, so the CLI, the scheduler and tests share one path.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    MetaData,
    Uuid,
    bindparam,
    create_engine,
    event,
    insert,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    scoped_session,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from casework import clock

# Stable constraint names, so migrations written on SQLite apply on PostgreSQL and back.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant from the service's one clock (``casework.clock``)."""
    return clock.now()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite has no timezone type)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class UUIDPrimaryKey:
    """Application-made UUID keys: the id exists before insert (encryption binds to it)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)

    def __init__(self, **kwargs: Any) -> None:
        # The id first: encrypted fields given as keyword arguments bind to it when set.
        self.id = kwargs.pop("id", None) or uuid.uuid4()
        super().__init__(**kwargs)


def as_uuid(value: Any) -> uuid.UUID | None:
    """An id from a URL, form or body as a UUID; None when it is not one, so a malformed id
    is answered exactly like an unknown one (404), never with an error that says which."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def insert_rows(session: Session, cls: type, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows of ``cls`` (values by attribute name) as one bulk statement.

    For the import's thousands of rows, where building and flushing mapped objects costs more
    than the rows themselves. Flush hooks do not run: callers seal fields and compute blind
    indexes first (``casework.crypto.indexes.stored_row``). Columns left out take defaults.
    """
    if rows:
        session.connection().execute(_insert_of(cls, tuple(rows[0])), list(rows))
        for listener in _inserted.get(cls, ()):
            listener(session, rows)


InsertListener = Callable[[Session, Sequence[dict[str, Any]]], None]
_inserted: dict[type, list[InsertListener]] = {}


def after_insert_rows(cls: type, listener: InsertListener) -> None:
    """Call ``listener(session, rows)`` after every bulk insert of ``cls`` rows: the Core door's
    counterpart of a flush hook, for rows derived from them (search tokens), so a caller
    inserting with Core cannot forget them."""
    _inserted.setdefault(cls, []).append(listener)


@functools.cache
def _insert_of(cls: type, keys: tuple[str, ...]) -> Any:
    """Core INSERT on the table taking parameters named by attribute (``victim_first_name_ct``
    fills column ``victim_first_name``), built once per set of keys: the ORM's bulk path costs
    as much again per row as the rows themselves."""
    columns = {attr.key: attr.columns[0] for attr in inspect(cls).column_attrs}
    return insert(cls.__table__).values({columns[k]: bindparam(k) for k in keys})  # type: ignore[attr-defined]


def make_engine(url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine, busy_timeout_ms)
        _watch_writes(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, echo=echo, pool_pre_ping=True)
    _watch_writes(engine)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL for concurrent readers, enforced foreign keys, a busy timeout instead of errors.

    pysqlite's own transaction handling is switched off so BEGIN is ours: writers can then
    ask for BEGIN IMMEDIATE when they must serialise (see ``immediate``).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.info.pop("begin_mode", "") or _begin_mode.get()
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


_begin_mode: ContextVar[str] = ContextVar("casework_sqlite_begin_mode", default="")


@contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun inside this block take SQLite's write lock at BEGIN (IMMEDIATE).

    A deferred SQLite transaction that has read and then writes fails at once ("database is
    locked") if another writer committed meanwhile; taking the lock up front makes writers
    queue on the busy timeout instead. Requests (whose reads write audit entries) and jobs
    run inside this.
    """
    token = _begin_mode.set("IMMEDIATE")
    try:
        yield
    finally:
        _begin_mode.reset(token)


def defer_write(session: Session, statement: Any, params: dict[str, Any] | None = None) -> None:
    """Run ``statement`` as the transaction commits: for bookkeeping that must not turn a
    read into a write (the once-a-minute "last seen" of a session or token). A read request
    commits only its audit entries, in a short transaction of its own (``casework.http``),
    and these go with them; a rollback drops them. ``params``: values for a statement built
    once with bound parameters."""
    session.info.setdefault("deferred_writes", []).append((statement, params))


def take_deferred_writes(session: Session) -> list[tuple[Any, dict[str, Any] | None]]:
    return session.info.pop("deferred_writes", [])


@event.listens_for(Session, "before_commit")
def _run_deferred_writes(session: Session) -> None:
    # On the connection, not through the ORM: these are plain statements that no loaded object
    # needs to follow, and the ORM's handling of an INSERT cost several times the statement.
    for statement, params in take_deferred_writes(session):
        session.connection().execute(statement, params)


@event.listens_for(Session, "after_soft_rollback")
def _drop_deferred_writes(session: Session, previous: Any) -> None:
    if previous.parent is None:
        session.info.pop("deferred_writes", None)


_WRITES = ("INSERT", "UPDATE", "DELETE")


def _watch_writes(engine: Engine) -> None:
    """Note on the connection when a transaction runs a statement that changes rows (the
    ORM's flushes and Core statements alike), for ``has_written``."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in _WRITES:
            conn.info["wrote"] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _forget(conn: Any) -> None:
        conn.info.pop("wrote", None)


def has_written(session: Session) -> bool:
    """Whether the open transaction changed anything, or holds changes a commit would flush."""
    if session.new or session.dirty or session.deleted:
        return True
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get("wrote"))


def lock_key(key: str) -> int:
    """A stable signed 64-bit number for ``pg_advisory_xact_lock``."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


class Database:
    """One engine and one scoped session factory per app (and per CLI or scheduler process)."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 5000,
        audit_seal: tuple[str, int] | None = None,
    ) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout_ms=busy_timeout_ms)
        # (key, checkpoint every): sessions seal their audit entries as they commit
        # (casework.audit.chain); without it entries wait for ``seal_pending``.
        info = {"audit_seal": audit_seal} if audit_seal else {}
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False, info=info)
        self.session = scoped_session(self.factory)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work outside a request: commit on success, roll back on any error."""
        session = self.factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def serialised(self) -> Iterator[Session]:
        """A write transaction that takes the write lock at BEGIN on SQLite (BEGIN IMMEDIATE),
        for work that must not interleave; PostgreSQL callers add an advisory lock."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.info["begin_mode"] = "IMMEDIATE"
            with conn.begin():
                session = Session(bind=conn, expire_on_commit=False)
                try:
                    yield session
                    session.flush()
                finally:
                    session.close()

    def lock(self, session: Session, key: str) -> None:
        """Serialise transactions that decide on the same ``key`` until commit or rollback.

        PostgreSQL: a transaction-scoped advisory lock. SQLite: the caller runs under
        ``write_intent()``, so the transaction already holds the only write lock there is.
        """
        if self.is_sqlite:
            return
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(key)})

    def dispose(self) -> None:
        self.session.remove()
        self.engine.dispose()
