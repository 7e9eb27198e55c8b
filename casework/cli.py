"""The ``casework`` command (CONTRACT.md, Command line)."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import inspect, select

from casework.actors import Actor
from casework.bootstrap import build_services
from casework.cli_run import generate_keys, run
from casework.crypto.keyring import KeyRingError
from casework.errors import CaseworkError, Invalid
from casework.services import Services
from casework.settings import ConfigError, load_settings
from casework.version import __version__


class CliError(click.ClickException):
    """Printed as one line, exit status 1."""

    def format_message(self) -> str:
        return self.message


def _one_line(exc: CaseworkError) -> str:
    if isinstance(exc, Invalid) and exc.fields:
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
    return exc.message


@contextmanager
def services() -> Iterator[Services]:
    try:
        svc = build_services(load_settings())
    except (ConfigError, KeyRingError) as exc:
        raise CliError(str(exc)) from None
    try:
        yield svc
        svc.session.commit()
    except CaseworkError as exc:
        svc.session.rollback()
        raise CliError(_one_line(exc)) from None
    finally:
        svc.db.dispose()


@click.group(help="casework: multi-agency case conferences for Community Safety Partnerships.")
@click.version_option(__version__, prog_name="casework", message="%(prog)s %(version)s")
def main() -> None:
    pass


main.add_command(run)  # `casework run`: the production server (casework/cli_run.py)


@main.command(help="Create or upgrade the database schema; in development, create missing keys.")
def init() -> None:
    from casework.migrate import upgrade

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    from casework.crypto.settings import configure_keyring

    try:
        configure_keyring(settings)  # development: creates instance/keyring.json once
    except KeyRingError as exc:
        raise CliError(str(exc)) from None
    upgrade(settings["DATABASE_URL"])
    click.echo("database is at the latest schema")


@main.group(help="Manage member agencies.")
def agency() -> None:
    pass


@agency.command("add", help="Add an agency.")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--sector", required=True)
@click.option("--police", is_flag=True, help="Counts as police in the non-police referral share.")
def agency_add(code: str, name: str, sector: str, police: bool) -> None:
    from casework.agencies.actions import create_agency

    with services() as svc:
        created = create_agency(
            svc, Actor.system(), {"code": code, "name": name, "sector": sector, "police": police}
        )
        click.echo(f"added agency {created.code}")


@main.group(help="Manage user accounts.")
def user() -> None:
    pass


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


@user.command("add", help="Add a user; the password is read from standard input.")
@click.argument("email")
@click.option("--agency", "agency_code", required=True)
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--name", default=None, help="Full name (defaults to the e-mail address).")
def user_add(email: str, agency_code: str, roles: tuple[str, ...], name: str | None) -> None:
    from casework.accounts.actions import create_user

    password = _read_password()
    with services() as svc:
        created = create_user(
            svc,
            Actor.system(),
            {
                "email": email,
                "name": name or email,
                "agency": agency_code,
                "roles": list(roles),
                "password": password,
            },
        )
        click.echo(f"added user {created.email}")


@main.group(help="Manage API tokens.")
def token() -> None:
    pass


@token.command("create", help="Print a new API token for a user (shown once, stored hashed).")
@click.argument("email")
def token_create(email: str) -> None:
    from casework.accounts.actions import find_by_email
    from casework.accounts.auth import create_token

    with services() as svc:
        found = find_by_email(svc, email)
        if found is None or not found.can_sign_in:
            raise CliError(f"no active user has e-mail {email}")
        _, secret = create_token(svc, found)
        click.echo(secret)


@token.command("revoke", help="Revoke every API token of a user.")
@click.argument("email")
def token_revoke(email: str) -> None:
    from casework.accounts.actions import find_by_email
    from casework.accounts.auth import revoke_token
    from casework.accounts.models import ApiToken

    with services() as svc:
        found = find_by_email(svc, email)
        if found is None:
            raise CliError(f"no user has e-mail {email}")
        tokens = svc.session.scalars(select(ApiToken).where(ApiToken.user_id == found.id))
        count = 0
        for row in tokens:
            if row.revoked_at is None:
                revoke_token(svc, row)
                count += 1
        click.echo(f"revoked {count} token(s) of {found.email}")


@main.command(help="Load a demo partnership into an empty database and print its sign-ins.")
def demo() -> None:
    from casework.demo import load_demo, saved_logins

    with services() as svc:
        if svc.settings["ENV"] == "production":
            raise CliError("the demo partnership is not loaded in production")
        if not inspect(svc.db.engine).has_table("agencies"):
            raise CliError("the database has no schema: run `casework init` first")
        logins = load_demo(svc)
        if logins is None:
            logins = saved_logins(svc.settings)
            click.echo("The database already holds data; demo sign-ins from when it was loaded:")
        else:
            click.echo("Demo partnership loaded. Sign in with:")
        for line in logins or ["(none saved: run `casework demo` on an empty database)"]:
            click.echo(f"  {line}")


@main.group(help="The audit log (s.62 DPA 2018).")
def audit() -> None:
    pass


@audit.command(
    "verify",
    help="Check the audit chain and compare its tail with the head kept outside the database; "
    "exit non-zero naming the first bad entry, missing entries or a replaced head file.",
)
def audit_verify() -> None:
    from casework.audit.chain import seal_pending, verify
    from casework.audit.head import head_path

    with services() as svc:
        seal_pending(svc)
        verdict = verify(svc)
        for note in verdict.notes:
            click.echo(f"note: {note}")
        if not verdict.ok:
            raise CliError(f"audit chain broken: {verdict.problem}")
        click.echo(
            f"audit chain intact: {verdict.checked} entries checked; "
            f"its tail agrees with the head file {head_path(svc.settings)}"
        )


@main.group("keys", help="Field-encryption keys.")
def keys_group() -> None:
    pass


keys_group.add_command(generate_keys)  # `casework keys generate FOLDER` (casework/cli_run.py)


# Both key commands work through the tables in committed batches of this many rows.
BATCH_SIZE = click.option(
    "--batch-size",
    default=500,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows per transaction.",
)


@keys_group.command(
    "rotate",
    help="Make a new primary key and re-encrypt every encrypted field and blind index under it, "
    "in batches, while the service keeps running. Run again to resume an interrupted rotation.",
)
@BATCH_SIZE
def keys_rotate(batch_size: int) -> None:
    from casework.crypto import DecryptionError, EncryptedFieldError
    from casework.crypto.rotate import RotationError, begin

    with services() as svc:
        if not svc.settings.get("KEYRING_FILE"):
            raise CliError(
                "the key ring is given in CASEWORK_KEYRING and cannot be rewritten: put it in a "
                "file named by CASEWORK_KEYRING_FILE, then rotate"
            )
        _seal_carried_over(svc.settings["DATABASE_URL"], batch_size)  # rotation opens them all
        try:
            with begin(Path(svc.settings["KEYRING_FILE"]), svc.db) as rotation:
                if rotation.resumed:
                    click.echo(
                        f"Resuming the unfinished rotation to key {rotation.key_id} "
                        f"(started {rotation.started})."
                    )
                else:
                    click.echo(
                        f"Made key {rotation.key_id} the primary (was {rotation.previous}); "
                        "old keys stay in the ring so existing rows still open."
                    )
                pending = rotation.pending()
                with click.progressbar(
                    length=sum(pending.values()), label="Re-encrypting rows"
                ) as bar:
                    moved = rotation.run(batch_size, progress=lambda _table, n: bar.update(n))
                left = rotation.finish()
        except (RotationError, DecryptionError, EncryptedFieldError) as exc:
            raise CliError(
                f"key rotation stopped: {exc}. Run `casework keys rotate` again to resume"
            ) from None
        for table, count in moved.items():
            click.echo(f"  {table}: {count} row(s) re-encrypted")
        if any(left.values()):
            where = ", ".join(f"{table}: {n}" for table, n in left.items() if n)
            raise CliError(
                f"{sum(left.values())} row(s) still use an old key ({where}); "
                "run `casework keys rotate` again to resume"
            )
        click.echo(f"Primary key is now {rotation.key_id}. Verified: no row uses an old key.")


def _seal_carried_over(database_url: str, batch_size: int) -> int:
    """Seal the values an upgrade carried over from a formerly plain column (normally done by
    ``casework init``); returns how many rows were sealed. Resumable: each batch commits."""
    from casework.crypto import DecryptionError, EncryptedFieldError
    from casework.crypto.backfill import find, pending
    from casework.db import Database
    from casework.migrate import seal_carried_over

    db = Database(database_url)
    try:
        waiting = sum(pending(db, find(engine=db.engine)).values())
    finally:
        db.dispose()
    if not waiting:
        return 0
    try:
        with click.progressbar(length=waiting, label="Sealing carried-over values") as bar:
            done = seal_carried_over(database_url, batch_size, lambda _t, n: bar.update(n))
    except (DecryptionError, EncryptedFieldError, UnicodeDecodeError) as exc:
        raise CliError(
            f"sealing stopped: {exc}. Run `casework keys seal` again to resume"
        ) from None
    for table, count in done.sealed.items():
        click.echo(f"  {table}: {count} row(s) sealed")
    if done.note:
        click.echo(f"Note: {done.note}")
    return sum(done.sealed.values())


@keys_group.command(
    "seal",
    help="Seal the values an upgrade carried over from columns that used to be plain text "
    "(`casework init` does this too), in batches. Run again to resume an interrupted run.",
)
@BATCH_SIZE
def keys_seal(batch_size: int) -> None:
    from casework.crypto.backfill import find, pending

    with services() as svc:
        sealed = _seal_carried_over(svc.settings["DATABASE_URL"], batch_size)
        left = pending(svc.db, find(engine=svc.db.engine))
    if any(left.values()):
        where = ", ".join(f"{table}: {n}" for table, n in left.items() if n)
        raise CliError(f"{sum(left.values())} value(s) still wait ({where}); run it again")
    click.echo(f"Verified: no value waits to be sealed ({sealed} row(s) sealed now).")


@main.group("import", help="Load historical records from CSV.")
def import_group() -> None:
    pass


IMPORTER = Actor(None, "system:import", None, None, None, False, frozenset({"coordinator"}), "cli")


def _panel_option(panel_id: str | None) -> Any:
    import uuid

    try:
        return uuid.UUID(panel_id) if panel_id else None
    except ValueError:
        raise CliError("--panel must be a panel id") from None


def _read_csv(path: Path) -> str:
    """The file's text; one line saying what to do if it is not CSV UTF-8."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliError('the file is not CSV UTF-8: save it as "CSV UTF-8" and try again') from None
    except OSError as exc:
        raise CliError(f"the file cannot be read: {exc.strerror}") from None


