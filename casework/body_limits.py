"""How big a request body may be (CONTRACT.md, "Limits"): decided per request, before the body
is read, so a 50 MB password or JSON field is refused without being read or parsed.

The request's ``max_content_length`` (Flask 3.1) is this module's answer: Werkzeug refuses a
declared ``Content-Length`` above it before reading anything, and stops reading a streamed
(chunked) body as soon as it passes the limit; either way the answer is 413. The numbers are
settings (``casework.settings.BODY_LIMIT_DEFAULTS``): 1 MB for JSON and forms, 20 MB on the
pages that take an upload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casework.settings import body_limit_settings

# The pages that take a file (the CSV imports). A page that uploads must be listed here, and
# ``casework.web.forms.csv_upload`` refuses to run on one that is not, so a new upload page
# cannot silently be held to the small limit or a form quietly given the large one.
UPLOAD_ENDPOINTS = frozenset({"web.import_page", "web.offender_import"})


def body_limit(config: Mapping[str, Any], endpoint: str | None) -> int:
    """The most bytes the body of a request to ``endpoint`` may hold."""
    limits = body_limit_settings(config)
    if endpoint in UPLOAD_ENDPOINTS:
        return limits["MAX_UPLOAD_BYTES"]
    return limits["MAX_BODY_BYTES"]


def upload_limit(config: Mapping[str, Any]) -> int:
    return body_limit_settings(config)["MAX_UPLOAD_BYTES"]


def form_field_limit(config: Mapping[str, Any]) -> int:
    """A form field (not a file) in any form, uploads included, holds at most the body limit."""
    return body_limit_settings(config)["MAX_BODY_BYTES"]


def in_words(size: int) -> str:
    """1048576 -> "1 MB" (the limits are set in whole megabytes; anything else in KB)."""
    mb = 1024 * 1024
    return f"{size // mb} MB" if size % mb == 0 else f"{max(1, size // 1024)} KB"
