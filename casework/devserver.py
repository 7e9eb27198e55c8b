"""The development web server behind ``casework serve``.

Werkzeug's server, with two differences from ``app.run``: the interactive debugger (which runs
any Python typed into ``/console``) is there only when asked for with ``--debug``, whatever the
``DEBUG`` setting says; and access lines name the path without its query string, which can
carry personal values (``/audit?user=…``), as the README promises of every log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from casework.logs import without_query_strings


class PrivateRequestHandler(WSGIRequestHandler):
    """Access and error lines without query strings."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(getattr(self, "path", "") or "").path or "-"
        self.log("info", '"%s %s %s" %s %s', self.command, path, self.request_version, code, size)

    def log_error(self, format: str, *args: Any) -> None:
        # Bad-request messages quote the raw request line.
        self.log("error", "%s", without_query_strings(format % args))


def build(app: Flask, host: str, port: int, *, debug: bool = False) -> BaseWSGIServer:
    """A threaded server for ``app``; ``debug`` adds the interactive debugger (PIN-protected)."""
    app.debug = debug
    wsgi: Any = app
    if debug:
        wsgi = DebuggedApplication(app, evalex=True)
        wsgi.trusted_hosts.append(host)
    return make_server(host, port, wsgi, threaded=True, request_handler=PrivateRequestHandler)
