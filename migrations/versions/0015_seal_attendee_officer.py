"""Meeting attendee names and nominals' lead officers are sealed

The two plain text columns become ``Sealed`` (binary) columns like every other name. A
migration holds no keys, so the values already stored are only *marked* here (0x00 followed by
the UTF-8 text, a form no envelope takes); ``casework init`` then seals them in batches,
resumably (``casework.crypto.backfill``, also ``casework keys seal``). The downgrade needs the
key ring to open what was sealed.

Revision ID: 0015f2a3b4c5
Revises: 0014e1f2a3b4
Create Date: 2026-12-06 06:00:00.000000
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015f2a3b4c5"
down_revision: str | None = "0014e1f2a3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, nullable). SQL below is built from these constants only, never from input.
COLUMNS = (("meeting_attendees", "name", False), ("nominals", "lead_officer", True))
MARK = b"\x00"  # casework.crypto.backfill.PLAIN_MARK, kept here so this file never changes


def _sqlite_replace(table: str, column: str, nullable: bool, type_: str, empty: str) -> str:
    """Swap ``column`` for a new one of ``type_`` in place; returns the old column's new name.

    Not Alembic's batch copy: on SQLite that drops the old table, and with foreign keys on,
    dropping ``nominals`` would first delete every row that cascades from it (cohort spells,
    events...). ALTER TABLE changes the rows where they are. A column added NOT NULL needs a
    default on SQLite; the application always gives the value.
    """
    old = f"{column}_before_0015"
    not_null = "" if nullable else f" NOT NULL DEFAULT {empty}"
    op.execute(f'ALTER TABLE {table} RENAME COLUMN "{column}" TO "{old}"')
    op.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {type_}{not_null}')
    return old


def upgrade() -> None:
    bind = op.get_bind()
    for table, column, nullable in COLUMNS:
        if bind.dialect.name == "postgresql":
            op.alter_column(
                table,
                column,
                type_=sa.LargeBinary(),
                existing_type=sa.String(length=200),
                existing_nullable=nullable,
                postgresql_using=f"decode('00', 'hex') || convert_to(\"{column}\", 'UTF8')",
            )
            continue
        op.execute("PRAGMA secure_delete=ON")  # what the old values leave free is zeroed
        old = _sqlite_replace(table, column, nullable, "BLOB", "X''")
        marked = f"CAST(X'00' || CAST(\"{old}\" AS BLOB) AS BLOB)"
        op.execute(f'UPDATE {table} SET "{column}" = {marked} WHERE "{old}" IS NOT NULL')  # noqa: S608
        op.execute(f'ALTER TABLE {table} DROP COLUMN "{old}"')


def _plain(table: str, column: str, row_id: object, value: bytes, ring: object) -> str:
    if value[:1] == MARK:
        return value[1:].decode("utf-8")
    from casework.crypto import open_

    key = uuid.UUID(str(row_id))  # SQLite returns the id as 32 hex digits
    return open_(ring, table, column, key, value).decode("utf-8")  # type: ignore[arg-type]


def downgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    for table, column, nullable in COLUMNS:
        rows = bind.execute(
            sa.text(f'SELECT id, "{column}" FROM {table} WHERE "{column}" IS NOT NULL')  # noqa: S608
        ).all()
        ring = None
        if any(bytes(v)[:1] != MARK for _, v in rows):
            from casework.migrate import keyring_for_data

            ring = keyring_for_data()
        plain = [(row_id, _plain(table, column, row_id, bytes(v), ring)) for row_id, v in rows]
        if not postgresql:
            old = _sqlite_replace(table, column, nullable, "VARCHAR(200)", "''")
        change = sa.text(f'UPDATE {table} SET "{column}" = :value WHERE id = :id')  # noqa: S608
        for row_id, value in plain:
            # PostgreSQL: bytes, made text again by the type change below.
            bind.execute(change, {"id": row_id, "value": value.encode() if postgresql else value})
        if postgresql:
            op.alter_column(
                table,
                column,
                type_=sa.String(length=200),
                existing_type=sa.LargeBinary(),
                existing_nullable=nullable,
                postgresql_using=f"convert_from(\"{column}\", 'UTF8')",
            )
        else:
            op.execute(f'ALTER TABLE {table} DROP COLUMN "{old}"')
