"""Micro-benchmark of field encryption, so its cost per cell and per look-up is known, not guessed.

Run: ``python bench/bench_crypto.py``. Each figure is the median of several timed batches,
which shrugs off a stray scheduler pause better than a single long run or the mean.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable

from sqlalchemy import Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from casework.crypto import (
    KeyRing,
    Sealed,
    blind_index,
    configure,
    encrypted,
    open_,
    seal,
)

BATCHES = 7
BATCH_SIZE = 20_000
VALUE = "Siobhán"


class _Base(DeclarativeBase):
    pass


class _Person(_Base):
    __tablename__ = "bench_people"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    first_name = encrypted("first_name_ct", kind="str")

    def __init__(self) -> None:
        self.id = uuid.uuid4()


def _median_us(op: Callable[[], object]) -> float:
    """Median microseconds per call over BATCHES batches of BATCH_SIZE calls (after a warm-up)."""
    for _ in range(1000):
        op()
    per_call = []
    for _ in range(BATCHES):
        start = time.perf_counter()
        for _ in range(BATCH_SIZE):
            op()
        per_call.append((time.perf_counter() - start) / BATCH_SIZE * 1e6)
    return statistics.median(per_call)


def main() -> None:
    ring = KeyRing.generate()
    configure(ring)
    row_id = uuid.uuid4()
    plaintext = VALUE.encode()
    envelope = seal(ring, "bench_people", "first_name", row_id, plaintext)

    person = _Person()
    person.first_name = VALUE
    descriptor = _Person.first_name

    def set_field() -> None:
        descriptor.forget(person)  # otherwise an unchanged value is (rightly) not re-sealed
        person.first_name = VALUE

    def get_uncached() -> str:
        descriptor.forget(person)
        return person.first_name

    results = [
        (
            "seal (AES-256-GCM, short field)",
            lambda: seal(ring, "bench_people", "first_name", row_id, plaintext),
        ),
        (
            "open_ (AES-256-GCM, short field)",
            lambda: open_(ring, "bench_people", "first_name", row_id, envelope),
        ),
        ("descriptor set (encrypt)", set_field),
        ("descriptor get (decrypt, uncached)", get_uncached),
        ("descriptor get (cached)", lambda: person.first_name),
        (
            "blind_index (2 parts, 32 bits)",
            lambda: blind_index(ring, "surname_dob", "O'Brien", "1980-02-29"),
        ),
    ]
    print(f"median of {BATCHES} batches x {BATCH_SIZE} calls, microseconds per operation")
    for label, op in results:
        print(f"{label}: {_median_us(op):.2f} us")


if __name__ == "__main__":
    main()
