"""Finding a record's audit entries by the reference people see (``M26-K7QX2D``, ``ASB-2026-0042``).

The log keys entries by internal id; the DPO is asked about a case by its reference. Every
model with a unique text column called ``reference`` names its records that way, so a model
added later (a new panel kind's case) is found with no edit here: the convention is the
registry. Only the records' ids are read, never a case's contents.
"""

from __future__ import annotations

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapper, Session

from casework.db import Base


def _referenced() -> list[Mapper]:
    """Mapped models whose records carry a unique, plain-text reference."""
    out = []
    for mapper in Base.registry.mappers:
        column = mapper.local_table.c.get("reference")
        if column is not None and column.unique and isinstance(column.type, String):
            out.append(mapper)
    return sorted(out, key=lambda m: m.class_.__name__)


def ids_for_reference(session: Session, text: str) -> list[str]:
    """The ids (as the log stores them) of records whose reference is ``text``, any case."""
    wanted = text.strip().upper()
    ids: list[str] = []
    for mapper in _referenced():
        table = mapper.local_table
        found = session.scalars(select(table.c.id).where(func.upper(table.c.reference) == wanted))
        ids.extend(str(i) for i in found)
    return ids
