"""The partnership the API is fuzzed against: the demo partnership, then a month of MARAC
work driven through the API itself (accepted referrals, a published agenda, attendance, an
action, minutes, a meeting held and closed), a pending possible match, and records on the
nominals, so that generated requests can name real records and reach the rules behind them.

Everything happens at fixed moments (``SEEDED_AT``, then ``FUZZED_AT``, the day after the
meeting was held, inside its reopening window), so what the fuzzing finds does not turn on
the real date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import create_token
from casework.accounts.models import User
from casework.demo import load_demo
from casework.services import Services
from tests.conftest import bearer
from tests.referral_data import referral_body

SEEDED_AT = "2027-03-01T09:00"  # a Monday; the MARAC's April meeting is five weeks ahead
# The fuzzing tokens: a case manager and an agency referrer, as the issue asks, and an
# administrator, so the account and agency operations are reached beyond their 403.
ROLES = {
    "coordinator": "coordinator@csp.demo",
    "referrer": "referrer@police.demo",
    "admin": "admin@csp.demo",
}


@dataclass
class World:
    """Tokens by role, and real records by the names the API's paths give their ids."""

    tokens: dict[str, str] = field(default_factory=dict)
    records: list[dict[str, str]] = field(default_factory=list)
    fuzzed_at: str = ""
    # Every answer the seeding got, (method, path, response): successes the fuzzing seldom
    # reaches (a valid referral, a published agenda), checked against the document too.
    answers: list[tuple[str, str, Any]] = field(default_factory=list)

    def add(self, **ids: Any) -> None:
        self.records.append({k: str(v) for k, v in ids.items()})

    def values(self, name: str) -> list[str]:
        """Every real value of one id (or agency code), in the order they were made."""
        return list(dict.fromkeys(r[name] for r in self.records if name in r))

    def path_choices(self, names: frozenset[str]) -> list[dict[str, str]]:
        """Real values for a path's parameters, each set taken from one record, so that
        nested addresses (a meeting and one of its items) can name what exists."""
        found = [{k: r[k] for k in names} for r in self.records if names <= r.keys()]
        return list({tuple(sorted(c.items())): c for c in found}.values())


class _Api:
    def __init__(self, app: Flask, tokens: dict[str, str], world: World) -> None:
        self.client, self.tokens, self.world = app.test_client(), tokens, world

    def __call__(self, who: str, method: str, url: str, body: Any = None, ok: int = 200) -> Any:
        kwargs = {"json": body} if body is not None else {}
        answer = getattr(self.client, method)(
            f"/api/v1{url}", headers=bearer(self.tokens[who]), **kwargs
        )
        assert answer.status_code == ok, (method, url, answer.status_code, answer.get_data())
        self.world.answers.append((method.upper(), f"/api/v1{url}", answer))
        return answer.json


def _token(svc: Services, email: str) -> str:
    user = svc.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    _, secret = create_token(svc, user)
    return secret


def build(app: Flask, svc: Services) -> World:
    """Seed the database behind ``app``; the answer says what the fuzzing may name."""
    world = World()
    with clock.travel(SEEDED_AT):
        assert load_demo(svc, history=False) is not None, "the fuzzing database must start empty"
        svc.session.commit()
        tokens = {role: _token(svc, email) for role, email in ROLES.items()}
        tokens["chair"] = _token(svc, "chair@police.demo")
        tokens["idva"] = _token(svc, "idva@idva.demo")
        svc.session.commit()
        api = _Api(app, tokens, world)
        held = _marac_month(api, world)
        _offenders(api, world)
        _reads(api, world)
        _additions(api)
        for user in sorted(api("admin", "get", "/users"), key=lambda u: u["email"]):
            world.add(user_id=user["id"])
        for agency in api("admin", "get", "/agencies"):
            world.add(code=agency["code"])
    world.tokens = {role: tokens[role] for role in ROLES}
    world.fuzzed_at = f"{held + timedelta(days=1)}T11:00"
    return world


