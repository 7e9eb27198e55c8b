"""Searching for a person or a case, through the sharing engine's list filter.

A name is looked up by the keyed hashes of its words and their sounds (``tokens``), joined to
the records the caller may list (``visible_clause``) *before* anything is grouped, ranked or
limited, so a record the caller may not see is never counted, hinted at or ordered by. The
few candidates left are decrypted and checked against the typed words (truncated hashes may
collide), and marked ``exact`` when the name is held as typed, else ``similar``.
A referral reference or a PNC number finds its case directly.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import aliased

from casework.actors import Actor
from casework.authz import action, require_role
from casework.crypto import candidates, normalise
from casework.errors import Invalid
from casework.offenders.models import Nominal
from casework.referrals.models import Referral
from casework.roles import CASE_ROLES
from casework.schemas import load
from casework.search.audit import record_search
from casework.search.models import SearchToken
from casework.search.normalise import is_exact, query_words, resembles, sounds
from casework.search.schemas import SearchQuery
from casework.search.tokens import lookup
from casework.services import Services

LIMIT = 50
_REFERENCE = re.compile(r"[A-Z][0-9]{2}-[A-Z0-9]{6}")
# The fields a role's name lives in: a person is found by name only where it may be read.
NAME_FIELDS = {
    "victim": "victim.last_name",
    "perpetrator": "perpetrators.last_name",
    "child": "children.last_name",
    "nominal": "last_name",
}


@dataclass(frozen=True)
class Hit:
    type: str
    id: uuid.UUID
    reference: str | None
    role: str
    match: str
    score: int = 0

    def answer(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": str(self.id),
            "reference": self.reference,
            "role": self.role,
            "match": self.match,
        }


@action(reads=("referral", "nominal"))
def search(svc: Services, actor: Actor, query: Any) -> list[dict[str, Any]]:
    """People and cases the caller may list that match ``q`` (and ``date_of_birth``), exact
    matches first; one audit entry, the query sealed in it."""
    require_role(actor, *CASE_ROLES)
    values = load(SearchQuery(), query)
    text, born = values["q"], values["date_of_birth"]
    visible = {
        "referral": svc.sharing.visible_clause(actor, "list", Referral),
        "nominal": svc.sharing.visible_clause(actor, "list", Nominal),
    }
    if any(ch.isdigit() for ch in text):
        hits = _by_reference(svc, actor, text, visible) + _by_pnc(svc, actor, text, visible)
    else:
        if not query_words(text):
            raise Invalid({"q": ["Type a name, a referral reference or a PNC number"]})
        hits = _by_name(svc, actor, text, born, visible)
    hits.sort(key=lambda h: (h.match != "exact", -h.score, h.reference or "", str(h.id)))
    hits = hits[:LIMIT]
    record_search(svc.session, actor, text, born, [f"{h.type}:{h.id}" for h in hits])
    return [h.answer() for h in hits]


def _granted(svc: Services, actor: Actor, records: list[Any], model: type) -> dict[Any, Any]:
    return svc.sharing.fields_for(svc.session, actor, "list", records, model)


def _by_reference(
    svc: Services, actor: Actor, text: str, visible: dict[str, ColumnElement[bool]]
) -> list[Hit]:
    reference = text.strip().upper()
    if not _REFERENCE.fullmatch(reference):
        return []
    stmt = select(Referral).where(Referral.reference == reference, visible["referral"])
    found = list(svc.session.scalars(stmt))
    granted = _granted(svc, actor, found, Referral)
    return [
        Hit("referral", r.id, r.reference, "victim", "exact", 10) for r in found if granted[r.id]
    ]


def _by_pnc(
    svc: Services, actor: Actor, text: str, visible: dict[str, ColumnElement[bool]]
) -> list[Hit]:
    wanted = candidates("nominal_pnc", text)
    if not wanted:
        return []
    stmt = select(Nominal).where(Nominal.pnc_ix.in_(wanted), visible["nominal"])
    found = list(svc.session.scalars(stmt))
    granted = _granted(svc, actor, found, Nominal)
    return [
        Hit("nominal", n.id, None, "nominal", "exact", 10)
        for n in found
        if "pnc_id" in granted[n.id] and normalise(n.pnc_id or "") == normalise(text)
    ]


@dataclass(frozen=True)
class Word:
    """One typed word's hashes: itself (``exact``) and its sounds (``alike``), across keys."""

    exact: list[str]
    alike: list[str]

    @property
    def wanted(self) -> list[str]:
        return self.exact + self.alike

    def score(self, token: Any) -> ColumnElement[int]:
        """2 if one of the person's words is this one, 1 if one sounds like it, else 0."""
        whens = [(token.in_(self.exact), 2)] + ([(token.in_(self.alike), 1)] if self.alike else [])
        return func.max(case(*whens, else_=0))


