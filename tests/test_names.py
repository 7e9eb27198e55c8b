"""Names in their display form (``casework.names``): what people read on agendas, while what was
typed is stored and matched unchanged."""

from __future__ import annotations

import pytest

from casework.names import display_name, full_name


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("amelia HART", "Amelia Hart"),
        ("AMELIA", "Amelia"),
        ("o'neil", "O'Neil"),
        ("O\u2019BRIEN", "O\u2019Brien"),
        ("d'arcy", "D'Arcy"),
        ("smith-jones", "Smith-Jones"),
        ("ANNE-MARIE", "Anne-Marie"),
        ("mcdonald", "McDonald"),
        ("MACLEOD", "MacLeod"),
        ("mackenzie", "MacKenzie"),
        # Names that merely begin with "mac": no capital after it.
        ("mack", "Mack"),
        ("machin", "Machin"),
        ("mackie", "Mackie"),
        ("macey", "Macey"),
        # Double-barrelled and spaced surnames keep every part's capital.
        ("BONHAM CARTER", "Bonham Carter"),
        ("jan van der berg", "Jan van der Berg"),
        ("van der berg", "Van der Berg"),
        ("jane le", "Jane Le"),
        # Typed in mixed case: the person's own spelling, kept.
        ("DeVito", "DeVito"),
        ("LaToya", "LaToya"),
        ("McDonald", "McDonald"),
        ("d'Souza", "d'Souza"),
        ("élodie ÇA", "Élodie Ça"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_read_in_one_display_form(typed: str | None, shown: str) -> None:
    assert display_name(typed) == shown


def test_only_letter_case_changes_so_the_name_is_never_a_different_one() -> None:
    for typed in ("  amelia   HART ", "o'NEIL-smith", "straße", "ß"):
        shown = display_name(typed)
        assert shown.lower() == typed.lower() and len(shown) == len(typed)


def test_first_and_last_names_join_into_one_name_skipping_missing_parts() -> None:
    assert full_name("amelia", "HART") == "Amelia Hart"
    assert full_name(None, "o'neil") == "O'Neil"
    assert full_name("", None) == ""
