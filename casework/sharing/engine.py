"""The one place that decides who sees which case data.

Both questions users notice are answered from the same SQL condition expressions:

* ``visible_clause`` filters lists, searches, agendas, exports and statistics drill-downs;
* ``holding``/``may``/``visible_fields`` decide a single record (detail, edit, download).

A record type registers an adapter (``RecordType``) naming its model, the protocol of its
panel, and an SQL expression for each condition it understands. Conditions it does not
understand are false for it, rules nobody granted are false, roles that never see case data
(analyst, admin, dpo) get nothing: deny by default everywhere.

Two refinements serve records that are not simply "one row, one panel":

* one model may carry several record types chosen per row (``RecordType.when``): a young
  person's nominal is shared only as a ``youth_record``, an adult's only as a ``nominal``;
* a record may sit on several panels at once, possibly under different protocols
  (``protocol_key=None``): its conditions then restrict themselves to panels under the
  protocol they are given, and every loaded protocol is asked; any protocol that grants,
  grants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.authz import mark_checked
from casework.db import utcnow
from casework.errors import NotVisible
from casework.panels import kinds as panel_kinds
from casework.sharing.asking import Asking, Current, Values
from casework.sharing.catalogue import RECORD_HEADER
from casework.sharing.disclosure import Disclosed, Dump, Only, Shape, disclosures
from casework.sharing.grants import granted, rules_granting
from casework.sharing.prepared import Prepared, conditions_of, loaded
from casework.sharing.protocols import Protocol

# A record type's conditions, built from who asks and when (``casework.sharing.asking``), in
# the order lists test them: cheapest first, as a list stops at the first that holds.
Conditions = Callable[[Asking, Protocol], dict[str, ColumnElement[bool]]]


@dataclass(frozen=True)
class RecordType:
    name: str
    model: type
    # Correlated: the record's panel's protocol. None: the record may sit on panels under
    # several protocols, and ``conditions`` scope themselves to the protocol passed in
    # (including "always", which then means "under this protocol" and is false if absent).
    protocol_key: Callable[[], ColumnElement[str]] | None
    conditions: Conditions
    # (attribute, value): rows of ``model`` with this value are this record type. One
    # declaration gives both the SQL filter and the per-row choice, so they cannot disagree;
    # a row matching no type of its model is nobody's to see.
    when: tuple[str, Any] | None = None
    # How ``Sharing.disclose`` shows a batch of these records (``casework.sharing.disclosure``).
    dump: Dump | None = None
    # Loader options for showing one record by id (``disclose_one``): a referral's people in
    # the same query, which costs a third of loading them a collection at a time.
    get_options: tuple[Any, ...] = ()

    def applies(self) -> ColumnElement[bool]:
        """SQL: the rows of the model that are this record type."""
        if self.when is None:
            return true()
        attribute, value = self.when
        return getattr(self.model, attribute) == value

    def covers(self, record: Any) -> bool:
        """Python: is this loaded row this record type?"""
        if self.when is None:
            return True
        attribute, value = self.when
        return getattr(record, attribute) == value


_types: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    _types[record_type.name] = record_type
    return record_type


def record_types_of(model: type) -> list[RecordType]:
    found = [rt for rt in _types.values() if rt.model is model]
    if not found:
        raise KeyError(f"{model.__name__} is not registered with the sharing engine")
    return found


def record_type_named(name: str) -> RecordType:
    """The registered record type called ``name``; ``KeyError`` if nobody registered it."""
    return _types[name]


def record_type_for(model: type, record: Any = None) -> RecordType:
    """The record type of ``model`` (of this ``record``, when the model carries several).

    Raises ``KeyError`` when the model is not registered, when it carries several types and
    no record says which, or when the record matches none of them.
    """
    found = record_types_of(model)
    if record is not None:
        found = [rt for rt in found if rt.covers(record)]
    if len(found) != 1:
        raise KeyError(f"{model.__name__}: no single record type for this record")
    return found[0]


def _load_one(session: Session, model: type, record_id: Any) -> Any:
    """The row of ``model`` with this id (None if there is none) for showing it, loaded as its
    record type asks (``RecordType.get_options``). Only for showing: a row keeps the options
    it was loaded with, a refresh applies them again, and PostgreSQL refuses the lock of
    ``refresh(with_for_update=True)`` across the outer join of a joined load."""
    if record_id is None:
        return None
    return session.get(model, record_id, options=record_types_of(model)[0].get_options)


def _granting(actor: Actor, verb: str) -> Callable[[Protocol, str, set[str]], frozenset[str]]:
    """``granted`` for ``actor`` and ``verb``, worked out once per protocol, record type and set
    of conditions: a page of records holds few distinct sets."""
    known: dict[tuple[str, str, frozenset[str]], frozenset[str]] = {}

    def grant(protocol: Protocol, record_type: str, held: set[str]) -> frozenset[str]:
        key = (protocol.key, record_type, frozenset(held))
        if key not in known:
            known[key] = granted(protocol, actor, verb, record_type, held)
        return known[key]

    return grant


def _type_of(record: Any) -> RecordType | None:
    """The record type of a loaded row; None if it matches none of its model's types (it is
    then nobody's to see). An unregistered model raises ``KeyError``: a programming error."""
    found = [rt for rt in record_types_of(type(record)) if rt.covers(record)]
    return found[0] if len(found) == 1 else None


