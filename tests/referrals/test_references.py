"""References are random, so two can coincide: a drawn reference already used is drawn again,
whether the referral is submitted or imported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from casework.referrals.importer import import_referrals
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, bearer
from tests.referral_data import referral_body
from tests.referrals.test_import import IMPORTER, csv_text, row


def draws(monkeypatch: pytest.MonkeyPatch, *references: str) -> None:
    """The references the random draw will give, in order."""
    supply: Iterator[str] = iter(references)
    monkeypatch.setattr("casework.referrals.actions._reference", lambda _day: next(supply))


@pytest.fixture()
def setup(factory: Factory) -> dict[str, Any]:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    user = factory.user("ref@pol.example", "POL", ("referrer",))
    return {"panel": panel, "headers": bearer(factory.token(user))}


def test_a_submission_whose_reference_is_taken_gets_another(
    client, setup: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws(monkeypatch, "M26-AAAAAA", "M26-AAAAAA", "M26-BBBBBB")
    answers = [
        client.post(
            "/api/v1/referrals",
            json=referral_body(setup["panel"].id, victim__first_name=name),
            headers=setup["headers"],
        )
        for name in ("Ann", "Bea")
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert [a.json["reference"] for a in answers] == ["M26-AAAAAA", "M26-BBBBBB"]


def test_an_import_never_gives_two_rows_one_reference(
    svc: Services, setup: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws(monkeypatch, "M26-CCCCCC", "M26-CCCCCC", "M26-DDDDDD")
    text = csv_text(row(victim_first_name="Ann"), row(victim_first_name="Bea"))
    report = import_referrals(svc, IMPORTER, setup["panel"].id, text)
    svc.session.commit()
    assert (report.imported, report.errors) == (2, [])
    stored = sorted(r.reference for r in svc.session.query(Referral))
    assert stored == ["M26-CCCCCC", "M26-DDDDDD"]
