"""Pages with several parts to save keep what was typed in the others: saving the minutes
does not empty a half-written action, adding an action does not lose unsaved minutes, saving
one case's research does not lose another's, and the meeting page keeps its ticks and names.
Each part is saved through its own action, with a banner for what is still unsaved; an error
in one part comes back with everything else still in its box."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.meetings.models import Attendee, CaseAction, Minute, ResearchNote
from tests.conftest import sign_in
from tests.meetings.conduct_setup import TODAY, Partnership, partnership
from tests.meetings.page_form import submit

MINUTES = "Victim moved to a refuge; police marker placed on the address"
DUE = TODAY + timedelta(days=7)
ACTION = {
    "description": "Fit a door alarm",
    "owner_agency": "HSG",
    "due_on-day": str(DUE.day),
    "due_on-month": str(DUE.month),
    "due_on-year": str(DUE.year),
}


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _box(html: str, box_id: str) -> str:
    """A textarea's text, or an input's value, as the page shows it."""
    textarea = re.search(rf'<textarea[^>]*id="{box_id}"[^>]*>(.*?)</textarea>', html, re.S)
    if textarea:
        return textarea.group(1).strip()
    found = re.search(rf'<input[^>]*id="{box_id}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else ""


def _checked(html: str, box_id: str) -> bool:
    return bool(re.search(rf'<input[^>]*id="{box_id}"[^>]*checked', html))


# A case at the meeting: minutes and a new action


def _case_url(p: Partnership, client) -> str:
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG"), apologies=("HLT",))
    sign_in(client, "chair@pol.example")
    return f"/meetings/{meeting.id}/cases/{p.referrals[0].id}"


def test_adding_an_action_keeps_the_minutes_being_typed(p, client, svc):
    url = _case_url(p, client)
    page = submit(client, url, "case-form", ("save", "action"), {"text": MINUTES, **ACTION})
    assert page.status_code == 200  # drawn again, not redirected: the minutes are unsaved
    assert "Action added" in page.text and "minutes are not saved yet" in page.text
    assert _box(page.text, "minute-text") == MINUTES
    assert _box(page.text, "action-description") == ""  # the added action is in the table
    assert "Fit a door alarm" in page.text
    assert svc.session.scalars(select(CaseAction)).one().description == "Fit a door alarm"
    assert svc.session.scalars(select(Minute)).all() == []
    # the kept minutes are then saved from the page drawn again
    saved = submit(client, url, "case-form", ("save", "minute"), html=page.text)
    assert saved.status_code == 302 and MINUTES in client.get(url).text
    svc.session.expire_all()
    assert svc.session.scalars(select(Minute)).one().text == MINUTES


def test_saving_the_minutes_keeps_the_action_being_typed(p, client, svc):
    url = _case_url(p, client)
    page = submit(client, url, "case-form", ("save", "minute"), {"text": MINUTES, **ACTION})
    assert page.status_code == 200
    assert "Minutes saved" in page.text and "action you started is not added" in page.text
    assert _box(page.text, "action-description") == "Fit a door alarm"
    assert _box(page.text, "action-due_on-day") == str(DUE.day)
    assert re.search(r'<option value="HSG" selected', page.text)
    assert svc.session.scalars(select(CaseAction)).all() == []
    # with nothing else typed, saving redirects as before (a reload cannot save twice)
    again = submit(client, url, "case-form", ("save", "minute"), {"text": MINUTES + "."})
    assert again.status_code == 302


def test_an_error_in_one_part_keeps_the_other(p, client, svc):
    url = _case_url(p, client)
    bad = submit(
        client, url, "case-form", ("save", "action"), {"text": MINUTES, "description": "Call"}
    )
    assert bad.status_code == 422 and "<title>Error: " in bad.text
    assert "#action-owner_agency" in bad.text and "#action-due_on-day" in bad.text
    assert _box(bad.text, "minute-text") == MINUTES
    assert _box(bad.text, "action-description") == "Call"
    bad = submit(client, url, "case-form", ("save", "minute"), {"text": "", **ACTION})
    assert bad.status_code == 422 and 'href="#minute-text"' in bad.text
    assert _box(bad.text, "action-description") == "Fit a door alarm"
    assert svc.session.scalars(select(CaseAction)).all() == []


def test_enter_in_the_action_adds_the_action(p, client, svc):
    """Enter presses the hidden first button (``save=changed``): the part being typed into."""
    url = _case_url(p, client)
    done = submit(client, url, "case-form", ("save", "changed"), ACTION)
    assert done.status_code == 302
    assert svc.session.scalars(select(CaseAction)).one().description == "Fit a door alarm"


# Research: one form for every case


def _research(p: Partnership, client, cases: int = 3) -> tuple[str, list[str]]:
    meeting = p.meeting(cases=cases)
    sign_in(client, "rep@hsg.example")
    return f"/meetings/{meeting.id}/research", [str(r.id) for r in p.referrals]


def _note(rid: str, answer: str, text: str = "") -> dict[str, str]:
    return {f"has_information-{rid}": answer, f"text-{rid}": text}


def test_saving_one_case_keeps_what_was_typed_for_another(p, client, svc):
    url, ids = _research(p, client)
    typed = {**_note(ids[0], "yes", "Tenancy arrears"), **_note(ids[1], "yes", "ASB warning")}
    page = submit(client, url, "research-form", ("save", ids[0]), typed)
    assert page.status_code == 200
    assert "Research saved for case 1" in page.text
    assert "Not saved yet: your changes to case 2." in page.text
    assert _box(page.text, "case-2-text") == "ASB warning"
    assert _checked(page.text, "case-2-has_information")  # yes, the first radio
    assert _box(page.text, "case-1-text") == "Tenancy arrears"
    assert "Changes not saved" in page.text
    notes = svc.session.scalars(select(ResearchNote)).all()
    assert [(str(n.referral_id), n.text) for n in notes] == [(ids[0], "Tenancy arrears")]
    # the kept case is then saved from the page drawn again; nothing else is left to keep
    done = submit(client, url, "research-form", ("save", ids[1]), html=page.text)
    assert done.status_code == 302 and done.location.endswith(f"#note-{ids[1]}")
    assert "recorded research for 2 of 3 cases" in client.get(url).text


def test_an_error_on_one_case_keeps_every_other_case(p, client, svc):
    url, ids = _research(p, client)
    typed = {**_note(ids[0], "yes"), **_note(ids[2], "no", "Nothing held")}
    bad = submit(client, url, "research-form", ("save", ids[0]), typed)
    assert bad.status_code == 422 and "<title>Error: " in bad.text
    assert 'href="#case-1-text"' in bad.text
    assert _checked(bad.text, "case-1-has_information")
    assert _box(bad.text, "case-3-text") == "Nothing held"
    assert svc.session.scalars(select(ResearchNote)).all() == []


def test_save_all_saves_every_changed_case_or_none(p, client, svc):
    url, ids = _research(p, client)
    save_all = ("save", "all")
    typed = {**_note(ids[0], "no"), **_note(ids[1], "yes")}  # the second lacks its note
    bad = submit(client, url, "research-form", save_all, typed)
    assert bad.status_code == 422 and 'href="#case-2-text"' in bad.text
    assert svc.session.scalars(select(ResearchNote)).all() == []  # all or nothing
    typed.update(_note(ids[1], "yes", "Repairs request open"))
    done = submit(client, url, "research-form", save_all, typed)
    assert done.status_code == 302
    page = client.get(url).text
    assert "Research saved for 2 cases" in page and "recorded research for 2 of 3" in page
    nothing = submit(client, url, "research-form", save_all)
    assert nothing.status_code == 302
    assert "There were no changes to save" in client.get(url).text


# The meeting page: attendance, attendees and acknowledgements


def test_the_meeting_page_keeps_ticks_and_names_across_its_parts(p, client, svc):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG"))
    sign_in(client, "chair@pol.example")
    url = f"/meetings/{meeting.id}/conduct"
    (officer,) = [a for a in svc.session.scalars(select(Attendee)) if a.name == "POL officer"]
    # untick POL's acknowledgement and start an attendee, then save attendance (HLT present)
    typed = {"attendance-HLT": "present", "acknowledged": [], "name": "Sam Patel"}
    page = submit(client, url, "conduct-form", ("save", "attendance"), typed)
    assert page.status_code == 200 and "Attendance saved" in page.text
    assert "Not saved yet: the attendee you started to add and your changes to the" in page.text
    assert _box(page.text, "attendee-name") == "Sam Patel"
    assert not _checked(page.text, "acknowledged")  # POL officer still unticked
    svc.session.expire_all()
    assert svc.session.get(Attendee, officer.id).acknowledged_at is not None
    # an attendee error keeps the changed attendance
    bad = submit(client, url, "conduct-form", ("save", "attendee"), {"attendance-HLT": "apologies"})
    assert bad.status_code == 422 and 'href="#attendee-agency"' in bad.text
    assert _checked(bad.text, "attendance-HLT-2")  # apologies, still chosen
    # removing someone keeps the name being typed
    removed = submit(client, url, "conduct-form", ("remove", str(officer.id)), {"name": "Jo"})
    assert removed.status_code == 200 and "Attendee removed" in removed.text
    assert _box(removed.text, "attendee-name") == "Jo"
    svc.session.expire_all()
    assert svc.session.get(Attendee, officer.id) is None
