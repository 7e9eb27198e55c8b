"""Configuration loading: config/default.py, then config/<env>.py, then CASEWORK_* variables.

Kept apart from the app factory so the CLI, the scheduler and Alembic read settings the same way.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from casework import clock
from casework.meetings.calendar import SUBDIVISIONS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "CASEWORK_"
ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """Raised when the service must not start with the configuration it was given."""


def _module_settings(name: str) -> dict[str, Any]:
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    module = importlib.import_module(f"config.{name}")
    return {k: getattr(module, k) for k in dir(module) if k.isupper()}


def _parse_env_value(raw: str) -> Any:
    """Environment values may be JSON (numbers, booleans, lists); anything else is a string."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    overrides = dict(overrides or {})
    env = overrides.get("ENV") or os.environ.get(f"{PREFIX}ENV") or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"{PREFIX}ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    settings = _module_settings("default")
    settings.update(_module_settings(env))
    for key, raw in os.environ.items():
        if key.startswith(PREFIX) and key != f"{PREFIX}ENV":
            settings[key[len(PREFIX) :]] = _parse_env_value(raw)
    settings.update(overrides)
    settings["ENV"] = env
    settings.setdefault("INSTANCE_PATH", str(PROJECT_ROOT / "instance"))
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = f"sqlite:///{Path(settings['INSTANCE_PATH']) / 'casework.db'}"
    settings["ISP_DIR"] = settings.get("ISP_DIR") or str(PROJECT_ROOT / "config" / "isp")
    # The audit chain's head, kept outside the database (casework/audit/head.py): an
    # append-only file, by default in the instance folder, which every process writing the log
    # must share; and, if set, a syslog address (host:port, udp:// or tcp://host:port, or a
    # socket path such as /dev/log), best on another machine.
    settings["AUDIT_HEAD_FILE"] = settings.get("AUDIT_HEAD_FILE") or str(
        Path(settings["INSTANCE_PATH"]) / "audit-head.log"
    )
    settings["AUDIT_HEAD_SYSLOG"] = settings.get("AUDIT_HEAD_SYSLOG") or ""
    _read_secret_files(settings)
    _resolve_secret_key(settings)
    check_production(settings)
    check_second_factor(settings)
    check_nation(settings)
    clock.configure(settings)
    return settings


# Secrets that may be given as a file instead (CASEWORK_<NAME>_FILE): a container secret or a
# systemd credential, so the value is never in the environment or a unit file.
SECRET_FILE_SETTINGS = ("SECRET_KEY", "AUDIT_KEY", "SMTP_PASSWORD", "METRICS_TOKEN")


def _read_secret_files(settings: dict[str, Any]) -> None:
    for name in SECRET_FILE_SETTINGS:
        path = settings.get(f"{name}_FILE")
        if path and not settings.get(name):
            try:
                settings[name] = Path(str(path)).read_text().strip()
            except OSError as exc:
                raise ConfigError(
                    f"{PREFIX}{name}_FILE cannot be read: {exc.strerror or type(exc).__name__}"
                ) from None


def _resolve_secret_key(settings: dict[str, Any]) -> None:
    """Development makes its secrets once and keeps them in instance/, so sessions and the
    audit chain survive restarts. Production must be given them (see ``check_production``)."""
    if settings["ENV"] == "production":
        return
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = _dev_secret(settings, "secret_key")
    if not settings.get("AUDIT_KEY"):
        settings["AUDIT_KEY"] = _dev_secret(settings, "audit_key")
    if not settings.get("KEYRING_FILE") and not settings.get("KEYRING"):
        settings["KEYRING_FILE"] = str(Path(settings["INSTANCE_PATH"]) / "keyring.json")
        settings["KEYRING_DEV"] = True


def _dev_secret(settings: dict[str, Any], filename: str) -> str:
    path = Path(settings["INSTANCE_PATH"]) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
        print(
            f"WARNING: generated a development secret at {path}. "
            "Never use development keys for real case data.",
            file=sys.stderr,
        )
    return path.read_text().strip()


