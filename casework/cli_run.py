"""`casework run`: the production web server (gunicorn with config/gunicorn.conf.py).

Checks first what would make every request fail, so a service manager sees one clear line and
an exit status instead of workers crashing in a loop: production settings (keys present and
long enough, PostgreSQL, no debug), the key ring readable, the database reachable and at the
schema this code expects. Then the process becomes gunicorn (``exec``), so the service
manager's signals reach gunicorn's master directly: SIGTERM stops gracefully, SIGHUP reloads.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click

from casework.settings import PROJECT_ROOT, ConfigError, load_settings

GUNICORN_CONF = PROJECT_ROOT / "config" / "gunicorn.conf.py"


class RunError(click.ClickException):
    """One line on standard error, exit status 1."""

    def format_message(self) -> str:
        return self.message


def preflight() -> dict:
    """The settings gunicorn will run with, or a RunError naming what is wrong."""
    if os.environ.get("CASEWORK_ENV") != "production":
        raise RunError(
            "casework run serves production: set CASEWORK_ENV=production "
            "(for development use `casework serve`)"
        )
    from casework.bootstrap import build_services
    from casework.crypto import KeyRingError
    from casework.ops import health

    try:
        settings = load_settings()
        svc = build_services(settings)  # loads the key ring: a missing or bad one stops here
    except (ConfigError, KeyRingError) as exc:
        raise RunError(str(exc)) from None
    try:
        with svc.db.engine.connect() as conn:
            schema = health.migrations(conn)
    except Exception as exc:  # noqa: BLE001  (the class only: driver messages name hosts)
        raise RunError(f"the database cannot be reached ({type(exc).__name__})") from None
    finally:
        svc.db.dispose()
    if not schema.ok:
        raise RunError(f"refusing to start: {schema.detail}")
    return settings


@click.command(help="Run the production web server (gunicorn; config/gunicorn.conf.py).")
@click.option("--check", is_flag=True, help="Only check settings, keys and schema, then exit.")
def run(check: bool) -> None:
    settings = preflight()
    if check:
        click.echo("ready to serve: production settings, key ring and schema are in order")
        return
    click.echo(f"starting gunicorn on {settings['WEB_BIND']}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
    os.execv(sys.executable, argv)  # noqa: S606  (our own interpreter, fixed arguments)


KEY_FILES = ("keyring.json", "secret_key", "audit_key", "metrics_token")


@click.command(
    "generate",
    help="Write a new production key set into FOLDER: keyring.json, secret_key, audit_key and "
    "metrics_token (mode 0600). Refuses to overwrite any of them: keys in use are never replaced.",
)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def generate_keys(folder: Path) -> None:
    from casework.crypto import KeyRing
    from casework.crypto.keyring import write_private_file

    existing = [name for name in KEY_FILES if (folder / name).exists()]
    if existing:
        raise RunError(f"refusing to overwrite {', '.join(existing)} in {folder}")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private_file(folder / "keyring.json", KeyRing.generate().to_json())
    for name in KEY_FILES[1:]:
        write_private_file(folder / name, secrets.token_urlsafe(48))
    click.echo(
        f"wrote {', '.join(KEY_FILES)} to {folder}: back them up apart from the database "
        "(without the key ring, no backup can be read)"
    )