def _marac_month(api: _Api, world: World) -> date:
    """April's meeting held and closed, May's agenda drafted; answers April's date."""
    panels = api("coordinator", "get", "/panels")
    marac = next(p for p in panels if p["kind"] == "marac")
    for panel in panels:
        world.add(panel_id=panel["id"])
    meetings = api("coordinator", "get", f"/panels/{marac['id']}/meetings")
    ahead = clock.today() + timedelta(days=7)
    april, may = [m for m in meetings if date.fromisoformat(m["date"]) > ahead][:2]
    for meeting in meetings:
        world.add(meeting_id=meeting["id"])
    referrals = api("coordinator", "get", "/referrals")
    ids = [r["id"] for r in sorted(referrals, key=lambda r: (r["referral_date"], r["reference"]))]
    # A near match of a victim already referred (another first name) waits for review.
    near = referral_body(
        marac["id"],
        referral_date=clock.today().isoformat(),
        victim__first_name="Bethan",
        victim__last_name="Cole",
        victim__date_of_birth="1985-02-03",
        perpetrators=[
            {"first_name": "Dean", "last_name": "Marsh", "relationship_to_victim": "partner"}
        ],
    )
    ids.append(api("referrer", "post", "/referrals", near, ok=201)["id"])
    for match in api("coordinator", "get", "/referral-matches"):
        world.add(match_id=match["id"])
    for referral in ids:
        world.add(referral_id=referral)

    api("coordinator", "post", "/referrals/accept", {"ids": ids[:3], "list_at": None})
    draft = api("coordinator", "post", f"/meetings/{april['id']}/agenda/draft")
    api("coordinator", "post", f"/meetings/{april['id']}/agenda/publish")
    case = next(i for i in draft["items"] if i["kind"] == "referral")
    rows = [
        {"agency": "POL", "status": "present", "names": ["Kim"], "acknowledged": ["Kim"]},
        {"agency": "CSP", "status": "present", "names": ["Morgan"], "acknowledged": ["Morgan"]},
        {"agency": "HOUSING", "status": "apologies", "names": []},
    ]
    api("chair", "put", f"/meetings/{april['id']}/attendance", rows)
    due = (clock.today() + timedelta(days=60)).isoformat()
    action = api(
        "chair",
        "post",
        f"/meetings/{april['id']}/actions",
        {
            "referral_id": case["referral_id"],
            "owner_agency": "HOUSING",
            "description": "Fit a door alarm",
            "due_on": due,
        },
        ok=201,
    )
    world.add(action_id=action["id"], meeting_id=april["id"])
    held = date.fromisoformat(april["date"])
    with clock.travel(f"{held}T12:30"):
        minutes = {"text": "Safety plan agreed"}
        api("chair", "put", f"/meetings/{april['id']}/minutes/{case['referral_id']}", minutes)
        api("chair", "post", f"/meetings/{april['id']}/close")
        # May's agenda: the rest of the referrals, listed and drafted, not yet published.
        api("coordinator", "post", "/referrals/accept", {"ids": ids[3:], "list_at": may["id"]})
        drafted = api("coordinator", "post", f"/meetings/{may['id']}/agenda/draft")
    for meeting, items in ((april["id"], draft["items"]), (may["id"], drafted["items"])):
        for item in items:
            world.add(meeting_id=meeting, item_id=item["item_id"])
            if item.get("referral_id"):
                world.add(meeting_id=meeting, referral_id=item["referral_id"])
    return held


def _offenders(api: _Api, world: World) -> None:
    """A pathway need and an intervention on the demo's nominals, so their updates can hit.
    The young person is the police's to see (their record's sharing), not the coordinator's."""
    seen = {n["id"]: n for who in ("referrer", "coordinator") for n in api(who, "get", "/nominals")}
    start = {"start_date": clock.today().isoformat()}
    for nominal_id, nominal in sorted(seen.items(), key=lambda n: n[1]["last_name"]):
        world.add(nominal_id=nominal_id)
        url = f"/nominals/{nominal_id}"
        if nominal["record_type"] == "youth_record":
            body = {"kind": "mentoring", **start}
            made = api("referrer", "post", f"{url}/interventions", body, ok=201)
            world.add(nominal_id=nominal_id, intervention_id=made["id"])
        else:
            need = {"pathway": "accommodation", **start}
            made = api("coordinator", "post", f"{url}/pathways", need, ok=201)
            world.add(nominal_id=nominal_id, pathway_id=made["id"])


def _reads(api: _Api, world: World) -> None:
    """Answers the fuzzing seldom gets whole, read once here so the document is checked
    against them too (``test_the_seeded_answers_follow_the_document``): downloads included."""
    meeting = world.values("item_id") and world.path_choices(frozenset({"meeting_id", "item_id"}))
    agenda = f"/meetings/{meeting[-1]['meeting_id']}/agenda"
    year = clock.today().year
    for url in (
        "/me",
        f"/referrals/{world.values('referral_id')[0]}",
        f"/nominals/{world.values('nominal_id')[0]}",
        "/cohorts",
        "/actions",
        agenda,
        f"{agenda}?format=csv",
        f"{agenda}?format=xlsx",
        f"/stats/marac?from={year}-01-01&to={year}-12-31",
        f"/stats/marac?from={year}-01-01&to={year}-12-31&format=csv",
        f"/stats/marac/quarterly?year={year}&quarter=1&format=xlsx",
        f"/stats/offenders?from={year - 1}-01-01&to={year}-12-31",
    ):
        api("coordinator", "get", url)


def _additions(api: _Api) -> None:
    """A new agency, user and panel, for the answers to those creations (kept out of the
    records the fuzzing names, which are the demo's)."""
    agency = {"code": "FIRE", "name": "Northshire Fire and Rescue", "sector": "fire"}
    api("admin", "post", "/agencies", agency, ok=201)
    user = {
        "email": "officer@fire.demo",
        "name": "Fire Officer",
        "agency": "FIRE",
        "roles": ["agency_rep"],
        "password": "a long and unguessable passphrase 1",
    }
    api("admin", "post", "/users", user, ok=201)
    panel = {
        "kind": "iom",
        "name": "Northshire IOM",
        "area": "Northshire",
        "agencies": ["POL", "PROB", "CSP", "FIRE"],
        "schedule": "day=4th mon; hour=14",
    }
    api("coordinator", "post", "/panels", panel, ok=201)
