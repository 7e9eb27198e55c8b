"""The History tab of a case: reached from the referral and from search, showing the events
the reader may see and nothing else; "Page not found" for a referral they may not see."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import Factory, post_form, sign_in
from tests.referrals.history_world import build


def test_the_history_page_shows_the_events_the_reader_may_see(
    client: FlaskClient, factory: Factory
) -> None:
    h = build(factory, nominal=True)
    first, second, elsewhere = h.first.reference, h.second.reference, h.elsewhere.reference
    url = f"/referrals/{h.second.id}/history"
    sign_in(client, "jo@idva.example")  # the IDVA service sent apologies to the meeting
    page = client.get(url)
    assert page.status_code == 200
    assert f"Referral {first}" in page.text and f"Referral {second}" in page.text
    assert "Heard at a meeting" in page.text and "Arrange a safe move" in page.text
    assert "Safety plan agreed" not in page.text  # minutes of a meeting it did not attend
    assert elsewhere not in page.text and "Also known to" not in page.text
    assert url in client.get(f"/referrals/{h.second.id}").text  # the tab on the case
    found = post_form(client, "/search", {"q": "sara whitfeld"})
    assert url in found.text or f"/referrals/{h.first.id}/history" in found.text


def test_also_known_to_links_the_nominal_for_a_reader_both_protocols_permit(
    client: FlaskClient, factory: Factory
) -> None:
    h = build(factory, nominal=True)
    assert h.nominal is not None
    nominal = str(h.nominal.id)
    sign_in(client, "chair@pol.example")
    page = client.get(f"/referrals/{h.first.id}/history")
    assert "Also known to" in page.text and f"/offenders/nominals/{nominal}" in page.text


def test_a_referral_the_reader_may_not_see_is_page_not_found(
    client: FlaskClient, factory: Factory
) -> None:
    h = build(factory)
    url = f"/referrals/{h.second.id}/history"
    sign_in(client, "rep@out.example")
    assert client.get(url).status_code == 404
