"""Acting at past moments, in order, through the service's one clock.

The demo's history is made by the real actions with the clock travelled back
(``casework.clock.travel``), so every row, deadline and audit entry is what users acting on
those days would have left. Some things happen later than the step that decides them (an
agency records an action's outcome weeks after the meeting agreed it): they wait in a queue
and run, each at its own moment, before any later step, so time only ever moves forward.
Nothing is done at or after ``end`` (the service's "now" when the demo was loaded).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from casework import clock


class Timeline:
    def __init__(self, end: datetime) -> None:
        self.end = end
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._count = 0
        self.last = datetime.min.replace(tzinfo=end.tzinfo)

    def later(self, moment: datetime, step: Callable[[], None]) -> bool:
        """Run ``step`` at ``moment``; False (and never run) when that is not in the past."""
        if moment >= self.end:
            return False
        self._count += 1
        heapq.heappush(self._queue, (moment, self._count, step))
        return True

    def _run_until(self, moment: datetime) -> None:
        while self._queue and self._queue[0][0] <= moment:
            when, _, step = heapq.heappop(self._queue)
            with self._travel(when):
                step()

    @contextmanager
    def _travel(self, moment: datetime) -> Iterator[None]:
        moment = max(moment, self.last)  # never backwards, even for a step queued late
        self.last = moment
        with clock.travel(moment):
            yield

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Within the block the clock reads ``moment`` (after earlier queued steps ran)."""
        assert moment < self.end, "the demo's history ends now"
        self._run_until(moment)
        with self._travel(moment):
            yield

    def finish(self) -> None:
        """Run whatever is due before ``end``."""
        self._run_until(self.end)
