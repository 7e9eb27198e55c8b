"""casework run as a hosting team runs it, for the tests that need real processes: the command
line, gunicorn (through `casework run` or straight from config/gunicorn.conf.py) and the
scheduler, each a child process with an environment of its own, on a PostgreSQL schema made
for the test, with production keys generated into a temporary folder; and a small HTTP client
that keeps its cookies, as a browser would, so a session can move from one server to another.

Every process started here is stopped by the fixture that started it, failing or not.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from casework.cli import main
from tests.conftest import need

CASEWORK = Path(sys.executable).with_name("casework")  # the console script of this virtualenv
COMMAND_SECONDS = 120  # one `casework` command, on a busy two-core machine
START_SECONDS = 60  # gunicorn's workers importing the application


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database -------------------------------------------------------------------------


def postgres_server() -> str:
    """The suite's PostgreSQL server (no schema chosen). The SQLite run leaves these tests to
    the PostgreSQL run; with no server at all they skip, or fail under CI=true."""
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""
    if url.startswith("postgresql"):
        return url.split("?")[0].replace("postgresql://", "postgresql+psycopg://", 1)
    if os.environ.get("CASEWORK_TEST_POSTGRES_URL"):
        pytest.skip("runs in the PostgreSQL run of the suite")
    need(False, "no PostgreSQL server: set CASEWORK_TEST_DATABASE_URL to one")
    return ""


@contextmanager
def fresh_schema(server: str, prefix: str) -> Iterator[str]:
    """A database URL whose ``search_path`` is a new, empty schema, dropped afterwards: the
    processes under test migrate it themselves (``casework init``)."""
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(server)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


# --- processes ----------------------------------------------------------------------------


def production_env(folder: Path, database_url: str, **settings: Any) -> dict[str, str]:
    """The environment of a production instance: keys made by `casework keys generate` in
    ``folder``/keys, the instance folder (the audit head file) in ``folder``/instance, and
    nothing inherited from the test run's own CASEWORK_* variables (no clock, no test keys)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CASEWORK_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    keys = folder / "keys"
    made = CliRunner().invoke(main, ["keys", "generate", str(keys)])  # no process needed
    assert made.exit_code == 0, made.output
    (folder / "instance").mkdir(exist_ok=True)
    env.update(
        CASEWORK_ENV="production",
        CASEWORK_DATABASE_URL=database_url,
        CASEWORK_INSTANCE_PATH=str(folder / "instance"),
        CASEWORK_KEYRING_FILE=str(keys / "keyring.json"),
        CASEWORK_SECRET_KEY_FILE=str(keys / "secret_key"),
        CASEWORK_AUDIT_KEY_FILE=str(keys / "audit_key"),
        CASEWORK_METRICS_TOKEN_FILE=str(keys / "metrics_token"),
        CASEWORK_WEB_WORKERS="1",
        CASEWORK_WEB_THREADS="4",
    )
    env.update({f"CASEWORK_{name}": str(value) for name, value in settings.items()})
    return env


def run_command(env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run `casework ARGS...`; its standard output, or a test failure showing both outputs."""
    done = subprocess.run(  # noqa: S603  (our own console script, fixed arguments)
        [str(CASEWORK), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"`casework {args[0]}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Process:
    """A child process whose output goes to a log file, stopped gracefully (SIGTERM)."""

    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit status."""
        stop_all([self])
        return self.popen.returncode


def stop_all(processes: list[Process]) -> None:
    """Stop every process at once (each finishes its requests in parallel); kill any that
    takes longer than 30 seconds."""
    running = [p.popen for p in processes if p.popen.poll() is None]
    for popen in running:
        popen.terminate()
    deadline = time.monotonic() + 30
    for popen in running:
        try:
            popen.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(10)


def start(env: dict[str, str], name: str, folder: Path, *args: str) -> Process:
    """Start `casework ARGS...` in the background, its output in ``folder``/``name``.log."""
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(  # noqa: S603  (our own console script, fixed arguments)
            [str(CASEWORK), *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return Process(name, popen, log)


def start_server(env: dict[str, str], name: str, folder: Path) -> tuple[Process, str]:
    """`casework run` on a free port of 127.0.0.1; the process and its base URL."""
    port = free_port()
    return start({**env, "CASEWORK_WEB_BIND": f"127.0.0.1:{port}"}, name, folder, "run"), (
        f"http://127.0.0.1:{port}"
    )


def wait_until_serving(process: Process, base: str) -> None:
    """Wait for ``/healthz`` to answer; a process that exits or never answers fails the test
    with its log (which holds no personal data: casework logs none)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            pytest.fail(f"{process.name} exited ({process.popen.returncode}):\n{process.output()}")
        try:
            if Client(base).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{process.name} did not answer within {START_SECONDS} s:\n{process.output()}")


# --- HTTP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Client:
    """An HTTP client on one base URL that keeps cookies (not their Secure flag: the servers
    under test are plain HTTP on loopback) and follows no redirect, so each step shows."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None) -> None:
        self.base = base
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.cookies: dict[str, str] = dict(cookies or {})

    def on(self, base: str) -> Client:
        """The same cookies, sent to another server (another instance behind the proxy)."""
        return Client(base, self.cookies)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            text_ = answer.read().decode(errors="replace")
            for line in answer.headers.get_all("Set-Cookie") or []:
                self._keep(line)
            return Answer(answer.status, dict(answer.headers), text_)
        finally:
            conn.close()

    def _keep(self, line: str) -> None:
        for name, morsel in SimpleCookie(line).items():
            if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, token: str = "") -> Answer:
        return self.request("GET", path, headers=_bearer(token))

    def form(self, path: str, fields: dict[str, str]) -> Answer:
        body = urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)

    def post_json(self, path: str, payload: Any, token: str) -> Answer:
        headers = {"Content-Type": "application/json", **_bearer(token)}
        return self.request("POST", path, json.dumps(payload).encode(), headers)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in_setting_up_app(client: Client, email: str, password: str) -> str:
    """Sign in where a second factor is required, as a new user's first sign-in goes: the
    password, then the authenticator app set up from the key the page shows, with a code
    computed from it (pyotp, as the app on a phone would). Returns the app's secret."""
    page = client.get("/sign-in")
    assert page.status == 200, page.status
    answer = client.form(
        "/sign-in", {"csrf_token": csrf(page.text), "email": email, "password": password}
    )
    assert answer.status == 302 and answer.headers["Location"].endswith("/sign-in/set-up")
    page = client.get("/sign-in/set-up")
    assert page.status == 200, page.status
    shown = re.search(r'id="totp-secret">([^<]+)<', page.text)
    assert shown, "the set-up page shows no key to type in"
    secret = re.sub(r"\s", "", unescape(shown.group(1)))
    code = pyotp.TOTP(secret).now()
    answer = client.form("/sign-in/set-up", {"csrf_token": csrf(page.text), "code": code})
    assert answer.status == 200 and "recovery codes" in answer.text.lower(), answer.status
    return secret
