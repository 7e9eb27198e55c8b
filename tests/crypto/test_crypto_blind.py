"""Blind indexes: normalisation people rely on, key separation, and rotation look-ups."""

from __future__ import annotations

import re
import unicodedata

import pytest

from casework.crypto import KeyRing, blind_index, blind_index_candidates, normalise


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.generate()


@pytest.mark.parametrize(
    "variant",
    [
        "O'Brien",
        "o’brien",
        "OBRIEN",
        "Ó Brien",
        "o-brien",
        "o‐brien",
        "O\u2011Brien",
        "  o ´brien ",
        "O\u02bcBrien",
        "o`brien",
        "o—brien",
        "o–brien",
        "o‘brien",
    ],
)
def test_spelling_variants_share_one_index(ring: KeyRing, variant: str) -> None:
    assert normalise(variant) == "obrien"
    assert blind_index(ring, "surname_dob", variant, "1980-02-29") == blind_index(
        ring, "surname_dob", "OBrien", "1980-02-29"
    )


def test_a_different_name_gets_a_different_index(ring: KeyRing) -> None:
    assert blind_index(ring, "surname_dob", "O'Brian", "1980-02-29") != blind_index(
        ring, "surname_dob", "O'Brien", "1980-02-29"
    )


def test_normalise_folds_case_and_compatibility_forms() -> None:
    assert normalise("Straße") == "strasse"
    assert normalise("ＺＯË") == "zoe"
    assert normalise("Renée\tLe Blanc\n") == "reneeleblanc"


def test_format_is_key_id_and_truncated_lowercase_hex(ring: KeyRing) -> None:
    assert re.fullmatch(r"k1:[0-9a-f]{8}", blind_index(ring, "n", "x"))
    for bits in (8, 12, 64, 256):
        assert len(blind_index(ring, "n", "x", bits=bits)) == 3 + bits // 4
    assert blind_index(ring, "n", "x", bits=64).startswith(blind_index(ring, "n", "x"))


@pytest.mark.parametrize("bits", [0, 4, 7, 10, 260])
def test_invalid_bit_lengths_are_refused(ring: KeyRing, bits: int) -> None:
    with pytest.raises(ValueError, match="bits"):
        blind_index(ring, "n", "x", bits=bits)


def test_empty_parts_are_refused(ring: KeyRing) -> None:
    with pytest.raises(ValueError, match="empty"):
        blind_index(ring, "surname_dob", " - ", "1980-02-29")
    with pytest.raises(ValueError, match="at least one part"):
        blind_index(ring, "surname_dob")


def test_part_boundaries_matter_and_cannot_be_forged(ring: KeyRing) -> None:
    assert blind_index(ring, "n", "ab", "c") != blind_index(ring, "n", "a", "bc")
    assert blind_index(ring, "n", "a\x1fb") != blind_index(ring, "n", "a", "b")


def test_index_names_are_separated(ring: KeyRing) -> None:
    assert blind_index(ring, "surname_dob", "smith", "1990-01-01", bits=64) != blind_index(
        ring, "forename_dob", "smith", "1990-01-01", bits=64
    )


def test_index_is_stable_across_reloads_of_the_ring(ring: KeyRing) -> None:
    reloaded = KeyRing.from_json(ring.to_json())
    assert blind_index(reloaded, "n", "Smith") == blind_index(ring, "n", "Smith")


def test_indexes_under_two_keys_differ_and_candidates_cover_both(ring: KeyRing) -> None:
    old = blind_index(ring, "surname_dob", "O'Brien", "1980-02-29", bits=64)
    rotated = ring.with_new_primary()
    new = blind_index(rotated, "surname_dob", "O'Brien", "1980-02-29", bits=64)
    assert new.startswith("k2:") and old.startswith("k1:")
    assert new.split(":")[1] != old.split(":")[1]
    candidates = blind_index_candidates(rotated, "surname_dob", "OBRIEN", "1980-02-29", bits=64)
    assert candidates == [new, old]
    assert blind_index(rotated, "surname_dob", "obrien", "1980-02-29", bits=64, key_id="k1") == old


def test_unknown_key_id_is_refused(ring: KeyRing) -> None:
    with pytest.raises(KeyError):
        blind_index(ring, "n", "x", key_id="k7")


def _unicode_path(text: str) -> str:
    """normalise's general path, spelled out: the ASCII shortcut must agree with it."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and not ch.isspace() and ch not in "-'`"
    )


def test_ascii_text_normalises_as_the_general_path_does() -> None:
    every = "".join(chr(c) for c in range(128))
    assert normalise(every) == _unicode_path(every)
    for sample in ("O'Brien", "  Mc Donald-Smith ", "1990-04-01", "a\x1fb", "ANNE\tMARIE"):
        assert normalise(sample) == _unicode_path(sample)
    assert normalise("O'Brien") == normalise("Ó Brien") == normalise("o’brien") == "obrien"
