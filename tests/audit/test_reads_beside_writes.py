"""A page view is never refused because a colleague saved something at the same moment.

Reading case data writes an audit entry in the same transaction. On SQLite a transaction
that has read and then writes fails outright if another writer committed in between, so
every request takes the write lock when its transaction begins (PostgreSQL needs nothing).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import text

from casework.audit import log
from tests.conftest import Factory, bearer
from tests.referral_data import referral_body


def test_a_read_with_a_write_committed_midway_is_answered_and_audited(
    client, factory: Factory, svc, monkeypatch
) -> None:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    user = factory.user("ref@pol.example", "POL", ("referrer",))
    headers = bearer(factory.token(user))
    made = client.post("/api/v1/referrals", json=referral_body(panel.id), headers=headers)
    referral_id = made.json["id"]
    colleague: dict[str, Any] = {}

    def save_elsewhere() -> None:
        """Another request writing, in its own connection, while the read is under way."""
        with svc.db.engine.connect() as conn:
            conn.info["begin_mode"] = "IMMEDIATE"
            with conn.begin():
                conn.execute(text("UPDATE agencies SET name = 'Police (renamed)'"))
        colleague["saved"] = True

    real_record = log.record

    def record_while_someone_saves(*args: Any, **kwargs: Any) -> Any:
        if "thread" not in colleague:  # the read has happened; its audit entry comes next
            colleague["thread"] = threading.Thread(target=save_elsewhere)
            colleague["thread"].start()
            colleague["thread"].join(timeout=0.5)  # long enough to commit if it may
        return real_record(*args, **kwargs)

    monkeypatch.setattr("casework.referrals.actions.audit.record", record_while_someone_saves)
    response = client.get(f"/api/v1/referrals/{referral_id}", headers=headers)
    colleague["thread"].join(timeout=10)
    assert response.status_code == 200
    assert response.json["victim"]["first_name"] == "Jane"
    assert colleague.get("saved"), "the colleague's save went through after the read"
    svc.session.rollback()
    views = svc.session.execute(
        text("SELECT count(*) FROM audit_entries WHERE action = 'view' AND record_id = :id"),
        {"id": referral_id},
    ).scalar()
    assert views == 1
