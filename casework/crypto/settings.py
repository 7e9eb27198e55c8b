"""The key ring and blind index size, configured from the application's settings.

Here rather than in ``casework.bootstrap`` because a migration step that must open stored
values (``casework.migrate.keyring_for_data``) needs the key ring without building the whole
application; it depends on nothing but crypto, so any entry point may import it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from casework.crypto.fields import configure
from casework.crypto.indexes import configure_bits
from casework.crypto.keyring import RingFile, ensure_dev_keyring, load_keyring


def configure_keyring(settings: Mapping[str, Any]) -> None:
    """Field encryption needs its key ring before any model is read or written.

    A ring read from a file is watched (``reload_keyring_if_changed``), so servers follow a
    ``casework keys rotate`` run by another process without restarting.
    """
    configure_bits(int(settings.get("BLIND_INDEX_BITS", 32)))
    path = Path(settings["KEYRING_FILE"]) if settings.get("KEYRING_FILE") else None
    value = settings.get("KEYRING") or None
    if isinstance(value, dict):  # CASEWORK_* variables are parsed as JSON, so the ring arrives so
        value = json.dumps(value)
    if path is None or value:
        configure(load_keyring(path, value))  # the ring given as a value, or a clear error
        return
    if settings.get("KEYRING_DEV"):
        ensure_dev_keyring(path)
    source = RingFile(path)
    configure(source.load(), source=source)
