"""AES-GCM envelopes: what must fail must fail loudly, and nothing may leak plaintext."""

from __future__ import annotations

import traceback
import uuid

import pytest

from casework.crypto import DecryptionError, KeyRing, key_id_of, open_, seal
from casework.crypto.aead import NONCE_BYTES, nonce_of

ROW = uuid.UUID("00000000-0000-4000-8000-000000000001")
OTHER_ROW = uuid.UUID("00000000-0000-4000-8000-000000000002")


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.generate()


def test_round_trip_and_envelope_layout(ring: KeyRing) -> None:
    env = seal(ring, "people", "first_name", ROW, b"Siobhan")
    assert open_(ring, "people", "first_name", ROW, env) == b"Siobhan"
    assert env[0] == 1
    assert env[1] == 2 and env[2:4] == b"k1"
    assert len(env) == 1 + 1 + 2 + NONCE_BYTES + len(b"Siobhan") + 16
    assert key_id_of(env) == "k1"
    assert b"Siobhan" not in env


def test_empty_plaintext_round_trips(ring: KeyRing) -> None:
    env = seal(ring, "people", "notes", ROW, b"")
    assert open_(ring, "people", "notes", ROW, env) == b""


def test_string_row_id_is_equivalent_to_uuid(ring: KeyRing) -> None:
    env = seal(ring, "people", "first_name", ROW, b"x")
    assert open_(ring, "people", "first_name", str(ROW), env) == b"x"


def test_every_flipped_byte_fails(ring: KeyRing) -> None:
    env = seal(ring, "people", "first_name", ROW, b"Siobhan")
    for i in range(len(env)):
        tampered = bytearray(env)
        tampered[i] ^= 0x01
        with pytest.raises(DecryptionError, match=r"people\.first_name"):
            open_(ring, "people", "first_name", ROW, bytes(tampered))


@pytest.mark.parametrize(
    "garbage", [b"", b"\x01", b"\x02\x02k1" + b"\x00" * 40, b"\x01\x02k1" + b"\x00" * 10]
)
def test_malformed_envelopes_fail(ring: KeyRing, garbage: bytes) -> None:
    with pytest.raises(DecryptionError):
        open_(ring, "people", "first_name", ROW, garbage)


def test_wrong_key_fails_even_with_the_same_key_id(ring: KeyRing) -> None:
    env = seal(ring, "people", "first_name", ROW, b"Siobhan")
    impostor = KeyRing.generate()  # also calls its key "k1"
    with pytest.raises(DecryptionError, match="authentication failed"):
        open_(impostor, "people", "first_name", ROW, env)


def test_unknown_key_id_fails_and_says_so(ring: KeyRing) -> None:
    env = seal(ring.with_new_primary(), "people", "first_name", ROW, b"Siobhan")
    with pytest.raises(DecryptionError, match="key 'k2' is not in the key ring"):
        open_(ring, "people", "first_name", ROW, env)


def test_ciphertext_is_bound_to_row_column_and_table(ring: KeyRing) -> None:
    env = seal(ring, "people", "first_name", ROW, b"Siobhan")
    for table, column, row in [
        ("people", "first_name", OTHER_ROW),
        ("people", "last_name", ROW),
        ("contacts", "first_name", ROW),
    ]:
        with pytest.raises(DecryptionError):
            open_(ring, table, column, row, env)


def test_old_keys_still_open_after_rotation(ring: KeyRing) -> None:
    env = seal(ring, "people", "first_name", ROW, b"Siobhan")
    rotated = ring.with_new_primary()
    assert open_(rotated, "people", "first_name", ROW, env) == b"Siobhan"
    assert key_id_of(seal(rotated, "people", "first_name", ROW, b"x")) == "k2"


def test_no_nonce_repeats_in_100k_encryptions(ring: KeyRing) -> None:
    nonces = {nonce_of(seal(ring, "people", "first_name", ROW, b"x")) for _ in range(100_000)}
    assert len(nonces) == 100_000


def test_error_message_never_contains_plaintext(ring: KeyRing) -> None:
    canary = b"Canary-Quillfeather-9413"
    env = seal(ring, "people", "first_name", ROW, canary)
    cases = [
        (ring, ROW, env[:-1] + bytes([env[-1] ^ 1])),
        (KeyRing.generate(), ROW, env),
        (ring, OTHER_ROW, env),
    ]
    for r, row, e in cases:
        with pytest.raises(DecryptionError) as exc:
            open_(r, "people", "first_name", row, e)
        text = "".join(traceback.format_exception(exc.value))
        assert "people.first_name" in str(exc.value)
        assert canary.decode() not in text
        assert canary.decode() not in repr(exc.value)


def test_key_id_of_rejects_garbage() -> None:
    with pytest.raises(DecryptionError):
        key_id_of(b"nonsense")
