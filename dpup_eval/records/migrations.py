"""Numbered migrations: a record's schema can change without losing what it holds.

Each record keeps its version in a one-row table of its own (``version_table``), so records sharing one
PostgreSQL database migrate independently. Opening a record:

* no version table: a new record gets the latest schema at once (``Schema.create``) and is stamped with
  the latest version; a record made before it was versioned (``Schema.adopt`` says which version it has)
  is stamped with that version and migrated from there;
* an older version: each later :class:`Migration` runs in order, all in *one* write transaction, so a
  record is either wholly migrated or untouched (SQLite and PostgreSQL both roll back DDL);
* a newer version (made by a newer dpup_eval): refused, nothing changed.

Why not alembic: three small records with a handful of migrations each do not need a script folder, an
``env.py`` and a revision graph shipped in the wheel, nor alembic's import cost in every page's kernel.
What matters here is what alembic would not give us for free: the version check in the same
``BEGIN IMMEDIATE`` / advisory-locked transaction as the migration (thirty pages open the record at once),
and a foreign-key check before commit on SQLite. A migration is a plain function tested on a database
made by the old code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dpup_eval.records.database import Database, RecordError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["Migration", "Schema", "migrate"]


@dataclass(frozen=True)
class Migration:
    """From ``version - 1`` to ``version``: ``apply(conn, dialect)`` runs inside the migration transaction."""

    version: int
    description: str
    apply: Callable[[Connection, str], None]


@dataclass(frozen=True)
class Schema:
    """A record's schema: how to create the latest one, and how to get there from each older one."""

    name: str  # for messages: "workshop record"
    version_table: str
    version: int  # the latest
    create: Callable[[Connection], None]  # the latest schema, from nothing (idempotent)
    migrations: tuple[Migration, ...] = ()
    adopt: Callable[[Connection], int | None] | None = None  # the version of an unversioned old record

    def __post_init__(self) -> None:
        numbers = [m.version for m in self.migrations]
        if numbers != list(range(self.version - len(numbers) + 1, self.version + 1)):
            raise ValueError(f"{self.name}: migrations must be numbered consecutively up to {self.version}")


def _version_table(schema: Schema) -> sa.Table:
    return sa.Table(
        schema.version_table,
        sa.MetaData(),
        sa.Column("only_row", sa.Integer, sa.CheckConstraint("only_row = 1"), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def _current(conn: Connection, schema: Schema, table: sa.Table) -> int | None:
    if not sa.inspect(conn).has_table(table.name):
        return None
    return conn.execute(sa.select(table.c.version)).scalar()


def migrate(db: Database, schema: Schema) -> int | None:
    """Bring the record to ``schema.version``; returns the version it had (None: it was new)."""
    table = _version_table(schema)
    found = db.read(lambda conn: _current(conn, schema, table))
    if found == schema.version:
        return found  # the usual case: no write lock taken

    def upgrade(conn: Connection) -> int | None:
        version = _current(conn, schema, table)  # again, under the write lock: another page may have done it
        before = version
        if version is None:
            version = schema.adopt(conn) if schema.adopt else None
            table.create(conn)
            if version is None:
                schema.create(conn)
                version = schema.version
            conn.execute(table.insert().values(only_row=1, version=version))
        if version > schema.version:
            raise RecordError(
                f"This {schema.name} was made by a newer dpup_eval (schema {version}); "
                f"this one understands schema {schema.version}. Nothing was changed."
            )
        for migration in schema.migrations:
            if migration.version > version:
                migration.apply(conn, db.dialect)
        if version < schema.version:
            _check_foreign_keys(conn, db.dialect, schema)
            conn.execute(table.update().values(version=schema.version))
        return before

    if db.dialect != "sqlite":
        return db.write(upgrade)
    # SQLite ignores the foreign-keys switch inside a transaction, and rebuilding a table (its way of
    # dropping a constraint) needs it off; _check_foreign_keys checks every row before the commit.
    with db.foreign_keys_off():
        return db.write(upgrade)


def _check_foreign_keys(conn: Connection, dialect: str, schema: Schema) -> None:
    if dialect != "sqlite":
        return  # PostgreSQL checks every constraint as the migration runs
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RecordError(
            f"The {schema.name} could not be brought up to date: {len(broken)} rows refer to rows that do "
            "not exist. Nothing was changed."
        )
