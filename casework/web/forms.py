"""Form helpers: GOV.UK error summaries from the same ``Invalid`` errors the API returns."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from casework.body_limits import UPLOAD_ENDPOINTS, in_words, upload_limit


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


def date_from_parts(data: dict[str, Any], name: str) -> None:
    """GOV.UK's three date boxes (``name-day``, ``name-month``, ``name-year``) as one ISO date
    for the schema's date type, which then refuses anything outside 1900-2100. Anything typed
    that is not plain digits (``²`` passes ``str.isdigit`` but not ``int``) is passed on as
    typed, so the schema names the field instead of the page failing."""
    parts = [str(data.pop(f"{name}-{p}", "")).strip() for p in ("year", "month", "day")]
    if not any(parts):
        return
    if all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        year, month, day = (int(p) for p in parts)
        data[name] = f"{year:04d}-{month:02d}-{day:02d}"
    else:
        data[name] = "-".join(parts)


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


def csv_upload(
    panel_ids: set[str], panel_message: str
) -> tuple[dict[str, Any], dict[str, list[str]], list[str]]:
    """The import forms' fields: (values kept for the page, errors, the file's lines).

    The panel must be one the caller may import into; the file must be present, within the
    upload limit (``casework.body_limits``; a bigger request was refused 413 before it was read)
    and UTF-8 (Excel's "CSV UTF-8", whose byte-order mark is dropped).
    """
    if request.endpoint not in UPLOAD_ENDPOINTS:  # the limit was set before this view ran
        raise RuntimeError(f"{request.endpoint} takes an upload: list it in UPLOAD_ENDPOINTS")
    limit = upload_limit(current_app.config)
    values = {
        "panel_id": request.form.get("panel_id", ""),
        "all_or_nothing": request.form.get("all_or_nothing") == "on",
    }
    errors: dict[str, list[str]] = {}
    if values["panel_id"] not in panel_ids:
        errors["panel_id"] = [panel_message]
    upload = request.files.get("file")
    raw = upload.read(limit + 1) if upload else b""
    if not raw:
        errors["file"] = ["Choose a CSV file to upload"]
    elif len(raw) > limit:
        errors["file"] = [f"The file must be smaller than {in_words(limit)}"]
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
