"""PostgreSQL copies with ``pg_dump --format=custom`` and ``pg_restore``.

``pg_dump`` reads the snapshot the caller exported (``--snapshot``), so the manifest's survey,
taken in that same snapshot, describes exactly the rows dumped. A database URL whose options
set a ``search_path`` (each test run has a schema of its own) is dumped as that schema only.
The password travels in ``PGPASSWORD``, never on a command line other users can list.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from casework.backup import BackupError

FILE = "database.dump"
_SEARCH_PATH = re.compile(r"search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)")


def tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from PATH, else the newest in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if versions:
        return max(versions, key=lambda p: int(re.sub(r"\D", "", Path(p).parts[-3]) or 0))
    raise BackupError(
        f"{name} is not installed: install the PostgreSQL client of the server's version "
        "(Debian: apt-get install postgresql-client) or put its bin folder on PATH"
    )


def schema_of(database_url: str) -> str | None:
    """The schema the URL's ``options`` put first on the search path, if any (not public)."""
    options = make_url(database_url).query.get("options") or ""
    if isinstance(options, tuple):
        options = " ".join(options)
    found = _SEARCH_PATH.search(options)
    return found[1] if found and found[1] != "public" else None


def _target(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment carrying it."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    # A list, never a shell: the only inputs are the tool, its flags and the configured URL.
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        # DETAIL and CONTEXT lines may quote a row's values: only the error itself is shown.
        lines = [
            line
            for line in done.stderr.splitlines()
            if line.strip() and not re.match(r"^\s*(DETAIL|CONTEXT|HINT|LINE \d+):", line)
        ]
        first = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "")
        raise BackupError(f"{what} failed: {first.strip()[:300]}")


def dump(database_url: str, out: Path, snapshot: str) -> None:
    libpq, env = _target(database_url)
    command = [tool("pg_dump"), "--format=custom", f"--file={out}", f"--snapshot={snapshot}"]
    schema = schema_of(database_url)
    if schema:
        command.append(f"--schema={schema}")
    _run([*command, f"--dbname={libpq}"], env, "pg_dump")


def restore(database_url: str, dump_file: Path) -> None:
    """Load the dump in one transaction: a failure leaves the database as it was."""
    libpq, env = _target(database_url)
    command = [
        tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={libpq}",
        str(dump_file),
    ]
    _run(command, env, "pg_restore")
