"""The sign-off pages: the chair saves the meeting's details and approves the minutes; a
member of an agency recorded present follows the e-mailed link and downloads its copy; a
member of an agency that sent apologies gets 404 for both."""

from __future__ import annotations

from sqlalchemy import select

from casework.meetings.minutes_models import MinutesSignOff
from casework.meetings.models import Minute
from tests.conftest import PASSWORD, post_form, sign_in
from tests.meetings.conduct_setup import partnership


def test_chair_approves_on_the_page_and_present_agency_downloads(factory, client, app):
    p = partnership(factory)
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG"), apologies=("HLT",))
    minute = Minute(meeting_id=meeting.id, referral_id=p.referrals[0].id)
    minute.text = "Safety plan agreed"
    p.svc.session.add(minute)
    p.svc.session.commit()
    mid = meeting.id
    url = f"/meetings/{mid}/minutes/sign-off"

    sign_in(client, "chair@pol.example", PASSWORD)
    blank = post_form(client, url, {"do": "approve"})
    assert blank.status_code == 422 and 'href="#venue"' in blank.text
    bad = post_form(client, url, {"do": "save", "venue": "", "observers": "Sam\n"})
    assert bad.status_code == 422 and "Enter where the meeting was held" in bad.text
    assert post_form(client, url, {"do": "save", "venue": "Town Hall"}).status_code == 302
    assert post_form(client, url, {"do": "approve"}).status_code == 302
    page = client.get(url).text
    assert "Version 1 is the latest approved" in page and 'id="versions"' in page
    sign = p.svc.session.scalar(select(MinutesSignOff).where(MinutesSignOff.meeting_id == mid))
    assert sign.status == "approved"

    client = app.test_client()  # another person, another browser
    sign_in(client, "rep@hsg.example", PASSWORD)
    landing = client.get(f"/meetings/{mid}/minutes/approved")
    assert landing.status_code == 200 and "Download the minutes (PDF)" in landing.text
    pdf = client.get(f"/meetings/{mid}/minutes/approved.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(url).status_code == 403  # the header form is the chair's

    client = app.test_client()
    sign_in(client, "rep@hlt.example", PASSWORD)
    assert client.get(f"/meetings/{mid}/minutes/approved").status_code == 404
    assert client.get(f"/meetings/{mid}/minutes/approved.pdf").status_code == 404
