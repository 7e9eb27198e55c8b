"""The referrals table grown to a million rows for the list benchmark (``bench_http --million``).

``repeat_data.BulkReferrals`` borrows envelopes it cannot open, which is enough for look-ups
that compare blind indexes but not for a list that decrypts what it shows. So the rows that
fall in the month the benchmark lists are sealed afresh for their own ids (from the plain
values of the referral they copy), and only the rows of the other months borrow envelopes.
Every bulk row is in the measured panel (whose member the police referrer is): the month
listed holds about 28,000 referrals, the worst case for a page of 50 that must be filtered by
sharing and sorted before it is cut; no real panel hears a thousand cases a day.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from harness import World
from repeat_data import MODELS, BulkReferrals
from sqlalchemy import func, inspect, select

from casework.crypto import encrypted_fields
from casework.crypto.fields import sealed_row
from casework.referrals.models import Referral

_TABLES = {model.__tablename__: model for model in MODELS}


class MonthBulk(BulkReferrals):
    """Bulk referrals whose rows in ``first``..``last`` can be opened, so a list shows them."""

    def __init__(self, world: World, seed: int, first: date, last: date) -> None:
        super().__init__(world, seed)
        self.first, self.last = first.isoformat(), last.isoformat()
        self.plains: dict[str, list[dict[str, Any]]] = {}
        self.sealed = 0

    def start(self) -> None:
        """Take the referrals already stored (through the actions) as the templates."""
        session = self.world.svc.session
        self.count = session.scalar(select(func.count()).select_from(Referral)) or 0
        self._load_templates()
        for name, model in _TABLES.items():
            fields = [field for field, _ in encrypted_fields(model)]
            self.plains[name] = [
                {f: getattr(session.get(model, uuid.UUID(row["id"])), f) for f in fields}
                for row in self.templates[name]
            ]
        session.rollback()

    def _row(self) -> dict[str, dict[str, Any]]:
        row = super()._row()
        if self.first <= row["referrals"]["referral_date"] <= self.last:
            for name, stored in row.items():
                plain = self.plains[name][self.rng.randrange(len(self.plains[name]))]
                stored.update(_sealed(_TABLES[name], stored["id"], plain))
            self.sealed += 1
        return row


def _sealed(model: type, hex_id: str, plain: dict[str, Any]) -> dict[str, Any]:
    """The ciphertext columns of a row of ``model`` with id ``hex_id`` holding ``plain``."""
    attrs = sealed_row(model, {"id": uuid.UUID(hex_id), **plain})
    columns = {prop.key: prop.columns[0].name for prop in inspect(model).column_attrs}
    return {columns[key]: value for key, value in attrs.items() if key != "id"}
