"""The statement the engine asks a batch of records' conditions with, prepared once.

For each record type, shape of asker (with or without an agency, with or without a user) and
set of conditions wanted, the engine builds one statement: the records' ids in, each row's
protocol key (for a record type with one protocol a row) and its conditions out, with the
asker's values bound at execution (``casework.sharing.asking.Params``). SQLAlchemy then keeps
the statement's cache key too, where conditions built afresh for every request cost about a
fifth of it (``docs/benchmarks.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import Protocol as Interface

from sqlalchemy import ColumnElement, Select, bindparam, false, select, true
from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.sharing.asking import Asking, Params
from casework.sharing.grants import rules_granting
from casework.sharing.protocols import Protocol


class RecordType(Interface):
    """What a prepared statement needs of a record type (``casework.sharing.engine``'s,
    which imports this module)."""

    name: str
    model: Any

    @property
    def protocol_key(self) -> Callable[[], ColumnElement[str]] | None: ...

    def conditions(self, asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]: ...


def conditions_of(rt: RecordType, asking: Asking, protocol: Protocol) -> dict:
    """``rt``'s conditions under ``protocol``, with ``always`` as the engine means it."""
    exprs = rt.conditions(asking, protocol)
    # A record under several protocols says itself when it is under this one.
    exprs.setdefault("always", true() if rt.protocol_key is not None else false())
    return exprs


@dataclass(frozen=True)
class Plan:
    """A prepared ``holding`` statement: ids in, each row's protocol key (for a record type
    with one protocol a row) and conditions out. ``asked``: per protocol, the key a row must
    have (None: any), the protocol, the condition names and the column they start at."""

    statement: Select[Any]
    params: Params
    asked: tuple[tuple[str | None, Protocol, list[str], int], ...]


ACTORS_REMEMBERED = 4096


def loaded(protocols: dict[str, Protocol]) -> tuple[int, ...]:
    """Which protocol objects are loaded, for memos to key on: a protocol loaded or replaced
    in the running service (the tests do) is then asked at once, not after a restart."""
    return tuple(map(id, protocols.values()))


class Prepared:
    """The prepared statements of one set of loaded protocols."""

    def __init__(self, protocols: dict[str, Protocol]) -> None:
        self.protocols = protocols
        self._plans: dict[tuple, Plan] = {}
        # (record type, actor, verb) to its plan: working out which conditions the actor's
        # rules need is a quarter of a one-record check. Bounded: emptied when full.
        self._by_actor: dict[tuple, Plan] = {}

    def held(
        self,
        session: Session,
        rt: RecordType,
        actor: Actor,
        ids: Sequence[Any],
        now: datetime,
        verb: str | None,
    ) -> Iterable[tuple[Any, Protocol, set[str]]]:
        """(id, protocol, conditions holding) for each protocol each id is under."""
        if not ids:
            return
        plan = self.plan(rt, actor, verb)
        values = plan.params.values_for(actor, now) | {"sharing_ids": list(ids)}
        for row in session.execute(plan.statement, values):
            for key, protocol, names, start in plan.asked:
                if key is None or row[1] == key:
                    yield (
                        row[0],
                        protocol,
                        {n for n, v in zip(names, row[start:], strict=False) if v},
                    )

    def plan(self, rt: RecordType, actor: Actor, verb: str | None) -> Plan:
        """The statement asking ``rt``'s conditions of a batch of ids, built once per record
        type, shape of asker and conditions wanted, with the asker's values bound at
        execution: one statement for a record's protocol and its conditions together."""
        memo = (rt.name, actor, verb, loaded(self.protocols))
        found = self._by_actor.get(memo)
        if found is not None:
            return found
        wanted = {
            key: None if verb is None else frozenset(rules_granting(p, actor, verb, rt.name))
            for key, p in self.protocols.items()
        }
        shape = Params.shape(actor)
        cache_key = (rt.name, shape, loaded(self.protocols), tuple(sorted(wanted.items(), key=str)))
        plan = self._plans.get(cache_key)
        if plan is None:
            plan = self._plans[cache_key] = self._build_plan(rt, Params(*shape), wanted)
        if len(self._by_actor) >= ACTORS_REMEMBERED:
            self._by_actor.clear()
        self._by_actor[memo] = plan
        return plan

    def _build_plan(
        self, rt: RecordType, params: Params, wanted: dict[str, frozenset[str] | None]
    ) -> Plan:
        columns: list[ColumnElement[Any]] = [rt.model.id]
        if rt.protocol_key is not None:
            columns.append(rt.protocol_key())
        asked = []
        for key, protocol in sorted(self.protocols.items()):
            exprs = conditions_of(rt, params, protocol)
            names = [n for n in sorted(exprs) if wanted[key] is None or n in wanted[key]]
            asked.append(
                (key if rt.protocol_key is not None else None, protocol, names, len(columns))
            )
            columns += [exprs[n] for n in names]
        ids = bindparam("sharing_ids", expanding=True)
        statement = select(*columns).where(rt.model.id.in_(ids))
        return Plan(statement, params, tuple(asked))
