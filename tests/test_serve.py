"""`casework serve`: no debugger unless asked for, and no query strings in its access log."""

from __future__ import annotations

import http.client
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from werkzeug.serving import BaseWSGIServer

from casework import devserver
from casework.cli import main
from casework.logs import JsonFormatter


@pytest.fixture()
def serve_env(monkeypatch, database_url, instance_path, svc):
    monkeypatch.setenv("CASEWORK_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    # As development's configuration does: the setting alone must not start the debugger.
    monkeypatch.setenv("CASEWORK_DEBUG", "true")
    return monkeypatch


@contextmanager
def serving(
    monkeypatch, *args: str
) -> Iterator[tuple[Callable[[str], tuple[int, bytes]], BaseWSGIServer]]:
    """Run `casework serve --port 0 ARGS` in a thread; yield a GET function and the server;
    stop it."""
    built: list[BaseWSGIServer] = []
    ready = threading.Event()
    real_build = devserver.build

    def build(*a, **kw):
        server = real_build(*a, **kw)  # listening from here on: requests queue until served
        built.append(server)
        ready.set()
        return server

    monkeypatch.setattr(devserver, "build", build)
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(run=CliRunner().invoke(main, ["serve", "--port", "0", *args]))
    )
    thread.start()
    assert ready.wait(30), result
    server = built[0]

    def get(path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request("GET", path)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()

    try:
        yield get, server
    finally:
        server.shutdown()
        thread.join(30)
    assert result["run"].exit_code == 0, result["run"].output


def test_serve_runs_without_the_debugger_even_when_debug_is_set(serve_env, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"), serving(serve_env) as (get, server):
        assert server.app.debug is False
        assert get("/console")[0] == 404
        assert get("/audit?user=x&record_id=y")[0] == 302  # signed out: to the sign-in page
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    audit = [line for line in lines if "GET /audit" in line]
    assert audit and all("?" not in line for line in audit)
    assert not any("user=" in line or "record_id=" in line for line in lines)


def test_serve_debug_flag_turns_the_debugger_on(serve_env):
    with serving(serve_env, "--debug") as (get, _):
        assert get("/console")[0] == 200


def test_serve_refuses_the_debugger_in_production(serve_env):
    serve_env.setenv("CASEWORK_ENV", "production")
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--debug"])
    assert result.exit_code == 1
    assert "refusing --debug in production" in result.output


def test_werkzeug_lines_lose_query_strings_whatever_server_writes_them(app, caplog):
    """`flask run` or any server logging through Werkzeug's logger, not only `casework serve`."""
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '%s - - "%s" %s', "127.0.0.1", "GET /audit?user=x&record_id=y HTTP/1.1", 302
        )
    assert caplog.records[-1].getMessage() == '127.0.0.1 - - "GET /audit HTTP/1.1" 302'


def test_json_log_messages_lose_query_strings(app):
    record = logging.LogRecord(
        "casework.request", logging.WARNING, __file__, 1, "gave up on %s", ("/audit?user=x",), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "gave up on /audit"
