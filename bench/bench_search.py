"""Search at volume: a name search among 10,000 -> 100,000 -> 1,000,000 referrals.

Run: ``.venv/bin/python bench/bench_search.py [--quick] [--tiny]``.

Targets (from issue 15):

* a search answers in under 50 ms (median) at 1,000,000 referrals;
* and in at most 2x its time at 10,000.

Fifty victims go through ``submit_referral`` (their tokens made by the insert hook, their
envelopes real); every other referral is bulk-loaded (``repeat_data.BulkReferrals``) with its
victim's search tokens computed by ``casework.search.tokens`` under the real key ring and
inserted in bulk. Bulk victims share first names widely (8,100 of them), so a search reads
hundreds of token rows for the first name and throws them away on the surname, as it would
for a common name. Only victims are tokenised in bulk (perpetrators and children would triple
the table and the build time, not the rows a search reads). A bulk token equal to one of a
target's surname tokens is dropped: bulk rows borrow envelopes they cannot open.
Timed: ``search`` as the API calls it, committed (its audit entry sealed), for the name as
typed (exact) and the name reversed (similar), alternating over the targets.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import birth_date, machine, make_world, median_ms, p95_ms, verdict, word
from repeat_data import BulkReferrals, _loader, _untyped
from sqlalchemy import func, select

from casework.search.actions import search
from casework.search.models import SearchToken
from casework.search.tokens import Person, token_pairs

SIZES = {"tiny": (500, 2_000), "quick": (10_000, 100_000), "default": (10_000, 100_000, 1_000_000)}
TARGETS = 50
TIME_TARGET_MS = 50.0
RATIO_TARGET = 2.0


class TokenisedBulk(BulkReferrals):
    """Bulk referrals whose victims also get their search tokens, inserted in bulk."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: list[tuple[int, str]] = []
        self.avoid: set[tuple[str, str]] = set()

    def _row(self) -> dict[str, dict[str, Any]]:
        row = super()._row()
        self.pending.append((self.next_name - 1, row["referrals"]["id"]))
        return row

    def grow_to(self, total: int) -> None:
        super().grow_to(total)
        loader, table = _loader(self.world.svc.db.url), _untyped(SearchToken)
        try:
            while self.pending:
                batch, self.pending = self.pending[:20_000], self.pending[20_000:]
                rows = [r for n, hex_id in batch for r in self._tokens(n, hex_id)]
                with loader.begin() as conn:
                    conn.execute(table.insert(), rows)
        finally:
            loader.dispose()

    def _tokens(self, n: int, hex_id: str) -> list[dict[str, Any]]:
        rid = uuid.UUID(hex_id)
        person = Person("referral", rid, rid, "victim", word(n * 31 + 7, 2), word(n), birth_date(n))
        return [
            {
                "id": uuid.uuid4().hex,
                "record_type": "referral",
                "record_id": hex_id,
                "person_id": hex_id,
                "role": "victim",
                "kind": kind,
                "token": token,
            }
            for kind, token in dict.fromkeys(token_pairs(person))
            if (kind, token) not in self.avoid
        ]


def _time(
    world: Any, people: list[tuple[str, str]], rounds: int
) -> tuple[list[float], list[float]]:
    exact: list[float] = []
    similar: list[float] = []
    svc = world.svc
    for i in range(rounds):
        first, last = people[i % len(people)]
        for typed, into in ((f"{first} {last}", exact), (f"{last} {first}", similar)):
            began = time.perf_counter()
            found = search(svc, world.police, {"q": typed})
            svc.session.commit()
            into.append(time.perf_counter() - began)
            assert found, typed
        svc.db.session.remove()
    return exact, similar


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 100,000 referrals")
    parser.add_argument("--tiny", action="store_true", help="a few rows (smoke test only)")
    parser.add_argument("--rounds", type=int, default=100, help="timed searches of each kind")
    args = parser.parse_args(argv)
    sizes = SIZES["tiny" if args.tiny else "quick" if args.quick else "default"]
    rounds = 5 if args.tiny else args.rounds
    print(machine(), flush=True)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        world = make_world(Path(tmp), "search")
        try:
            bulk = TokenisedBulk(world, seed=15)
            targets = bulk.add_targets(TARGETS)
            people = [(v.first_name, v.last_name) for v, _ in targets]
            for _, last in people:
                surname = Person("referral", uuid.uuid4(), uuid.uuid4(), "victim", None, last, None)
                bulk.avoid |= set(token_pairs(surname))
            for victim, _ in targets:  # with the date of birth too
                alone = Person(
                    "r",
                    uuid.uuid4(),
                    uuid.uuid4(),
                    "v",
                    None,
                    victim.last_name,
                    victim.date_of_birth,
                )
                bulk.avoid |= set(token_pairs(alone))
            for size in sizes:
                began = time.perf_counter()
                bulk.grow_to(size)
                with world.svc.db.engine.connect() as conn:
                    tokens = conn.scalar(select(func.count()).select_from(SearchToken))
                built = time.perf_counter() - began
                print(
                    f"{size:>9,} referrals, {tokens:,} tokens (built in {built:.0f} s)", flush=True
                )
                _time(world, people, 3)  # warm the caches
                exact, similar = _time(world, people, rounds)
                figures[f"exact_ms_{size}"] = median_ms(exact)
                figures[f"similar_ms_{size}"] = median_ms(similar)
                print(
                    f"  exact: median {median_ms(exact):6.2f} ms, p95 {p95_ms(exact):6.2f} ms; "
                    f"similar: median {median_ms(similar):6.2f} ms, p95 {p95_ms(similar):6.2f} ms",
                    flush=True,
                )
        finally:
            world.close()
    small, large = sizes[0], sizes[-1]
    worst = max(figures[f"exact_ms_{large}"], figures[f"similar_ms_{large}"])
    ratio = worst / max(figures[f"exact_ms_{small}"], figures[f"similar_ms_{small}"])
    figures["ratio"] = ratio
    print(f"ratio {large:,} / {small:,}: {ratio:.2f}")
    print(verdict(f"under {TIME_TARGET_MS:.0f} ms at {large:,}", worst < TIME_TARGET_MS))
    print(verdict(f"at most {RATIO_TARGET:.0f}x the {small:,} figure", ratio <= RATIO_TARGET))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
