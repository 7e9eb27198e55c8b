"""Pages with several parts to save (the meeting page, a case at the meeting, research) are
one form whose buttons say which part to save (``name="save"``). Every box is posted with
every button, so the server saves the chosen part and draws the page again with what was
typed in the others still in their boxes: pressing "Add action" no longer empties the
minutes, and saving one case's research no longer loses another's.

A part's hidden ``shown-<part>`` input carries a digest of what the page showed for it when
drawn (the saved value). Comparing it with the digest of what came back says whether the
user changed that part without reading anything again: when nothing else changed the answer
is the usual redirect (so reloading cannot save twice); otherwise the page is drawn with the
unsaved parts kept and a banner saying they are not saved yet.

A hidden first button (``save=changed``) is what pressing Enter in a box presses (the first
submit button of a form is its default): each page reads it as "save the part being typed
into", so Enter in the due date adds the action rather than saving the minutes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from flask import request

CHANGED = "changed"


def _plain(value: Any) -> Any:
    """What counts as the same answer: text without surrounding space or Windows line ends
    (browsers send textareas with CRLF), a choice made or not, a set of ticks in any order."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return sorted(str(_plain(v)) for v in value)
    return str(value)


def fingerprint(*values: Any) -> str:
    """A short digest of a part's values, for its ``shown-<part>`` input. It only decides
    whether a part has unsaved changes, never what is saved, so a forged one can do no harm;
    and the text it digests is on the same page in full."""
    canon = json.dumps([_plain(v) for v in values], sort_keys=True)
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def changed(part: str, *typed: Any) -> bool:
    """Whether what came back for ``part`` differs from what the page showed for it (a part
    the page did not show, such as acknowledgements before anyone is added, is unchanged)."""
    shown = request.form.get(f"shown-{part}")
    return shown is not None and shown != fingerprint(*typed)


def chosen(parts: Iterable[str]) -> str:
    """The part the pressed button names; ``changed`` for Enter (the hidden default button)
    or anything unknown, so the page decides from what was typed."""
    value = request.form.get("save", "")
    return value if value in set(parts) else CHANGED


def only(data: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """One part's fields out of the whole form (each action's schema refuses unknown ones)."""
    wanted = set(names)
    return {k: v for k, v in data.items() if k in wanted}
