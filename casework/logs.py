"""Structured (JSON) logs. Only whitelisted fields are written, so personal data passed
by mistake in ``extra`` never reaches the log; query strings, which can carry personal values
(``/audit?user=…``), are cut from every message, the development server's access lines
included."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

SAFE_FIELDS = ("method", "endpoint", "status", "ms", "user_id", "agency", "job", "count")

# A path followed by a query string: "/audit?user=x&record_id=y" -> "/audit".
_QUERY = re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]*")


def without_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": without_query_strings(record.getMessage()),
        }
        for name in SAFE_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        return json.dumps(entry)


class NoQueryStrings(logging.Filter):
    """Cuts query strings from a record's message and arguments (Werkzeug's access lines pass
    the request line as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = without_query_strings(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        return True


def _clean(value: Any) -> Any:
    return without_query_strings(value) if isinstance(value, str) else value


def configure(level: str) -> None:
    root = logging.getLogger("casework")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    # The development server (`casework serve`, `flask run`) logs each request here.
    server = logging.getLogger("werkzeug")
    if not any(isinstance(f, NoQueryStrings) for f in server.filters):
        server.addFilter(NoQueryStrings())
