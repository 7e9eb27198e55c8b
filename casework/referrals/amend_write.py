"""Writing an amendment's values onto the stored referral and its people.

The rows a submission would store are built (``rows.people_rows``) for the referral as it was
and as it will be; only the attributes that differ are set. So the attribute a form field is
stored in is known in one place only (``people_rows``), a field added there is written here
with no change, and an unchanged sealed value keeps its envelope.
"""

from __future__ import annotations

from typing import Any

from casework.referrals.models import Child, Perpetrator, Referral
from casework.referrals.rows import people_rows

# Row keys that say where a row sits, not what it holds: never copied onto a stored row.
_PLACE = ("id", "referral_id", "position")


def write_people(referral: Referral, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Set on ``referral`` (and its perpetrators and children) what differs between the rows
    of ``old`` and of ``new`` (both loaded by the submission schema)."""
    before, after = people_rows(old), people_rows(new)
    _set_changed(referral, before.referral, after.referral)
    _rows(referral, referral.perpetrators, before.perpetrators, after.perpetrators, Perpetrator)
    _rows(referral, referral.children, before.children, after.children, Child)


def _set_changed(obj: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
    for key, value in after.items():
        if key not in _PLACE and (key not in before or before[key] != value):
            setattr(obj, key, value)


def _rows(
    referral: Referral,
    stored: list[Any],
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    model: type,
) -> None:
    """People by position: those kept are updated in place (their ids, and so their search
    tokens' owners, stay), new ones added, those beyond the new list removed."""
    for i, row in enumerate(after):
        if i < len(stored):
            _set_changed(stored[i], before[i] if i < len(before) else {}, row)
        else:
            values = {k: v for k, v in row.items() if k not in _PLACE}
            stored.append(model(referral_id=referral.id, position=i, **values))
    del stored[len(after) :]
