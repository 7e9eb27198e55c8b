"""Form helpers: GOV.UK error summaries from the same ``Invalid`` errors the API returns."""

from __future__ import annotations

from typing import Any

from flask import request


def form_data(*, lists: tuple[str, ...] = (), booleans: tuple[str, ...] = ()) -> dict[str, Any]:
    """The submitted form as a dict for a marshmallow schema. Empty text fields are left out
    so 'required' errors name them; checkboxes become booleans or lists."""
    data: dict[str, Any] = {}
    for key in request.form:
        if key == "csrf_token" or key in lists or key in booleans:
            continue
        value = request.form.get(key, "")
        if value.strip():
            data[key] = value
    for key in lists:
        data[key] = [v for v in request.form.getlist(key) if v]
    for key in booleans:
        data[key] = request.form.get(key) in ("on", "yes", "true", "1")
    return data


def error_list(fields: dict[str, list[str]]) -> list[dict[str, str]]:
    """Items for govukErrorSummary, each linking to its field."""
    return [
        {"text": messages[0], "href": f"#{name.replace('.', '-')}"}
        for name, messages in fields.items()
        if messages
    ]


def field_error(errors: dict[str, list[str]], name: str) -> dict[str, str] | None:
    messages = errors.get(name)
    return {"text": messages[0]} if messages else None