# What an action declares (``@action(reads=("case",))``) when it takes a case of whatever kind
# the meeting's panel lists (``PanelKind.case_record``: an ASB case, say): checking any kind's
# own case record type checks it.
KIND_CASE = "case"


def _mark(names: Iterable[str]) -> None:
    """Tell the guard (``casework.authz``) which record types the engine decided on."""
    names = tuple(names)
    kind_case = any(n in panel_kinds.case_records() for n in names)
    mark_checked(*names, *((KIND_CASE,) if kind_case else ()))


# Visible clauses kept (about 20 KiB each): a partnership's callers, record types and verbs.
CLAUSES_REMEMBERED = 1024


class Sharing:
    """The loaded protocols plus the registered record types."""

    def __init__(self, protocols: dict[str, Protocol]) -> None:
        self.protocols = protocols
        self._prepared = Prepared(protocols)
        # (model, verb, actor, protocols and record types loaded) to its visible clause;
        # bounded: emptied when full
        self._clauses: dict[tuple, tuple[ColumnElement[bool], tuple]] = {}

    def protocol_for_kind(self, kind: str) -> str | None:
        """The default protocol for a new panel of this kind: the one its registration names
        (``casework.panels.kinds``) if loaded and covering it, else the first file that does."""
        named = panel_kinds.kind(kind).protocol if kind in panel_kinds.codes() else None
        chosen = self.protocols.get(named or "")
        if chosen is not None and kind in chosen.panel_kinds:
            return named
        return next((k for k, p in sorted(self.protocols.items()) if kind in p.panel_kinds), None)

    def visible_clause(
        self, actor: Actor, verb: str, model: type, now: datetime | None = None
    ) -> ColumnElement[bool]:
        """WHERE clause: rows of ``model`` that ``actor`` may take ``verb`` on (at ``now``,
        else whenever the statement runs).

        Without ``now`` the clause is built once per caller, model and verb and kept: it reads
        the moment from the clock as each statement runs (``asking.Current``), so SQLAlchemy
        finds the same statement in its cache and binds the values afresh."""
        types = record_types_of(model)
        _mark(rt.name for rt in types)
        if now is not None:
            return self._clause(actor, verb, types, Values.of(actor, now))
        key = (model, verb, actor, loaded(self.protocols), tuple(map(id, types)))
        found = self._clauses.get(key)
        if found is None:
            if len(self._clauses) >= CLAUSES_REMEMBERED:
                self._clauses.clear()
            clause = self._clause(actor, verb, types, Current.of(actor))
            # kept with what it was built from, whose ids key it: none is reused meanwhile
            found = self._clauses[key] = (clause, (*self.protocols.values(), *types))
        return found[0]

    def _clause(
        self, actor: Actor, verb: str, types: list[RecordType], asking: Asking
    ) -> ColumnElement[bool]:
        branches = []
        for rt in types:
            for key, protocol in self.protocols.items():
                wanted = rules_granting(protocol, actor, verb, rt.name)
                if not wanted:
                    continue
                exprs = conditions_of(rt, asking, protocol)
                conds = [e for c, e in exprs.items() if c in wanted]  # cheapest first
                if not conds:
                    continue
                scope = [rt.applies()]
                if rt.protocol_key is not None:
                    scope.append(rt.protocol_key() == key)
                branches.append(and_(*scope, or_(*conds)))
        return or_(*branches) if branches else false()

    def holding(
        self,
        session: Session,
        actor: Actor,
        records: Sequence[Any],
        now: datetime | None = None,
        verb: str | None = None,
    ) -> dict[Any, list[tuple[Protocol, set[str]]]]:
        """For each record id: each protocol it is under, with the conditions that hold for
        ``actor`` there (empty list: under no loaded protocol, or of no record type).

        ``verb``: ask only the conditions under which some rule grants ``actor`` that verb
        (what ``fields_for`` needs); without it, every condition is asked."""
        out: dict[Any, list[tuple[Protocol, set[str]]]] = {r.id: [] for r in records}
        for rt, ids in self._by_type(records).items():
            for rid, protocol, held in self._prepared.held(
                session, rt, actor, ids, now or utcnow(), verb
            ):
                out[rid].append((protocol, held))
        return out

    def which(
        self, session: Session, actor: Actor, verb: str, model: type, ids: Sequence[Any]
    ) -> set[Any]:
        """Of these ids of ``model`` (a model of one record type), the ones ``actor`` may take
        ``verb`` on, without loading the rows: for counting a few known records, where the
        same statement serves every request (``visible_clause`` is built for each)."""
        (rt,) = record_types_of(model)
        _mark([rt.name])
        grant = _granting(actor, verb)
        held = self._prepared.held(session, rt, actor, ids, utcnow(), verb)
        return {rid for rid, protocol, conds in held if grant(protocol, rt.name, conds)}

    @staticmethod
    def _by_type(records: Sequence[Any]) -> dict[RecordType, list[Any]]:
        """Record ids grouped by record type; rows that match no type are left out."""
        groups: dict[RecordType, list[Any]] = {}
        for record in records:
            rt = _type_of(record)
            if rt is not None:
                groups.setdefault(rt, []).append(record.id)
        return groups

    def fields_for(
        self,
        session: Session,
        actor: Actor,
        verb: str,
        records: Sequence[Any],
        model: type | None = None,
    ) -> dict[Any, frozenset[str]]:
        """Visible fields per record id (empty: the record is not visible for ``verb``).

        ``model``: the records' model, so that asking about none of them still counts as
        having checked its record types (``casework.authz.action``). As with ``get``, asking
        about a model's rows decides every record type it carries (a nominal is an adult's
        ``nominal`` or a ``youth_record``, and the engine chose which)."""
        names = {r.id: rt.name for r in records if (rt := _type_of(r)) is not None}
        models = {type(r) for r in records} | ({model} if model else set())
        _mark(rt.name for m in models for rt in record_types_of(m))
        if not records:
            return {}
        out: dict[Any, frozenset[str]] = {}
        grant = _granting(actor, verb)
        for rid, under in self.holding(session, actor, records, verb=verb).items():
            fields: set[str] = set()
            for protocol, held in under:
                fields |= grant(protocol, names[rid], held)
            out[rid] = frozenset(fields)
        return out

    def visible_fields(
        self, session: Session, actor: Actor, record: Any, verb: str = "view"
    ) -> frozenset[str]:
        return self.fields_for(session, actor, verb, [record])[record.id]

    def may(self, session: Session, actor: Actor, verb: str, record: Any) -> bool:
        return bool(self.visible_fields(session, actor, record, verb))

    def get(
        self, session: Session, actor: Actor, model: type, record_id: Any, verb: str = "view"
    ) -> tuple[Any, frozenset[str]]:
        """Load a record the actor may take ``verb`` on, with its visible fields, or 404.

        A record that does not exist and one the caller may not see give the same answer.
        """
        _mark(rt.name for rt in record_types_of(model))
        record = session.get(model, record_id) if record_id is not None else None
        if record is None:
            raise NotVisible()
        fields = self.visible_fields(session, actor, record, verb)
        if not fields:
            raise NotVisible()
        return record, fields

    def record_type_of(self, record: Any) -> RecordType:
        """The record type of a loaded row (``KeyError`` if it is of none)."""
        return record_type_for(type(record), record)

    def disclose(
        self,
        session: Session,
        actor: Actor,
        model: type,
        records: Sequence[Any],
        *,
        verb: str = "view",
        audit_as: str | None = None,
        only: Only | None = None,
        shape: Shape | None = None,
        recipient: str | None = None,
        purpose: str | None = None,
    ) -> list[dict[str, Any]]:
        """The one way case data leaves: the records of ``model`` that ``actor`` may take
        ``verb`` on, in order, each shaped to the fields shown and audited once
        (``casework.sharing.disclosure``)."""
        found = self.disclosures(
            session,
            actor,
            model,
            records,
            verb=verb,
            audit_as=audit_as,
            only=only,
            shape=shape,
            recipient=recipient,
            purpose=purpose,
        )
        return [d.data for d in found]

    def disclose_one(
        self,
        session: Session,
        actor: Actor,
        model: type,
        record_id: Any,
        *,
        verb: str = "view",
        only: Only | None = None,
        shape: Shape | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """One record and its disclosed answer, or 404 exactly as ``get``: a record that does
        not exist and one the caller may see nothing of give the same answer."""
        record = _load_one(session, model, record_id)
        found = self.disclosures(
            session,
            actor,
            model,
            [record] if record is not None else [],
            verb=verb,
            only=only,
            shape=shape,
        )
        if not found:
            raise NotVisible()
        return record, found[0].data

    def disclosures(
        self,
        session: Session,
        actor: Actor,
        model: type,
        records: Sequence[Any],
        *,
        verb: str = "view",
        audit_as: str | None = None,
        only: Only | None = None,
        shape: Shape | None = None,
        recipient: str | None = None,
        purpose: str | None = None,
    ) -> list[Disclosed]:
        """``disclose`` keeping each record, its type and the fields shown beside its answer,
        for views that assemble several record types (an agenda) or list the fields sent."""
        self.fields_for(session, actor, verb, [], model)  # none shown still counts as checked
        return disclosures(
            self,
            session,
            actor,
            records,
            verb=verb,
            audit_as=audit_as,
            only=only,
            shape=shape,
            recipient=recipient,
            purpose=purpose,
        )


def header_fields(record_type: str) -> tuple[str, ...]:
    return RECORD_HEADER[record_type]


def prune(data: dict[str, Any], visible: Iterable[str], header: Iterable[str]) -> dict[str, Any]:
    """Keep only visible dotted paths of a dumped record (lists apply the path per element).

    Serialisers dump everything and this removes what the caller may not see, so a new field
    added to a schema is hidden until a protocol grants it.
    """
    allowed = set(visible) | set(header)
    tree: dict[str, Any] = {}
    for path in allowed:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if node is True:
                break
        else:
            node[parts[-1]] = True

    def keep(value: Any, spec: Any) -> Any:
        if spec is True:
            return value
        if isinstance(value, list):
            return [keep(v, spec) for v in value]
        if isinstance(value, dict):
            return {k: keep(v, spec[k]) for k, v in value.items() if k in spec}
        return None

    return {k: keep(v, tree[k]) for k, v in data.items() if k in tree}
