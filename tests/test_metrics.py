"""/metrics: behind its token, labelled by route template, figures from the database right."""

from __future__ import annotations

import re
import uuid

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from casework.scheduler.models import JobRun
from casework.services import Services

TOKEN = "a-metrics-token-long-enough-to-be-real-0123456789"
UUID_IN_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture()
def token(svc: Services, monkeypatch) -> str:
    monkeypatch.setitem(svc.settings, "METRICS_TOKEN", TOKEN)
    return TOKEN


def scrape(client: FlaskClient) -> dict[tuple[str, tuple], float]:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def count(samples: dict, route: str, status: str) -> float:
    key = (
        "casework_http_request_duration_seconds_count",
        (("method", "GET"), ("route", route), ("status", status)),
    )
    return samples.get(key, 0.0)


def test_metrics_are_absent_without_a_token_and_refused_with_a_wrong_one(
    client: FlaskClient, svc: Services, monkeypatch
):
    monkeypatch.setitem(svc.settings, "METRICS_TOKEN", "")
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    monkeypatch.setitem(svc.settings, "METRICS_TOKEN", TOKEN)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_requests_are_counted_by_route_template_never_by_path(client: FlaskClient, token: str):
    route = "/api/v1/referrals/<referral_id>"
    before = scrape(client)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for referral_id in ids:
        assert client.get(f"/api/v1/referrals/{referral_id}").status_code == 401
    client.get("/healthz")
    client.get("/no/such/page/" + ids[0])
    after = scrape(client)

    assert count(after, route, "401") - count(before, route, "401") == 3
    assert count(after, "/healthz", "200") - count(before, "/healthz", "200") == 1
    assert count(after, "unmatched", "404") - count(before, "unmatched", "404") == 1
    labels = [value for _, pairs in after for _, value in pairs]
    assert not [value for value in labels if UUID_IN_TEXT.search(value)]
    assert after[("casework_db_query_duration_seconds_count", ())] > 0


def test_scrape_reads_shared_state_from_the_database(
    client: FlaskClient, svc: Services, token: str, factory
):
    from casework import clock

    user = factory.user("coordinator@example.org", roles=("coordinator",))
    assert user  # a sign-up is audited: entries exist, none yet at a checkpoint
    now = clock.now()
    svc.session.add_all(
        [
            JobRun(job=f"agenda_draft:{uuid.uuid4()}", due_at=now, finished_at=now, status="done"),
            JobRun(job=f"agenda_draft:{uuid.uuid4()}", due_at=now, status="failed"),
            JobRun(job="send_outbox", due_at=now, finished_at=now, status="done"),
        ]
    )
    svc.session.commit()
    samples = scrape(client)
    runs = "casework_scheduler_runs"
    assert samples[(runs, (("job", "agenda_draft"), ("status", "done")))] == 1
    assert samples[(runs, (("job", "agenda_draft"), ("status", "failed")))] == 1
    assert samples[(runs, (("job", "send_outbox"), ("status", "done")))] == 1
    assert samples[("casework_audit_entries_awaiting_checkpoint", ())] >= 1
    assert samples[("casework_outbox_oldest_waiting_seconds", ())] == 0
