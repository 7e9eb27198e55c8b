"""Every field of case data belongs to a category of each protocol that shares its record type,
so a field added to the catalogue and forgotten in a protocol fails here instead of silently
never being shown (or being shown under a category nobody meant)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.settings import PROJECT_ROOT
from casework.sharing.catalogue import FIELDS
from casework.sharing.protocols import Protocol, load_protocols, parse_protocol

PROTOCOLS = load_protocols(PROJECT_ROOT / "config" / "isp")


def uncategorised(protocol: Protocol) -> list[str]:
    """Catalogue fields of the record types ``protocol`` names that none of its categories
    holds."""
    placed = {field for fields in protocol.categories.values() for field in fields}
    types = {field.split(":", 1)[0] for field in placed}
    return [
        f"{record_type}:{field}"
        for record_type in sorted(types)
        for field in FIELDS[record_type]
        if f"{record_type}:{field}" not in placed
    ]


@pytest.mark.parametrize("key", sorted(PROTOCOLS))
def test_every_field_of_a_shared_record_type_has_a_category(key: str) -> None:
    assert uncategorised(PROTOCOLS[key]) == []


def test_a_field_left_out_of_every_category_is_found(tmp_path: Path) -> None:
    shipped = (PROJECT_ROOT / "config" / "isp" / "marac.toml").read_text()
    left_out = shipped.replace('"referral:previous_marac.area", ', "")
    assert left_out != shipped
    (tmp_path / "marac.toml").write_text(left_out)
    assert uncategorised(parse_protocol(tmp_path / "marac.toml")) == [
        "referral:previous_marac.area"
    ]


def test_the_safelives_fields_have_their_categories() -> None:
    categories = PROTOCOLS["marac"].categories
    assert set(categories["referrer_contact"]) == {
        "referral:referrer.name",
        "referral:referrer.phone",
        "referral:referrer.email",
    }
    assert "referral:risk.dash_comments" in categories["risk_assessment"]
    assert {
        "referral:safety.afraid_of",
        "referral:safety.safe_to_talk_to",
        "referral:safety.not_safe_to_talk_to",
        "referral:previous_marac.elsewhere",
        "referral:previous_marac.area",
        "referral:previous_marac.date",
    } == set(categories["victim_safety"])
