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


UPLOAD_LIMIT = 20 * 1024 * 1024


def csv_upload(
    panel_ids: set[str], panel_message: str
) -> tuple[dict[str, Any], dict[str, list[str]], list[str]]:
    """The import forms' fields: (values kept for the page, errors, the file's lines).

    The panel must be one the caller may import into; the file must be present, under 20 MB
    and UTF-8 (Excel's "CSV UTF-8", whose byte-order mark is dropped).
    """
    values = {
        "panel_id": request.form.get("panel_id", ""),
        "all_or_nothing": request.form.get("all_or_nothing") == "on",
    }
    errors: dict[str, list[str]] = {}
    if values["panel_id"] not in panel_ids:
        errors["panel_id"] = [panel_message]
    upload = request.files.get("file")
    raw = upload.read(UPLOAD_LIMIT + 1) if upload else b""
    if not raw:
        errors["file"] = ["Choose a CSV file to upload"]
    elif len(raw) > UPLOAD_LIMIT:
        errors["file"] = ["The file must be smaller than 20 MB"]
    lines: list[str] = []
    if not errors:
        try:
            lines = raw.decode("utf-8-sig").splitlines(keepends=True)
        except UnicodeDecodeError:
            errors["file"] = ["Save the file as CSV UTF-8"]
    return values, errors, lines


def file_error(exc: Any) -> dict[str, list[str]]:
    """An import refused as a whole (missing or unknown columns), shown against the file."""
    return {"file": [*exc.fields.get("file", []), exc.message][:1]}
