"""A list page reads the columns it shows of each referral, and nothing is fetched afterwards.

The Referrals page shows a name, a score, a band and a repeat flag: its 50 rows are read with
those columns (and the header), not the referral's 53, most of them ciphertexts. A field the
page shows but the load left out would be fetched again one row at a time, which is what the
statement counts here catch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import load_only

from casework.accounts.auth import actor_for
from casework.referrals.actions import referral_page
from casework.referrals.models import Referral
from casework.referrals.serialise import columns_shown, visible_referral
from casework.services import Services
from casework.sharing.catalogue import FIELDS
from casework.web.referrals import LIST_COLUMNS
from tests.conftest import Factory


@contextmanager
def statements(svc: Services) -> Iterator[list[str]]:
    """The SQL statements run on the engine inside the block."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(svc.db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(svc.db.engine, "before_cursor_execute", note)


def test_the_referrals_page_reads_only_the_columns_it_shows(
    svc: Services, factory: Factory
) -> None:
    user = factory.user("pc@example.org", roles=("coordinator",))
    panel = factory.panel(("POL",))
    for _ in range(3):
        factory.referral(user, panel)
    svc.session.expunge_all()  # nothing already loaded may stand in for the page's reads
    with statements(svc) as seen:
        rows, more = referral_page(
            svc, actor_for(user), {"panel_id": str(panel.id), "limit": 2}, LIST_COLUMNS
        )
    assert len(rows) == 2 and more
    assert {"first_name", "last_name"} <= rows[0]["victim"].keys()
    assert rows[0]["risk"].keys() == {"dash_score", "band"}
    # the page's rows in one statement, and no row's column fetched again by its id
    (columns,) = [c for s in seen if "referrals.reference" in (c := s.split("FROM")[0])]
    assert not [s for s in seen if "WHERE referrals.id = " in s], seen
    assert "referrals.victim_first_name" in columns and "referrals.dash_score" in columns
    for unshown in ("victim_address", "summary", "dash_answers", "referrer_phone"):
        assert f"referrals.{unshown}" not in columns
    assert not [s for s in seen if "referral_perpetrators" in s or "referral_children" in s]


OWN_FIELDS = sorted(
    f for f in FIELDS["referral"] if not f.startswith(("perpetrators.", "children."))
)


@pytest.mark.parametrize("field", OWN_FIELDS)
def test_each_field_is_shown_from_the_columns_named_for_it(
    svc: Services, factory: Factory, field: str
) -> None:
    """``columns_shown`` names what ``visible_referral`` reads for every catalogue field: a
    field added to the serialiser and not mapped to its columns fails here."""
    user = factory.user("pc@example.org", roles=("coordinator",))
    referral = factory.referral(user, factory.panel(("POL",)), summary="Seen twice")
    svc.session.expunge_all()
    stmt = select(Referral).where(Referral.id == referral.id)
    loaded = svc.session.scalars(stmt.options(load_only(*columns_shown(frozenset({field}))))).one()
    with statements(svc) as seen:
        shown = visible_referral(loaded, frozenset({field}), "POL")
    assert seen == []
    group, _, name = field.rpartition(".")
    assert name in (shown[group] if group else shown)
