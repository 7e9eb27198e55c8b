"""Versioned root keys for field encryption and blind indexes.

Each key version carries two independent 32-byte secrets: ``enc`` (root of the per-field
AES-GCM keys) and ``idx`` (root of the blind-index HMAC keys). They are kept apart so that
leaking or rotating one capability does not compromise the other, and so an index key can
never be used, even by mistake, to decrypt. Several versions live in one ring so rotation can
be done row by row: new writes use the primary, old rows stay readable until re-encrypted.

The ring is serialised as JSON::

    {"primary": "k2", "keys": {"k1": {"enc": "<base64>", "idx": "<base64>"}, "k2": {...}}}
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_NUMBERED_ID = re.compile(r"^k(\d+)$")


class KeyRingError(ValueError):
    """The key ring is missing or malformed; the message says which and where (never a secret)."""


@dataclass(frozen=True)
class KeyVersion:
    """One key version. Secrets are excluded from ``repr`` so they never reach a log line."""

    key_id: str
    enc: bytes = field(repr=False)
    idx: bytes = field(repr=False)

    @classmethod
    def generate(cls, key_id: str) -> KeyVersion:
        """A fresh version from the OS CSPRNG (``os.urandom``), the only acceptable source."""
        return cls(key_id, os.urandom(KEY_BYTES), os.urandom(KEY_BYTES))


def _check_key_id(key_id: object, where: str) -> str:
    # Key ids are written into every envelope and blind index, so keep them short and ASCII.
    if not isinstance(key_id, str) or not _KEY_ID.match(key_id):
        raise KeyRingError(
            f"{where}: key id {key_id!r} is invalid (1-32 characters of A-Z a-z 0-9 _ . -)"
        )
    return key_id


class KeyRing:
    """An immutable set of key versions with one primary (used for all new writes)."""

    __slots__ = ("_keys", "_primary")

    def __init__(self, primary: str, keys: Mapping[str, KeyVersion]) -> None:
        if not keys:
            raise KeyRingError("key ring has no keys")
        for key_id, version in keys.items():
            _check_key_id(key_id, "key ring")
            if version.key_id != key_id:
                raise KeyRingError(f"key ring: entry {key_id!r} holds key {version.key_id!r}")
            for part in ("enc", "idx"):
                if len(getattr(version, part)) != KEY_BYTES:
                    raise KeyRingError(
                        f"key ring: key {key_id!r} {part} secret is not {KEY_BYTES} bytes"
                    )
            if version.enc == version.idx:
                raise KeyRingError(
                    f"key ring: key {key_id!r} enc and idx secrets are identical; "
                    "they must be independent"
                )
        if primary not in keys:
            raise KeyRingError(
                f"key ring: primary {primary!r} is not among the keys ({', '.join(keys)})"
            )
        self._primary = primary
        self._keys: Mapping[str, KeyVersion] = MappingProxyType(dict(keys))

    def __repr__(self) -> str:
        return f"KeyRing(primary={self._primary!r}, keys={list(self._keys)!r})"

    @property
    def primary(self) -> str:
        """Id of the key version used for every new encryption and index."""
        return self._primary

    @property
    def primary_key(self) -> KeyVersion:
        return self._keys[self._primary]

    @property
    def keys(self) -> Mapping[str, KeyVersion]:
        """Read-only view of all versions, in serialisation order."""
        return self._keys

    @property
    def key_ids(self) -> list[str]:
        """All key ids, primary first: the order lookups should try them in."""
        return [self._primary, *(k for k in self._keys if k != self._primary)]

    def __iter__(self) -> Iterator[KeyVersion]:
        return (self._keys[k] for k in self.key_ids)

    def get(self, key_id: str) -> KeyVersion | None:
        return self._keys.get(key_id)

    @classmethod
    def generate(cls) -> KeyRing:
        """A new ring with a single fresh key ``k1`` as primary."""
        return cls("k1", {"k1": KeyVersion.generate("k1")})

    def with_new_primary(self) -> KeyRing:
        """A new ring with an added fresh key made primary; old keys stay so old rows still open.

        The new id is ``k<n+1>`` for the highest numbered ``k<n>`` present, so ids never repeat
        (reusing an id would make old envelopes try the wrong secret).
        """
        numbers = [int(m.group(1)) for k in self._keys if (m := _NUMBERED_ID.match(k))]
        n = max(numbers, default=0) + 1
        while f"k{n}" in self._keys:
            n += 1
        new_id = f"k{n}"
        return KeyRing(new_id, {**self._keys, new_id: KeyVersion.generate(new_id)})

    def to_json(self) -> str:
        """Serialise, secrets base64-encoded. Treat the output as a secret."""
        doc = {
            "primary": self._primary,
            "keys": {
                k: {
                    "enc": base64.b64encode(v.enc).decode("ascii"),
                    "idx": base64.b64encode(v.idx).decode("ascii"),
                }
                for k, v in self._keys.items()
            },
        }
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "key ring JSON") -> KeyRing:
        """Parse and validate; errors name ``source`` and the problem but never a secret."""
        try:
            doc: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            # The decoder's message gives a position only, not the document text.
            where = f"line {exc.lineno} column {exc.colno}"
            raise KeyRingError(f"{source}: not valid JSON ({exc.msg} at {where})") from None
        if not isinstance(doc, dict):
            raise KeyRingError(f"{source}: expected a JSON object with 'primary' and 'keys'")
        primary = doc.get("primary")
        entries = doc.get("keys")
        if not isinstance(primary, str):
            raise KeyRingError(f"{source}: 'primary' is missing or not a string")
        if not isinstance(entries, dict) or not entries:
            raise KeyRingError(f"{source}: 'keys' is missing, empty or not an object")
        keys: dict[str, KeyVersion] = {}
        for key_id, entry in entries.items():
            _check_key_id(key_id, source)
            if not isinstance(entry, dict):
                raise KeyRingError(f"{source}: key {key_id!r} is not an object with enc and idx")
            secrets = [_decode_secret(entry.get(p), source, key_id, p) for p in ("enc", "idx")]
            keys[key_id] = KeyVersion(key_id, secrets[0], secrets[1])
        if primary not in keys:
            raise KeyRingError(
                f"{source}: primary {primary!r} is not among the keys ({', '.join(keys)})"
            )
        try:
            return cls(primary, keys)
        except KeyRingError as exc:
            raise KeyRingError(f"{source}: {exc}") from None


def _decode_secret(value: object, source: str, key_id: str, part: str) -> bytes:
    if not isinstance(value, str):
        raise KeyRingError(f"{source}: key {key_id!r} has no {part!r} secret (base64 string)")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"{source}: key {key_id!r} {part} secret is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyRingError(
            f"{source}: key {key_id!r} {part} secret is {len(raw)} bytes, must be {KEY_BYTES}"
        )
    return raw


def load_keyring(path: Path | None, env_value: str | None) -> KeyRing:
    """Load the ring from a file or from a JSON string (typically an environment variable).

    Exactly one source must be given: silently preferring one would let a stale file or a
    forgotten variable decide which keys production uses.
    """
    if path is not None and env_value:
        raise KeyRingError("key ring given both as a file and as a JSON value; set only one")
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise KeyRingError(f"key ring file {path} does not exist")
        if not path.is_file():
            raise KeyRingError(f"key ring path {path} is not a file")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyRingError(f"key ring file {path} cannot be read: {exc}") from None
        return KeyRing.from_json(text, source=f"key ring file {path}")
    if env_value:
        return KeyRing.from_json(env_value, source="key ring JSON value")
    raise KeyRingError("no key ring configured: give a key ring file path or a JSON value")


def _write_private(fd: int, text: str, owner: os.stat_result | None = None) -> None:
    """Write a secret file's content through ``fd``: owner-only, flushed to disk before return.

    The fsync matters for rotation: rows are re-encrypted under a new key only after it is
    durably on disk, so a crash can never leave ciphertext whose key was lost. ``owner`` is the
    file being replaced: its owner is kept (the user the service reads it as), and if that is
    not allowed this fails before anything is replaced rather than leave servers a ring they
    cannot read.
    """
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        if owner is not None and (owner.st_uid, owner.st_gid) != (os.geteuid(), os.getegid()):
            os.fchown(fh.fileno(), owner.st_uid, owner.st_gid)
        os.fchmod(fh.fileno(), 0o600)
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(directory: Path) -> None:
    # The rename itself is only durable once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private_file(path: Path, text: str) -> None:
    """Replace ``path`` atomically (temporary file in the same directory, then ``os.replace``).

    A reader (another server process) sees either the old file or the new one, never half a
    key ring. The file is mode 0600 from the moment it exists.
    """
    path = Path(path)
    try:
        owner = os.stat(path)
    except FileNotFoundError:
        owner = None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        _write_private(fd, text, owner)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_keyring(path: Path, ring: KeyRing) -> None:
    """Save ``ring`` to its file atomically; used by rotation to install a new primary."""
    write_private_file(path, ring.to_json())


class RingFile:
    """A key-ring file and the state it was read in, so a process can notice a rotation.

    Checking costs one ``os.stat``. The stamp is taken *before* reading: if the file is
    replaced between the stat and the read, the next check still sees a change and rereads.
    ``os.replace`` gives the new file a new inode, so a change is seen even where mtimes are
    coarse.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int, int] | None = None

    def __repr__(self) -> str:
        return f"RingFile({str(self.path)!r})"

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def load(self) -> KeyRing:
        stamp = self._stat()
        ring = load_keyring(self.path, None)
        self._stamp = stamp
        return ring

    def changed(self) -> bool:
        """Whether the file differs from when it was last loaded (a missing file counts as not
        changed: keep serving with the ring in memory rather than fail every request)."""
        stamp = self._stat()
        return stamp is not None and stamp != self._stamp

    def mark_seen(self) -> None:
        """Accept the file's current state without loading it (after a failed reload, so a
        broken file is reported once rather than on every request)."""
        self._stamp = self._stat()


def ensure_dev_keyring(path: Path) -> KeyRing:
    """Development only: create a ring file on first use (mode 0600), then keep loading it.

    Generating keys silently would let a misconfigured production start with throwaway keys
    and lose data on the next restart, so creation is announced loudly on stderr.
    """
    path = Path(path)
    if path.exists():
        return load_keyring(path, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    ring = KeyRing.generate()
    try:
        # O_EXCL: two processes starting together must not each write different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_keyring(path, None)
    _write_private(fd, ring.to_json())
    print(
        f"WARNING: generated DEVELOPMENT encryption keys at {path}. "
        "Never use these in production; losing this file makes encrypted data unreadable.",
        file=sys.stderr,
    )
    return ring
