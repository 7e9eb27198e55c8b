"""The errors actions raise, and the one place they become HTTP answers.

Actions know nothing of HTTP; views never build error answers by hand. A record the caller may
not see raises ``NotVisible`` and answers 404, exactly like a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class CaseworkError(Exception):
    status = 500
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(CaseworkError):
    """Input that breaks a rule; ``fields`` maps a dotted field path to its messages."""

    status = 422
    code = "invalid"

    def __init__(
        self,
        fields: Mapping[str, Sequence[str]] | None = None,
        message: str = "The request has invalid fields",
        code: str = "invalid",
    ) -> None:
        super().__init__(message)
        self.fields = {k: list(v) for k, v in (fields or {}).items()}
        self.code = code


class Conflict(CaseworkError):
    """Well-formed input the record's state or the time refuses (closing a meeting before it
    starts): 409, so a client knows that changing its input would not help, only waiting or
    changing the record (moving the meeting) would. ``code`` says which rule refused."""

    status = 409
    code = "conflict"

    def __init__(
        self,
        message: str,
        code: str = "conflict",
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.fields = {k: list(v) for k, v in (fields or {}).items()}


class Forbidden(CaseworkError):
    """The caller's roles never allow this action."""

    status = 403
    code = "forbidden"

    def __init__(self, message: str = "Your role does not allow this") -> None:
        super().__init__(message)


class NotVisible(CaseworkError):
    """Missing, or outside the caller's sharing rights: the two must look the same."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message)


class Unauthenticated(CaseworkError):
    status = 401
    code = "unauthenticated"

    def __init__(self, message: str = "Sign in, or send a valid API token") -> None:
        super().__init__(message)


def flatten_messages(messages: Mapping | Sequence | str, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into dotted paths: ``victim.date_of_birth``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, str):
        out.setdefault(prefix or "_schema", []).append(messages)
    elif isinstance(messages, Mapping):
        for key, value in messages.items():
            path = str(key) if not prefix else f"{prefix}.{key}"
            for k, v in flatten_messages(value, path).items():
                out.setdefault(k, []).extend(v)
    else:
        for item in messages:
            for k, v in flatten_messages(item, prefix).items():
                out.setdefault(k, []).extend(v)
    return out
