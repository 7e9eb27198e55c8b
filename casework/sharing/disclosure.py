"""The one way case data leaves: ask the engine what is granted, shape it, audit it.

Every page, list, agenda and export that shows records calls ``Sharing.disclose`` (this
module's ``disclose``) instead of repeating "load, ``fields_for``, shape, ``audit.record``" by
hand, so a new door cannot forget the audit or show a field the protocol did not grant.

A record type registers its dump (``RecordType.dump``): a batch of records, each shaped to
the fields shown. A view that shows a narrower or differently shaped
summary passes ``only`` (which fields it shows, and so which are audited) and ``shape``.
Records the actor may see nothing of are left out of the answer and of the audit: a
placeholder would itself say that the record exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.audit import log as audit


class Engine(Protocol):
    """What disclosure asks of the sharing engine (``engine.Sharing``, which imports us)."""

    def fields_for(
        self, session: Session, actor: Actor, verb: str, records: Sequence[Any]
    ) -> dict[Any, frozenset[str]]: ...

    def record_type_of(self, record: Any) -> Any: ...


# fields a view shows of one record, given what the engine granted
Only = frozenset[str] | Callable[[Any, frozenset[str]], Iterable[str]]
# one record's answer, given the fields shown
Shape = Callable[[Any, frozenset[str]], dict[str, Any]]
# a record type's answers for a batch of its records (by id), each given the fields shown and
# holding nothing else (serialisers dump everything, then ``prune``)
Dump = Callable[[Session, Sequence[Any], Mapping[Any, frozenset[str]]], Mapping[Any, dict]]


@dataclass(frozen=True)
class Disclosed:
    """One record as it was shown: its type, the fields shown (and audited), the answer."""

    record: Any
    record_type: str
    fields: frozenset[str]
    data: dict[str, Any]


def _shown(only: Only | None, record: Any, granted: frozenset[str]) -> frozenset[str]:
    if only is None:
        return granted
    if callable(only):  # the view names what it shows, which may be derived (a score)
        return frozenset(only(record, granted))
    return granted & only


def disclosures(
    sharing: Engine,
    session: Session,
    actor: Actor,
    records: Sequence[Any],
    *,
    verb: str = "view",
    audit_as: str | None = None,
    only: Only | None = None,
    shape: Shape | None = None,
    recipient: str | None = None,
    purpose: str | None = None,
) -> list[Disclosed]:
    """The records ``actor`` may take ``verb`` on, in the order given, each shaped to the
    fields it shows and audited once (``audit_as``, default the verb, with the field names
    shown, the recipient agency and purpose)."""
    unique = list({r.id: r for r in records}.values())
    granted = sharing.fields_for(session, actor, verb, unique)
    shown: dict[Any, frozenset[str]] = {}
    types: dict[Any, Any] = {}
    for record in unique:
        fields = granted.get(record.id, frozenset())
        if fields:
            shown[record.id] = _shown(only, record, fields)
            types[record.id] = sharing.record_type_of(record)
    visible = [r for r in unique if r.id in shown]
    data: dict[Any, dict[str, Any]] = {}
    if shape is not None:
        data = {r.id: shape(r, shown[r.id]) for r in visible}
    else:
        by_type: dict[Any, list[Any]] = {}
        for record in visible:
            by_type.setdefault(types[record.id], []).append(record)
        for rt, rows in by_type.items():
            if rt.dump is None:
                raise LookupError(f"record type {rt.name} has no registered dump")
            data.update(rt.dump(session, rows, {r.id: shown[r.id] for r in rows}))
    out = []
    for record in visible:
        name = types[record.id].name
        fields = shown[record.id]
        audit.record(session, actor, audit_as or verb, name, record.id, fields, recipient, purpose)
        out.append(Disclosed(record, name, fields, data[record.id]))
    return out
