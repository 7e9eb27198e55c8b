"""The "Change" and "Delete" pages for an action, linked from the meeting's case page, with
GOV.UK errors that keep what was typed; the owner agency's pages show what changed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import csrf_token, post_form, sign_in
from tests.meetings.conduct_setup import TODAY, Partnership, partnership


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _as(app, email: str):
    browser = app.test_client()
    sign_in(browser, email)
    return browser


def _summary_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="(#[^"]+)"', summary)


def _setup(p: Partnership):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG", "CSP"))
    act = p.action(meeting, p.referrals[0], owner="HSG")
    return meeting, act


def test_the_chair_corrects_an_action_from_the_case_page(p, app):
    meeting, act = _setup(p)
    chair = _as(app, "chair@pol.example")
    case_url = f"/meetings/{meeting.id}/cases/{p.referrals[0].id}"
    case = chair.get(case_url).text
    change_url, delete_url = f"/actions/{act.id}/change", f"/actions/{act.id}/delete"
    assert f'href="{change_url}"' in case and f'href="{delete_url}"' in case
    form = chair.get(change_url)
    assert form.status_code == 200 and "Arrange a safe move" in form.text
    due = TODAY + timedelta(days=14)
    assert f'value="{due.day}"' in form.text and 'value="HSG" selected' in form.text
    past = TODAY - timedelta(days=1)
    bad = post_form(
        chair,
        change_url,
        {
            "description": "",
            "owner_agency": "OUT",
            "due_on-day": str(past.day),
            "due_on-month": str(past.month),
            "due_on-year": str(past.year),
        },
    )
    assert bad.status_code == 422
    assert _summary_links(bad.text) == ["#description", "#owner_agency", "#due_on-day"]
    assert f'value="{past.day}"' in bad.text and "govuk-input--error" in bad.text
    later = TODAY + timedelta(days=40)
    ok = post_form(
        chair,
        change_url,
        {
            "description": "Fit window locks",
            "owner_agency": "HSG",
            "due_on-day": str(later.day),
            "due_on-month": str(later.month),
            "due_on-year": str(later.year),
        },
    )
    assert ok.status_code == 302 and ok.headers["Location"].endswith(case_url)
    after = chair.get(case_url).text
    assert "Action changed" in after and "Fit window locks" in after
    assert "Changed" in after and "by Chair (POL)" in after
    housing = _as(app, "rep@hsg.example").get("/actions").text
    assert "Fit window locks" in housing and "Arrange a safe move" in housing  # from, to
    assert "/actions/changes" in housing


def test_deleting_needs_a_reason_and_the_owner_sees_it_deleted(p, app):
    meeting, act = _setup(p)
    chair = _as(app, "coord@csp.example")
    url = f"/actions/{act.id}/delete"
    page = chair.get(url)
    assert page.status_code == 200 and "Arrange a safe move" in page.text
    bad = post_form(chair, url, {"reason": ""})
    assert bad.status_code == 422 and _summary_links(bad.text) == ["#reason"]
    assert "Enter why the action is being deleted" in bad.text
    ok = post_form(chair, url, {"reason": "Agreed twice by mistake"})
    assert ok.status_code == 302
    case = chair.get(ok.headers["Location"]).text
    assert "Action deleted" in case and "Deleted" in case
    assert f'href="/actions/{act.id}/change"' not in case  # nothing left to change
    stale = post_form(chair, url, {"reason": "Again"}, page=ok.headers["Location"])
    assert stale.status_code == 302  # back to the case with a banner, not a form error
    assert "already deleted" in chair.get(stale.headers["Location"]).text
    housing = _as(app, "rep@hsg.example")
    assert "Arrange a safe move" not in housing.get("/actions").text
    changes = housing.get("/actions/changes").text
    assert "Arrange a safe move" in changes and "Agreed twice by mistake" in changes
    assert "Deleted" in changes


@pytest.mark.parametrize(("email", "status"), [("rep@hsg.example", 403), ("rep@out.example", 404)])
def test_others_cannot_open_or_use_the_pages(p, app, email, status):
    _, act = _setup(p)
    browser = _as(app, email)
    token = csrf_token(browser.get("/").text)
    for url in (f"/actions/{act.id}/change", f"/actions/{act.id}/delete"):
        assert browser.get(url).status_code == status
        post = browser.post(url, data={"csrf_token": token, "reason": "x"})
        assert post.status_code == status
    assert browser.get("/actions/not-an-id/change").status_code == status
