"""Field-level encryption and blind indexes, independent of Flask.

The app loads a ``KeyRing`` at start-up and calls ``configure(ring)``; models declare
``Sealed`` ciphertext columns with ``encrypted`` descriptors next to them, and look rows up
through ``blind_index`` / ``blind_index_candidates`` columns.
"""

from casework.crypto.aead import DecryptionError, key_id_of, open_, seal
from casework.crypto.blind import blind_index, blind_index_candidates, normalise
from casework.crypto.fields import (
    EncryptedFieldError,
    KeyRingNotConfiguredError,
    Sealed,
    configure,
    current_ring,
    encrypted,
    encrypted_fields,
    reencrypt,
    reload_keyring_if_changed,
)
from casework.crypto.indexes import BlindIndex, candidates, refresh_indexes
from casework.crypto.keyring import (
    KeyRing,
    KeyRingError,
    KeyVersion,
    RingFile,
    ensure_dev_keyring,
    load_keyring,
    write_keyring,
)

__all__ = [
    "BlindIndex",
    "DecryptionError",
    "EncryptedFieldError",
    "KeyRing",
    "KeyRingError",
    "KeyRingNotConfiguredError",
    "KeyVersion",
    "RingFile",
    "Sealed",
    "blind_index",
    "blind_index_candidates",
    "candidates",
    "configure",
    "current_ring",
    "encrypted",
    "encrypted_fields",
    "ensure_dev_keyring",
    "key_id_of",
    "load_keyring",
    "normalise",
    "open_",
    "reencrypt",
    "refresh_indexes",
    "reload_keyring_if_changed",
    "seal",
    "write_keyring",
]
