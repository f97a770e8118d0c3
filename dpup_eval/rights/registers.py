"""Where the request register and the use register keep their records: tables, versions, opening.

Both are kept by the record layer (:mod:`dpup_eval.records`): a SQLite file by default (created 0600 in
a 0700 folder; they hold the provider's own records), or a PostgreSQL database given a URL. A register
file made before registers were versioned has the version-1 tables and no version table: it is adopted
as version 1 with everything in it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dpup_eval.records import Database, Migration, Schema, is_url, migrate

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["REQUESTS", "USES", "open_register", "target_of"]

requests_metadata = sa.MetaData()
uses_metadata = sa.MetaData()


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


REQUEST_TABLE = sa.Table(
    "requests", requests_metadata, sa.Column("id", sa.Integer, primary_key=True),
    _text("kind"), _text("family_ref"), _text("received"), _text("due"), _text("transfer_due"), _text("covers"),
    sa.Column("known", sa.Integer, nullable=False), _text("status"),
    _text("answered_on", nullable=True), _text("answer_note", nullable=True), _text("transferred_to", nullable=True),
    _text("transferred_on", nullable=True), _text("logged_by"), _text("logged_at"),
)  # fmt: skip
REQUEST_TABLE.c.status.server_default = sa.DefaultClause("open")
CORRECTION_TABLE = sa.Table(
    "corrections", requests_metadata, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
    _text("purpose"), _text("record_key"), _text("field"), _text("old_value", nullable=True),
    _text("new_value", nullable=True), _text("outcome"), _text("statement", nullable=True), _text("reason"),
    _text("decided_by"), _text("decided_at"),
)  # fmt: skip
VERSION_TABLE = sa.Table(
    "record_versions", requests_metadata, sa.Column("id", sa.Integer, primary_key=True),
    _text("purpose"), _text("record_key"), sa.Column("version", sa.Integer, nullable=False), _text("field_values"),
    _text("changed_by"), _text("reason"), _text("changed_at"),
    sa.UniqueConstraint("purpose", "record_key", "version"),
)  # fmt: skip
USE_TABLE = sa.Table(
    "uses", uses_metadata, sa.Column("id", sa.Integer, primary_key=True),
    _text("used_on"), _text("kind"), _text("what"), _text("purpose", nullable=True), _text("data_used"),
    _text("findings"), _text("summary"), _text("recorded_by"), _text("recorded_at"),
    sa.Column("stories", sa.Text, nullable=False, server_default="[]"),  # story numbers (JSON), schema 2
)  # fmt: skip


def _adopt(table: str) -> object:
    def adopt(conn: Connection) -> int | None:
        return 1 if sa.inspect(conn).has_table(table) else None

    return adopt


REQUESTS = Schema(
    name="request register", version_table="requests_register_version", version=1,
    create=requests_metadata.create_all, adopt=_adopt("requests"),  # type: ignore[arg-type]
)  # fmt: skip
def _uses_stories(conn: Connection, dialect: str) -> None:
    """Schema 2: which families' stories (by story number) went into each use, so families can be told."""
    conn.exec_driver_sql("ALTER TABLE uses ADD COLUMN stories TEXT NOT NULL DEFAULT '[]'")


USES = Schema(
    name="use register", version_table="uses_register_version", version=2,
    create=uses_metadata.create_all, adopt=_adopt("uses"),  # type: ignore[arg-type]
    migrations=(Migration(2, "stories used", _uses_stories),),
)  # fmt: skip
_WHAT = {REQUESTS.name: "The request register", USES.name: "The use register"}


def target_of(value: str | os.PathLike[str] | None, default: Path) -> str | Path:
    """A register option as given: a database URL stays text, anything else is a file path."""
    if value is None:
        return default
    return os.fspath(value) if is_url(value) else Path(value)


def open_register(target: str | os.PathLike[str], schema: Schema, *, what: str | None = None,
                  recover: str | None = None) -> Database:
    """Open (creating or migrating) a register; the caller closes it. ``what`` names it in messages and
    ``recover`` says what to do when it is damaged (defaults for the request and use registers)."""
    db = Database(
        target, what=what or _WHAT[schema.name], lock_name=f"dpup_eval.{schema.version_table}",
        recover=recover or "Restore it from your backup copy, or move it aside to start a new, empty register.",
    )  # fmt: skip
    try:
        migrate(db, schema)
    except BaseException:
        db.close()
        raise
    return db
