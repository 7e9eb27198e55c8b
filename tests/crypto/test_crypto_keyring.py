"""Key ring: generation, serialisation, rotation and the errors operators will actually see."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from casework.crypto import KeyRing, KeyRingError, ensure_dev_keyring, load_keyring


def _b64(n: int) -> str:
    return base64.b64encode(bytes(range(n))).decode()


def _doc(**overrides: object) -> str:
    doc: dict[str, object] = {
        "primary": "k1",
        "keys": {"k1": {"enc": _b64(32), "idx": base64.b64encode(b"\xff" * 32).decode()}},
    }
    doc.update(overrides)
    return json.dumps(doc)


def test_generate_makes_one_primary_key_with_independent_secrets() -> None:
    ring = KeyRing.generate()
    assert ring.primary == "k1"
    assert list(ring.keys) == ["k1"]
    key = ring.primary_key
    assert len(key.enc) == 32 and len(key.idx) == 32
    assert key.enc != key.idx
    assert KeyRing.generate().primary_key.enc != key.enc


def test_json_round_trip_keeps_every_secret_and_the_primary() -> None:
    ring = KeyRing.generate().with_new_primary()
    text = ring.to_json()
    doc = json.loads(text)
    assert doc["primary"] == "k2"
    assert set(doc["keys"]) == {"k1", "k2"}
    assert set(doc["keys"]["k1"]) == {"enc", "idx"}
    again = KeyRing.from_json(text)
    assert again.primary == ring.primary
    for kid in ("k1", "k2"):
        assert again.keys[kid].enc == ring.keys[kid].enc
        assert again.keys[kid].idx == ring.keys[kid].idx


def test_with_new_primary_adds_a_key_and_keeps_old_ones() -> None:
    ring = KeyRing.generate()
    rotated = ring.with_new_primary()
    assert ring.primary == "k1" and list(ring.keys) == ["k1"]  # original untouched
    assert rotated.primary == "k2"
    assert rotated.keys["k1"] == ring.keys["k1"]
    assert rotated.key_ids == ["k2", "k1"]
    assert rotated.with_new_primary().primary == "k3"


def test_repr_never_shows_secrets() -> None:
    ring = KeyRing.generate()
    key = ring.primary_key
    for text in (repr(ring), repr(key), str(ring)):
        assert key.enc.hex() not in text
        assert base64.b64encode(key.enc).decode() not in text


def test_load_from_file_and_from_json_value(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    path = tmp_path / "keys.json"
    path.write_text(ring.to_json())
    assert load_keyring(path, None).primary_key == ring.primary_key
    assert load_keyring(None, ring.to_json()).primary_key == ring.primary_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        (_doc(primary="k9"), "primary 'k9' is not among the keys"),
        (_doc(keys={"k1": {"enc": _b64(16), "idx": _b64(32)}}), "'k1' enc secret is 16 bytes"),
        (_doc(keys={"k1": {"enc": _b64(32), "idx": _b64(33)}}), "'k1' idx secret is 33 bytes"),
        (_doc(keys={"k1": {"enc": "@@@", "idx": _b64(32)}}), "not valid base64"),
        (_doc(keys={"k1": {"enc": _b64(32)}}), "no 'idx' secret"),
        (_doc(keys={"k1": {"enc": _b64(32), "idx": _b64(32)}}), "identical"),
        (_doc(keys={}), "'keys' is missing, empty"),
        (_doc(keys={"bad id!": {"enc": _b64(32), "idx": _b64(32)}}), "key id 'bad id!'"),
    ],
)
def test_load_keyring_errors_name_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(KeyRingError, match="JSON value") as from_env:
        load_keyring(None, text)
    assert expected in str(from_env.value)
    path = tmp_path / "keys.json"
    path.write_text(text)
    with pytest.raises(KeyRingError) as from_file:
        load_keyring(path, None)
    assert expected in str(from_file.value)
    assert str(path) in str(from_file.value)


def test_load_keyring_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "keys.json"
    with pytest.raises(KeyRingError, match="does not exist") as exc:
        load_keyring(missing, None)
    assert str(missing) in str(exc.value)


def test_load_keyring_needs_exactly_one_source(tmp_path: Path) -> None:
    with pytest.raises(KeyRingError, match="no key ring configured"):
        load_keyring(None, None)
    with pytest.raises(KeyRingError, match="set only one"):
        load_keyring(tmp_path / "k.json", KeyRing.generate().to_json())


def test_errors_never_echo_secrets() -> None:
    secret = base64.b64encode(b"\x07" * 31).decode()
    with pytest.raises(KeyRingError) as exc:
        load_keyring(None, _doc(keys={"k1": {"enc": secret, "idx": _b64(32)}}))
    assert secret not in str(exc.value)


def test_ensure_dev_keyring_creates_once_with_private_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "instance" / "dev" / "keys.json"
    ring = ensure_dev_keyring(path)
    err = capsys.readouterr().err
    assert "WARNING" in err and "DEVELOPMENT" in err and str(path) in err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again = ensure_dev_keyring(path)
    assert capsys.readouterr().err == ""
    assert again.primary_key == ring.primary_key
