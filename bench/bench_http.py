"""casework over HTTP under load, side by side with the floor.

Run: ``.venv/bin/python bench/bench_http.py [--quick] [--postgres URL]``. It needs ``wrk``
(Debian: ``apt-get install wrk``) and gunicorn (a casework dependency).

What it does, in a temporary directory:

* builds a partnership through the actions users call: a MARAC panel, a police referrer, a
  housing representative, 400 referrals in one month and a published agenda of 40 cases;
* starts casework under gunicorn (2 sync workers, as on a 2-core host) and, beside it, the
  floor (``bench/http_apps.py``): three minimal Flask routes on the same database, a JSON
  hello, one primary-key SELECT, one INSERT and commit, also under gunicorn with 2 workers;
* drives each with wrk on loopback at concurrency 1, 4 and 16 (a run of ``--seconds`` each,
  ``--runs`` times, medians reported): GET one referral, GET a month of the referral list
  (a page of 50), GET the agenda as housing, POST a referral;
* prints requests a second, p50 and p99 and the ratios the targets name, counts every
  non-2xx answer (there must be none) and runs ``casework audit verify`` afterwards.

SQLite always; PostgreSQL too with ``--postgres URL`` naming an empty database (the schema is
made there, then dropped at the end).

``--million`` (SQLite only) grows the same partnership to 1,000,000 referrals
(``list_data.MonthBulk``: about 3½ minutes) and times one referral, the month's list as the
police referrer (a panel member, who sees it all), as housing (who sees none of it, so every
row of the month is filtered) and the Referrals page. ``--size N`` makes it N referrals.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench_agenda import _setup as agenda_setup
from harness import PASSWORD, TODAY, machine, make_world, referral_body, verdict
from http_apps import prepare_floor
from list_data import MonthBulk
from sqlalchemy import text

from casework.accounts.auth import create_token
from casework.accounts.models import User
from casework.referrals.actions import submit_referral

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONCURRENCY = (1, 4, 16)
MONTH_REFERRALS = 400
MILLION_REFERRALS = 1_000_000
MILLION_ONLY = ("GET the month as housing",)  # sees none of it: the whole month is filtered
MILLION = (
    "GET one referral",
    "GET a month of the list",
    "GET the month as housing",
    "GET the list page (web)",
    "floor: PK select",
)


@dataclass
class Site:
    """What the load needs to know of a prepared database."""

    url: str
    referral_id: str
    panel_id: str
    meeting_id: str
    police_token: str
    housing_token: str
    post_body: str
    police_cookie: str


@dataclass
class Figure:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(
    instance: Path, name: str, url: str | None, total: int = 0
) -> tuple[Site, dict[str, str]]:
    """The partnership the load runs against; with ``total``, grown to that many referrals
    (``list_data.MonthBulk``, SQLite only) after the ones made through the actions."""
    world = make_world(instance, name, url)
    svc = world.svc
    with world.app.app_context():
        rep, meeting_id = agenda_setup(world, 40)
        month = date(TODAY.year, TODAY.month, 1) - timedelta(days=1)  # the month before
        first = None
        for n in range(MONTH_REFERRALS):
            day = month.replace(day=1 + n % month.day)
            referral = submit_referral(
                svc, world.referrer, referral_body(world.panel_id, 1000 + n, day)
            )
            first = first or referral
        cookie = _sign_in(world.app, "police@example.org")
        housing = svc.session.get(User, rep.user_id)
        _, housing_token = create_token(svc, housing)
        world.settle()
        if total:
            grow(world, month, total)
        body = referral_body(world.panel_id, 99_999)
        body["victim"]["last_name"] = "@@NAME@@"
        site = Site(
            url=svc.db.url,
            referral_id=str(first.id),
            panel_id=str(world.panel_id),
            meeting_id=meeting_id,
            police_token=world.token,
            housing_token=housing_token,
            post_body=json.dumps(body, default=str),
            police_cookie=cookie,
        )
        config = world.app.config
        env = {
            "BENCH_DATABASE_URL": site.url,
            "BENCH_INSTANCE": str(instance),
            "BENCH_KEYRING_FILE": config["KEYRING_FILE"],
            "BENCH_SECRET_KEY": config["SECRET_KEY"],
            "BENCH_AUDIT_KEY": config["AUDIT_KEY"],
        }
    world.close()
    prepare_floor(site.url)
    return site, env


def grow(world: Any, last: date, total: int) -> None:
    began = time.perf_counter()
    bulk = MonthBulk(world, 19, last.replace(day=1), last)
    bulk.start()
    bulk.grow_to(total)
    print(
        f"grown to {total:,} referrals in {time.perf_counter() - began:.0f} s; "
        f"{bulk.sealed:,} more in the month listed",
        flush=True,
    )


def _sign_in(app: Any, email: str) -> str:
    """A signed-in browser's session cookie (``name=value``), got through the sign-in page."""
    client = app.test_client()
    page = client.get("/sign-in").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the sign-in page has no CSRF token"
    form = {"email": email, "password": PASSWORD, "csrf_token": found.group(1)}
    assert client.post("/sign-in", data=form).status_code == 302, "sign-in failed"
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, "no session cookie after sign-in"
    return f"{name}={cookie.value}"


