"""Structured (JSON) logs. Only whitelisted fields are written, so personal data passed
by mistake in ``extra`` never reaches the log."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

SAFE_FIELDS = ("method", "endpoint", "status", "ms", "user_id", "agency", "job", "count")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in SAFE_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        return json.dumps(entry)


def configure(level: str) -> None:
    root = logging.getLogger("casework")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
