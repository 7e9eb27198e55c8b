"""GET /api/v1/search: sound-alikes found as similar, exact first, other areas never seen."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Factory, bearer
from tests.search.world import OTHER_AREA, SearchWorld


def search(client: FlaskClient, secret: str, **params: str) -> Any:
    return client.get("/api/v1/search", query_string=params, headers=bearer(secret))


# (name held, name typed): each found and marked similar
SPELLINGS = [
    (("Sarah", "Jones"), "sara jones"),
    (("Sara", "Jones"), "sarah jones"),
    (("Stephen", "Hall"), "steven hall"),
    (("Ann", "MacDonald"), "ann mcdonald"),
    (("Ann", "McDonald"), "ann macdonald"),
    (("Ann", "Smyth"), "ann smith"),
    (("Zoë", "Brontë"), "zoe bronte"),
    (("Ann", "Smith-Jones"), "ann jones"),
    (("Ann", "Smith-Jones"), "ann smith jones"),
    (("Ann", "Bowes Lyon"), "ann bowes-lyon"),
    (("Sara", "Whitfield"), "whitfield sara"),
    (("Sara", "Whitfield"), "sara whitfeld"),
]


@pytest.mark.parametrize(("held", "typed"), SPELLINGS)
def test_spelling_variants_are_found_as_similar(
    client: FlaskClient, world: SearchWorld, factory: Factory, held: tuple[str, str], typed: str
) -> None:
    referral = world.referral(*held)
    world.referral("Unrelated", "Person")
    answer = search(client, factory.token(world.users["idva"]), q=typed)
    assert answer.status_code == 200
    assert answer.json["results"] == [
        {
            "type": "referral",
            "id": str(referral.id),
            "reference": referral.reference,
            "role": "victim",
            "match": "similar",
        }
    ]


def test_an_exact_match_ranks_first(
    client: FlaskClient, world: SearchWorld, factory: Factory
) -> None:
    similar = [world.referral("Sarah", "Whitfield"), world.referral("Sara", "Whitfeld")]
    exact = world.referral("Sara", "Whitfield")
    answer = search(client, factory.token(world.users["idva"]), q="Sara Whitfield").json
    assert [(r["id"], r["match"]) for r in answer["results"]][0] == (str(exact.id), "exact")
    assert {r["id"] for r in answer["results"][1:]} == {str(r.id) for r in similar}
    assert {r["match"] for r in answer["results"][1:]} == {"similar"}


def test_every_role_is_found_with_date_of_birth_narrowing(
    client: FlaskClient, world: SearchWorld, factory: Factory
) -> None:
    referral = world.referral(
        "Amelia",
        "Hart",
        perpetrators=[
            {
                "first_name": "Conor",
                "last_name": "Brady",
                "date_of_birth": "1980-01-01",
                "relationship_to_victim": "partner",
            }
        ],
        children=[{"first_name": "Lily", "last_name": "Hart", "date_of_birth": "2019-05-05"}],
    )
    nominal = world.nominal("Conor", "Brady", pnc_id="09/123456X")
    secret = factory.token(world.users["police"])
    found = search(client, secret, q="conor brady").json["results"]
    assert {(r["type"], r["role"], r["match"]) for r in found} == {
        ("referral", "perpetrator", "exact"),
        ("nominal", "nominal", "exact"),
    }
    hart = search(client, secret, q="hart").json["results"]
    assert {(r["role"], r["id"]) for r in hart} == {
        ("victim", str(referral.id)),
        ("child", str(referral.id)),
    }
    born = search(client, secret, q="hart", date_of_birth="2019-05-05").json["results"]
    assert [(r["role"], r["match"]) for r in born] == [("child", "exact")]
    assert search(client, secret, q="hart", date_of_birth="2000-01-01").json["results"] == []
    by_reference = search(client, secret, q=referral.reference.lower()).json["results"]
    assert [r["id"] for r in by_reference] == [str(referral.id)]
    by_pnc = search(client, secret, q="09/123456x").json["results"]
    assert [(r["type"], r["id"]) for r in by_pnc] == [("nominal", str(nominal.id))]


@pytest.mark.parametrize("role", sorted(OTHER_AREA))
def test_a_record_of_a_panel_the_callers_agency_is_not_on_is_never_returned(
    client: FlaskClient, world: SearchWorld, factory: Factory, role: str
) -> None:
    world.other_area()
    first, last = OTHER_AREA[role]
    theirs = search(client, factory.token(world.users["other"]), q=f"{first} {last}").json
    assert [r["role"] for r in theirs["results"]] == [role]  # it is there to be found
    for who in ("idva", "police"):
        secret = factory.token(world.users[who])
        for typed in (f"{first} {last}", last, f"{last} {first}"):
            assert search(client, secret, q=typed).json == {"results": []}


def test_only_case_roles_search_and_bad_input_names_every_field(
    client: FlaskClient, world: SearchWorld, factory: Factory
) -> None:
    analyst, secret = (factory.token(world.users[w]) for w in ("analyst", "idva"))
    assert search(client, analyst, q="sara").status_code == 403
    bad = search(client, secret, q="", date_of_birth="1800-01-01", colour="red")
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"q", "date_of_birth", "colour"}
    assert search(client, secret, q="x" * 91).status_code == 422
    assert search(client, secret, q="'-'").status_code == 422
