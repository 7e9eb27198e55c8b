"""Shared marshmallow pieces: a strict base schema and the one loader every door uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow import validate as _validate

from casework.errors import Invalid, flatten_messages


class StrictSchema(Schema):
    """Unknown fields are errors, never silently dropped."""

    class Meta:
        unknown = RAISE


def load(schema: Schema, data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise Invalid({"_schema": ["Expected a JSON object"]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise Invalid(flatten_messages(exc.messages)) from None


def Text(  # noqa: N802  (reads like a field class where schemas use it)
    *, max_length: int = 200, required: bool = True, validate: Any = None, **kw: Any
) -> fields.String:
    """A trimmed, non-blank string: what people type into a form field."""
    rules = [_validate.Length(min=1, max=max_length)]
    if validate is not None:
        rules.append(validate)
    return TrimmedString(required=required, validate=rules, **kw)


class TrimmedString(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()
