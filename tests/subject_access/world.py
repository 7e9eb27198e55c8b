"""A small world for the subject access workbench: one MARAC referral (Jane Doe, victim;
John Roe, perpetrator; Sam Doe, child), a DPO, and an API token each for the DPO and the
roles that must never see the workbench."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from casework import clock
from tests.conftest import Factory, bearer

OTHER_ROLES = ("coordinator", "idva", "chair", "analyst", "admin")


@dataclass
class SarWorld:
    client: FlaskClient
    factory: Factory
    reference: str = ""
    dpo: dict[str, str] = field(default_factory=dict)

    def build(self) -> SarWorld:
        f = self.factory
        f.agency("POL", "police")
        panel = f.panel(("POL",))
        referral = f.referral(f.user("ref@pol.example", "POL", ("referrer",)), panel)
        self.reference = referral.reference
        self.dpo = bearer(f.token(f.user("dpo@council.example", "POL", ("dpo",))))
        return self

    def headers_of(self, role: str) -> dict[str, str]:
        return bearer(self.factory.token(self.factory.user(f"{role}@pol.example", "POL", (role,))))

    def open(self, requester: str) -> str:
        body = {
            "requester_type": requester,
            "reference": "SAR-0001",
            "received_on": clock.today().isoformat(),
        }
        answer = self.client.post("/api/v1/subject-access", json=body, headers=self.dpo)
        assert answer.status_code == 201, answer.json
        return answer.json["id"]

    def find(self, request_id: str, name: str, born: str) -> list[dict[str, Any]]:
        answer = self.client.post(
            f"/api/v1/subject-access/{request_id}/find",
            json={"q": name, "date_of_birth": born},
            headers=self.dpo,
        )
        assert answer.status_code == 200, answer.json
        return answer.json["results"]

    def find_by_name(self, request_id: str, name: str) -> list[dict[str, Any]]:
        answer = self.client.post(
            f"/api/v1/subject-access/{request_id}/find", json={"q": name}, headers=self.dpo
        )
        assert answer.status_code == 200, answer.json
        return answer.json["results"]

    def gather(self, request_id: str, keys: list[str]) -> dict[str, Any]:
        answer = self.client.post(
            f"/api/v1/subject-access/{request_id}/gather", json={"people": keys}, headers=self.dpo
        )
        assert answer.status_code == 200, answer.json
        return answer.json

    def pdf_text(self, request_id: str) -> str:
        from io import BytesIO

        from pypdf import PdfReader

        answer = self.client.get(
            f"/api/v1/subject-access/{request_id}/disclosure?format=pdf", headers=self.dpo
        )
        assert answer.status_code == 200
        assert answer.mimetype == "application/pdf"
        reader = PdfReader(BytesIO(answer.data))
        return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
