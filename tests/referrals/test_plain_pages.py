"""Pages that speak plainly (issue 14, section 6): a greeting by name, UK times where UTC ones
were shown, the "If yes, why" question as a GOV.UK conditional reveal, and sentence case."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from casework import clock
from casework.accounts.auth import actor_for
from casework.referrals import drafts
from casework.web.wording import mid_sentence
from tests.conftest import Factory, sign_in


@pytest.fixture()
def referrer(factory: Factory):
    factory.agency("POL", "police")
    panel = factory.panel(("POL",), name="North MARAC")
    user = factory.user("ref@pol.example", "POL", ("referrer",))
    return user, panel


def test_the_home_page_greets_people_by_name(client, referrer) -> None:
    user, _ = referrer
    sign_in(client, "ref@pol.example")
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", client.get("/").text).group(1)
    assert heading == f"Hello, {user.name}"


def test_a_draft_saved_in_summer_shows_its_uk_time(client, svc, referrer) -> None:
    user, panel = referrer
    with clock.travel(datetime(2027, 7, 1, 10, 7, tzinfo=UTC)):  # 11:07 British Summer Time
        drafts.start_draft(svc, actor_for(user), panel.id, date(2027, 7, 1))
        svc.session.commit()
        sign_in(client, "ref@pol.example")
        page = client.get("/referrals").text
    assert "1 July 2027 at 11:07" in page
    assert "UTC" not in page and "10:07" not in page


def _criteria_page(client, svc, referrer) -> str:
    user, panel = referrer
    draft = drafts.start_draft(svc, actor_for(user), panel.id, date(2026, 11, 2))
    svc.session.commit()
    sign_in(client, "ref@pol.example")
    return client.get(f"/referrals/drafts/{draft.id}/criteria").text


def test_if_yes_why_is_revealed_under_yes_and_there_without_javascript(
    client, svc, referrer
) -> None:
    page = _criteria_page(client, svc, referrer)
    reveal = re.search(
        r'<div class="govuk-radios__conditional[^"]*" id="([^"]+)">(.*?)</div>\s*</div>',
        page,
        re.S,
    )
    assert reveal is not None, "the reason is a conditional reveal"
    assert 'name="professional_judgement_reason"' in reveal.group(2)
    # The "Yes" radio controls it (GOV.UK Frontend shows it when chosen) ...
    assert re.search(rf'value="yes"[^>]*data-aria-controls="{reveal.group(1)}"', page)
    # ... and it is in the page, hidden only by the "JavaScript ran" class, so the question
    # stays on screen when scripts are off (GOV.UK's progressive enhancement).
    assert "If yes, why do you judge that this case should be heard?" in reveal.group(2)


def test_labels_keep_their_acronyms_in_sentence_case() -> None:
    assert mid_sentence("Visible high risk (a DASH score of 14 or more)") == (
        "visible high risk (a DASH score of 14 or more)"
    )
    assert mid_sentence("DASH risk checklist") == "DASH risk checklist"
    assert mid_sentence("MARAC criteria") == "MARAC criteria"


def test_check_answers_names_sections_in_sentence_case(client, svc, referrer) -> None:
    user, panel = referrer
    draft = drafts.start_draft(svc, actor_for(user), panel.id, date(2026, 11, 2))
    svc.session.commit()
    sign_in(client, "ref@pol.example")
    page = client.get(f"/referrals/drafts/{draft.id}/check").text
    assert 'Change<span class="govuk-visually-hidden"> DASH risk checklist' in page
    assert "dash risk checklist" not in page and "marac criteria" not in page
