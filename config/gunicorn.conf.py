"""gunicorn's configuration for casework (`casework run`, or `gunicorn -c config/gunicorn.conf.py
wsgi:app`). Every value comes from casework's own settings (config/*.py, CASEWORK_* variables),
so the server and the application agree on proxies and limits; docs/production.md explains them.

Loading the settings here also makes the master process refuse to start on a configuration
production would refuse (no keys, development keys, SQLite, debug on), before any worker forks.
"""

import os
import shutil
import tempfile
from pathlib import Path

# Request figures from every worker are kept as files in one folder and added up at each scrape
# (prometheus_client's multiprocess mode). The variable must be set before prometheus_client is
# first imported, which loading the settings below does.
_made_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="casework-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

from casework.settings import load_settings  # noqa: E402

_settings = load_settings()


def _workers() -> int:
    chosen = int(_settings.get("WEB_WORKERS") or 0)
    return chosen if chosen > 0 else (os.cpu_count() or 1) * 2 + 1


wsgi_app = "wsgi:app"
chdir = str(Path(__file__).resolve().parent.parent)  # where wsgi.py lives
bind = [b for b in str(_settings["WEB_BIND"]).replace(",", " ").split() if b]
workers = _workers()
worker_class = "gthread"
threads = int(_settings.get("WEB_THREADS") or 4)
timeout = int(_settings.get("WEB_TIMEOUT_SECONDS") or 60)
graceful_timeout = int(_settings.get("WEB_GRACEFUL_TIMEOUT_SECONDS") or 30)
keepalive = int(_settings.get("WEB_KEEPALIVE_SECONDS") or 5)
# A worker restarts after this many requests (with jitter), so a slow leak cannot grow forever.
max_requests = 2000
max_requests_jitter = 200
# Request bodies: the application answers 413 over its own limits (casework/body_limits.py);
# these only bound the request line and headers.
limit_request_line = 8190
limit_request_fields = 100

# Forwarded headers (X-Forwarded-Proto and the like) are believed only from the proxies the
# settings name, and only when PROXY_HOPS says there are any (casework/proxies.py does the same
# for the application).
forwarded_allow_ips = (
    ",".join(str(p) for p in _settings.get("TRUSTED_PROXIES") or ())
    if int(_settings.get("PROXY_HOPS") or 0) > 0
    else ""
)

# Logs on standard error, for journald or the container runtime. The access line carries the
# path WITHOUT its query string (%(U)s, never %(r)s or %(q)s: queries can hold names), the
# status, the size, the time taken and the client as the proxy reported it.
accesslog = "-"
errorlog = "-"
loglevel = str(_settings.get("LOG_LEVEL") or "info").lower()
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# No control socket: its default lives in the home folder, which the systemd unit hides, and
# two instances on one host would fight over it.
control_socket_disable = True
proc_name = "casework"


def on_starting(server):  # noqa: ARG001
    """Start from an empty metrics folder: files left by a previous run would be added in."""
    for entry in Path(_metrics_dir).glob("*.db"):
        entry.unlink(missing_ok=True)


def child_exit(server, worker):  # noqa: ARG001
    """A worker gone: its live gauges no longer count (its counters stay in the totals)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):  # noqa: ARG001
    """A folder this file made goes with the server; one named by the variable is kept."""
    if _made_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
