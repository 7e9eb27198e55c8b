"""``GET /api/v1/stats/offenders`` exactly as CONTRACT.md defines it, and who may count what."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask.testing import FlaskClient

from casework.services import Services
from tests.conftest import Factory, bearer
from tests.offenders.conftest import World
from tests.offenders.panel_data import classify, event, person

URL = "/api/v1/stats/offenders"


@pytest.fixture()
def data(svc: Services, world: World) -> World:
    """Entries in 2025, so every one has a full 12 months after entry by now (November 2026
    or later): A 3 before / 1 after, B 0 before / 2 after; C is another panel's."""
    panel = world.panels["ppo"]
    a = person(world, 0, "2025-03-01")
    for day in ("2024-03-01", "2024-12-24", "2025-02-28", "2025-03-01", "2026-03-01"):
        event(svc, a, day)
    b = person(world, 1, "2025-05-10")
    for day in ("2025-05-10", "2025-12-12"):
        event(svc, b, day)
    c = person(world, 2, "2025-03-01", panel="iom")
    event(svc, c, "2024-06-06")
    classify(svc, panel, a, "cc", "2025-03-01")
    classify(svc, panel, a, "rr", "2025-06-01")
    classify(svc, panel, b, "cc", "2025-05-10")
    return world


def _get(client: FlaskClient, factory: Factory, world: World, who: str, **query: str):
    """A request as ``who`` (tokens are made before any request detaches the users)."""
    tokens = world.__dict__.setdefault("tokens", {})
    if not tokens:
        tokens.update({name: factory.token(user) for name, user in world.users.items()})
    return client.get(URL, query_string=query, headers=bearer(tokens[who]))


def test_the_answer_has_exactly_the_contract_keys(
    client: FlaskClient, factory: Factory, data: World
) -> None:
    panel = data.panels["ppo"]
    answer = _get(
        client,
        factory,
        data,
        "coordinator",
        panel_id=str(panel.id),
        **{"from": "2025-01-01", "to": "2025-12-31"},
    )
    assert answer.status_code == 200
    assert answer.json == {
        "nominals": 2,
        "classification": {"rr": 1, "cc": 1},
        "followed_up": 2,
        "offences_before": 3,
        "offences_after": 3,  # 2026-03-01 is a year after A's entry: outside the window
        "reduction_rate": 0.0,
    }


def test_the_reduction_is_null_when_nothing_came_before(
    client: FlaskClient, factory: Factory, data: World
) -> None:
    panel = data.panels["ppo"]
    answer = _get(
        client,
        factory,
        data,
        "analyst",
        panel_id=str(panel.id),
        **{"from": "2025-05-01", "to": "2025-05-31"},
    )
    assert answer.json["followed_up"] == 1
    assert (answer.json["offences_before"], answer.json["offences_after"]) == (0, 2)
    assert answer.json["reduction_rate"] is None


def test_an_analyst_counts_every_offender_panel(
    client: FlaskClient, factory: Factory, data: World
) -> None:
    answer = _get(client, factory, data, "analyst", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert answer.json["nominals"] == 3  # A and B (PPO) and C (IOM)
    assert answer.json["offences_before"] == 4


def test_panels_the_caller_may_not_count_are_404_and_other_roles_403(
    client: FlaskClient, factory: Factory, data: World
) -> None:
    period = {"from": "2025-01-01", "to": "2025-12-31"}
    ppo, marac_id = str(data.panels["ppo"].id), str(data.panels["marac"].id)
    outsider = _get(client, factory, data, "outsider", panel_id=ppo, **period)
    assert outsider.status_code == 404
    assert outsider.json["error"]["code"] == "not_found"
    marac = _get(client, factory, data, "coordinator", panel_id=marac_id, **period)
    assert marac.status_code == 404
    missing = _get(
        client,
        factory,
        data,
        "coordinator",
        panel_id="6f1f7d4e-0000-4000-8000-000000000000",
        **period,
    )
    assert missing.status_code == 404
    assert _get(client, factory, data, "police", panel_id=ppo, **period).status_code == 403
    assert client.get(URL, query_string={"panel_id": ppo, **period}).status_code == 401


def test_bad_dates_name_each_field(client: FlaskClient, factory: Factory, data: World) -> None:
    answer = _get(client, factory, data, "coordinator", to="2025-13-01")
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"from", "to"}
    answer = _get(
        client, factory, data, "coordinator", **{"from": "2025-06-01", "to": "2025-01-01"}
    )
    assert set(answer.json["error"]["fields"]) == {"to"}


def test_csv_and_xlsx_carry_every_figure_and_no_one_s_name(
    client: FlaskClient, factory: Factory, data: World
) -> None:
    query = {"panel_id": str(data.panels["ppo"].id), "from": "2025-01-01", "to": "2025-12-31"}
    csv = _get(client, factory, data, "coordinator", format="csv", **query)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "offender-cohort-figures-2025-12-31.csv" in csv.headers["Content-Disposition"]
    text = csv.get_data(as_text=True)
    assert '"offending","offences_before","3"' in text
    assert '"cohort","movements.cc_to_rr","1"' in text
    assert "Person" not in text and "Surname" not in text
    published = _get(
        client, factory, data, "coordinator", format="csv", publication="true", **query
    )
    assert '"offending","offences_before","<5"' in published.get_data(as_text=True)
    xlsx = _get(client, factory, data, "coordinator", format="xlsx", **query)
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            book.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in book.namelist()
            else ""
        )
    assert "offences_before" in sheet + strings


def test_openapi_describes_the_endpoint(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/stats/offenders"]
