"""Configuration: environment overrides, and a production that refuses to start on defaults."""

from __future__ import annotations

import pytest

from casework.settings import ConfigError, load_settings


def test_environment_variables_override_files(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEWORK_SESSION_IDLE_MINUTES", "45")
    monkeypatch.setenv("CASEWORK_SERVICE_NAME", "North casework")
    settings = load_settings({"INSTANCE_PATH": str(tmp_path)})
    assert settings["SESSION_IDLE_MINUTES"] == 45
    assert settings["SERVICE_NAME"] == "North casework"
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'casework.db'}"


def test_development_makes_a_secret_once(tmp_path):
    first = load_settings({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    second = load_settings({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_defaults_and_names_each_problem(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_DEBUG", "true")
    with pytest.raises(ConfigError) as refused:
        load_settings({"INSTANCE_PATH": str(tmp_path)})
    message = str(refused.value)
    assert "CASEWORK_SECRET_KEY" in message and "CASEWORK_DEBUG" in message
    assert "CASEWORK_DATABASE_URL" in message and "CASEWORK_AUDIT_KEY" in message
    assert "CASEWORK_KEYRING_FILE" in message
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_real_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("CASEWORK_AUDIT_KEY", "a" * 48)
    monkeypatch.setenv("CASEWORK_KEYRING_FILE", "/run/secrets/casework-keyring.json")
    monkeypatch.setenv("CASEWORK_DATABASE_URL", "postgresql://casework@db/casework")
    settings = load_settings({"INSTANCE_PATH": str(tmp_path)})
    assert settings["SESSION_COOKIE_SECURE"] is True and settings["DEBUG"] is False


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("CASEWORK_ENV", "staging")
    with pytest.raises(ConfigError, match="CASEWORK_ENV"):
        load_settings()


def test_development_generates_a_key_ring_once(tmp_path):
    from casework.crypto.fields import current_ring
    from casework.crypto.settings import configure_keyring

    configure_keyring(load_settings({"INSTANCE_PATH": str(tmp_path)}))
    first = current_ring().to_json()
    configure_keyring(load_settings({"INSTANCE_PATH": str(tmp_path)}))
    assert current_ring().to_json() == first
    assert (tmp_path / "keyring.json").stat().st_mode & 0o077 == 0


def test_a_missing_production_key_ring_stops_start_up(monkeypatch, tmp_path):
    from casework.crypto.keyring import KeyRingError
    from casework.crypto.settings import configure_keyring

    with pytest.raises(KeyRingError):
        configure_keyring({"KEYRING_FILE": str(tmp_path / "absent.json"), "KEYRING": ""})
