"""Finding the data subject: the people search's name index, read for the DPO.

The people search (``casework.search``) joins its keyed name hashes to what the caller may
list; a DPO may list nothing through the sharing protocols, so the workbench asks the same
index with no sharing filter (its callers hold the subject access grant, ``access``) and
checks each candidate against the typed name exactly as the search does. It finds victims,
perpetrators and children in MARAC referrals and people on offender panels. The people of
anti-social behaviour cases (victims, and persons responsible who are people rather than
groups) are not in the search's index: the workbench reads every case's names and checks each
the same way. It is a scan, for a request a DPO makes a few times a month; a council holds
thousands of ASB cases, not millions.

The DPO is shown the name and date of birth of each person found, to tell the requester
apart from someone else of the same name before gathering anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session, load_only, selectinload

from casework.asb.models import AsbCase, AsbPerpetrator
from casework.names import full_name
from casework.offenders.models import Nominal
from casework.referrals.models import Referral
from casework.search.actions import candidates_of, person_in
from casework.search.normalise import is_exact, resembles
from casework.services import Services

ROLE_NAMES = {
    "victim": "Victim in a MARAC referral",
    "perpetrator": "Perpetrator in a MARAC referral",
    "child": "Child in a MARAC referral",
    "nominal": "Offender management record",
    "asb_victim": "Victim in an anti-social behaviour case",
    "asb_perpetrator": "Person responsible in an anti-social behaviour case",
}
MODELS: dict[str, type] = {"referral": Referral, "nominal": Nominal, "asb_case": AsbCase}


@dataclass(frozen=True)
class Found:
    """One person in one record; ``key`` names them for gathering (ids only)."""

    type: str
    id: uuid.UUID
    role: str
    person_id: uuid.UUID
    name: str
    date_of_birth: date | None
    reference: str | None
    match: str

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}:{self.role}:{self.person_id}"

    @classmethod
    def of(
        cls,
        text: str,
        held: tuple[str, uuid.UUID, str, uuid.UUID],
        first: str | None,
        last: str | None,
        born: date | None,
        reference: str | None,
    ) -> Found:
        """The person ``held`` (type, record id, role, person id) as found by ``text``: an
        exact match when the name was typed as it is held, else a similar one."""
        match = "exact" if is_exact(text, first, last) else "similar"
        return cls(*held, full_name(first, last), born, reference, match)

    def answer(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "id": str(self.id),
            "role": self.role,
            "person_id": str(self.person_id),
            "name": self.name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "reference": self.reference,
            "match": self.match,
        }


def people(svc: Services, text: str, born: date | None) -> list[Found]:
    """Everyone held whose name matches ``text`` (and ``born``), exact matches first."""
    found: list[Found] = []
    for record_type, model in (("referral", Referral), ("nominal", Nominal)):
        rows = candidates_of(svc, record_type, model, text, born, true())
        ids = list({r[0] for r in rows})
        if not ids:
            continue
        records = {r.id: r for r in svc.session.scalars(select(model).where(model.id.in_(ids)))}
        for record_id, person_id, role, _score in rows:
            record = records.get(record_id)
            person = person_in(record, role, person_id) if record is not None else None
            if person is None or (born is not None and person[2] != born):
                continue
            first, last, dob = person
            if not resembles(text, first, last):
                continue  # the hashes collided: not this person
            held = (record_type, record_id, role, person_id)
            reference = getattr(record, "reference", None)
            found.append(Found.of(text, held, first, last, dob, reference))
    found += _asb_people(svc.session, text, born)
    found.sort(key=lambda f: (f.match != "exact", f.type, f.reference or "", str(f.id)))
    return found


_ASB_CASES = select(AsbCase).options(
    load_only(
        AsbCase.reference,
        AsbCase.victim_first_name_ct,
        AsbCase.victim_last_name_ct,
        AsbCase.victim_date_of_birth_ct,
    ),
    selectinload(AsbCase.perpetrators).load_only(
        AsbPerpetrator.is_group,
        AsbPerpetrator.first_name_ct,
        AsbPerpetrator.last_name_ct,
        AsbPerpetrator.date_of_birth_ct,
    ),
)


# Where each ASB role's name and date of birth are held: on the case, or on the person.
_ASB_NAMES = {
    "asb_victim": ("victim_first_name", "victim_last_name", "victim_date_of_birth"),
    "asb_perpetrator": ("first_name", "last_name", "date_of_birth"),
}


def _asb_people(session: Session, text: str, born: date | None) -> list[Found]:
    """The victims and persons responsible in ASB cases whose name matches (and ``born``)."""
    out = []
    for case in session.scalars(_ASB_CASES):
        held = [("asb_victim", case)]
        held += [("asb_perpetrator", p) for p in case.perpetrators if not p.is_group]
        for role, row in held:
            first_at, last_at, born_at = _ASB_NAMES[role]
            first, last = getattr(row, first_at), getattr(row, last_at)
            if not last or not resembles(text, first, last):
                continue
            dob = getattr(row, born_at)
            if born is not None and dob != born:
                continue
            held = ("asb_case", case.id, role, row.id)
            out.append(Found.of(text, held, first, last, dob, case.reference))
    return out


def parse_key(key: str) -> tuple[str, uuid.UUID, str, uuid.UUID] | None:
    """(type, record id, role, person id) of a ``Found.key``; None for anything else."""
    parts = key.split(":")
    if len(parts) != 4 or parts[0] not in MODELS or parts[2] not in ROLE_NAMES:
        return None
    try:
        return parts[0], uuid.UUID(parts[1]), parts[2], uuid.UUID(parts[3])
    except ValueError:
        return None
