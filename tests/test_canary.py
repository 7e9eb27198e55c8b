"""Distinctive personal values written through the API appear nowhere in plain text: not in
the SQLite file or its WAL, not in a PostgreSQL dump, not in the logs."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from casework.services import Services
from tests.at_rest import database_files
from tests.conftest import Factory, bearer, need
from tests.referral_data import referral_body

CANARIES = {
    "victim__first_name": "Zephyrine",
    "victim__last_name": "Quillfeather",
    "victim__address": "77 Canary Wharf Lane",
    "victim__phone": "07700 987654",
    "victim__postcode": "ZZ9 9ZZ",
    "summary": "Xylophonic threats recorded",
}
PERPETRATOR = {"first_name": "Bartholomew", "last_name": "Grimsditch"}


def _submit(client, factory: Factory) -> str:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    headers = bearer(factory.token(factory.user("idva@pol.example", "POL", ("idva",))))
    body = referral_body(panel.id, perpetrators=[PERPETRATOR], **CANARIES)
    response = client.post("/api/v1/referrals", json=body, headers=headers)
    assert response.status_code == 201
    shown = client.get(f"/api/v1/referrals/{response.json['id']}", headers=headers).json
    assert shown["victim"]["last_name"] == "Quillfeather"  # it was stored, and reads back
    return response.json["id"]


def _values() -> list[bytes]:
    words = [*CANARIES.values(), *PERPETRATOR.values()]
    return [w.encode() for w in words] + [w.lower().encode() for w in words]


def test_nothing_in_plain_text_on_disk_or_in_logs(
    client, factory: Factory, svc: Services, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _submit(client, factory)
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        blobs = database_files(database_url)
        assert path.name in blobs and f"{path.name}-wal" in blobs
    else:
        pg_dump = shutil.which("pg_dump")
        need(pg_dump is not None, "pg_dump is not installed")
        url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        dump = subprocess.run([pg_dump, "--data-only", url], capture_output=True, check=True)
        blobs = {"pg_dump": dump.stdout}
        assert b".referrals (" in dump.stdout  # the dump did include the table
    for name, blob in blobs.items():
        for value in _values():
            assert value not in blob, f"{value!r} in plain text in {name}"
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records).encode()
    for value in _values():
        assert value not in logged
