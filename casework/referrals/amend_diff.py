"""Pure pieces of an amendment: the stored referral as a submission body, a partial body
merged into it, what changed between two loaded bodies, and which protocol field a change is.

Everything here walks the submission schema (``ReferralIn``) and the values it loads, never a
list of field names of its own, so a field added to the referral form becomes amendable, is
diffed and is shown through the protocol with no change here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, fields

from casework.sharing.catalogue import FIELDS, RECORD_HEADER

_INDEX = re.compile(r"\[\d+\]")

#: What the service recomputes on every amendment, by the path the referral is shown with.
DERIVED = (
    ("risk.dash_score", "dash_score"),
    ("risk.band", "band"),
    ("risk.criteria", "criteria"),
    ("repeat.is_repeat", "crit_repeat"),
    ("repeat.previous_referral_date", "previous_referral_date"),
)


def as_body(schema: Schema, shown: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``shown`` (a referral as dumped) that ``schema`` takes, nested alike: the
    stored referral as the body that would submit it again."""
    out: dict[str, Any] = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in shown:
            continue
        value = shown[key]
        inner = field.inner if isinstance(field, fields.List) else None
        if isinstance(field, fields.Nested) and isinstance(value, Mapping):
            out[key] = as_body(_nested(field), value)
        elif isinstance(inner, fields.Nested) and isinstance(value, list):
            out[key] = [as_body(_nested(inner), v) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    return out


def _nested(field: fields.Nested) -> Schema:
    schema = field.schema
    assert isinstance(schema, Schema)  # ReferralIn nests schema classes, never callables
    return schema


def merged(current: Mapping[str, Any], patch: Mapping[str, Any], into: type = dict) -> Any:
    """``patch`` laid over ``current``: objects merge key by key (``victim``, ``risk``,
    ``risk.dash``), anything else (lists of people, text, null) replaces what was there.
    ``into``: the mapping type to build (the API's ``JsonObject`` keeps JSON's types strict)."""
    out = into(current)
    for key, value in patch.items():
        before = out.get(key)
        if isinstance(before, Mapping) and isinstance(value, Mapping):
            out[key] = merged(before, value, into)
        else:
            out[key] = value
    return out


def plain(value: Any) -> Any:
    """A loaded value as JSON holds it (dates as ISO text), to be sealed in a version."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def changes(old: Any, new: Any, path: str = "") -> dict[str, list[Any]]:
    """Each leaf path whose value differs, with ``[before, after]``: objects key by key, lists
    element by element (``perpetrators[1].last_name``); an element added or removed shows each
    of its fields against nothing."""
    if isinstance(old, Mapping) or isinstance(new, Mapping):
        old_map = old if isinstance(old, Mapping) else {}
        new_map = new if isinstance(new, Mapping) else {}
        out: dict[str, list[Any]] = {}
        for key in dict.fromkeys([*old_map, *new_map]):
            out |= changes(old_map.get(key), new_map.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(old, list) or isinstance(new, list):
        old_list = old if isinstance(old, list) else []
        new_list = new if isinstance(new, list) else []
        out = {}
        for i in range(max(len(old_list), len(new_list))):
            before = old_list[i] if i < len(old_list) else None
            after = new_list[i] if i < len(new_list) else None
            out |= changes(before, after, f"{path}[{i}]")
        return out
    if old == new:
        return {}
    return {path: [plain(old), plain(new)]}


_HEADER = frozenset(RECORD_HEADER["referral"])
_CATALOGUE = frozenset(FIELDS["referral"])


def protocol_field(path: str) -> str | None:
    """The protocol's field a changed path belongs to (``perpetrators[0].last_name`` ->
    ``perpetrators.last_name``, ``risk.dash.7`` -> ``risk.dash``), or the header field it is;
    None when the protocol names no such field, which then nobody is shown (deny by default)."""
    dotted = _INDEX.sub("", path)
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in _CATALOGUE or candidate in _HEADER:
            return candidate
    return None


def shown_to(path: str, granted: frozenset[str]) -> bool:
    """May a reader granted ``granted`` see this changed path? Header fields go with any
    visible record; every other path only with its protocol field."""
    field = protocol_field(path)
    return field is not None and (field in _HEADER or field in granted)
