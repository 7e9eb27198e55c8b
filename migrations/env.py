"""Alembic environment: the same metadata and database URL as the running service."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from casework.db import make_engine
from casework.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from casework.settings import load_settings

    return load_settings()["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    # SQLite alters a table by copying it and dropping the old one (batch mode): with foreign
    # keys on, dropping ``meetings`` would cascade to the attendees, minutes and research that
    # point at it. So they are off while migrating (the pragma is ignored inside a
    # transaction, hence before it) and checked afterwards: a migration that left a dangling
    # reference fails instead of committing it.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _foreign_keys(connection, on=False)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise RuntimeError(f"migration left {len(dangling)} dangling references")
    finally:
        if sqlite:
            _foreign_keys(connection, on=True)


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    """Through the driver's own connection: casework's engine begins every SQLAlchemy
    transaction itself (``casework.db``), and inside one SQLite ignores this pragma."""
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
