"""The production server: `casework run` refuses what production refuses, gunicorn with
config/gunicorn.conf.py serves, logs no query strings, believes forwarded headers only from a
trusted proxy, and its metrics add up every worker's requests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from casework.cli import main
from casework.proxies import TrustedProxies, networks
from casework.settings import PROJECT_ROOT
from tests.servers import free_port

TOKEN = "a-metrics-token-long-enough-to-be-real-0123456789"


def test_run_refuses_anything_but_production(monkeypatch):
    monkeypatch.setenv("CASEWORK_ENV", "development")
    result = CliRunner().invoke(main, ["run", "--check"])
    assert result.exit_code == 1
    assert "CASEWORK_ENV=production" in result.output


def test_run_refuses_production_without_keys(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(tmp_path))
    for name in ("SECRET_KEY", "AUDIT_KEY", "KEYRING_FILE", "KEYRING", "DATABASE_URL"):
        monkeypatch.delenv(f"CASEWORK_{name}", raising=False)
    result = CliRunner().invoke(main, ["run", "--check"])
    assert result.exit_code == 1
    assert "SECRET_KEY" in result.output and "KEYRING_FILE" in result.output
    assert not list(tmp_path.iterdir())  # no development key was made on the way


def test_run_refuses_a_key_ring_file_that_is_missing(monkeypatch, tmp_path: Path):
    assert CliRunner().invoke(main, ["keys", "generate", str(tmp_path / "keys")]).exit_code == 0
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_SECRET_KEY_FILE", str(tmp_path / "keys" / "secret_key"))
    monkeypatch.setenv("CASEWORK_AUDIT_KEY_FILE", str(tmp_path / "keys" / "audit_key"))
    monkeypatch.setenv("CASEWORK_KEYRING_FILE", str(tmp_path / "keys" / "missing.json"))
    monkeypatch.setenv("CASEWORK_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    result = CliRunner().invoke(main, ["run", "--check"])
    assert result.exit_code == 1
    assert "missing.json" in result.output


def test_forwarded_headers_count_only_from_a_trusted_proxy():
    seen = {}

    def app(environ, start_response):
        seen.update(addr=environ["REMOTE_ADDR"], scheme=environ["wsgi.url_scheme"])
        return []

    wrapped = TrustedProxies(app, 1, networks(["10.0.0.0/8"]))
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "HTTP_X_FORWARDED_PROTO": "https"}
    wrapped({"REMOTE_ADDR": "10.1.2.3", "wsgi.url_scheme": "http", **forwarded}, None)
    assert seen == {"addr": "203.0.113.7", "scheme": "https"}
    wrapped({"REMOTE_ADDR": "198.51.100.9", "wsgi.url_scheme": "http", **forwarded}, None)
    assert seen == {"addr": "198.51.100.9", "scheme": "http"}  # a client naming itself


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_gunicorn_serves_with_the_config(database_url, instance_path, svc, tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "CASEWORK_ENV": "testing",
        "CASEWORK_DATABASE_URL": database_url,
        "CASEWORK_INSTANCE_PATH": str(instance_path),
        "CASEWORK_WEB_BIND": f"127.0.0.1:{port}",
        "CASEWORK_WEB_WORKERS": "2",
        "CASEWORK_PROXY_HOPS": "1",
        "CASEWORK_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    log = (tmp_path / "gunicorn.log").open("w+")
    conf = str(PROJECT_ROOT / "config" / "gunicorn.conf.py")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", conf],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 30 s for the workers to import the application
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(Path(log.name).read_text())
        for _ in range(9):
            assert _get(f"{base}/healthz?name=Jane+Doe")[0] == 200
        status, headers, _ = _get(f"{base}/healthz", {"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in headers  # believed: 127.0.0.1 is trusted
        assert _get(f"{base}/readyz")[0] == 200
        status, _, text = _get(f"{base}/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        line = 'casework_http_request_duration_seconds_count{method="GET",route="/healthz",'
        counted = sum(
            float(row.rsplit(" ", 1)[1]) for row in text.splitlines() if row.startswith(line)
        )
        assert counted >= 11  # every worker's requests, whichever answered the scrape
    finally:
        server.terminate()
        server.wait(30)
    access = Path(log.name).read_text()
    assert "GET /healthz HTTP/1.1" in access
    assert "Jane" not in access and "?" not in access.split("GET /healthz", 1)[1].split("\n")[0]
