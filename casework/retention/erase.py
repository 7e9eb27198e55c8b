"""Erasing a MARAC referral: every personal value goes, the figures stay.

The referral row stays as a tombstone holding only what the statistics read (panel, referral
date, referring agency, status, DASH score and band, criteria and repeat flags, the SafeLives
diversity flags, the number of children, IDVA engagement), so the MARAC figures for its
period are the same before and after (``casework/stats/marac.py`` reads nothing else). Every
sealed column and blind index of it is emptied, and of every row about the case:

* found generically, so a table added later cannot be forgotten: any table with a
  ``referral_id`` column has its sealed columns and blind indexes emptied (minutes, research,
  actions, amendment versions, safety plans...), and its rows deleted where a sealed column
  may not be empty or the rows are personal in themselves (``DELETED``);
* children go (the figures count ``children_count``); perpetrators go, except that one
  emptied row stays per referral with a perpetrator aged 17 or under (a figure counts them);
* near matches and import identities (links between people) go; search tokens go;
* an action's corrections (``case_action_changes``) are emptied; approved minutes keep their
  snapshot and version texts of other cases, with this case's texts removed.

Statements are Core ``UPDATE``/``DELETE``: the ORM's hooks (search tokens recomputed from a
name, copies kept in step) must not see half-erased rows. On SQLite the connection overwrites
freed space (``secure_delete``) and the write-ahead log is emptied after the commit
(``checkpoint``), so no old page keeps a ciphertext; PostgreSQL's dead rows go at its next
vacuum (docs/retention.md).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, delete, event, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from casework.crypto import Sealed
from casework.db import Base
from casework.meetings.minutes_models import MinutesVersion
from casework.meetings.models import ActionChange, AgendaItem, CaseAction, Minute, ResearchNote
from casework.referrals.models import Perpetrator, PossibleMatch, Referral, ReferralDraft
from casework.search.models import SearchToken
from casework.subject_access.models import SubjectAccessItem

# Tables with a referral_id whose rows go rather than being emptied.
DELETED = ("referral_children", "import_rows", "referral_versions")
# Handled on their own below (kept as they are, or with a rule of their own).
SPECIAL = ("referrals", "referral_perpetrators", "referral_possible_matches", "agenda_items")
# Plain columns of the tombstone that name staff or link people: emptied as well.
REFERRAL_LINKS = ("referrer_user_id", "assigned_idva_id", "previous_referral_id")
log = logging.getLogger("casework.retention")


def _blind_columns(table: Table) -> list[str]:
    """The blind-index columns of a table: declared by its model, or named ``*_ix``."""
    names = {c.name for c in table.columns if c.name.endswith("_ix")}
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            for index in getattr(mapper.class_, "__blind_indexes__", ()):
                names.add(mapper.attrs[index.column].columns[0].name)
    return sorted(names)


def _personal(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, Sealed)] + _blind_columns(table)


def _empty(table: Table) -> dict[str, None]:
    return {name: None for name in _personal(table)}


def _may_empty(table: Table) -> bool:
    return all(table.c[name].nullable for name in _personal(table))


def _count(session: Session, table: Table, where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def sweep(session: Session, table: Table, where: Any, remove: bool = False) -> Counter[str]:
    """Empty every sealed column and blind index of the rows ``where`` selects, or delete the
    rows (``remove``, or when a sealed column of the table may not be empty)."""
    found = _count(session, table, where)
    if not found:
        return Counter()
    if remove or not _may_empty(table):
        session.execute(delete(table).where(where))
        return Counter({f"{table.name} deleted": found})
    if not _personal(table):
        return Counter()
    session.execute(update(table).where(where).values(_empty(table)))
    return Counter({f"{table.name} emptied": found})


def disclosure_copies(
    session: Session, case_id: uuid.UUID, about: Callable[[type], Any]
) -> Counter[str]:
    """Subject access items copied from the case, or from its agenda items, minutes,
    actions and research (``about(model)`` selects those rows, None where a model cannot
    name the case), are deleted with it: a copy must not outlive what it copied. An item's
    ``source_key`` names the record it came from by id (``casework.subject_access.gather``)."""
    ids = [case_id]
    for model in (AgendaItem, Minute, CaseAction, ResearchNote):
        where = about(model)
        if where is not None:
            ids += session.scalars(select(model.id).where(where)).all()
    table = SubjectAccessItem.__table__
    counts: Counter[str] = Counter()
    for start in range(0, len(ids), 200):
        keys = [table.c.source_key.contains(str(i)) for i in ids[start : start + 200]]
        counts += sweep(session, table, or_(*keys), remove=True)
    return counts


def erase_referral(session: Session, referral_id: uuid.UUID) -> dict[str, int]:
    """Erase one referral and everything about it (see the module docstring); returns how
    many rows of each table were emptied or deleted (no values)."""
    counts: Counter[str] = Counter()
    referrals = Referral.__table__
    for table in Base.metadata.sorted_tables:
        if "referral_id" not in table.c or table.name in SPECIAL:
            continue
        where = table.c.referral_id == referral_id
        found = _count(session, table, where)
        if not found:
            continue
        if table.name == "case_actions":
            empty_action_changes(session, CaseAction.referral_id == referral_id)
        if table.name in DELETED or not _may_empty(table):
            session.execute(delete(table).where(where))
            counts[f"{table.name} deleted"] += found
        elif _personal(table):
            session.execute(update(table).where(where).values(_empty(table)))
            counts[f"{table.name} emptied"] += found
    counts.update(_perpetrators(session, referral_id))
    matches = (PossibleMatch.referral_id == referral_id) | (
        PossibleMatch.other_referral_id == referral_id
    )
    found = _count(session, PossibleMatch.__table__, matches)
    if found:
        session.execute(delete(PossibleMatch).where(matches))
        counts["referral_possible_matches deleted"] += found
    tokens = (SearchToken.record_type == "referral") & (SearchToken.record_id == referral_id)
    found = _count(session, SearchToken.__table__, tokens)
    if found:
        session.execute(delete(SearchToken).where(tokens))
        counts["search_tokens deleted"] += found
    counts.update(
        minutes_versions(
            session,
            referral_id,
            CaseAction.referral_id == referral_id,
            Minute.referral_id == referral_id,
        )
    )
    counts.update(disclosure_copies(session, referral_id, lambda m: m.referral_id == referral_id))
    # Later referrals of the same victim keep their repeat flag and date, not the link.
    session.execute(
        update(referrals)
        .where(referrals.c.previous_referral_id == referral_id)
        .values(previous_referral_id=None)
    )
    values = {**_empty(referrals), **dict.fromkeys(REFERRAL_LINKS), "erased": True}
    session.execute(update(referrals).where(referrals.c.id == referral_id).values(values))
    counts["referrals emptied"] += 1
    session.expire_all()  # loaded objects held the values just removed
    return dict(sorted(counts.items()))


def _perpetrators(session: Session, referral_id: uuid.UUID) -> Counter[str]:
    """Perpetrators go; one emptied row stays when one was 17 or under (a counted figure)."""
    table = Perpetrator.__table__
    rows = session.execute(
        select(table.c.id, table.c.aged_17_or_under)
        .where(table.c.referral_id == referral_id)
        .order_by(table.c.position)
    ).all()
    keep = next((row.id for row in rows if row.aged_17_or_under), None)
    gone = [row.id for row in rows if row.id != keep]
    counts: Counter[str] = Counter()
    if gone:
        session.execute(delete(table).where(table.c.id.in_(gone)))
        counts["referral_perpetrators deleted"] = len(gone)
    if keep is not None:
        values = {**_empty(table), "position": 0}
        session.execute(update(table).where(table.c.id == keep).values(values))
        counts["referral_perpetrators emptied"] = 1
    return counts


def empty_action_changes(session: Session, about: Any) -> None:
    """Empty the corrections of the actions ``about`` selects (a WHERE on ``CaseAction``)."""
    table = ActionChange.__table__
    actions = select(CaseAction.id).where(about)
    session.execute(update(table).where(table.c.action_id.in_(actions)).values(_empty(table)))


def minutes_versions(
    session: Session, case_id: uuid.UUID, actions_about: Any, minutes_about: Any
) -> Counter[str]:
    """Approved minutes keep a sealed snapshot of every case, and each version the text
    before and after of what changed: this case's parts (named by its id, whatever its
    record type) are removed from them, re-sealed."""
    key = str(case_id)
    meetings = select(CaseAction.meeting_id).where(actions_about)
    minuted = select(Minute.meeting_id).where(minutes_about)
    versions = session.scalars(
        select(MinutesVersion).where(
            MinutesVersion.meeting_id.in_(meetings.union(minuted).scalar_subquery())
        )
    ).all()
    changed = 0
    prefix = f"cases.{key}."
    for version in versions:
        snapshot = version.snapshot
        if snapshot:
            for case in snapshot.get("cases", []):
                if key in (case.get("key"), case.get("referral_id"), case.get("case_id")):
                    case.update(information_shared=None, risks_identified=None)
                    for act in case.get("actions", []):
                        act["description"] = None
            version.snapshot = snapshot
        for side in ("before", "after"):
            texts = getattr(version, side)
            if texts:
                setattr(version, side, {k: v for k, v in texts.items() if not k.startswith(prefix)})
        version.fields = [f for f in version.fields or [] if not f.startswith(prefix)]
        changed += 1
    session.flush()
    return Counter({"minutes_versions emptied": changed} if changed else {})


def erase_draft(session: Session, draft_id: uuid.UUID) -> dict[str, int]:
    """A draft is only ever personal data: it goes whole."""
    session.execute(delete(ReferralDraft).where(ReferralDraft.id == draft_id))
    session.expire_all()
    return {"referral_drafts deleted": 1}


def overwrite_freed_space(session: Session) -> None:
    """SQLite: space freed from here on in this transaction is overwritten with zeros."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete=ON")


@event.listens_for(Session, "after_commit")
def _checkpoint_after_erasure(session: Session) -> None:
    """An erasure committed (``casework.retention.actions.erase`` marks its session)."""
    if session.info.pop("retention_checkpoint", False) and not checkpoint(session):
        log.warning("after an erasure the SQLite log could not be emptied yet (a reader)")


@event.listens_for(Session, "after_rollback")
def _forget_checkpoint(session: Session) -> None:
    session.info.pop("retention_checkpoint", None)


def checkpoint(session: Session) -> bool:
    """SQLite, after the commit: copy the log into the database file and empty it, so no
    earlier page image survives in the write-ahead log. False when a reader held it open
    (the next checkpoint does it)."""
    if session.get_bind().dialect.name != "sqlite":
        return True
    try:
        with session.get_bind().connect() as conn:  # type: ignore[union-attr]
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    except OperationalError:  # another connection of this process is mid-statement
        return False
    return bool(busy is not None and busy[0] == 0)
