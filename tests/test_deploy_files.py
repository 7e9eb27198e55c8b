"""What can be checked of the deployment files without a container engine or systemd: the
image's last stage runs as an unprivileged user with no build tools, the units are hardened,
compose names every service and keeps keys out of the image, nginx passes what the app trusts."""

from __future__ import annotations

import re
import tomllib

import pytest

from casework import __version__
from casework.settings import PROJECT_ROOT

HARDENING = (
    "NoNewPrivileges=true",
    "ProtectSystem=strict",
    "ProtectHome=true",
    "PrivateTmp=true",
    "ReadWritePaths=/var/lib/casework",
    "EnvironmentFile=",
    "User=casework",
)


def _final_stage(dockerfile: str) -> str:
    return re.split(r"^FROM ", dockerfile, flags=re.M)[-1]


def test_the_image_runs_unprivileged_without_build_tools():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    final = _final_stage(dockerfile)
    users = re.findall(r"^USER\s+(\S+)", final, flags=re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    for tool in ("gcc", "build-essential", "npm", "node", "make"):
        assert not re.search(rf"\b{tool}\b", final.split("CMD")[0].replace("nodes", "")), tool
    assert "HEALTHCHECK" in final and "/healthz" in final
    bases = re.findall(r"^ARG \w+_IMAGE=(\S+)", dockerfile, flags=re.M)
    assert bases and all(re.search(r":\d+\.\d+\.\d+", b) or "@sha256:" in b for b in bases)
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert {"instance/", "secrets/", "keys*.json"} <= set(ignored)  # no key into the image


@pytest.mark.parametrize("unit", ["casework-web.service", "casework-scheduler.service"])
def test_systemd_units_are_hardened(unit: str):
    text = (PROJECT_ROOT / "deploy" / "systemd" / unit).read_text()
    for key in HARDENING:
        assert key in text, key
    assert "ExecStart=/opt/casework/.venv/bin/casework" in text


def test_compose_names_every_service_and_mounts_the_keys():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "migrate", "app", "scheduler", "mail"} <= set(services)
    assert services["app"]["command"] == ["casework", "run"]
    assert services["scheduler"]["command"] == ["casework", "scheduler"]
    env = services["app"]["environment"]
    assert env["CASEWORK_ENV"] == "production"
    assert env["CASEWORK_KEYRING_FILE"].startswith("/etc/casework/keys/")
    assert not any("KEY=" in str(v) or len(str(v)) > 60 for v in env.values())  # no key inline
    assert "./secrets:/etc/casework/keys" in services["app"]["volumes"]
    assert services["app"]["image"].endswith(__version__)


def test_nginx_passes_what_the_application_trusts():
    text = (PROJECT_ROOT / "deploy" / "nginx" / "casework.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text  # replaced, not appended
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "Strict-Transport-Security" in text and "listen 443 ssl" in text
    assert "client_max_body_size 20m;" in text  # the upload limit (MAX_UPLOAD_BYTES)


def test_the_version_is_one_number_everywhere():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__
    from click.testing import CliRunner

    from casework.cli import main

    assert CliRunner().invoke(main, ["--version"]).output.strip() == f"casework {__version__}"
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and "## [0.1.0]" in changelog
