"""API: minutes that are signed off (CONTRACT.md, Minutes).

The header (venue, chair, observers) for the panel's chair and coordinator, the chair's
approval, the versions kept, and each present agency's copy of the approved minutes as a PDF
(``?format=pdf``), through the same sharing filter and audit as the page.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import minutes_pdf, minutes_signoff
from casework.meetings.minutes_schemas import (
    MINUTES_FORMAT,
    MinutesApprovedOut,
    MinutesHeaderIn,
    MinutesHeaderOut,
    MinutesVersionsOut,
)
from casework.roles import CASE_ROLES, MANAGERS


def attachment(download: minutes_pdf.MinutesFile) -> Response:
    """A file answer; the name carries the date and version only (never personal data)."""
    response = Response(download.content, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


@blueprint.get("/meetings/<meeting_id>/minutes")
@endpoint(
    summary="The minutes' header and sign-off state (chair, coordinator); with ?format=pdf, "
    "the latest approved version as the caller's agency receives it (agencies recorded "
    "present only, 404 otherwise), audited as a disclosure to that agency",
    tag="meetings",
    policy=("minute", "action", "referral"),
    response=MinutesHeaderOut,
    roles=CASE_ROLES,
    query={"format": MINUTES_FORMAT},
    downloads=(minutes_pdf.MIMETYPE,),
)
def minutes_header(meeting_id: str) -> Any:
    fmt = request.args.get("format")
    if fmt in (None, "", "json"):
        return MinutesHeaderOut().dump(
            minutes_signoff.header_view(services(), current_actor(), meeting_id)
        )
    if fmt != "pdf":
        raise Invalid({"format": ["Choose pdf, or leave format out for JSON"]})
    return attachment(minutes_pdf.download(services(), current_actor(), meeting_id))


@blueprint.put("/meetings/<meeting_id>/minutes")
@endpoint(
    summary="Replace the minutes' header: venue (required), chair and observers; after "
    "approval this opens the next version",
    tag="meetings",
    policy=(),
    body=MinutesHeaderIn,
    response=MinutesHeaderOut,
    roles=MANAGERS,
)
def minutes_header_save(meeting_id: str) -> Any:
    saved = minutes_signoff.save_header(services(), current_actor(), meeting_id, json_body())
    return MinutesHeaderOut().dump(saved)


@blueprint.post("/meetings/<meeting_id>/minutes/approve")
@endpoint(
    summary="The chair approves the minutes as they stand: the next version, e-mailed as a "
    "link to the agencies recorded present (409 already_approved when unchanged since)",
    tag="meetings",
    policy=("minute", "action"),
    response=MinutesApprovedOut,
    roles=("chair",),
    errors=(409,),
)
def minutes_approve(meeting_id: str) -> Any:
    return MinutesApprovedOut().dump(
        minutes_signoff.approve(services(), current_actor(), meeting_id)
    )


@blueprint.get("/meetings/<meeting_id>/minutes/versions")
@endpoint(
    summary="Every version of the minutes, oldest first, with the names of the fields that "
    "changed from the version before (names only)",
    tag="meetings",
    policy=(),
    response=MinutesVersionsOut,
    roles=MANAGERS,
)
def minutes_versions(meeting_id: str) -> Any:
    return MinutesVersionsOut().dump(
        minutes_signoff.versions(services(), current_actor(), meeting_id)
    )
