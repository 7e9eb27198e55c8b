"""Request plumbing shared by pages and the API: the current actor, one transaction per
request, error answers in one place, security headers, and request logs without personal data.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from typing import Any

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import AccessNotChecked
from casework.body_limits import body_limit, form_field_limit, in_words
from casework.crypto import reload_keyring_if_changed
from casework.db import defer_write, has_written, take_deferred_writes, write_intent
from casework.errors import CaseworkError, Forbidden, Invalid, NotVisible, Unauthenticated
from casework.routes import policy_of
from casework.services import Services

log = logging.getLogger("casework.request")

# The one inline script GOV.UK's page template carries (it marks the body as JS-enabled).
# It is allowed by its hash, so the policy needs no 'unsafe-inline'.
GOVUK_BODY_SCRIPT = (
    "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype"
    " ? ' govuk-frontend-supported' : '');"
)
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(GOVUK_BODY_SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'self'; "
    f"script-src 'self' 'sha256-{_SCRIPT_HASH}'; "
    "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def services() -> Services:
    return current_app.extensions["casework"]


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:
        raise Unauthenticated()
    return actor


def is_api() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


class LimitedRequest(Request):
    """A request whose body limit depends on where it goes (``casework.body_limits``): the upload
    pages take 20 MB, everything else 1 MB. Werkzeug applies it before reading the body, and
    stops reading a streamed body at the limit; a view may still set its own."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None or not current_app:
            return super().max_content_length
        return body_limit(current_app.config, self.endpoint)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        if self._max_form_memory_size is not None or not current_app:
            return super().max_form_memory_size
        return form_field_limit(current_app.config)

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value


def _refuse_oversized_body() -> None:
    """413 for a declared body over the limit, even where the view would never read it: the
    answer is the same for every endpoint, and nothing of the body is read."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def _too_large_message() -> str:
    limit = request.max_content_length
    size = f" of {in_words(limit)}" if limit else ""
    return f"The request is larger than the limit{size}; nothing was read or saved"


def _abandon() -> None:
    """Roll back a request that failed: nothing it did or read was delivered."""
    session = services().session
    session.info.pop("audit_entries", None)
    session.rollback()


def _record_denial(exc: CaseworkError) -> None:
    """s.62 logs refused attempts too: a 403 or 404 on a route that discloses case data is
    written as ``denied`` in a transaction of its own (the request's was rolled back)."""
    actor = g.get("actor")
    view = current_app.view_functions.get(request.endpoint or "")
    policies = policy_of(view) if view is not None else None
    if actor is None or not policies or not isinstance(exc, Forbidden | NotVisible):
        return
    args = request.view_args or {}
    record_id = next((str(v)[:64] for k, v in args.items() if k.endswith("_id")), None)
    svc = services()
    with write_intent():
        audit.record(
            svc.session,
            actor,
            "denied",
            policies[0],
            record_id,
            purpose=f"{request.method} {request.endpoint}",
        )
        svc.session.commit()


def _record_unchecked(exc: AccessNotChecked) -> None:
    """An action that skipped the sharing engine for a record type it declared answered 500:
    written as ``denied`` naming that type, in a transaction of its own (the request's was
    rolled back, so nothing it read left the service)."""
    actor = g.get("actor")
    if actor is None:
        return
    svc = services()
    with write_intent():
        audit.record(
            svc.session,
            actor,
            "denied",
            exc.unchecked[0] if exc.unchecked else None,
            purpose=f"access not checked: {request.method} {request.endpoint}",
        )
        svc.session.commit()


def _handle_casework_error(exc: CaseworkError) -> Any:
    _abandon()
    _record_denial(exc)
    if is_api():
        return api_error(exc.status, exc.code, exc.message, getattr(exc, "fields", None))
    if isinstance(exc, Unauthenticated):
        return redirect(url_for("web.sign_in"))
    if isinstance(exc, Invalid):
        return render_template(
            "error.html", title="There is a problem", status=422, message=exc.message
        ), 422
    return _error_page(exc.status)


def _handle_http_error(exc: HTTPException) -> Any:
    _abandon()
    status = exc.code or 500
    if is_api():
        code = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            415: "unsupported_media_type",
        }.get(status, "http_error")
        message = _too_large_message() if status == 413 else exc.description or exc.name
        response = api_error(status, code, message)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response
    if status == 400 and "CSRF" in (exc.description or ""):
        return render_template(
            "error.html",
            title="Your form expired",
            status=400,
            message="Go back, reload the page and try again.",
        ), 400
    if status == 413:
        return render_template(
            "error.html",
            title="The file or form is too large",
            status=413,
            message=f"{_too_large_message()}. Go back and send less, or a smaller file.",
        ), 413
    response = _error_page(status)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response[0].headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _handle_unexpected(exc: Exception) -> Any:
    if _busy(exc):
        return _answer_busy()
    # Only the type is logged: exception messages can quote personal values.
    log.error("unhandled %s at %s", type(exc).__name__, request.endpoint)
    _abandon()
    if isinstance(exc, AccessNotChecked):
        _record_unchecked(exc)
    if is_api():
        return api_error(500, "internal_error", "Something went wrong; it has been logged")
    return _error_page(500)


