"""A 201 says where the new record is: a nominal at its own address; a record added to a
nominal (an offence) at the nominal's, since it has no address of its own."""

from __future__ import annotations

from tests.conftest import Factory, bearer
from tests.offenders.conftest import World


def test_records_added_to_a_nominal_point_to_it(client, factory: Factory, world: World) -> None:
    nominal_id = str(world.nominal().id)
    headers = bearer(factory.token(world.users["coordinator"]))
    body = {"date": "2026-02-10", "category": "burglary", "outcome": "charge"}
    answer = client.post(f"/api/v1/nominals/{nominal_id}/offences", json=body, headers=headers)
    assert answer.status_code == 201
    assert answer.headers["Location"] == f"/api/v1/nominals/{nominal_id}"
    assert client.get(answer.headers["Location"], headers=headers).status_code == 200
