"""Sending the outbox to a real SMTP server (aiosmtpd, started by the tests on 127.0.0.1):
delivery, retries with backoff, permanent refusals, and no error text kept."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from casework.mail.models import OutboxMessage
from casework.mail.outbox import queue
from casework.mail.send import send_pending
from casework.scheduler.service import tick

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Accepts mail, except for addresses that start with 'refuse' (550) or 'busy' (451)."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.startswith("refuse"):
            return "550 5.1.1 refuse@example.org: no such mailbox here"
        if address.startswith("busy"):
            return "451 4.3.0 busy@example.org: try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.received.append(envelope)
        return "250 Message accepted"


@pytest.fixture()
def smtp(svc, monkeypatch) -> Iterator[Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(svc.settings, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(svc.settings, "SMTP_PORT", controller.port)
    monkeypatch.setitem(svc.settings, "SMTP_STARTTLS", False)
    monkeypatch.setitem(svc.settings, "MAIL_FROM", "casework@csp.example")
    try:
        yield recorder
    finally:
        controller.stop()


def _queue(svc, *addresses: str, when: datetime = NOW) -> None:
    for n, address in enumerate(addresses):
        row = queue(svc.session, address, f"Notice {n}", f"Body {n}\nhttps://x/", f"k{n}")
        assert row is not None
        row.next_attempt_at = when
        row.created_at = when + timedelta(seconds=n)
    svc.session.commit()


def _rows(svc) -> dict[str, OutboxMessage]:
    svc.session.expire_all()
    rows = {r.to_address: r for r in svc.session.scalars(select(OutboxMessage))}
    svc.session.commit()
    return rows


def test_pending_messages_are_delivered_and_marked_sent(svc, smtp):
    _queue(svc, "a@example.org", "b@example.org")
    report = send_pending(svc, NOW)
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert sorted(e.rcpt_tos[0] for e in smtp.received) == ["a@example.org", "b@example.org"]
    message = message_from_bytes(smtp.received[0].content)
    assert message["From"] == "casework@csp.example"
    assert message["Subject"] == "Notice 0"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_payload().startswith("Body 0")
    rows = _rows(svc)
    assert {r.status for r in rows.values()} == {"sent"}
    assert rows["a@example.org"].sent_at == NOW and rows["a@example.org"].attempts == 1
    assert send_pending(svc, NOW + timedelta(minutes=5)).sent == 0  # nothing sent twice
    assert len(smtp.received) == 2


def test_a_server_that_is_down_is_retried_with_growing_waits(svc, monkeypatch):
    monkeypatch.setitem(svc.settings, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(svc.settings, "SMTP_PORT", _free_port())  # nothing listens there
    monkeypatch.setitem(svc.settings, "MAIL_MAX_ATTEMPTS", 3)
    _queue(svc, "a@example.org")
    report = send_pending(svc, NOW)
    assert (report.sent, report.retrying) == (0, 1)
    row = _rows(svc)["a@example.org"]
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "ConnectionRefusedError")
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert send_pending(svc, NOW + timedelta(seconds=30)).retrying == 0  # not yet
    send_pending(svc, NOW + timedelta(minutes=1))
    row = _rows(svc)["a@example.org"]
    assert row.attempts == 2
    assert row.next_attempt_at == NOW + timedelta(minutes=3)  # waited 1, now waits 2
    send_pending(svc, NOW + timedelta(minutes=3))
    row = _rows(svc)["a@example.org"]
    assert (row.status, row.attempts) == ("failed", 3)


def test_retries_go_through_once_the_server_is_back(svc, smtp, monkeypatch):
    port = svc.settings["SMTP_PORT"]
    monkeypatch.setitem(svc.settings, "SMTP_PORT", _free_port())
    _queue(svc, "a@example.org")
    send_pending(svc, NOW)
    monkeypatch.setitem(svc.settings, "SMTP_PORT", port)
    assert send_pending(svc, NOW + timedelta(minutes=1)).sent == 1
    row = _rows(svc)["a@example.org"]
    assert (row.status, row.attempts) == ("sent", 2)
    assert [e.rcpt_tos for e in smtp.received] == [["a@example.org"]]


def test_refusals_fail_at_once_and_busy_answers_wait_keeping_no_server_text(svc, smtp):
    _queue(svc, "refuse@example.org", "busy@example.org", "ok@example.org")
    report = send_pending(svc, NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
    rows = _rows(svc)
    assert (rows["refuse@example.org"].status, rows["refuse@example.org"].last_error) == (
        "failed",
        "SMTP 550",
    )
    assert (rows["busy@example.org"].status, rows["busy@example.org"].last_error) == (
        "pending",
        "SMTP 451",
    )
    assert rows["ok@example.org"].status == "sent"


def test_starttls_required_but_not_offered_sends_nothing_in_clear(svc, smtp, monkeypatch):
    monkeypatch.setitem(svc.settings, "SMTP_STARTTLS", True)
    _queue(svc, "a@example.org")
    report = send_pending(svc, NOW)
    assert report.sent == 0 and smtp.received == []
    assert _rows(svc)["a@example.org"].last_error == "SMTPNotSupportedError"


def test_two_senders_at_once_deliver_each_message_once(svc, smtp):
    from casework.bootstrap import build_services

    _queue(svc, *(f"user{n}@example.org" for n in range(20)))
    other = build_services(svc.settings)
    barrier = threading.Barrier(2)

    def send(services) -> None:
        barrier.wait(timeout=30)
        send_pending(services, NOW)

    try:
        threads = [threading.Thread(target=send, args=(s,)) for s in (svc, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.db.dispose()
    delivered = sorted(e.rcpt_tos[0] for e in smtp.received)
    assert delivered == sorted(f"user{n}@example.org" for n in range(20))
    assert {r.attempts for r in _rows(svc).values()} == {1}


def test_the_scheduler_sends_the_outbox(svc, smtp):
    _queue(svc, "a@example.org", when=NOW - timedelta(minutes=5))
    outcomes = tick(svc, NOW, only=("send_outbox",))
    assert [o.detail for o in outcomes] == ["1 sent, 0 to retry, 0 failed"]
    assert len(smtp.received) == 1


def test_without_a_mail_server_messages_wait_in_the_outbox(svc):
    assert not svc.settings["SMTP_HOST"]
    _queue(svc, "a@example.org")
    assert send_pending(svc, NOW).sent == 0
    assert _rows(svc)["a@example.org"].status == "pending"
