"""Fixtures for fuzzing the API: the real app factory over the suite's migrated database,
seeded once with a partnership (``world.py``) and restored from a snapshot before every test
item, so each operation starts from the same records whatever the ones before it changed (a
cancelled meeting, a revoked token, a disabled user).

The app is built with rate limits on, set far above what the fuzzing sends, so the counting
runs on every request as in production without a 429 cutting an operation short.

SQLite only: the snapshot is SQLite's backup API, which PostgreSQL has no cheap equivalent
of. The PostgreSQL run of the suite skips this package; the document and the code under test
are the same on both.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from casework import clock, create_app
from casework.db import Base
from casework.services import Services
from tests.api_fuzz.world import World, build

ON_SQLITE = not os.environ.get("CASEWORK_TEST_DATABASE_URL", "").strip()
HIGH = "1000000/1m"
RATE_LIMITS = {
    "RATE_LIMITS": True,
    "RATE_LIMIT_SIGN_IN_PER_ADDRESS": HIGH,
    "RATE_LIMIT_SIGN_IN_PER_ACCOUNT": HIGH,
    "RATE_LIMIT_API_AUTH_FAILURES_PER_ADDRESS": HIGH,
    "RATE_LIMIT_API_PER_TOKEN": HIGH,
}


@dataclass
class Fuzzed:
    app: Flask
    world: World
    live: Path
    snapshot: Path

    @property
    def svc(self) -> Services:
        return self.app.extensions["casework"]

    def release(self) -> None:
        """No pooled connection may outlive a restore."""
        self.svc.db.session.remove()
        self.svc.db.engine.dispose()

    @property
    def head_file(self) -> Path:
        return Path(self.svc.settings["AUDIT_HEAD_FILE"])

    @property
    def head_snapshot(self) -> Path:
        return self.snapshot.with_suffix(".head")

    def take(self) -> None:
        """The snapshot: the database and the audit log's head file kept with it."""
        self.release()
        _copy(self.live, self.snapshot)
        if self.head_file.exists():
            shutil.copyfile(self.head_file, self.head_snapshot)

    def restore(self) -> None:
        self.release()
        _copy(self.snapshot, self.live)
        self.head_file.unlink(missing_ok=True)
        if self.head_snapshot.exists():
            shutil.copyfile(self.head_snapshot, self.head_file)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its WAL included), made by SQLite."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="module")
def fuzzed(
    database_url: str, instance_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fuzzed]:
    # The suite's instance folder: the same development keys as the suite's own app.
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance_path),
            **RATE_LIMITS,
        }
    )
    live = Path(str(make_url(database_url).database))
    fuzzed = Fuzzed(app, World(), live, tmp_path_factory.mktemp("fuzz") / "seeded.db")
    try:
        fuzzed.world = build(app, fuzzed.svc)
        fuzzed.take()
        yield fuzzed
    finally:
        fuzzed.release()
        with fuzzed.svc.db.engine.begin() as conn:  # empty, as the suite's ``svc`` leaves it
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        fuzzed.head_file.unlink(missing_ok=True)  # goes with the emptied log
        fuzzed.svc.db.engine.dispose()


@pytest.fixture()
def fuzz(fuzzed: Fuzzed) -> Iterator[Fuzzed]:
    """The seeded partnership, fresh, with the clock at the moment the fuzzing runs."""
    fuzzed.restore()
    with clock.travel(fuzzed.world.fuzzed_at):
        yield fuzzed
    fuzzed.release()
