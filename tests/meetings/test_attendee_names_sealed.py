"""Attendees' names are sealed like every other name: neither a SELECT nor the database file
shows them, and the meeting page still lists them in order."""

from __future__ import annotations

import pytest

from casework.meetings import conduct
from tests.at_rest import database_bytes, stored
from tests.meetings.conduct_setup import MEMBERS, Partnership, partnership


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def test_attendee_names_are_not_stored_in_plain_text(p, database_url):
    meeting = p.meeting(cases=1)
    chair = p.actor("chair")
    answers = {f"attendance-{code}": "absent" for code in MEMBERS} | {"attendance-POL": "present"}
    conduct.record_attendance(p.svc, chair, meeting.id, answers)
    for name in ("Quillon Marchbanks", "bea Youngblood", "Adaeze Okonkwo-Frost"):
        conduct.add_attendee(p.svc, chair, meeting.id, {"name": name, "agency": "POL"})
    p.svc.session.commit()

    values = stored(p.svc.session, "meeting_attendees", "name")
    assert len(values) == 3
    for plain in (b"Marchbanks", b"Youngblood", b"Okonkwo"):
        assert not any(plain in value for value in values)
    on_disk = database_bytes(database_url)
    if on_disk is not None:
        assert b"Marchbanks" not in on_disk and b"Okonkwo" not in on_disk
    p.svc.db.session.remove()  # read back through fresh objects
    names = [person.name for person in conduct.attendees(p.svc, meeting)]
    assert names == ["Adaeze Okonkwo-Frost", "bea Youngblood", "Quillon Marchbanks"]
