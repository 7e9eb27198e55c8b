"""Each test starts without an audit head file, as it starts with an empty log (the suite's
``svc`` fixture empties every table after each test, and the head file must go with them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _no_audit_head_file(instance_path: Path) -> Iterator[None]:
    head = instance_path / "audit-head.log"
    head.unlink(missing_ok=True)
    yield
    head.unlink(missing_ok=True)
