"""Two partnerships side by side for search tests: ours (police, IDVA service, a MARAC and a
PPO panel) and another area's (its own agency, MARAC and PPO), whose people we must never find."""

from __future__ import annotations

from typing import Any

from casework.accounts.auth import actor_for
from casework.actors import Actor
from casework.models import Nominal, Referral
from casework.offenders.actions import create_nominal
from casework.services import Services
from tests.conftest import Factory

OTHER_AREA = {
    "victim": ("Sara", "Whitfield"),
    "perpetrator": ("Gareth", "Quilliam"),
    "child": ("Poppy", "Ormerod"),
    "nominal": ("Dwayne", "Haverstock"),
}


class SearchWorld:
    def __init__(self, svc: Services, factory: Factory) -> None:
        self.svc, self.factory = svc, factory
        factory.agency("POL", "police")
        factory.agency("IDV", "idva")
        factory.agency("OTH", "police", name="Other area police")
        factory.agency("ANA", "other")
        self.marac = factory.panel(("POL", "IDV"), "marac", name="Our MARAC")
        self.ppo = factory.panel(("POL",), "ppo", name="Our PPO")
        self.their_marac = factory.panel(("OTH",), "marac", name="Their MARAC")
        self.their_ppo = factory.panel(("OTH",), "ppo", name="Their PPO")
        self.users = {
            "police": factory.user("pc@pol.example", "POL", ("referrer", "coordinator")),
            "idva": factory.user("idva@idv.example", "IDV", ("idva",)),
            "other": factory.user("pc@oth.example", "OTH", ("referrer", "coordinator")),
            "analyst": factory.user("an@ana.example", "ANA", ("analyst",)),
        }

    def actor(self, who: str) -> Actor:
        return actor_for(self.users[who], via="test")

    def referral(self, first: str, last: str, who: str = "police", **changes: Any) -> Referral:
        panel = self.their_marac if who == "other" else self.marac
        changes.setdefault("victim__date_of_birth", "1990-04-01")
        return self.factory.referral(
            self.users[who], panel, victim__first_name=first, victim__last_name=last, **changes
        )

    def nominal(self, first: str, last: str, who: str = "police", **changes: Any) -> Nominal:
        panel = self.their_ppo if who == "other" else self.ppo
        body = {
            "panel_id": str(panel.id),
            "first_name": first,
            "last_name": last,
            "date_of_birth": "1985-03-02",
            "pnc_id": changes.pop("pnc_id", None),
            "entry_date": "2026-01-05",
            "cohort": None,
            **changes,
        }
        nominal = create_nominal(self.svc, self.actor(who), body)
        self.svc.session.commit()
        return nominal

    def other_area(self) -> None:
        """The other area's case: every role named in ``OTHER_AREA``."""
        v, p, c = OTHER_AREA["victim"], OTHER_AREA["perpetrator"], OTHER_AREA["child"]
        self.referral(
            *v,
            who="other",
            perpetrators=[
                {
                    "first_name": p[0],
                    "last_name": p[1],
                    "date_of_birth": "1980-01-01",
                    "relationship_to_victim": "partner",
                }
            ],
            children=[{"first_name": c[0], "last_name": c[1], "date_of_birth": "2019-05-05"}],
        )
        self.nominal(*OTHER_AREA["nominal"], who="other")
