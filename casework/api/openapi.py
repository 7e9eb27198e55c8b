"""The OpenAPI 3 document, generated from the endpoint declarations and marshmallow schemas."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message"],
        }
    },
}
STANDARD_ERRORS = {
    400: "Body is not JSON, nests deeper than 32 levels or repeats a key",
    401: "Missing or bad token",
    403: "The caller's role may never do this",
    404: "Not found, or outside the caller's sharing rights",
    409: "Not possible in the record's current state",
    413: "The request body is over the size limit (1 MB by default); nothing was read",
    415: "The body is not sent as application/json in UTF-8",
    422: "Invalid input; every bad field is named",
    429: "Too many requests (per token, or failed authentications per address); "
    "retry after Retry-After seconds",
    503: "The service is busy; nothing was saved; retry after Retry-After seconds",
}
# Answers any request can get whatever it asks (CONTRACT.md, "Limits"): a body over the
# limit is refused before routing reads it, rate limits count every request, and a write
# that cannot get the database's lock in time is refused whole.
EVERY_OPERATION = (413, 429, 503)
RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
LOCATION = {
    "description": "The created record's address (for a record with no address of its own, "
    "the record it was added to)",
    "schema": {"type": "string", "format": "uri-reference"},
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def error_statuses(meta: Any, method: str, path_params: list[str]) -> list[int]:
    """The error answers an operation can give, and only those.

    401 always (bearer tokens); 403 whenever an action checks roles (every one does: a
    user with no fitting role is refused); 400 and 415 only with a JSON body to parse; 422 for
    a body, a query or a write that rules can refuse; 404 when the URL, body or query names a
    record; 413, 429 and 503 for any request (``EVERY_OPERATION``). ``errors`` adds others
    (409), ``never`` takes away what cannot happen.
    """
    codes = {401, 403, *EVERY_OPERATION}
    if meta.body is not None:
        codes |= {400, 415, 422}
    if meta.query or method in WRITES:
        codes.add(422)
    if path_params or meta.body is not None or meta.query:
        codes.add(404)
    return sorted((codes | set(meta.errors)) - set(meta.never))


def _path(rule: str) -> tuple[str, list[str]]:
    params = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule), params


def _query_param(plugin: MarshmallowPlugin, name: str, declared: Any) -> dict[str, Any]:
    """A query parameter: a description alone is a free string; a marshmallow field brings
    its type and validators (enum, lengths, ranges), so the document accepts what the
    action's query schema accepts and no more. ``metadata["empty_is_absent"]`` says an empty
    value is taken as the parameter left out (``allowEmptyValue``)."""
    if isinstance(declared, str):
        return {
            "in": "query",
            "name": name,
            "required": False,
            "schema": {"type": "string"},
            "description": declared,
        }
    prop = dict(plugin.converter.field2property(declared))  # type: ignore[union-attr]
    prop.pop("empty_is_absent", None)
    description = prop.pop("description", None) or declared.metadata.get("description", "")
    param = {
        "in": "query",
        "name": name,
        "required": bool(declared.required),
        "schema": prop,
        "description": description,
    }
    if declared.metadata.get("empty_is_absent"):
        param["allowEmptyValue"] = True  # ``?format=`` is taken as no format at all
    return param


def _success(meta: Any) -> dict[str, Any]:
    """The success answer: its schema (none for a 204), ``Location`` for a 201, and the
    download media types an endpoint serves instead of JSON when asked."""
    if meta.status == 204:
        return {"description": "Done; no content"}
    ok: dict[str, Any] = {"description": "Created" if meta.status == 201 else "Success"}
    content: dict[str, Any] = {}
    if meta.response is not None:
        schema: Any = meta.response
        if meta.many:
            schema = {"type": "array", "items": meta.response}
        content["application/json"] = {"schema": schema}
    for mimetype in meta.downloads:
        content[mimetype] = {"schema": {"type": "string", "format": "binary"}}
    if content:
        ok["content"] = content
    if meta.status == 201:
        ok["headers"] = {"Location": LOCATION}
    return ok


def _error(status: int) -> dict[str, Any]:
    """An error answer in the one error shape; a 429 or 503 says when to try again."""
    answer: dict[str, Any] = {
        "description": STANDARD_ERRORS.get(status, "Refused"),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status in (429, 503):
        answer["headers"] = {"Retry-After": RETRY_AFTER}
    return answer


def build_spec(app: Flask) -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="casework API",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Multi-agency case conferences. See CONTRACT.md."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR_SCHEMA)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        meta = getattr(app.view_functions[rule.endpoint], "__casework_endpoint__", None)
        if meta is None:
            continue
        path, params = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "summary": meta.summary,
                "tags": [meta.tag],
                "security": [{"bearer": []}],
                "responses": {},
            }
            if meta.roles:
                op["description"] = "Roles: " + ", ".join(meta.roles)
            op["parameters"] = [
                {"in": "path", "name": p, "required": True, "schema": {"type": "string"}}
                for p in params
            ]
            op["parameters"] += [_query_param(plugin, q, d) for q, d in meta.query.items()]
            if meta.body is not None:
                body: Any = meta.body
                if meta.body_many:
                    body = {"type": "array", "items": meta.body}
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                }
            op["responses"][str(meta.status)] = _success(meta)
            for status in error_statuses(meta, method, params):
                op["responses"][str(status)] = _error(status)
            paths.setdefault(path, {})[method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
