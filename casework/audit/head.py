"""The audit chain's head, kept outside the database too: a head file, and syslog if configured.

Signed checkpoints catch the removal of entries up to the last checkpoint, but someone who can
delete rows can delete the newest entries after it, and a fresh checkpoint then signs the cut
log. So every commit that chains entries also appends its new head (sequence number and MAC)
to a file under the instance folder, after the transaction commits (a rolled-back batch writes
nothing), and ``casework audit verify`` compares the log's tail with it (``casework.audit.tail``).

The file, one line per commit batch::

    # casework audit head file <file id> begun <UTC time> after entry <seq>
    <seq> <mac> <UTC time>

* Appended with ``O_APPEND`` under an exclusive ``flock`` and ``fdatasync``'d, so the web
  workers and the scheduler, each its own process, can all write it; lines from processes
  committing at the same moment may land in either order (verify allows for that).
* Created once, atomically (written aside, then hard-linked into place, which fails if the file
  already exists), with a header naming a random file id. The log keeps that id in a signed
  checkpoint 0 (``casework.audit.chain``), so a head file replaced by a fresh one is reported.
* Never truncated or rewritten by the service. A failure to write it is logged and does not
  fail the request: the entries are committed by then, and verify reports a head file that
  is missing or behind.

Syslog (``AUDIT_HEAD_SYSLOG``) gets the same heads, for a copy on another machine, which no one
who can edit this machine's files can rewrite. Lines hold numbers and MACs only, never data.
"""

from __future__ import annotations

import fcntl
import functools
import logging
import logging.handlers
import os
import re
import secrets
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casework.db import utcnow
from casework.settings import PREFIX, ConfigError

log = logging.getLogger("casework.audit")

FILE_NAME = "audit-head.log"
_HEADER = re.compile(r"^# casework audit head file ([0-9a-f]{32}) begun (\S+) after entry (\d+)$")
_LINE = re.compile(r"^(\d+) ([0-9a-f]{64}) (\S+)$")


def _stamp() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Header:
    file_id: str
    begun: str
    after: int  # the log's head when the file was begun (0 for a new log)


@dataclass(frozen=True)
class Line:
    seq: int
    mac: str
    at: str
    number: int  # line number in the file, for messages


class HeadLog:
    """One head file (and optional syslog) that this process appends to."""

    def __init__(self, path: Path, syslog: str = "") -> None:
        self.path = Path(path)
        self.syslog_address = syslog
        self._syslog = _syslog_handler(syslog) if syslog else None
        # The file id this process last saw named by the log (casework.audit.chain): while the
        # file's header still says so, a commit needs no query to check it.
        self.known_id: str | None = None

    def header(self) -> Header | None:
        """The file's header, or None if the file has none (empty, damaged or replaced).
        Raises FileNotFoundError if there is no file."""
        with open(self.path, encoding="ascii", errors="replace") as f:
            first = f.readline(200)  # a header is about 110 characters; stop at a long line
        found = _HEADER.match(first.rstrip("\n"))
        if not found or not first.endswith("\n"):
            return None
        return Header(found[1], found[2], int(found[3]))

    def create(self, after: int) -> Header | None:
        """Begin the file if there is none; returns the header of the file now in place (this
        one, or the one another process put there first). Written aside and hard-linked into
        place, so no process ever sees the file without its header."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        header = Header(secrets.token_hex(16), _stamp(), after)
        aside = self.path.with_name(f".{self.path.name}.{os.getpid()}.{header.file_id[:8]}")
        text = f"# casework audit head file {header.file_id} begun {header.begun} after entry "
        text += f"{after}\n"
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, text.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(aside, self.path)
        except FileExistsError:
            return self.header()
        finally:
            aside.unlink(missing_ok=True)
        _sync_dir(self.path.parent)
        return header

    def append(self, seq: int, mac: str) -> None:
        """Record a committed head. Never raises: the entries are committed already."""
        line = f"{seq} {mac} {_stamp()}\n".encode("ascii")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)  # never created here: see create
        except OSError as exc:
            log.error("audit head %s not written to %s: %s", seq, self.path, exc.strerror or exc)
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, line)
                os.fdatasync(fd)
            except OSError as exc:
                log.error("audit head %s not written to %s: %s", seq, self.path, exc.strerror)
            finally:
                os.close(fd)  # releases the lock
        if self._syslog is not None:
            record = logging.makeLogRecord(
                {
                    "name": "casework.audit.head",
                    "levelno": logging.INFO,
                    "levelname": "INFO",
                    "msg": "audit head: entry %d mac %s",
                    "args": (seq, mac),
                }
            )
            self._syslog.handle(record)


def _sync_dir(path: Path) -> None:
    """Make the new file's name durable too."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _syslog_handler(address: str) -> logging.Handler:
    """``udp://host:port``, ``tcp://host:port``, ``host:port`` (UDP) or a socket path."""
    kind = socket.SOCK_DGRAM
    target: Any = address
    if address.startswith(("udp://", "tcp://")):
        kind = socket.SOCK_STREAM if address.startswith("tcp://") else socket.SOCK_DGRAM
        address = address[len("udp://") :]
    if not address.startswith("/"):
        host, _, port = address.rpartition(":")
        if not host or not (port.isascii() and port.isdigit()):
            raise ConfigError(f"{PREFIX}AUDIT_HEAD_SYSLOG: use host:port or a socket path")
        target = (host, int(port))
    else:
        target = address
    try:
        handler = logging.handlers.SysLogHandler(
            address=target, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV, socktype=kind
        )
    except OSError as exc:
        raise ConfigError(
            f"{PREFIX}AUDIT_HEAD_SYSLOG: cannot reach syslog: {exc.strerror or exc}"
        ) from None
    handler.ident = "casework: "
    return handler


def head_path(settings: Mapping[str, Any]) -> Path:
    configured = settings.get("AUDIT_HEAD_FILE")
    if configured:
        return Path(configured)
    return Path(settings.get("INSTANCE_PATH") or "instance") / FILE_NAME


@functools.lru_cache(maxsize=8)
def _head_log(path: Path, syslog: str) -> HeadLog:
    return HeadLog(path, syslog)


def head_log_for(settings: Mapping[str, Any]) -> HeadLog:
    """The head log the settings name, one per process (a syslog connection is kept open)."""
    return _head_log(head_path(settings).resolve(), str(settings.get("AUDIT_HEAD_SYSLOG") or ""))


def attach(db: Any, settings: Mapping[str, Any]) -> HeadLog:
    """Have every session of ``db`` (a ``casework.db.Database``) keep the head outside the
    database as it commits audit entries (``casework.audit.chain``)."""
    head = head_log_for(settings)
    info = dict(db.factory.kw.get("info") or {})
    info["audit_head"] = head
    db.factory.configure(info=info)
    return head


def read_lines(path: Path) -> Iterator[Line | int]:
    """The file's head lines after its header, in file order; a damaged line yields its line
    number. A last line without its newline is being written right now and is skipped."""
    with open(path, encoding="ascii", errors="replace") as f:
        for number, raw in enumerate(f, start=1):
            if number == 1 or not raw.endswith("\n"):
                continue
            found = _LINE.match(raw.rstrip("\n"))
            yield Line(int(found[1]), found[2], found[3], number) if found else number
