"""``casework backup``, ``casework restore`` and ``casework downgrade`` (docs/backups.md).

Registered on the ``casework`` group by ``casework.cli``; the work is done in
``casework.backup``, so these stay a parse-and-print layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from casework.backup import BackupError
from casework.backup.create import make_backup
from casework.backup.logged import log_operation
from casework.backup.restore import current, restore_backup
from casework.bootstrap import build_services
from casework.crypto.keyring import KeyRingError
from casework.migrate import downgrade as migrate_downgrade
from casework.settings import ConfigError, load_settings


def _settings() -> dict[str, Any]:
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command(
    help="Copy the database into the new folder PATH with a manifest (schema revision, rows per "
    "table, audit head, SHA-256). The key ring and the audit key are never copied."
)
@click.argument("path", type=click.Path(path_type=Path, file_okay=False))
def backup(path: Path) -> None:
    settings = _settings()
    try:
        svc = build_services(settings)  # a configuration error stops it before the copy
    except (ConfigError, KeyRingError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        manifest = make_backup(settings["DATABASE_URL"], path)
        log_operation(svc, "backup", f"to {path}")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        svc.db.dispose()
    rows = sum(manifest.tables.values())
    click.echo(
        f"backed up {len(manifest.tables)} tables ({rows} rows) at schema revision "
        f"{manifest.schema_revision} to {path / manifest.file}; audit log head: entry "
        f"{manifest.audit_head.get('seq')}"
    )
    click.echo("Keep the key ring and the audit key apart from this folder: see docs/backups.md")


@click.command(
    help="Restore the backup in PATH into the configured database (which must be empty unless "
    "--replace), then check it against its manifest, the key ring and the audit chain."
)
@click.argument("path", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds data.")
def restore(path: Path, replace: bool) -> None:
    settings = _settings()
    try:
        done = restore_backup(settings, path, replace=replace)
    except (BackupError, ConfigError, KeyRingError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"restored {done.rows} rows from the backup made {done.manifest.created_at} by casework "
        f"{done.manifest.casework_version}; every table's count matches the manifest"
    )
    click.echo("the key ring opens the restored data")
    click.echo(f"audit chain intact: {done.entries_checked} entries checked")
    if done.head_moved_to is not None:
        click.echo(
            f"the audit head file was begun again at the restored head; the one from before the "
            f"restore is kept at {done.head_moved_to}"
        )


@click.command(
    help="Downgrade the schema to REVISION. Refused for a database holding data: a downgrade "
    "drops what later migrations added. To go back a release, restore the backup taken "
    "before the upgrade with that release."
)
@click.argument("revision")
def downgrade(revision: str) -> None:
    settings = _settings()
    url = settings["DATABASE_URL"]
    found = current(url)
    if found.rows:
        raise click.ClickException(
            f"refusing to downgrade: the database holds data ({found.rows} rows), and a "
            "downgrade drops the tables and columns later migrations added, with what they "
            "hold. To go back to an earlier release, restore the backup taken before the "
            "upgrade (casework restore) with that release"
        )
    migrate_downgrade(url, revision)
    click.echo(f"the empty database is at schema revision {current(url).schema_revision}")


COMMANDS = (backup, restore, downgrade)
