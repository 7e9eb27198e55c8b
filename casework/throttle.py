"""Rate limits on the request cycle: sign-in attempts, failed API authentications, API tokens.

Over a limit, the API answers 429 in the contract's error shape and pages answer a GOV.UK
error page, both with ``Retry-After``. Sign-in attempts are counted in short transactions of
their own (``casework.accounts.limits``), never in the request's: a refused sign-in rolls its
request back, and its attempt must still count.

An API request is checked before it runs (one read of its token's and its address's counts,
in the request's own transaction) and, when let through, counted with its own commit: a
read's count goes in the short transaction that writes its audit entries. A request that
ends in an error is rolled back, so its count is then taken on its own after it. Requests of
one token in flight at the same moment may together pass the limit by their number, which a
limit on a token's throughput allows.

On SQLite a request that writes holds the only write lock from its first statement, so
counts of their own are taken before it begins (``before_request``) or after it has ended (an
``after_request`` that runs after ``casework.http`` has committed or rolled back). ``install``
therefore runs before ``casework.http.install`` and refuses to run after it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request, session

from casework import clock, http
from casework.accounts import limits
from casework.accounts.actions import normalise_email
from casework.accounts.limits import Rate, Verdict
from casework.settings import rate_limit_settings

log = logging.getLogger("casework.request")

SIGN_IN_ENDPOINT = "web.sign_in"
# The second sign-in step (and asking for it again before a sensitive step) is limited as the
# password step is, counted against the browser's session instead of an e-mail.
SECOND_STEP_ENDPOINTS = frozenset(
    {
        "web.second_step",
        "web.second_step_key",
        "web.second_factor_setup",
        "web.factor_confirm",
        "web.factor_confirm_key",
    }
)


@dataclass(frozen=True)
class Limits:
    secret: str
    sign_in_address: Rate | None
    sign_in_account: Rate | None
    api_failures_address: Rate | None
    api_token: Rate | None

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        chosen = rate_limit_settings(settings)
        rate = {
            name: Rate.parse(name, value) for name, value in chosen.items() if name != "RATE_LIMITS"
        }
        return cls(
            secret=str(settings["SECRET_KEY"]),
            sign_in_address=rate["RATE_LIMIT_SIGN_IN_PER_ADDRESS"],
            sign_in_account=rate["RATE_LIMIT_SIGN_IN_PER_ACCOUNT"],
            api_failures_address=rate["RATE_LIMIT_API_AUTH_FAILURES_PER_ADDRESS"],
            api_token=rate["RATE_LIMIT_API_PER_TOKEN"],
        )


def install(app: Flask) -> None:
    """Register the hooks (none at all when ``RATE_LIMITS`` is off)."""
    if http._finish in app.after_request_funcs.get(None, []):
        raise RuntimeError("install rate limits before casework.http: see casework.throttle")
    if not rate_limit_settings(app.config)["RATE_LIMITS"]:
        return
    app.extensions["casework_limits"] = Limits.from_settings(app.config)
    app.before_request(_before)
    app.after_request(_after)


def _limits() -> Limits:
    return current_app.extensions["casework_limits"]


def _count(rate: Rate | None, name: str, value: str) -> Verdict | None:
    if rate is None:
        return None
    db = http.services().db
    return limits.hit(db, limits.key(_limits().secret, name, value), rate, clock.now())


def _address() -> str:
    return request.remote_addr or "-"


def _bearer() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _before() -> Any:
    if request.endpoint == "static":
        return None
    if http.is_api():
        return _before_api()
    if request.endpoint == SIGN_IN_ENDPOINT and request.method == "POST":
        # The account's count is kept for any e-mail, known or not: a 429 tells nothing.
        email = normalise_email(str(request.form.get("email", "")))
        verdicts = [
            _count(_limits().sign_in_address, "sign-in-address", _address()),
            _count(_limits().sign_in_account, "sign-in-account", email) if email else None,
        ]
        return _refuse_if_over(verdicts)
    if request.endpoint in SECOND_STEP_ENDPOINTS and request.method == "POST":
        held = str(session.get("pending_sign_in") or session.get("_user_id") or "")
        verdicts = [
            _count(_limits().sign_in_address, "sign-in-address", _address()),
            _count(_limits().sign_in_account, "second-step-session", held) if held else None,
        ]
        return _refuse_if_over(verdicts)
    return None


def _before_api() -> Any:
    """Refuse a request over its address's failures or its token's rate; count one let
    through with its own commit.

    The counts are read in the request's own transaction, so its mode is declared first
    (a snapshot for a read, the write lock at once for a write on SQLite)."""
    rules, secret, now = _limits(), _bearer(), clock.now()
    asked = []
    if rules.api_failures_address is not None:
        name = limits.key(rules.secret, "api-failures-address", _address())
        asked.append((name, rules.api_failures_address))
    if secret and rules.api_token is not None:
        asked.append((limits.key(rules.secret, "api-token", secret), rules.api_token))
    svc = http.services()
    http.declare_write_intent()
    counted = limits.counts(svc.session.connection(), asked, now)
    verdicts = [limits.verdict(n, rate, now) for n, (_, rate) in zip(counted, asked, strict=True)]
    refused = _refuse_if_over(verdicts)
    if refused is not None or not secret or rules.api_token is None:
        return refused
    key, rate = asked[-1]
    limits.count_at_commit(svc.session, key, rate, now)
    g.rate_counted = (key, rate)
    g.rate_prune = counted[-1] == 0  # the token's first request of a window
    return None


def _after(response: Response) -> Response:
    """A failed API authentication counts against its address, and a request that ended in
    an error counts against its token here, its transaction having been rolled back with the
    count in it (``casework.http`` has committed or rolled back by now). The token's first
    request of a window drops the windows that have ended, here too: a transaction of the
    request's own may hold SQLite's write lock until now."""
    if response.status_code == 401 and http.is_api():
        _count(_limits().api_failures_address, "api-failures-address", _address())
    counted = g.pop("rate_counted", None)
    if counted is not None and response.status_code >= 400:
        limits.hit(http.services().db, *counted, clock.now())
    if g.pop("rate_prune", False):
        limits.prune(http.services().db, clock.now())
    return response


def _refuse_if_over(verdicts: list[Verdict | None]) -> Response | None:
    refused = [v.retry_after for v in verdicts if v is not None and not v.allowed]
    return _too_many(max(refused)) if refused else None


def _too_many(retry_after: int) -> Response:
    log.warning("rate limited", extra={"method": request.method, "endpoint": request.endpoint})
    wait = _spoken(retry_after)
    if http.is_api():
        response = http.api_error(429, "rate_limited", f"Too many requests: try again in {wait}")
    else:
        html = render_template(
            "error.html",
            title="Too many attempts",
            message=f"Wait {wait}, then try again.",
            status=429,
        )
        response = Response(html, status=429, mimetype="text/html")
    response.headers["Retry-After"] = str(retry_after)
    return response


def _spoken(seconds: int) -> str:
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
