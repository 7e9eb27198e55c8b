"""What a hosting team needs from a running instance: liveness, readiness and metrics.

``install(app)`` adds the three routes (``/healthz``, ``/readyz``, ``/metrics``) and times every
request and database statement for the metrics. None of the routes needs a session, writes an
audit entry or carries personal data; ``/metrics`` needs ``METRICS_TOKEN`` as a bearer token.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from casework.ops import metrics
from casework.ops.views import blueprint


def _start() -> None:
    g.ops_started = time.perf_counter()


def _observe(response: Response) -> Response:
    """Each answer counted by the route's template, never its path (ids stay out of labels)."""
    started = g.pop("ops_started", None)
    if started is not None:
        rule = request.url_rule.rule if request.url_rule is not None else None
        metrics.observe_request(
            rule, request.method, response.status_code, time.perf_counter() - started
        )
    return response


def install(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_observe)
    metrics.time_queries(app.extensions["casework"].db.engine)
    app.register_blueprint(blueprint)
