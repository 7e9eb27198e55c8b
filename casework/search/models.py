"""The search token table: one keyed hash per (person, word or sound), never the word itself.

A row says "this person of this record has a name word (or a name word sounding like) whose
keyed hash is ``token``". The hash is ``casework.crypto.blind_index`` under the key ring's
index key, so it is useless without the key and moves with it on rotation; the words are
recomputed from the person's encrypted name (``casework.search.maintain``), never stored.

``kind`` says which index name the hash was made under: ``name`` (a folded word), ``sound``
(a Double Metaphone code of one), and ``name_dob``/``sound_dob`` (the same with the date of
birth, for searches that give one). None of the columns is personal on its own; together
with the key they would be, which is why only the keyed hash is kept.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UUIDPrimaryKey

RECORD_TYPES = ("referral", "nominal")
ROLES = ("victim", "perpetrator", "child", "nominal")
KINDS = ("name", "sound", "name_dob", "sound_dob")


class SearchToken(UUIDPrimaryKey, Base):
    __tablename__ = "search_tokens"
    # A search reads the tokens it asks for and nothing else: the index covers the grouping.
    __table_args__ = (
        Index("ix_search_tokens_lookup", "token", "record_type", "record_id", "person_id"),
    )

    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # The victim is the referral itself; a perpetrator or child its own row; a nominal itself.
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(12))
    token: Mapped[str] = mapped_column(String(80))