def start(app: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(  # noqa: S603 (our own server, arguments fixed here)
        [
            gunicorn,
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(HERE),
            "--log-level",
            "warning",
            "http_apps:app()",
        ],
        env={**os.environ, **env, "BENCH_APP": app, "PYTHONPATH": str(HERE)},
    )
    deadline = time.monotonic() + 60
    probe = "/hello" if app == "floor" else "/healthz"
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2)  # noqa: S310
            return process
        except OSError as exc:
            if getattr(exc, "code", None):  # any HTTP answer means it is up
                return process
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app} did not start on port {port}")


LUA_GET = """
wrk.headers["Authorization"] = "Bearer {token}"
"""
LUA_COOKIE = """
wrk.headers["Cookie"] = "{cookie}"
"""
LUA_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local template = [==[{body}]==]
local letters = "abcdefghijklmnopqrstuvwxyz"
init = function(args) math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16)) end
request = function()
  local name = ""
  for i = 1, 12 do
    local k = math.random(1, 26)
    name = name .. letters:sub(k, k)
  end
  return wrk.format(nil, nil, nil, template:gsub("@@NAME@@", name))
end
"""


def answers_ok(url: str, headers: dict[str, str]) -> None:
    """Stop unless a GET of ``url`` answers 200 itself: wrk counts only 4xx and 5xx as
    failures, so a page redirecting to the sign-in page would be timed as if it were the page."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers=headers)
        status = connection.getresponse().status
    finally:
        connection.close()
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200: nothing to measure")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, concurrency: int, seconds: float, script: str, workdir: Path) -> Figure:
    path = workdir / f"load{secrets.token_hex(4)}.lua"
    path.write_text(script)
    threads = min(concurrency, 2)
    out = subprocess.run(  # noqa: S603 (wrk, arguments fixed here)
        [
            shutil.which("wrk") or "wrk",
            "-t",
            str(threads),
            "-c",
            str(concurrency),
            "-d",
            f"{seconds:g}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(path),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Latency Distribution" not in out or "Requests/sec" not in out:
        raise SystemExit(f"wrk measured nothing at {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = dict(re.findall(r"^ +(\d+)% +([\d.]+[a-z]+) *$", out, re.M))
    if "50" not in pct:
        raise SystemExit(f"wrk's output was not understood:\n{out}")
    parse = {k: re.match(r"([\d.]+)(\w+)", v).groups() for k, v in pct.items()}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # gunicorn's sync workers close each connection after answering, which wrk counts as a
    # read error; refused connections, failed writes and timeouts are failures.
    errors = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (
        sum(int(n) for n in errors.groups()) if errors else 0
    )
    return Figure(rps, _ms(*parse["50"]), _ms(*parse["99"]), failed)


def median_figure(figures: list[Figure]) -> Figure:
    return Figure(
        statistics.median(f.rps for f in figures),
        statistics.median(f.p50_ms for f in figures),
        statistics.median(f.p99_ms for f in figures),
        sum(f.bad for f in figures),
    )


def _page_filters(panel_id: str) -> str:
    """The list page's filters for the month before (its form has day, month and year boxes)."""
    last = TODAY.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    parts = [f"panel_id={panel_id}"]
    for name, day in (("from", first), ("to", last)):
        parts += [f"{name}-day={day.day}", f"{name}-month={day.month}", f"{name}-year={day.year}"]
    return "&".join(parts)


def measure(site: Site, env: dict[str, str], args: argparse.Namespace, workdir: Path) -> dict:
    app_port, floor_port = _free_port(), _free_port()
    servers = [start("casework", env, app_port), start("floor", env, floor_port)]
    app, floor = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{floor_port}"
    police = LUA_GET.format(token=site.police_token)
    month = f"from={(TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)}"
    month += f"&to={TODAY.replace(day=1) - timedelta(days=1)}&panel_id={site.panel_id}&limit=50"
    scenarios = {
        "GET one referral": (f"{app}/api/v1/referrals/{site.referral_id}", police),
        "GET a month of the list": (f"{app}/api/v1/referrals?{month}", police),
        "GET the month as housing": (
            f"{app}/api/v1/referrals?{month}",
            LUA_GET.format(token=site.housing_token),
        ),
        "GET the list page (web)": (
            f"{app}/referrals?{_page_filters(site.panel_id)}",
            LUA_COOKIE.format(cookie=site.police_cookie),
        ),
        "GET the agenda as housing": (
            f"{app}/api/v1/meetings/{site.meeting_id}/agenda",
            LUA_GET.format(token=site.housing_token),
        ),
        "POST a referral": (
            f"{app}/api/v1/referrals",
            LUA_POST.format(token=site.police_token, body=site.post_body),
        ),
        "floor: JSON hello": (f"{floor}/hello", ""),
        "floor: PK select": (f"{floor}/select/500", ""),
        "floor: INSERT": (f"{floor}/insert", 'wrk.method = "POST"\n'),
    }
    wanted = MILLION if args.million else [n for n in scenarios if n not in MILLION_ONLY]
    scenarios = {name: scenarios[name] for name in wanted}
    results: dict[tuple[str, int], Figure] = {}
    try:
        bearer = {"Authorization": f"Bearer {site.police_token}"}
        answers_ok(scenarios["GET one referral"][0], bearer)
        answers_ok(scenarios["GET a month of the list"][0], bearer)
        answers_ok(scenarios["GET the list page (web)"][0], {"Cookie": site.police_cookie})
        if not args.million:
            housing = {"Authorization": f"Bearer {site.housing_token}"}
            answers_ok(scenarios["GET the agenda as housing"][0], housing)
        for name, (url, script) in scenarios.items():
            wrk(url, 1, 1, script, workdir)  # warm-up: imports, caches, connections
            for c in CONCURRENCY:
                runs = [wrk(url, c, args.seconds, script, workdir) for _ in range(args.runs)]
                results[(name, c)] = median_figure(runs)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    return results


def audit_verify(env: dict[str, str]) -> bool:
    casework = Path(sys.executable).parent / "casework"
    done = subprocess.run(  # noqa: S603 (our own command)
        [str(casework), "audit", "verify"],
        env={
            **os.environ,
            "CASEWORK_ENV": "testing",
            "CASEWORK_DATABASE_URL": env["BENCH_DATABASE_URL"],
            "CASEWORK_KEYRING_FILE": env["BENCH_KEYRING_FILE"],
            "CASEWORK_SECRET_KEY": env["BENCH_SECRET_KEY"],
            "CASEWORK_AUDIT_KEY": env["BENCH_AUDIT_KEY"],
            "CASEWORK_INSTANCE_PATH": env["BENCH_INSTANCE"],
        },
        capture_output=True,
        text=True,
    )
    print(f"  casework audit verify: {(done.stdout + done.stderr).strip().splitlines()[-1:]}")
    return done.returncode == 0


def report(label: str, r: dict[tuple[str, int], Figure]) -> dict[str, bool]:
    print(f"\n{label}: requests/s (p50 / p99 ms) at concurrency 1, 4, 16")
    for name in dict.fromkeys(n for n, _ in r):
        cells = [
            f"{r[(name, c)].rps:8.0f} ({r[(name, c)].p50_ms:.1f} / {r[(name, c)].p99_ms:.0f})"
            for c in CONCURRENCY
        ]
        bad = sum(r[(name, c)].bad for c in CONCURRENCY)
        print(f"  {name:28} " + "  ".join(cells) + (f"  NON-2xx: {bad}" if bad else ""))
    one, floor = r[("GET one referral", 1)], r[("floor: PK select", 1)]
    scale = r[("GET one referral", 16)].rps / one.rps
    post = r[("POST a referral", 16)].rps / r[("floor: INSERT", 16)].rps
    print(f"  GET one referral at c=1: {one.p50_ms / floor.p50_ms:.1f} x the PK select's p50")
    print(f"  throughput at 16 / at 1 (GET one referral): {scale:.2f} x")
    print(f"  POST at c=16: {post:.0%} of the INSERT floor's throughput")
    met = {
        "latency": one.p50_ms <= 3 * floor.p50_ms,
        "scale": scale >= 1.5,
        "list": r[("GET a month of the list", 1)].p50_ms < 15,
        "clean": not any(f.bad for f in r.values()),
    }
    print(verdict("GET one referral at c=1 <= 3 x the PK-select floor", met["latency"]))
    print(verdict("throughput at 16 >= 1.5 x at 1", met["scale"]))
    print(verdict("a month of the list (page of 50) p50 < 15 ms at c=1", met["list"]))
    if label.startswith("SQLite"):
        met["tail"] = (
            r[("GET one referral", 4)].p99_ms < 50
            and r[("GET the agenda as housing", 4)].p99_ms < 250
        )
        print(verdict("SQLite c=4 p99: one referral < 50 ms, agenda < 250 ms", met["tail"]))
    else:
        met["post"] = post >= 0.4
        print(verdict("PostgreSQL POST at c=16 >= 40% of the INSERT floor", met["post"]))
    print(verdict("no non-2xx answer under load", met["clean"]))
    return met


def report_million(r: dict[tuple[str, int], Figure], size: int) -> dict[str, bool]:
    print(f"\nSQLite, {size:,} referrals: requests/s (p50 / p99 ms) at 1, 4, 16")
    for name in MILLION:
        cells = [
            f"{r[(name, c)].rps:8.0f} ({r[(name, c)].p50_ms:.1f} / {r[(name, c)].p99_ms:.0f})"
            for c in CONCURRENCY
        ]
        print(f"  {name:28} " + "  ".join(cells))
    met = {
        "list": r[("GET a month of the list", 1)].p50_ms < 20,
        "clean": not any(f.bad for f in r.values()),
    }
    print(verdict("a month of the list (page of 50) p50 < 20 ms at c=1", met["list"]))
    print(verdict("no non-2xx answer under load", met["clean"]))
    return met


def _drop_all(url: str) -> None:
    from casework.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of 2 s per cell")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--million",
        action="store_true",
        help="SQLite only: the lists and one referral among a million referrals",
    )
    parser.add_argument(
        "--size",
        type=int,
        default=MILLION_REFERRALS,
        help="with --million: how many referrals (fewer for a smoke test)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.runs = 2.0, 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk (Debian) or build it from source")
    print(f"casework over HTTP, gunicorn 2 sync workers, wrk on loopback; {machine()}")
    print(f"{args.runs} run(s) of {args.seconds:.0f} s per cell, medians")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        targets = [] if args.no_sqlite else [("SQLite", None)]
        if args.postgres and not args.million:
            targets.append(("PostgreSQL", args.postgres))
        for label, url in targets:
            instance = Path(tmp) / label
            instance.mkdir()
            site, env = prepare(instance, "http", url, args.size if args.million else 0)
            try:
                results = measure(site, env, args, instance)
                met = report_million(results, args.size) if args.million else report(label, results)
                ok = audit_verify(env) and ok and all(met.values())
            finally:
                if url:
                    _drop_all(url)
    print("\nall targets met" if ok else "\nsome targets NOT MET (see above)")


if __name__ == "__main__":
    main(sys.argv[1:])
