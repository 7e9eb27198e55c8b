"""AES-256-GCM field encryption bound to (table, column, row id).

Why this shape:

* One key per (key version, table, column), derived with HKDF from the version's ``enc`` root,
  so a ciphertext can never be opened as a different column even if the AAD check were skipped.
* The associated data binds the envelope to its row and column: a ciphertext copied to another
  row or column fails to authenticate instead of silently showing someone else's data.
* A fresh random 96-bit nonce per encryption. With one key per column the birthday bound
  (about 2**32 encryptions per key before a repeat becomes plausible) is far off.
* The envelope names its key id so rows written under old keys stay readable during rotation.

Envelope layout::

    0x01 | len(key_id) (1 byte) | key_id (ascii) | nonce (12 bytes) | ciphertext || tag (16 bytes)

GCM does not hide length: a ciphertext is exactly 30 + len(key id) bytes longer than its
plaintext. Fields where length itself is sensitive need padding by the caller.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.crypto.keyring import KeyRing

FORMAT_V1 = 0x01
NONCE_BYTES = 12
TAG_BYTES = 16
_SEP = "\x1f"


class DecryptionError(Exception):
    """An envelope could not be opened. The message names where, never what (no plaintext)."""


@functools.lru_cache(maxsize=4096)
def _field_cipher(root: bytes, table: str, column: str) -> AESGCM:
    """Derive and cache the per-field cipher.

    Keyed by the root secret itself rather than the key id: two rings may both call a key
    "k1" (tests, restores) and must never share a derived key.
    """
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"casework/field/v1/" + f"{table}.{column}".encode(),
    ).derive(root)
    return AESGCM(key)


def _check_names(table: str, column: str) -> None:
    # A separator inside a name would make two different (table, column, row) AADs equal.
    if not table or not column or _SEP in table or _SEP in column:
        raise ValueError("table and column must be non-empty and must not contain \\x1f")


def _aad(table: str, column: str, row_id: uuid.UUID | str) -> bytes:
    return f"{table}{_SEP}{column}{_SEP}{row_id}".encode()


@functools.lru_cache(maxsize=64)
def envelope_prefix(key_id: str) -> bytes:
    """The bytes every envelope sealed under ``key_id`` starts with.

    Rotation compares this in SQL to find rows still under an old key without loading them.
    """
    kid = key_id.encode("ascii")
    return bytes((FORMAT_V1, len(kid))) + kid


def seal(
    ring: KeyRing, table: str, column: str, row_id: uuid.UUID | str, plaintext: bytes
) -> bytes:
    """Encrypt ``plaintext`` for one cell under the ring's primary key.

    ``row_id`` is rendered with ``str()``; pass the same type when opening (a UUID object and
    its canonical string are equivalent).
    """
    _check_names(table, column)
    if not isinstance(plaintext, bytes | bytearray | memoryview):
        raise TypeError("plaintext must be bytes")
    return seal_row(ring, row_id, [(table, column, bytes(plaintext))])[0]


def seal_row(
    ring: KeyRing, row_id: uuid.UUID | str, cells: Sequence[tuple[str, str, bytes]]
) -> list[bytes]:
    """``seal`` for several cells (table, column, plaintext) of one row, in order.

    The same envelopes, each under its column's key with its own random nonce, made with one
    read of the system's randomness for all the nonces: a bulk import seals tens a row.
    """
    version = ring.primary_key
    prefix = envelope_prefix(version.key_id)
    row = str(row_id).encode()
    nonces = os.urandom(NONCE_BYTES * len(cells))
    out = []
    for i, (table, column, plaintext) in enumerate(cells):
        cipher, aad_start = _cell_sealer(version.enc, table, column)
        nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
        out.append(prefix + nonce + cipher.encrypt(nonce, plaintext, aad_start + row))
    return out


@functools.lru_cache(maxsize=4096)
def _cell_sealer(root: bytes, table: str, column: str) -> tuple[AESGCM, bytes]:
    """The column's cipher and the start of its cells' associated data (``_aad`` without the
    row id), checked and built once."""
    _check_names(table, column)
    return _field_cipher(root, table, column), _aad(table, column, "")


def _split(envelope: bytes) -> tuple[str, bytes, bytes]:
    """Parse an envelope into (key id, nonce, ciphertext||tag); raises ValueError with a reason."""
    if type(envelope) is not bytes:
        if not isinstance(envelope, bytes | bytearray | memoryview):
            raise ValueError(f"envelope is {type(envelope).__name__}, not bytes")
        envelope = bytes(envelope)
    if len(envelope) < 2:
        raise ValueError("envelope is truncated")
    if envelope[0] != FORMAT_V1:
        raise ValueError(f"unsupported envelope format {envelope[0]}")
    kid_end = 2 + envelope[1]
    if envelope[1] == 0 or len(envelope) < kid_end + NONCE_BYTES + TAG_BYTES:
        raise ValueError("envelope is truncated")
    try:
        key_id = envelope[2:kid_end].decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("envelope key id is not ascii") from None
    return key_id, envelope[kid_end : kid_end + NONCE_BYTES], envelope[kid_end + NONCE_BYTES :]


def key_id_of(envelope: bytes) -> str:
    """The key id an envelope was sealed under (for rotation progress), without decrypting."""
    try:
        return _split(envelope)[0]
    except ValueError as exc:
        raise DecryptionError(f"not a valid envelope: {exc}") from None


def nonce_of(envelope: bytes) -> bytes:
    """The envelope's nonce; exposed so tests can check nonces never repeat."""
    try:
        return _split(envelope)[1]
    except ValueError as exc:
        raise DecryptionError(f"not a valid envelope: {exc}") from None


def open_(
    ring: KeyRing, table: str, column: str, row_id: uuid.UUID | str, envelope: bytes
) -> bytes:
    """Decrypt one cell, verifying it belongs to this table, column and row.

    Every failure (tampering, wrong key, unknown key id, copied from elsewhere, garbage) raises
    ``DecryptionError``: a cell that cannot be authenticated must never be shown.
    """
    # The column's cipher and checked names come from ``_cell_sealer``'s cache, and the text
    # saying where is built only for an error: a list of 50 referrals opens about 1,000 cells.
    try:
        key_id, nonce, body = _split(envelope)
    except ValueError as exc:
        raise DecryptionError(f"cannot decrypt {_where(table, column, row_id)}: {exc}") from None
    version = ring.get(key_id)
    if version is None:
        raise DecryptionError(
            f"cannot decrypt {_where(table, column, row_id)}: key {key_id!r} is not in the key "
            f"ring (ring has {', '.join(ring.key_ids)})"
        )
    cipher, aad_start = _cell_sealer(version.enc, table, column)
    try:
        return cipher.decrypt(nonce, body, aad_start + str(row_id).encode())
    except InvalidTag:
        raise DecryptionError(
            f"cannot decrypt {_where(table, column, row_id)}: authentication failed (tampered, "
            "wrong key, or copied from another row or column)"
        ) from None


def _where(table: str, column: str, row_id: uuid.UUID | str) -> str:
    return f"{table}.{column} (row {row_id})"
