"""A valid referral body as CONTRACT.md shows it, for tests to vary one field at a time."""

from __future__ import annotations

import copy
from typing import Any


def dash(yes: int) -> dict[str, str]:
    """Answers with ``yes`` "yes" answers, the rest "no"."""
    return {str(q): ("yes" if q <= yes else "no") for q in range(1, 25)}


BASE: dict[str, Any] = {
    "referral_date": "2026-11-02",
    "victim": {
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1990-04-01",
        "gender": "female",
        "ethnicity": "White British",
        "bme": False,
        "lgbt": False,
        "disability": False,
        "address": "1 High Street, Anytown",
        "postcode": "AN1 1AA",
        "phone": "07700 900000",
        "safe_to_call": True,
    },
    "perpetrators": [
        {
            "first_name": "John",
            "last_name": "Roe",
            "date_of_birth": "1988-01-01",
            "relationship_to_victim": "ex-partner",
        }
    ],
    "children": [{"first_name": "Sam", "last_name": "Doe", "date_of_birth": "2019-05-05"}],
    "risk": {
        "dash": dash(15),
        "police_incidents_12m": 1,
        "professional_judgement": False,
        "professional_judgement_reason": None,
    },
    "victim_aware": True,
    "consent": True,
    "summary": "Escalating abuse since separation.",
}


def referral_body(panel_id: Any, **changes: Any) -> dict[str, Any]:
    """``changes`` replaces top-level keys; ``victim__first_name=...`` replaces a nested one."""
    body = copy.deepcopy(BASE)
    body["panel_id"] = str(panel_id)
    for key, value in changes.items():
        node = body
        parts = key.split("__")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return body
