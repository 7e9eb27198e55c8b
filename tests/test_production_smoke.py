"""The production smoke journey, as a hosting team's first morning goes: keys from `casework keys
generate` in a fresh folder, `casework init` on an empty PostgreSQL schema, an agency and a
coordinator made with the command line, `casework run` (gunicorn, CASEWORK_ENV=production),
then over HTTP: ready, signed in through both steps (password, then an authenticator app set
up with a code computed from the key the page shows), a panel, a referral, its agenda, the
statistics and the metrics; then gunicorn stops cleanly on SIGTERM.

Nothing is bypassed: the server is the one `casework run` starts, with production's settings
and checks (no test clock, no optional second factor, no development keys).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.referral_data import referral_body
from tests.servers import (
    Client,
    fresh_schema,
    postgres_server,
    production_env,
    run_command,
    sign_in_setting_up_app,
    start_server,
    stop_all,
    wait_until_serving,
)

pytestmark = pytest.mark.postgres

EMAIL = "coordinator@police.example.org"
PASSWORD = "a long pass phrase for the smoke"
# A fixed day in the past of every run: the server runs on the real date (production refuses a
# clock setting), and the answers below must not depend on which day that is.
REFERRAL_DATE = "2026-11-02"


def test_production_smoke_journey(tmp_path: Path):
    with fresh_schema(postgres_server(), "smoke") as url:
        env = production_env(tmp_path, url)
        run_command(env, "init")
        web, base = start_server(env, "web", tmp_path)
        try:
            run_command(env, "agency", "add", "POL", "--name", "Police", "--sector", "police",
                        "--police")  # fmt: skip
            run_command(env, "user", "add", EMAIL, "--agency", "POL", "--role", "coordinator",
                        stdin=PASSWORD + "\n")  # fmt: skip
            token = run_command(env, "token", "create", EMAIL).strip()
            wait_until_serving(web, base)
            _journey(base, token, (tmp_path / "keys" / "metrics_token").read_text().strip())
        finally:
            stop_all([web])
        assert web.popen.returncode == 0, web.output()
    log = web.output()
    assert "Booting worker" in log and "Shutting down" in log  # gunicorn, stopped gracefully
    assert "Jane" not in log and "Doe" not in log  # no personal data in the server's log


def _journey(base: str, token: str, metrics_token: str) -> None:
    browser = Client(base)
    ready = browser.get("/readyz")
    assert ready.status == 200, ready.text
    assert all(check["ok"] for check in ready.json()["checks"].values())

    assert browser.get("/").status == 302  # a stranger is sent to sign in
    sign_in_setting_up_app(browser, EMAIL, PASSWORD)
    assert browser.get("/").status == 200

    api = Client(base)
    panel = api.post_json(
        "/api/v1/panels",
        {
            "kind": "marac",
            "name": "Anytown MARAC",
            "area": "Anytown",
            "agencies": ["POL"],
            "schedule": "day=1st tue; hour=10",
        },
        token,
    )
    assert panel.status == 201, panel.text
    panel_id = panel.json()["id"]
    made = api.post_json(
        "/api/v1/referrals", referral_body(panel_id, referral_date=REFERRAL_DATE), token
    )
    assert made.status == 201, made.text
    referral = made.json()
    assert referral["risk"]["band"] == "high" and referral["repeat"]["is_repeat"] is False

    accepted = api.post_json(
        "/api/v1/referrals/accept", {"ids": [referral["id"]], "list_at": "next"}, token
    )
    assert accepted.status == 200, accepted.text
    (meeting_id,) = accepted.json()["meeting_ids"]  # the panel's next meeting
    meetings = api.get(f"/api/v1/panels/{panel_id}/meetings", token)
    assert meetings.status == 200, meetings.text
    assert meeting_id in [meeting["id"] for meeting in meetings.json()]
    drafted = api.post_json(f"/api/v1/meetings/{meeting_id}/agenda/draft", {}, token)
    assert drafted.status == 200, drafted.text
    agenda = api.get(f"/api/v1/meetings/{meeting_id}/agenda", token)
    assert agenda.status == 200, agenda.text
    assert [item.get("referral_id") for item in agenda.json()["items"]] == [referral["id"]]
    page = browser.get(f"/meetings/{meeting_id}/agenda")  # the same agenda, as a page
    assert page.status == 200 and referral["reference"] in page.text

    stats = api.get(f"/api/v1/stats/marac?panel_id={panel_id}&from=2026-11-01&to=2026-11-30", token)
    assert stats.status == 200, stats.text
    assert stats.json()["referrals"]["total"] == 1
    assert stats.json()["referrals"]["police"] == 1

    metrics = api.get("/metrics", metrics_token)
    assert metrics.status == 200
    assert 'casework_http_request_duration_seconds_count{method="POST",route="/api/v1/referrals"' \
        in metrics.text  # fmt: skip
