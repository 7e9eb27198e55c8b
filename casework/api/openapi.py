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
    400: "Body is not JSON",
    401: "Missing or bad token",
    403: "The caller's role may never do this",
    404: "Not found, or outside the caller's sharing rights",
    422: "Invalid input; every bad field is named",
}


def _path(rule: str) -> tuple[str, list[str]]:
    params = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule), params


def build_spec(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="casework API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
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
            op["parameters"] += [
                {
                    "in": "query",
                    "name": q,
                    "required": False,
                    "schema": {"type": "string"},
                    "description": d,
                }
                for q, d in meta.query.items()
            ]
            if meta.body is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": meta.body}},
                }
            ok: dict[str, Any] = {"description": "Success"}
            if meta.response is not None:
                schema: Any = meta.response
                if meta.many:
                    schema = {"type": "array", "items": meta.response}
                ok["content"] = {"application/json": {"schema": schema}}
            op["responses"][str(meta.status)] = ok
            for status, text in STANDARD_ERRORS.items():
                op["responses"][str(status)] = {
                    "description": text,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            paths.setdefault(path, {})[method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
