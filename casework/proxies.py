"""Believing a reverse proxy: the client's address and scheme from forwarded headers, but only
when the request came from a proxy we were told about.

Behind nginx every request arrives from the proxy's address over plain HTTP. Without this the
sign-in rate limits (``casework.throttle``) would count every client as one, and pages would
not know they were served over HTTPS (no HSTS). With it, but trusting anyone, a client could
name any address it likes in ``X-Forwarded-For`` and dodge the limits. So Werkzeug's
``ProxyFix`` is applied only when ``PROXY_HOPS`` says how many proxies stand in front, and only
to requests whose peer is in ``TRUSTED_PROXIES``; from anyone else the forwarded headers are
dropped before the application sees them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

from casework.settings import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")
FORWARDED += ("HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def networks(entries: Iterable[str] | str) -> list[Network]:
    """The trusted proxies as networks; a bad entry refuses the start, naming it."""
    if isinstance(entries, str):
        entries = [e for e in entries.replace(",", " ").split() if e]
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ConfigError(f"TRUSTED_PROXIES: {entry!r} is not an address or network") from None
    return found


class TrustedProxies:
    """WSGI middleware: ``ProxyFix`` for requests from a trusted proxy, forwarded headers
    removed from all others."""

    def __init__(self, app: Any, hops: int, trusted: list[Network]) -> None:
        self.app = app
        self.trusted = trusted
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)

    def _from_proxy(self, environ: dict[str, Any]) -> bool:
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            return False  # a Unix socket: no address to trust
        return any(peer in net for net in self.trusted)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self._from_proxy(environ):
            return self.fixed(environ, start_response)
        for name in FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)


def install(app: Any, settings: Mapping[str, Any]) -> None:
    """Wrap ``app.wsgi_app`` when ``PROXY_HOPS`` is above 0; otherwise leave it as it is."""
    try:
        hops = int(settings.get("PROXY_HOPS") or 0)
    except (TypeError, ValueError):
        raise ConfigError("PROXY_HOPS must be a whole number of proxies") from None
    if hops < 0:
        raise ConfigError("PROXY_HOPS must be a whole number of proxies")
    if hops:
        trusted = networks(settings.get("TRUSTED_PROXIES") or ())
        if not trusted:
            raise ConfigError("PROXY_HOPS is set but TRUSTED_PROXIES names no proxy")
        app.wsgi_app = TrustedProxies(app.wsgi_app, hops, trusted)
