"""API: meeting agendas (CONTRACT.md, Meetings and agendas)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from marshmallow import validate

from casework.api.answer_schemas import AgendaOut
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint
from casework.http import current_actor, services
from casework.meetings import agenda_export
from casework.meetings.agenda_view import agenda_for
from casework.schemas import PlainString

AGENDA_FORMAT = PlainString(
    validate=validate.OneOf(("json", *agenda_export.FORMATS)),
    metadata={
        "description": "pdf, csv or xlsx to download a file; JSON when absent or empty",
        "empty_is_absent": True,
    },
)


def attachment(download: agenda_export.Download) -> Response:
    """A file answer; the name carries panel, date and version only (never personal data)."""
    response = Response(download.content, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


@blueprint.get("/meetings/<meeting_id>/agenda")
@endpoint(
    summary="A meeting's agenda as the caller's agency may see it (JSON, or a PDF, CSV or "
    "XLSX download through the same sharing filter, each audited as a disclosure)",
    tag="meetings",
    policy=("referral",),
    response=AgendaOut,
    query={"format": AGENDA_FORMAT},
    downloads=tuple(agenda_export.FORMATS.values()),
)
def meeting_agenda(meeting_id: str) -> Any:
    fmt = request.args.get("format")
    if fmt in (None, "", "json"):
        return agenda_for(services(), current_actor(), meeting_id)
    return attachment(agenda_export.download(services(), current_actor(), meeting_id, fmt))
