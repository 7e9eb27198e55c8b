"""Which ways to the signed-off minutes a page offers its reader.

The meeting page and the member minutes page link to the sign-off page and to the approved
minutes, but only for readers those pages would serve: the sign-off page is the panel's chair
and coordinator's (``minutes_signoff.header_view``), the approved copy goes only to agencies
recorded present once a version is approved (``minutes_pdf.received_copy``). A link that
would end in 403 or 404 is not shown. Nothing here reads case data.
"""

from __future__ import annotations

from typing import Any

from casework.actors import Actor
from casework.meetings.attendance_state import attendance
from casework.meetings.minutes_signoff import APPROVER, signoff
from casework.meetings.models import Meeting
from casework.roles import MANAGERS
from casework.services import Services


def minutes_links(svc: Services, actor: Actor, meeting: Meeting) -> dict[str, Any]:
    """``sign_off``: the reader may open the sign-off page (``approve``: and approve there);
    ``approved``: the number of the approved version the reader's agency may download, or 0.
    ``meeting`` is one the reader's page already let them see (a member of its panel)."""
    sign = signoff(svc, meeting)
    approved = sign.approved_version if sign is not None else 0
    present = attendance(svc, meeting).get(actor.agency_id) == "present"
    return {
        "sign_off": actor.has_any(*MANAGERS),
        "approve": actor.has_any(APPROVER),
        "status": sign.status if sign is not None else "draft",
        "approved": approved if present else 0,
    }