@contextmanager
def _stop_signals() -> Iterator[Any]:
    """Ctrl-C or SIGTERM (a service manager, ``kill``) asks the import to stop after the batch
    it is writing, which commits with the run's progress, so the same command carries on from
    there; a second stops at once. Yields the signal asked by (0 while none)."""
    asked: list[int] = []

    def handler(signum: int, _frame: Any) -> None:
        if asked:
            raise KeyboardInterrupt
        asked.append(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: asked[0] if asked else 0
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _run_import(path: Path, label: str, run: Any) -> Any:
    """Read the CSV, show a progress bar while ``run(svc, lines, progress, on_start, stop)``
    imports it, then print the per-row report; a refused row or an all-or-nothing roll-back
    exits 1, a stop asked for by a signal 128 + its number."""
    from contextlib import ExitStack

    text = _read_csv(path)
    with services() as svc, _stop_signals() as asked, ExitStack() as stack:
        bar: list[Any] = []

        def on_start(start: Any) -> None:
            before = start.previous
            if before is not None and before.stopped:
                click.echo(
                    f"A previous import of this file stopped after {before.rows_done:,} of "
                    f"{before.rows_total:,} rows (started {_when(before.started_at)}); "
                    "carrying on from there: rows it imported are skipped."
                )
            elif before is not None and start.already_imported:
                click.echo(
                    f"This file was imported before (started {_when(before.started_at)}): "
                    "rows already imported are skipped."
                )
            bar.append(stack.enter_context(click.progressbar(length=start.to_do, label=label)))

        seen = 0

        def progress(done: int) -> None:
            nonlocal seen
            bar[0].update(done - seen)
            seen = done

        report = run(svc, [text], progress, on_start, lambda: bool(asked()))
    for error in report.errors:
        click.echo(f"row {error.row}: {error.column}: {error.message}", err=True)
    if report.stopped:
        click.echo(
            f"stopped after {report.rows_done:,} of {report.rows_total:,} rows: "
            "run the same command again to carry on",
            err=True,
        )
        sys.exit(128 + asked())
    if report.rolled_back:
        click.echo(f"nothing imported: {report.failed_rows} rows refused (--all-or-nothing)")
        sys.exit(1)
    return report


@import_group.command("referrals", help="Import historical MARAC referrals from a CSV file.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--panel", "panel_id", required=True, help="The MARAC panel's id.")
@click.option("--all-or-nothing", is_flag=True, help="Import nothing if any row is refused.")
def import_referrals(path: Path, panel_id: str, all_or_nothing: bool) -> None:
    """Rows an earlier import of them wrote are skipped: running the command again on a file
    it stopped part way through carries on from there, and never adds a row twice."""
    from casework.referrals.importer import import_referrals as run_import

    panel = _panel_option(panel_id)
    report = _run_import(
        path,
        "Importing referrals",
        lambda svc, text, progress, on_start, stop: run_import(
            svc,
            IMPORTER,
            panel,
            text,
            all_or_nothing=all_or_nothing,
            progress=progress,
            parallel=True,
            on_start=on_start,
            stop=stop,
        ),
    )
    click.echo(
        f"imported {report.imported} referrals; {report.failed_rows} rows refused; "
        f"{report.already_imported} already imported"
    )
    if report.errors:
        sys.exit(1)


@import_group.command("offences", help="Import offences and events from a police extract CSV.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--panel", "panel_id", default=None, help="Match only this panel's cohort.")
@click.option("--all-or-nothing", is_flag=True, help="Import nothing if any row is refused.")
def import_offences(path: Path, panel_id: str | None, all_or_nothing: bool) -> None:
    from casework.offenders.importer import import_events

    panel = _panel_option(panel_id)
    report = _run_import(
        path,
        "Importing offences",
        lambda svc, text, progress, on_start, stop: import_events(
            svc,
            IMPORTER,
            text,
            panel_id=panel,
            operator=True,
            all_or_nothing=all_or_nothing,
            progress=progress,
            on_start=on_start,
            stop=stop,
        ),
    )
    click.echo(
        f"imported {report.imported} events; {report.skipped} already recorded; "
        f"{report.failed_rows} rows refused"
    )
    if report.already_imported:
        click.echo(f"({report.already_imported} of those already recorded were imported before)")
    if report.errors:
        sys.exit(1)


@main.command(help="Run the development web server on http://127.0.0.1:5000.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option(
    "--debug",
    is_flag=True,
    help="Add Werkzeug's interactive debugger (runs Python typed into /console; PIN-protected). "
    "Never on otherwise, and refused in production.",
)
def serve(host: str, port: int, debug: bool) -> None:
    import os

    from casework import create_app, devserver

    # The debugger executes code sent to it: only when asked for, never in production. ENV
    # comes only from this variable here (serve passes no overrides to the settings).
    if debug and os.environ.get("CASEWORK_ENV") == "production":
        raise CliError("refusing --debug in production: the debugger runs any code sent to it")
    try:
        app = create_app()
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    from casework.scheduler.service import start_in_process

    server = devserver.build(app, host, port, debug=debug)
    start_in_process(app, use_reloader=False)  # SCHEDULER_IN_PROCESS (development: on)
    click.echo(f"serving on http://{host}:{server.port} (Ctrl-C to stop)")
    if debug:
        click.echo(f"debugger on: PIN {server.app.pin}")  # type: ignore[attr-defined]
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command(help="Run the scheduler process (the one process that runs timed jobs).")
def scheduler() -> None:
    from sqlalchemy import inspect as inspect_db

    from casework.scheduler.service import ORDER, build_scheduler

    try:
        svc = build_services(load_settings())
    except (ConfigError, KeyRingError) as exc:
        raise CliError(str(exc)) from None
    if not inspect_db(svc.db.engine).has_table("job_runs"):
        raise CliError("the database has no schema: run `casework init` first")
    runner = build_scheduler(svc, blocking=True)
    # A service manager stops a process with SIGTERM, a person with Ctrl-C: either lets running
    # jobs finish (their claims make an interrupted one safe to run again anyway).
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopper(runner))
    click.echo(f"scheduler running jobs: {', '.join(ORDER)} (Ctrl-C or SIGTERM to stop)")
    try:
        runner.start()  # returns once shut down
    finally:
        svc.db.dispose()


def _stopper(runner: Any) -> Callable[[int, Any], None]:
    """A signal handler that shuts the scheduler down from another thread. Raising in the
    handler, as before, interrupted whatever the main thread was doing, a database transaction
    included, whose rollback then failed and the process exited 1 instead of 0."""
    from apscheduler.schedulers import SchedulerNotRunningError

    def shut_down() -> None:
        with contextlib.suppress(SchedulerNotRunningError):  # a second signal: already stopping
            runner.shutdown()

    def handler(_signum: int, _frame: Any) -> None:
        threading.Thread(target=shut_down, name="scheduler-stop", daemon=True).start()

    return handler


def _register_backup_commands() -> None:
    from casework.cli_backup import COMMANDS  # backup, restore, downgrade (docs/backups.md)

    for command in COMMANDS:
        main.add_command(command)


_register_backup_commands()
