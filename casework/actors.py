"""Who is acting: passed explicitly into every action, never read from request globals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID | None
    email: str
    agency_id: uuid.UUID | None
    agency_code: str | None
    sector: str | None
    is_police: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "web"

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @classmethod
    def system(cls, via: str = "cli") -> Actor:
        """The operator at the command line: may administer, sees no case data by role."""
        return cls(None, f"system:{via}", None, None, None, False, frozenset({"admin"}), via)
