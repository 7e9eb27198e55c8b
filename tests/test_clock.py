"""The service's one clock: set to a day or a UK moment it reads that and keeps ticking;
``travel`` puts it back; ``CASEWORK_CLOCK`` sets it in testing and development, and
production refuses to start with it.

Every test here leaves the clock as the session set it (``--today``, or the real time)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from casework import clock
from casework.settings import ConfigError, load_settings

CLOSE = timedelta(seconds=5)  # "reads this moment": allowing for a slow, shared machine


@pytest.fixture(autouse=True)
def session_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test does to the clock, the next one sees the session's clock again."""
    monkeypatch.setattr(clock, "_offset", clock._offset)


def _near(moment: datetime, expected: datetime) -> bool:
    return expected <= moment < expected + CLOSE


def test_a_day_alone_means_its_uk_noon_and_the_clock_ticks_on_from_there() -> None:
    clock.set_to("2028-02-29")
    assert clock.is_set() and clock.today() == date(2028, 2, 29)
    assert _near(clock.now(), datetime(2028, 2, 29, 12, tzinfo=UTC))  # GMT in winter
    first = clock.now()
    time.sleep(0.05)
    second = clock.now()
    assert timedelta(seconds=0.05) <= second - first < CLOSE
    assert clock.now().tzinfo is not None and clock.uk_now().utcoffset() == timedelta(0)


def test_a_moment_is_uk_time_and_today_is_the_uk_date() -> None:
    clock.set_to("2027-07-01T00:30")  # British Summer Time: still 30 June in UTC
    assert _near(clock.now(), datetime(2027, 6, 30, 23, 30, tzinfo=UTC))
    assert clock.now().date() == date(2027, 6, 30) and clock.today() == date(2027, 7, 1)
    assert clock.uk_now().hour == 0 and clock.uk_now().minute == 30
    clock.set_to(date(2027, 12, 31))
    assert clock.today() == date(2027, 12, 31) and clock.uk_now().hour == 12
    with pytest.raises(ValueError, match="not a date"):
        clock.set_to("31/12/2027")


def test_set_to_none_returns_to_the_real_time() -> None:
    clock.set_to("2030-01-01")
    clock.set_to(None)
    assert not clock.is_set()


def test_travel_restores_the_clock_it_found_even_after_an_error() -> None:
    was_set, before = clock.is_set(), clock.now()
    with clock.travel("2027-02-02T10:30"):
        assert _near(clock.now(), datetime(2027, 2, 2, 10, 30, tzinfo=UTC))
        with clock.travel("2028-02-29"):
            assert clock.today() == date(2028, 2, 29)
        assert clock.today() == date(2027, 2, 2)  # the inner block gave back the outer day
    assert clock.is_set() is was_set and _near(clock.now(), before)
    with pytest.raises(RuntimeError), clock.travel("2026-12-29"):
        assert clock.today() == date(2026, 12, 29)
        raise RuntimeError("the block fails")
    assert clock.is_set() is was_set and _near(clock.now(), before)


@pytest.mark.parametrize("env", ["testing", "development"])
def test_load_settings_sets_the_clock_from_casework_clock(
    env: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("CASEWORK_CLOCK", "2027-12-31T23:30")
    settings = load_settings({"ENV": env, "INSTANCE_PATH": str(tmp_path)})
    assert settings["CLOCK"] == "2027-12-31T23:30"
    assert clock.is_set() and clock.today() == date(2027, 12, 31)
    assert _near(clock.now(), datetime(2027, 12, 31, 23, 30, tzinfo=UTC))


def test_load_settings_without_a_clock_leaves_it_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.delenv("CASEWORK_CLOCK", raising=False)
    with clock.travel("2027-01-21"):
        load_settings({"ENV": "testing", "INSTANCE_PATH": str(tmp_path)})
        assert clock.today() == date(2027, 1, 21)


def test_production_refuses_a_set_clock_naming_casework_clock(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("CASEWORK_AUDIT_KEY", "a" * 48)
    monkeypatch.setenv("CASEWORK_KEYRING_FILE", "/run/secrets/casework-keyring.json")
    monkeypatch.setenv("CASEWORK_DATABASE_URL", "postgresql://casework@db/casework")
    monkeypatch.setenv("CASEWORK_CLOCK", "2027-01-21")
    was_set, before = clock.is_set(), clock.now()
    with pytest.raises(ConfigError) as refused:
        load_settings({"INSTANCE_PATH": str(tmp_path)})
    message = str(refused.value)
    assert "CASEWORK_CLOCK" in message
    assert "SECRET_KEY" not in message and "DATABASE_URL" not in message  # the only problem
    assert clock.is_set() is was_set and _near(clock.now(), before)  # the clock untouched
    monkeypatch.delenv("CASEWORK_CLOCK")
    assert load_settings({"INSTANCE_PATH": str(tmp_path)})["ENV"] == "production"
