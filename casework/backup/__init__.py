"""Backups that restore: ``casework backup PATH`` and ``casework restore PATH``.

A backup is a folder holding one copy of the database (SQLite's online backup API, or
``pg_dump`` in its custom format) and a manifest describing it: the release and schema revision
that made it, the rows in every table, the audit chain's head, and the copy's SHA-256. The key
ring and the audit key are never in it: without them the copy is unreadable ciphertext and an
unverifiable log, which is the point (see docs/backups.md).
"""

from __future__ import annotations


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message says why and what to do (one line,
    never a value from the data)."""