BUSY_RETRY_SECONDS = 5


def _busy(exc: Exception) -> bool:
    """SQLite gave up waiting (the busy timeout) for the write lock another request holds."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def _answer_busy() -> Any:
    """503 with Retry-After: the transaction never began, so nothing was read or written."""
    log.warning("busy: the database stayed locked at %s", request.endpoint)
    _abandon()
    if is_api():
        response = api_error(503, "busy", "The service is busy. Nothing was saved; try again.")
    else:
        response = _error_page(503)[0]
    response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response, 503


PAGE_ERRORS = {
    403: ("You cannot do this", "Your role does not allow this action."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("This page cannot do that", "Go back and try again."),
    415: ("This page cannot read what was sent", "Go back and try again."),
    503: ("The service is busy", "Nothing was saved. Try again in a few seconds."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}


def _error_page(status: int) -> tuple[Response, int]:
    title, message = PAGE_ERRORS.get(status, ("There is a problem", "Go back and try again."))
    html = render_template("error.html", title=title, message=message, status=status)
    return Response(html, status=status, mimetype="text/html"), status


def _start_timer() -> None:
    g.started = time.perf_counter()
    reload_keyring_if_changed()  # follow a key rotation made by another process (one os.stat)


def _commit(response: Response) -> Response:
    """End the request's transaction before the answer leaves (see ``declare_write_intent``).

    A read (GET or HEAD that changed nothing) ends its snapshot and writes its audit entries
    in a short transaction of their own; if that fails, the answer is replaced by an error,
    so nothing is disclosed without its entry committed. Anything else commits as one."""
    svc = services()
    session = svc.session
    if response.status_code >= 400:
        shown = audit.pending_reads(session)
        session.rollback()
        if shown:  # a form re-displayed with errors still disclosed what it showed
            with write_intent():
                audit.rewrite(session, shown)
                session.commit()
        return response
    if not g.get("reading") or has_written(session):
        session.commit()
        return response
    entries, deferred = audit.take(session), take_deferred_writes(session)
    session.commit()  # ends the snapshot, writing nothing; unlike a rollback, expires nothing
    if not entries and not deferred:
        return response
    try:
        with write_intent():
            audit.put(session, entries)
            for statement, params in deferred:
                defer_write(session, statement, params)
            session.commit()
    except Exception as exc:
        session.rollback()
        if _busy(exc):
            return _answer_busy()[0]
        log.error(
            "the audit entries of %s could not be written: %s", request.endpoint, type(exc).__name__
        )
        if is_api():
            return api_error(500, "internal_error", "Something went wrong; it has been logged")
        return _error_page(500)[0]
    return response


def _finish(response: Response) -> Response:
    """Commit the request's transaction, then add headers and log the request."""
    response = _commit(response)
    _end_write_intent()  # a body streamed after this only reads: it must not hold the lock
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    actor = g.get("actor")
    log.info(
        "request",
        extra={
            "method": request.method,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
            "user_id": str(actor.user_id) if actor and actor.user_id else None,
            "agency": actor.agency_code if actor else None,
        },
    )
    return response


READ_METHODS = frozenset({"GET", "HEAD"})


def declare_write_intent() -> None:
    """A read request reads in a snapshot; any other takes SQLite's write lock at BEGIN.

    A GET or HEAD reads without the write lock (a deferred transaction on SQLite's WAL, an
    ordinary one on PostgreSQL), so readers never queue behind one another or a writer; its
    audit entries are written after, in a short transaction that commits before the answer
    is sent (``_commit``), holding the lock (and PostgreSQL's chain lock) for those inserts
    alone. A GET that changes something after all commits its change and its entries
    together, as a write does.

    A write takes the lock up front (BEGIN IMMEDIATE): on SQLite a transaction that read and
    then writes fails at once ("database is locked") if another request committed in
    between; taking it first queues writers on the busy timeout instead.

    Declared once a request: a hook that reads before the view (the rate limiter) declares
    it first, so its read begins the request's own transaction in the right mode.
    """
    if request.endpoint == "static" or "reading" in g or "write_intent" in g:
        return
    if request.method in READ_METHODS:
        g.reading = True
        return
    g.write_intent = write_intent()
    g.write_intent.__enter__()


def _end_write_intent() -> None:
    intent = g.pop("write_intent", None)
    if intent is not None:
        intent.__exit__(None, None, None)


def install(app: Flask) -> None:
    app.request_class = LimitedRequest
    # What Flask reads directly agrees with ``casework.body_limits`` (the small limit: pages and
    # API; the upload pages get theirs from LimitedRequest).
    app.config["MAX_CONTENT_LENGTH"] = body_limit(app.config, None)
    app.config["MAX_FORM_MEMORY_SIZE"] = form_field_limit(app.config)
    app.before_request(_refuse_oversized_body)
    app.before_request(declare_write_intent)
    app.before_request(_start_timer)
    app.after_request(_finish)
    app.register_error_handler(CaseworkError, _handle_casework_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected)

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        app.extensions["casework"].db.session.remove()
        _end_write_intent()
