"""The ASB settings checked when the service starts (the kind's ``check_settings``), so a bad risk
matrix file or repeat victim rule stops the service with a clear message, as a bad protocol
file does, instead of failing the first referral."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casework.asb.repeat import RepeatRule
from casework.asb.risk import MatrixError, matrix_for
from casework.settings import ConfigError


def check(settings: Mapping[str, Any]) -> None:
    """``ConfigError`` naming what is wrong with the ASB risk matrix or repeat victim rule."""
    try:
        matrix_for(settings)
    except MatrixError as exc:
        raise ConfigError(f"ASB risk matrix (ASB_RISK_MATRIX): {exc}") from None
    try:
        RepeatRule.from_settings(settings)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"ASB repeat victim rule: {exc}") from None
