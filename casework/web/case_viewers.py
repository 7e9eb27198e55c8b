"""The "who has viewed this case" page, linked from the referral page for the panel's
coordinator (and reachable by the DPO from the same address)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from casework.audit.viewers import LIMIT, case_viewers
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint

ACTION_NAMES = {
    "view": "Viewed",
    "list": "Listed",
    "export": "Exported",
    "disclose": "Disclosed",
}


@blueprint.get("/referrals/<referral_id>/viewers")
@signed_in
@policy("referral")
def case_viewers_page(referral_id: str) -> Any:
    view = case_viewers(services(), current_actor(), referral_id)
    return render_template("audit/viewers.html", view=view, action_names=ACTION_NAMES, limit=LIMIT)
