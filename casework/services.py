"""The long-lived things an action needs (database, settings, hasher), handed in explicitly.

Only the type lives here: every action receives a ``Services``, so this module imports nothing
of the areas. An app, a CLI command or the scheduler builds one with
``casework.bootstrap.build_services``; actions never import Flask, so tests and jobs call them
directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from casework.accounts.passwords import Hasher
from casework.db import Database
from casework.sharing.engine import Sharing


@dataclass
class Services:
    settings: Mapping[str, Any]
    db: Database
    hasher: Hasher
    sharing: Sharing

    @property
    def session(self) -> Session:
        return self.db.session()
