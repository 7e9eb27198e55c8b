"""The WSGI apps ``bench/bench_http.py`` starts under gunicorn: casework itself, configured from
``BENCH_*`` environment variables, and the floor, three minimal Flask routes on the same
database (a JSON hello, one primary-key SELECT, one INSERT and commit).

The floor is what any Flask service on this machine, database and server pays per request;
casework's figures are read as ratios to it.
"""

from __future__ import annotations

import os
import uuid

from flask import Flask, jsonify
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from casework.db import make_engine

FLOOR_ROWS = 1000
metadata = MetaData()
floor_rows = Table(
    "bench_floor_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80)),
)


def prepare_floor(url: str) -> None:
    """The floor's table with ``FLOOR_ROWS`` rows to select by key (made once, before a run)."""
    engine = make_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        # Keys from the table's own sequence, so the INSERT route's rows follow on.
        conn.execute(insert(floor_rows), [{"name": f"row {n}"} for n in range(FLOOR_ROWS)])
    engine.dispose()


def floor_app(url: str) -> Flask:
    app = Flask("floor")
    engine = make_engine(url)

    @app.get("/hello")
    def hello() -> object:
        return jsonify({"hello": "world"})

    @app.get("/select/<int:row_id>")
    def select_one(row_id: int) -> object:
        with engine.connect() as conn:
            row = conn.execute(select(floor_rows).where(floor_rows.c.id == row_id)).one()
        return jsonify({"id": row.id, "name": row.name})

    @app.post("/insert")
    def insert_one() -> object:
        with engine.begin() as conn:
            conn.execute(insert(floor_rows).values(name=uuid.uuid4().hex))
        return jsonify({"ok": True}), 201

    return app


def _casework() -> Flask:
    from casework import create_app

    return create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": os.environ["BENCH_DATABASE_URL"],
            "INSTANCE_PATH": os.environ["BENCH_INSTANCE"],
            "KEYRING_FILE": os.environ["BENCH_KEYRING_FILE"],
            "SECRET_KEY": os.environ["BENCH_SECRET_KEY"],
            "AUDIT_KEY": os.environ["BENCH_AUDIT_KEY"],
            # The limiter runs as in production, with a ceiling wrk cannot reach.
            "RATE_LIMITS": True,
            "RATE_LIMIT_API_PER_TOKEN": "100000000/1m",
        }
    )


def app() -> Flask:
    """gunicorn 'http_apps:app()': the app ``BENCH_APP`` names."""
    if os.environ.get("BENCH_APP") == "floor":
        return floor_app(os.environ["BENCH_DATABASE_URL"])
    return _casework()
