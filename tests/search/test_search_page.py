"""The search page and the box on every page: the same answers as the API, posted."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import post_form, sign_in
from tests.search.world import OTHER_AREA, SearchWorld


def test_the_box_is_on_every_page_for_case_roles_only(
    client: FlaskClient, world: SearchWorld
) -> None:
    sign_in(client, "idva@idv.example")
    assert 'class="app-search"' in client.get("/").text
    assert 'class="app-search"' in client.get("/referrals").text
    client.get("/sign-out")
    other = FlaskClient(client.application, use_cookies=True)
    sign_in(other, "an@ana.example")
    assert 'class="app-search"' not in other.get("/").text
    assert other.post("/search", data={"q": "sara"}).status_code in (400, 403)


def test_a_search_shows_sound_alikes_as_similar_and_links_the_case(
    client: FlaskClient, world: SearchWorld
) -> None:
    exact = world.referral("Sara", "Whitfield")
    similar = world.referral("Sarah", "Whitfeld")
    sign_in(client, "idva@idv.example")
    page = post_form(client, "/search", {"q": "sara whitfield"}).text
    assert "2 results" in page
    assert page.index(exact.reference) < page.index(similar.reference)
    assert f"/referrals/{exact.id}" in page and "Similar" in page
    assert "sara whitfield" not in client.get("/").text  # nothing typed is kept in the page


@pytest.mark.parametrize("role", sorted(OTHER_AREA))
def test_the_page_never_shows_another_areas_people(
    client: FlaskClient, world: SearchWorld, role: str
) -> None:
    world.other_area()
    sign_in(client, "idva@idv.example")
    first, last = OTHER_AREA[role]
    page = post_form(client, "/search", {"q": f"{first} {last}"}, page="/search")
    assert page.status_code == 200 and "0 results" in page.text


def test_a_bad_date_of_birth_is_named(client: FlaskClient, world: SearchWorld) -> None:
    sign_in(client, "idva@idv.example")
    page = post_form(
        client,
        "/search",
        {
            "q": "sara",
            "date_of_birth-day": "31",
            "date_of_birth-month": "2",
            "date_of_birth-year": "1990",
        },
    )
    assert page.status_code == 422 and "There is a problem" in page.text
