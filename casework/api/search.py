"""API: finding a person or a case (CONTRACT.md, People: search and history)."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, query_of
from casework.http import current_actor, services
from casework.roles import CASE_ROLES
from casework.search import actions as search_actions
from casework.search.schemas import SearchQuery


class SearchHitOut(Schema):
    type = fields.String(metadata={"enum": ["referral", "nominal"]})
    id = fields.String()
    reference = fields.String(allow_none=True)
    role = fields.String(metadata={"enum": ["victim", "perpetrator", "child", "nominal"]})
    match = fields.String(metadata={"enum": ["exact", "similar"]})


class SearchOut(Schema):
    results = fields.List(fields.Nested(SearchHitOut))


@blueprint.get("/search")
@endpoint(
    summary="People and cases the caller may see, by name (sound-alikes included), date of "
    "birth, referral reference or PNC number; exact matches first",
    tag="search",
    policy=("referral", "nominal"),
    roles=CASE_ROLES,
    response=SearchOut,
    query=query_of(
        SearchQuery,
        {
            "q": "A name, a referral reference or a PNC number",
            "date_of_birth": "Only people born on this day (YYYY-MM-DD)",
        },
    ),
)
def search() -> Any:
    return {"results": search_actions.search(services(), current_actor(), request.args.to_dict())}
