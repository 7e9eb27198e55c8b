"""Aiming generated requests at records that exist: ids made up at random only ever meet a
404, so half the time a path or body names a real panel, meeting, referral or nominal and
the request reaches the rules behind the lookup.

A value is replaced only when it is already valid where it stands (a UUID where a UUID is
asked, an agency code where a code is), so a request generated to break the document stays
broken in the same place, and the negative-data check still judges it rightly.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from hypothesis import strategies as st

from tests.api_fuzz.world import World

ID_KEYS = ("panel_id", "meeting_id", "referral_id", "nominal_id")
CODE_KEYS = ("agency", "owner_agency", "lead_agency")
CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,15}")
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def real_path(world: World, path_parameters: dict[str, Any], pick: int) -> dict[str, Any]:
    """Path parameters naming one real record (nested addresses stay consistent), or the
    generated ones when the world holds no record with these names."""
    choices = world.path_choices(frozenset(path_parameters))
    return dict(choices[pick % len(choices)]) if choices else path_parameters


def path_strategy(world: World | None, path_parameters: dict[str, Any]) -> Any:
    if world is None or not path_parameters:
        return st.just(path_parameters)
    if not world.path_choices(frozenset(path_parameters)):
        return st.just(path_parameters)
    real = SEEDS.map(lambda pick: real_path(world, path_parameters, pick))
    return st.one_of(st.just(path_parameters), real)


def _swap(world: World, node: Any, chooser: random.Random) -> Any:
    if isinstance(node, list):
        return [_swap(world, item, chooser) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        real = world.values(key)
        if key in ID_KEYS and _is_uuid(value) and real:
            out[key] = chooser.choice(real)
        elif key == "ids" and isinstance(value, list) and all(map(_is_uuid, value)):
            out[key] = [chooser.choice(world.values("referral_id")) for _ in value]
        elif key in CODE_KEYS and isinstance(value, str) and CODE.fullmatch(value):
            out[key] = chooser.choice(world.values("code"))
        elif key == "agencies" and isinstance(value, list):
            codes = world.values("code")
            out[key] = [chooser.choice(codes) if CODE.fullmatch(str(v)) else v for v in value]
        else:
            out[key] = _swap(world, value, chooser)
    return out


def body_strategy(world: World | None, body: Any) -> Any:
    """Half the time, the generated body with its ids and agency codes made real."""
    if world is None or not isinstance(body, dict | list):
        return st.just(body)
    real = SEEDS.map(lambda seed: _swap(world, body, random.Random(seed)))
    return st.one_of(st.just(body), real)
