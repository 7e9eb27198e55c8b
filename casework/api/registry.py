"""Describing API endpoints once: the same declaration drives request parsing, the answer's
``Location`` and the OpenAPI document, so what the document promises is what a client gets."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, make_response, request
from marshmallow import Schema
from marshmallow import fields as ma_fields
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from casework.errors import CaseworkError
from casework.routes import policy, signed_in
from casework.schemas import JsonObject


class BadJson(CaseworkError):
    status = 400
    code = "bad_json"


# A query parameter is declared by its description, or by a marshmallow field whose
# validators (OneOf, Length, Range) the document then shows as enum/minLength/... and whose
# ``metadata["description"]`` describes it: the same field the action's query schema uses.
QueryParam = str | ma_fields.Field


@dataclass
class Endpoint:
    summary: str
    tag: str
    policy: tuple[str, ...]  # record types disclosed (routes.policy); () for none
    body: type[Schema] | None = None
    body_many: bool = False  # the body is a JSON array of ``body``
    response: type[Schema] | dict[str, Any] | None = None  # a schema, or a JSON schema
    status: int = 200
    many: bool = False
    roles: tuple[str, ...] = ()
    query: Mapping[str, QueryParam] = field(default_factory=dict)
    errors: tuple[int, ...] = ()  # answers beyond the usual ones (e.g. 409), documented
    never: tuple[int, ...] = ()  # usual answers this endpoint cannot give, left undocumented
    # Where a 201's Location points: a template filled from the URL's arguments and the
    # answer's top-level fields, e.g. "/api/v1/meetings/{meeting_id}/agenda/items/{item_id}".
    # Without one it is worked out from the URL map (``created_location``).
    location: str | None = None
    downloads: tuple[str, ...] = ()  # media types served instead of JSON (``?format=``)


def query_of(schema: type[Schema], descriptions: Mapping[str, str]) -> dict[str, QueryParam]:
    """The query parameters an action's query schema accepts, by their names in the URL,
    each described: the document then shows the very validators the action applies."""
    out: dict[str, QueryParam] = {}
    for name, declared in schema._declared_fields.items():
        key = declared.data_key or name
        described = copy.copy(declared)
        described.metadata = {**declared.metadata, "description": descriptions.get(key, "")}
        out[key] = described
    return out


def endpoint(**meta: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    spec = Endpoint(**meta)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        inner = _with_location(view, spec) if spec.status == 201 else view
        guarded = policy(*spec.policy)(signed_in(inner))
        guarded.__casework_endpoint__ = spec  # type: ignore[attr-defined]
        return guarded

    return decorate


def _with_location(view: Callable[..., Any], spec: Endpoint) -> Callable[..., Any]:
    """Every 201 says where the new record is (the document promises it, so it is sent)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = make_response(view(*args, **kwargs))
        if response.status_code == 201 and "Location" not in response.headers:
            body = response.get_json(silent=True)
            where = created_location(spec.location, kwargs, body if isinstance(body, dict) else {})
            if where:
                response.headers["Location"] = where
        return response

    return wrapper


def _routes_to(path: str, method: str | None) -> dict[str, Any] | None:
    """The arguments of the API route ``path`` reaches (with ``method``, or any), else None."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint_name, args = adapter.match(path, method=method or "GET")
    except HTTPException as exc:
        if method is None and getattr(exc, "code", None) == 405:
            return {}  # the address exists; it is only not readable with GET
        return None
    if not str(endpoint_name).startswith("api."):
        return None
    return args


def created_location(
    template: str | None, args: Mapping[str, Any], body: Mapping[str, Any]
) -> str | None:
    """The address of what a 201 created: the declared template, else ``<this URL>/<id>``
    when the API has a route there, else ``/api/v1/<collection>/<id>``, else the nearest
    enclosing record that can be read (an offence recorded on a nominal points to it)."""
    if template:
        try:
            return template.format(**{**args, **{k: v for k, v in body.items() if v is not None}})
        except (KeyError, IndexError, ValueError):
            return None
    base = request.path.rstrip("/")
    parts = base.split("/")
    ident = body.get("id")
    if ident:
        found = _routes_to(f"{base}/{ident}", None)
        if found is not None:
            named = [k for k in found if not k.endswith("_id") and k in body]
            return f"{base}/{body[named[-1]]}" if named else f"{base}/{ident}"
        # made under another record (POST /meetings/{id}/actions) but kept at the top level
        # (/actions/{id}) when the API has an address there
        top = f"/api/v1/{parts[-1]}/{ident}"
        if len(parts) > 4 and _routes_to(top, None) is not None:
            return top
    while len(parts) > 3:  # never above /api/v1
        parts.pop()
        candidate = "/".join(parts)
        if _routes_to(candidate, "GET") is not None:
            return candidate
    return None


# JSON bodies nest a few levels (a referral: body -> perpetrators -> person); deeper is a
# crafted body meant to exhaust the decoder's recursion (CONTRACT.md, Limits).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_SHOWN_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    """A JSON object, refusing a key given twice (the last one silently won)."""
    obj = JsonObject()
    for key, value in pairs:
        if key in obj:
            raise _RepeatedKey(key)
        obj[key] = value
    return obj


def _not_json_number(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python's extension, not JSON


def _too_deep(text: str) -> bool:
    """Nesting beyond MAX_JSON_DEPTH, counted on the raw text (brackets outside strings), so
    a crafted body is refused before the decoder recurses into it."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return False  # most bodies: too few brackets to nest that deep at all
    depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        else:
            depth -= 1
    return False


def _require_json_media_type() -> None:
    """415 unless the body says it is JSON in UTF-8 (RFC 8259): a form, text/plain or a body
    without Content-Type is not taken for JSON, whatever it contains."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype != "application/json" or charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("Send the body as application/json, encoded in UTF-8")


def _utf8_text(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and 0 in raw[:2]):
        raise UnsupportedMediaType("Send the body as application/json, encoded in UTF-8")
    try:
        return raw.decode("utf-8-sig")  # a UTF-8 byte-order mark is tolerated (RFC 8259)
    except UnicodeDecodeError:
        raise BadJson("The request body is not valid UTF-8") from None


def _read_body() -> bytes:
    """The body, at most the request's limit. A declared Content-Length over it was refused
    before reading (``casework.http``); a streamed (chunked) body is read up to the limit, and
    Werkzeug then stops, handing back what it read as if that were all. Reaching the limit
    means there was more: 413, not a truncated body taken for the whole."""
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        raise RequestEntityTooLarge()
    return raw


def json_body() -> Any:
    """The request body as JSON, or a 4xx naming the problem (never a 500). The one door every
    API body comes through: Content-Type (415), size (413, refused by the request's
    ``max_content_length`` before it is read, ``casework.http``), nesting and repeated keys
    (400); objects come back as ``JsonObject`` so fields can insist on JSON's types."""
    _require_json_media_type()
    raw = _read_body()
    if not raw:
        raise BadJson("The request body is empty; send a JSON object")
    text = _utf8_text(raw)
    if _too_deep(text):
        raise BadJson(f"The request body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_not_json_number)
    except _RepeatedKey as exc:
        shown = f'"{exc.key}" ' if _SHOWN_KEY.fullmatch(exc.key) else ""
        raise BadJson(f"The request body gives the key {shown}twice in one object") from None
    except ValueError:
        raise BadJson("The request body is not valid JSON") from None


def no_content() -> Response:
    """A 204: no body at all (the document declares none)."""
    return Response(status=204)
