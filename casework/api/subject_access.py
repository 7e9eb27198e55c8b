"""API: the data protection officer's subject access workbench (docs/subject-access.md).

Every endpoint answers 404 to anyone but a DPO, as for something that does not exist. A name
searched for travels in the body, never in the URL.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from marshmallow import Schema, fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.search.schemas import SearchQuery
from casework.subject_access import actions, pdf
from casework.subject_access.access import SOURCE_TYPES
from casework.subject_access.schemas import (
    DISCLOSURE_FORMAT,
    DecisionIn,
    GatherIn,
    RequestIn,
    SubjectAccessDisclosureOut,
    SubjectAccessFoundOut,
    SubjectAccessItemOut,
    SubjectAccessRequestOut,
    SubjectAccessRequestSummaryOut,
)

TAG = "subject access"
DPO = ("dpo",)


class SubjectAccessFindOut(Schema):
    results = fields.List(fields.Nested(SubjectAccessFoundOut))


class SubjectAccessCreatedOut(Schema):
    id = fields.String()
    due_on = fields.Date()


@blueprint.get("/subject-access")
@endpoint(
    summary="Subject access requests, the soonest due first",
    tag=TAG,
    policy=(),
    response=SubjectAccessRequestSummaryOut,
    many=True,
    roles=DPO,
    errors=(404,),
    never=(403,),  # anyone but a DPO is answered 404
)
def subject_access_list() -> Any:
    rows = actions.list_requests(services(), current_actor())
    return SubjectAccessRequestSummaryOut(many=True).dump(rows)


@blueprint.post("/subject-access")
@endpoint(
    summary="Open a subject access request: who is asking (victim, perpetrator or other "
    "person), your reference and the date received; the answer gives the statutory due date",
    tag=TAG,
    policy=(),
    body=RequestIn,
    status=201,
    response=SubjectAccessCreatedOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
)
def subject_access_open() -> Any:
    row = actions.open_request(services(), current_actor(), json_body())
    return {"id": str(row.id), "due_on": row.due_on.isoformat()}, 201


@blueprint.get("/subject-access/<request_id>")
@endpoint(
    summary="A subject access request with every item gathered and its decision",
    tag=TAG,
    policy=SOURCE_TYPES,
    response=SubjectAccessRequestOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
)
def subject_access_get(request_id: str) -> Any:
    return SubjectAccessRequestOut().dump(
        actions.get_request(services(), current_actor(), request_id)
    )


@blueprint.post("/subject-access/<request_id>/find")
@endpoint(
    summary="People held under a name (and date of birth) across every panel, to choose the "
    "requester from; each has a key to gather by",
    tag=TAG,
    policy=SOURCE_TYPES,
    body=SearchQuery,
    response=SubjectAccessFindOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
)
def subject_access_find(request_id: str) -> Any:
    found = actions.find_subject(services(), current_actor(), request_id, json_body())
    return {"results": found}


@blueprint.post("/subject-access/<request_id>/gather")
@endpoint(
    summary="Gather everything held about the chosen people (keys from find) as items, each "
    "with its proposed decision",
    tag=TAG,
    policy=SOURCE_TYPES,
    body=GatherIn,
    response=SubjectAccessRequestOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
)
def subject_access_gather(request_id: str) -> Any:
    row = actions.gather_items(services(), current_actor(), request_id, json_body())
    return SubjectAccessRequestOut().dump(row)


@blueprint.put("/subject-access/<request_id>/items/<item_id>")
@endpoint(
    summary="Record the decision on one item (release, redact or withhold) and its reason",
    tag=TAG,
    policy=SOURCE_TYPES,
    body=DecisionIn,
    response=SubjectAccessItemOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
)
def subject_access_decide(request_id: str, item_id: str) -> Any:
    item = actions.decide(services(), current_actor(), request_id, item_id, json_body())
    return SubjectAccessItemOut().dump(item)


@blueprint.get("/subject-access/<request_id>/disclosure")
@endpoint(
    summary="The disclosure as the decisions stand: released items in full, redacted items "
    "with the reason only, withheld items left out; with ?format=pdf, the PDF to send",
    tag=TAG,
    policy=SOURCE_TYPES,
    response=SubjectAccessDisclosureOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
    query={"format": DISCLOSURE_FORMAT},
    downloads=(pdf.MIMETYPE,),
)
def subject_access_disclosure(request_id: str) -> Any:
    fmt = request.args.get("format")
    if fmt in (None, "", "json"):
        prepared = actions.disclosure(services(), current_actor(), request_id)
        shown = [
            {
                "title": i.title,
                "decision": i.decision,
                "content": i.content if i.decision == "release" else None,
                "reason": i.reason if i.decision == "redact" else None,
            }
            for i in prepared["items"]
        ]
        return SubjectAccessDisclosureOut().dump({"items": shown})
    if fmt != "pdf":
        raise Invalid({"format": ["Choose pdf, or leave format out for JSON"]})
    made = pdf.download(services(), current_actor(), request_id)
    response = Response(made.content, mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
