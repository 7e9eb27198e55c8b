"""Several transactions committing audit entries at the same moment, each in its own session
and thread: what the chain (``test_chain``) and the head file (``test_head``) must survive."""

from __future__ import annotations

import threading
from typing import Any

from casework.actors import Actor
from casework.audit import log
from casework.db import write_intent


def write_concurrently(svc: Any, actor: Actor, writers: int, actions: tuple[str, ...]) -> None:
    """``writers`` threads each commit ten transactions, one entry per action in each; fails
    if any of them raised."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with write_intent():
                    session = svc.db.factory()
                    for action in actions:
                        log.record(session, actor, action, "agency", f"w{n}-{i}")
                    session.commit()
                    session.close()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