def _words(text: str, born: date | None) -> list[Word]:
    extra = (born.isoformat(),) if born else ()
    name_kind, sound_kind = ("name_dob", "sound_dob") if born else ("name", "sound")
    return [
        Word(
            lookup(name_kind, word, *extra),
            [h for code in sounds(word) for h in lookup(sound_kind, code, *extra)],
        )
        for word in query_words(text)
    ]


RARITY_CAP = 2_000  # counting a common word's rows stops here: it only has to lose


def _rows_of(svc: Services, record_type: str, word: Word) -> int:
    """How many token rows a word reads (capped): the search starts from the rarest word."""
    T = SearchToken
    some = (
        select(T.id)
        .where(T.token.in_(word.wanted), T.record_type == record_type)
        .limit(RARITY_CAP)
        .subquery()
    )
    return svc.session.scalar(select(func.count()).select_from(some)) or 0


def candidates_of(
    svc: Services,
    record_type: str,
    model: type,
    text: str,
    born: date | None,
    visible: ColumnElement[bool],
) -> list[tuple[uuid.UUID, uuid.UUID, str, int]]:
    """(record id, person id, role, score) of the best visible people of one record type.

    People are gathered from the rarest typed word's rows, each then checked for the other
    words by their own few rows (a common first name is never read in full); only then the
    sharing filter, before anything is ordered or limited.
    """
    words = _words(text, born)
    if not words or not all(w.wanted for w in words):
        return []
    words.sort(key=lambda w: _rows_of(svc, record_type, w))
    first, others = words[0], words[1:]
    T = SearchToken
    people = (
        select(T.record_id, T.person_id, T.role, first.score(T.token).label("score"))
        .where(T.token.in_(first.wanted), T.record_type == record_type)
        .group_by(T.record_id, T.person_id, T.role)
        .subquery()
    )
    total: ColumnElement[int] = people.c.score
    found = []
    for word in others:
        mine = aliased(SearchToken)
        score = (
            select(word.score(mine.token))
            .where(mine.person_id == people.c.person_id, mine.token.in_(word.wanted))
            .scalar_subquery()
        )
        total = total + score
        found.append(score > 0)
    stmt = (
        select(people.c.record_id, people.c.person_id, people.c.role, total.label("total"))
        .join(model, model.id == people.c.record_id)
        .where(people.c.score > 0, *found, visible)
        .order_by(total.desc(), people.c.person_id)
        .limit(LIMIT)
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in svc.session.execute(stmt)]


def person_in(record: Any, role: str, person_id: uuid.UUID) -> tuple[Any, Any, Any] | None:
    """(first name, last name, date of birth) of the person found, from the decrypted record."""
    if role == "victim":
        return (record.victim_first_name, record.victim_last_name, record.victim_date_of_birth)
    if role == "nominal":
        return (record.first_name, record.last_name, record.date_of_birth)
    people = record.perpetrators if role == "perpetrator" else record.children
    for p in people:
        if p.id == person_id:
            return (p.first_name, p.last_name, p.date_of_birth)
    return None


def _by_name(
    svc: Services,
    actor: Actor,
    text: str,
    born: date | None,
    visible: dict[str, ColumnElement[bool]],
) -> list[Hit]:
    hits: list[Hit] = []
    for record_type, model in (("referral", Referral), ("nominal", Nominal)):
        found = candidates_of(svc, record_type, model, text, born, visible[record_type])
        if not found:
            continue
        ids = list({f[0] for f in found})
        records = {r.id: r for r in svc.session.scalars(select(model).where(model.id.in_(ids)))}
        granted = _granted(svc, actor, list(records.values()), model)
        for record_id, person_id, role, score in found:
            record = records.get(record_id)
            if record is None or NAME_FIELDS[role] not in granted.get(record_id, ()):
                continue
            person = person_in(record, role, person_id)
            if person is None or (born is not None and person[2] != born):
                continue
            first, last, _ = person
            if not resembles(text, first, last):
                continue  # the hashes collided: not this person
            match = "exact" if is_exact(text, first, last) else "similar"
            reference = getattr(record, "reference", None)
            hits.append(Hit(record_type, record_id, reference, role, match, score))
    return hits