def check_production(settings: Mapping[str, Any]) -> None:
    """Production must not start on defaults: name every problem at once."""
    if settings["ENV"] != "production":
        return
    problems = []
    key = settings.get("SECRET_KEY") or ""
    if len(key) < 32:
        problems.append(f"{PREFIX}SECRET_KEY is missing or shorter than 32 characters")
    if len(settings.get("AUDIT_KEY") or "") < 32:
        problems.append(f"{PREFIX}AUDIT_KEY is missing or shorter than 32 characters")
    if not settings.get("KEYRING_FILE") and not settings.get("KEYRING"):
        problems.append(f"{PREFIX}KEYRING_FILE (or {PREFIX}KEYRING) is not set")
    if settings.get("DEBUG"):
        problems.append(f"{PREFIX}DEBUG is on")
    if settings.get("METRICS_TOKEN") and len(str(settings["METRICS_TOKEN"])) < 32:
        problems.append(f"{PREFIX}METRICS_TOKEN is shorter than 32 characters")
    if settings.get("CLOCK"):
        problems.append(f"{PREFIX}CLOCK is set: production runs on the real time")
    if not settings.get("DATABASE_URL", "").startswith("postgresql"):
        problems.append(f"{PREFIX}DATABASE_URL must name a PostgreSQL database")
    for name in settings.get("REQUIRED_KEY_SETTINGS", ()):
        if not settings.get(name):
            problems.append(f"{PREFIX}{name} is not set")
    if problems:
        raise ConfigError("refusing to start in production: " + "; ".join(problems))


SECOND_FACTOR_CHOICES = ("required", "optional")


def check_second_factor(settings: Mapping[str, Any]) -> None:
    """A misspelt SECOND_FACTOR must not quietly mean "optional": refuse to start instead."""
    if settings.get("SECOND_FACTOR", "required") not in SECOND_FACTOR_CHOICES:
        raise ConfigError(f"{PREFIX}SECOND_FACTOR must be required or optional")


def check_nation(settings: Mapping[str, Any]) -> None:
    """A misspelt nation must not quietly count another nation's bank holidays."""
    nation = settings.get("SUBJECT_ACCESS_NATION", "england-and-wales")
    if nation not in SUBDIVISIONS:
        raise ConfigError(
            f"{PREFIX}SUBJECT_ACCESS_NATION must be one of {', '.join(SUBDIVISIONS)}, "
            f"not {nation!r}"
        )


# --- Rate limits (casework/throttle.py) -------------------------------------------------------
# Each is "N/PERIOD": at most N in each window of PERIOD (60, 90s, 15m, 1h), counted in the
# database so every worker and instance shares the count; empty or 0 turns one off. Override
# with CASEWORK_RATE_LIMIT_* like any setting. RATE_LIMITS switches them all; unset, they are on
# everywhere but the test suite (the tests that prove a 429 configure their own).
RATE_LIMIT_DEFAULTS: dict[str, Any] = {
    "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "10/1m",  # sign-in attempts from one client address
    "RATE_LIMIT_SIGN_IN_PER_ACCOUNT": "20/15m",  # ... naming one e-mail (known or not)
    "RATE_LIMIT_API_AUTH_FAILURES_PER_ADDRESS": "20/1m",  # API answers 401 to one address
    "RATE_LIMIT_API_PER_TOKEN": "600/1m",  # API requests carrying one token
}


def rate_limit_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The rate limits in force: the defaults above, overridden by configuration."""
    chosen = {name: settings.get(name, default) for name, default in RATE_LIMIT_DEFAULTS.items()}
    chosen["RATE_LIMITS"] = bool(settings.get("RATE_LIMITS", settings.get("ENV") != "testing"))
    return chosen


# --- Request body limits (casework/body_limits.py) -----------------------------------------
# Bytes a request body may hold; a bigger one is answered 413 before it is read (CONTRACT.md,
# "Limits"). Uploads are the CSV import pages; everything else (JSON, forms) is the smaller.
# Override with CASEWORK_MAX_BODY_BYTES / CASEWORK_MAX_UPLOAD_BYTES.
BODY_LIMIT_DEFAULTS: dict[str, int] = {
    "MAX_BODY_BYTES": 1024 * 1024,  # 1 MB: JSON bodies and forms
    "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,  # 20 MB: CSV files on the import pages
}


def body_limit_settings(settings: Mapping[str, Any]) -> dict[str, int]:
    """The body limits in force: the defaults above, overridden by configuration."""
    return {
        name: int(settings.get(name) or default) for name, default in BODY_LIMIT_DEFAULTS.items()
    }
