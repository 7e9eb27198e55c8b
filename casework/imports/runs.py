"""An import's run record and its rows' identities: how a file given again carries on where
an earlier run of it stopped and adds nothing twice.

Why it is shaped this way:

* A row's identity is the blind-index HMAC (``casework.crypto``, its own index name, 128 bits
  so that equal identities mean equal rows) of the import's kind and scope, the row's cells
  normalised as names are, and how many identical rows came before it in the file. It holds
  no value and cannot be reversed; it does not depend on the row's position, so a later
  extract that overlaps an earlier one is recognised too; and two identical rows in one file
  (two offences on one day) are two identities, the first and the second.
* Identities are looked up under every key of the ring, as blind indexes are, so a key
  rotation does not make imported rows look new.
* The run's counters are written in the same transaction as each batch's rows, so whatever
  kills the process, ``rows_done`` says how many of the file's rows are dealt with.
* A batch re-reads its rows' identities under a lock (PostgreSQL: an advisory lock per kind;
  SQLite: its one write lock), so two imports of one file at once cannot both write a row;
  the primary key on the identity would refuse the second anyway.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from casework.actors import Actor
from casework.crypto import blind_index, current_ring, normalise
from casework.db import insert_rows, utcnow
from casework.imports.models import ImportRow, ImportRun
from casework.services import Services

INDEX_NAME = "import_row"
BITS = 128
LOOKUP_SLICE = 500  # identities a query: well inside every database's bound-parameter limit

Identity = tuple[str, ...]  # the row's key under each key of the ring, the primary's first


@dataclass(frozen=True)
class PreviousRun:
    """The latest earlier run of the same file, as the command and the page report it."""

    status: str
    rows_done: int
    rows_total: int
    imported: int
    started_at: datetime
    panel_id: uuid.UUID | None = None

    @classmethod
    def of(cls, run: ImportRun) -> PreviousRun:
        return cls(
            run.status, run.rows_done, run.rows_total, run.imported, run.started_at, run.panel_id
        )

    @property
    def stopped(self) -> bool:
        """Ended part way with rows kept: giving the file again carries on from there. (A
        run refused as a whole, all-or-nothing, kept nothing: it is not "stopped".)"""
        if self.status == "failed":
            return self.imported > 0
        return self.status != "finished"


@dataclass(frozen=True)
class RunStart:
    """What is known once the file is read, before any row is written."""

    rows_total: int
    to_do: int  # rows this run will check and write
    already_imported: int
    previous: PreviousRun | None


def identities(
    kind: str, scope: str, columns: Sequence[str], rows: Iterable[Mapping[Any, Any]]
) -> list[Identity]:
    """Each row's identity (see the module docstring). Cells are taken in the order of
    ``columns`` (the import's own list, not the file's), and a blank cell is the same as an
    absent column: a file with its columns in another order, or with an extra empty column
    (a later template), names its rows as before."""
    ring = current_ring()
    seen: Counter[str] = Counter()
    out: list[Identity] = []
    for row in rows:
        # NUL cannot be in a cell (the reader refuses the row), so it cannot fake a boundary;
        # the whole row is normalised at once, as a name is (case, spaces, hyphens...).
        content = normalise("\x00".join([row.get(c) or "" for c in columns]))
        seen[content] += 1
        # The keyed hash is of a plain digest of the content: the same secret-keyed identity,
        # without normalising the whole row a second time inside ``blind_index``.
        digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
        parts = (kind, scope, str(seen[content]), digest)
        out.append(
            tuple(blind_index(ring, INDEX_NAME, *parts, bits=BITS, key_id=k) for k in ring.key_ids)
        )
    return out


def already_imported(svc: Services, rows: Sequence[Identity]) -> set[str]:
    """The identities (primary form) among ``rows`` that an earlier import wrote."""
    primary = {key: identity[0] for identity in rows for key in identity}
    keys = list(primary)
    found: set[str] = set()
    for first in range(0, len(keys), LOOKUP_SLICE):
        stmt = select(ImportRow.row_key).where(
            ImportRow.row_key.in_(keys[first : first + LOOKUP_SLICE])
        )
        found.update(primary[k] for k in svc.session.scalars(stmt))
    return found


class Run:
    """One import's record, written as the import goes."""

    def __init__(self, svc: Services, record: ImportRun, previous: PreviousRun | None) -> None:
        self.svc, self.record, self.previous = svc, record, previous

    @classmethod
    def begin(
        cls,
        svc: Services,
        actor: Actor,
        kind: str,
        panel_id: uuid.UUID | None,
        fingerprint: str,
        *,
        rows_total: int,
        rows_done: int,
        already: int,
    ) -> Run:
        """Record the run as running (committed at once, so even a run killed before its first
        batch is on record), after the latest earlier run of the same file, if any."""
        session = svc.session
        same = (
            ImportRun.kind == kind,
            ImportRun.fingerprint == fingerprint,
            ImportRun.panel_id.is_(None) if panel_id is None else ImportRun.panel_id == panel_id,
        )
        latest = session.scalars(
            select(ImportRun).where(*same).order_by(ImportRun.started_at.desc()).limit(1)
        ).first()
        previous = None
        if latest is not None:
            # A run still marked running has been killed (or is running now: the identities
            # keep that case safe): it is taken to have stopped where it got to.
            previous = PreviousRun.of(latest)
            session.execute(
                update(ImportRun)
                .where(*same, ImportRun.status == "running")
                .values(status="interrupted")
            )
        now = utcnow()
        record = ImportRun(
            kind=kind,
            panel_id=panel_id,
            fingerprint=fingerprint,
            status="running",
            started_at=now,
            updated_at=now,
            finished_at=None,
            rows_total=rows_total,
            rows_done=rows_done,
            imported=0,
            already_imported=already,
            refused=0,
            user_id=actor.user_id,
            via=actor.via,
        )
        session.add(record)
        session.commit()
        return cls(svc, record, previous)

    def lock(self) -> None:
        """Serialise the batches of concurrent imports of this kind until commit."""
        self.svc.db.lock(self.svc.session, f"import-rows:{self.record.kind}")

    def wrote(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store the identities of rows just written (``row_key`` and ``referral_id`` or
        ``event_id``), in the batch's transaction."""
        insert_rows(self.svc.session, ImportRow, [{**r, "run_id": self.record.id} for r in rows])

    def add(self, row_key: str, **record: uuid.UUID) -> None:
        """``wrote`` for one row whose record is still pending in the session (an ORM flush
        orders the record's insert before its identity's)."""
        self.svc.session.add(ImportRow(row_key=row_key, run_id=self.record.id, **record))

    def progress(self, *, done: int, imported: int, already: int, refused: int) -> None:
        """The counters as of the batch about to be committed (they commit with it)."""
        r = self.record
        r.rows_done, r.imported, r.already_imported, r.refused = done, imported, already, refused
        r.updated_at = utcnow()

    def finish(self, status: str) -> None:
        """Close the run (``finished``; ``failed`` when all-or-nothing kept nothing;
        ``interrupted`` when asked to stop) and commit."""
        self.record.status = status
        self.record.updated_at = utcnow()
        if status != "interrupted":
            self.record.finished_at = self.record.updated_at
        self.svc.session.commit()

    def abandon(self, exc: BaseException) -> None:
        """After an error or an interruption: undo the uncommitted batch and mark the run, as
        far as the database still lets us (the error itself is what the caller raises)."""
        session = self.svc.session
        stopped = isinstance(exc, KeyboardInterrupt | SystemExit)
        try:
            session.rollback()
            run = session.get(ImportRun, self.record.id)
            if run is not None:
                run.status = "interrupted" if stopped else "failed"
                run.updated_at = utcnow()
                session.commit()
        except Exception:  # noqa: BLE001 - the original error matters more than this one
            session.rollback()


def unfinished(svc: Services, kind: str, panel_ids: Iterable[uuid.UUID]) -> list[PreviousRun]:
    """The latest run of each file into these panels, where it did not finish (newest first):
    the upload page says how far each got."""
    ids = list(panel_ids)
    if not ids:
        return []
    runs = svc.session.scalars(
        select(ImportRun)
        .where(ImportRun.kind == kind, ImportRun.panel_id.in_(ids))
        .order_by(ImportRun.started_at.desc())
        .limit(50)
    )
    latest: dict[tuple[str, uuid.UUID | None], ImportRun] = {}
    for run in runs:
        latest.setdefault((run.fingerprint, run.panel_id), run)
    return [p for p in map(PreviousRun.of, latest.values()) if p.stopped]
