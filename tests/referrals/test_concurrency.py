"""Two referrals for one victim at the same moment: exactly one is not a repeat."""

from __future__ import annotations

import threading

from flask import Flask

from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, bearer
from tests.referral_data import referral_body


def test_twenty_concurrent_submissions_give_one_new_case(
    app: Flask, svc: Services, factory: Factory
) -> None:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    headers = bearer(factory.token(factory.user("idva@pol.example", "POL", ("idva",))))
    body = referral_body(panel.id)
    start = threading.Barrier(20)
    answers: list[tuple[int, bool | None]] = []

    def submit() -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/api/v1/referrals", json=body, headers=headers)
        repeat = response.json["repeat"]["is_repeat"] if response.status_code == 201 else None
        answers.append((response.status_code, repeat))

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [201] * 20
    assert sorted(repeat for _, repeat in answers) == [False] + [True] * 19
    svc.session.expire_all()
    assert svc.session.query(Referral).filter_by(crit_repeat=False).count() == 1
