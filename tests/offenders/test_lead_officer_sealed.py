"""A nominal's lead officer is sealed like the rest of the record: neither a SELECT nor the
database file shows the name, and the record still shows it to those who may see it."""

from __future__ import annotations

from flask.testing import FlaskClient

from casework.services import Services
from tests.at_rest import database_bytes, stored
from tests.conftest import Factory, bearer
from tests.offenders.conftest import World


def test_the_lead_officer_is_not_stored_in_plain_text(
    client: FlaskClient, factory: Factory, svc: Services, world: World, database_url: str
) -> None:
    nominal = world.nominal(lead_agency="prb", lead_officer="PO Thaddeus Wrigglesworth")
    values = stored(svc.session, "nominals", "lead_officer")
    assert len(values) == 1 and b"Wrigglesworth" not in values[0]
    on_disk = database_bytes(database_url)
    if on_disk is not None:
        assert b"Wrigglesworth" not in on_disk
    headers = bearer(factory.token(world.users["coordinator"]))
    shown = client.get(f"/api/v1/nominals/{nominal.id}", headers=headers).json
    assert shown["lead_officer"] == "PO Thaddeus Wrigglesworth"
