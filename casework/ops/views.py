"""The routes: ``/healthz`` (alive), ``/readyz`` (ready for work), ``/metrics`` (Prometheus)."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST

from casework.ops import health, metrics
from casework.routes import public
from casework.services import Services

blueprint = Blueprint("ops", __name__)
ENDPOINTS = ("ops.healthz", "ops.readyz", "ops.metrics")


def _services() -> Services:
    return current_app.extensions["casework"]


@blueprint.get("/healthz")
@public
def healthz() -> Response:
    """Alive: the process answers. Touches nothing else, so a database outage does not make
    an orchestrator restart every instance (that is what /readyz is for)."""
    return jsonify({"alive": True})


@blueprint.get("/readyz")
@public
def readyz() -> tuple[Response, int]:
    body = health.as_json(health.readiness(_services()))
    return jsonify(body), 200 if body["ready"] else 503


@public  # no sign-in: its own bearer token (METRICS_TOKEN)
def metrics_page() -> Response:
    """Only with ``Authorization: Bearer <METRICS_TOKEN>``; with no token configured the route
    does not exist (404), so an instance exposed by mistake shows nothing."""
    token = str(_services().settings.get("METRICS_TOKEN") or "")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        answer = Response("a bearer token is needed\n", status=401, mimetype="text/plain")
        answer.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return answer
    return Response(metrics.exposition(_services().db), mimetype=CONTENT_TYPE_LATEST)


blueprint.add_url_rule("/metrics", "metrics", metrics_page)
