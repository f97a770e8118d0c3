"""The workshop record's tables (SQLAlchemy Core) and its migrations, the same on SQLite and PostgreSQL.

The database repeats the most important rules (views, lengths, that a participant's role is one of their
workshop's roles) as constraints, so that an imported archive cannot smuggle in what the API would refuse.
Text columns hold what the archive holds (ISO dates and times as text, JSON as canonical text), so an
export is byte-for-byte the same whichever database the record lives in.

Versions: 1, as first released (SQLite only; roles a fixed CHECK); 2, roles are data (``workshop_roles``);
3, the measure the room is discussing (``workshops.current_measure``, moved by the facilitator).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from dpup_eval.records import Migration, RecordError, Schema
from dpup_eval.workshop.records import (
    DEFAULT_ROLES,
    MAX_DISPLAY_NAME,
    MAX_ID,
    MAX_NAME,
    MAX_REF,
    MAX_ROLE_ID,
    MAX_ROLE_NAME,
    MAX_TEXT,
    REPORT_ITEM_KINDS,
    ROLE_GROUPS,
    VIEWS,
    role_row,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["SCHEMA", "metadata", "table"]

SCHEMA_VERSION = 3
metadata = sa.MetaData()
_CURRENT_MEASURE = f"current_measure IS NULL OR length(current_measure) BETWEEN 1 AND {MAX_ID}"


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def _ref(name: str, target: str, **kwargs: bool) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(f"{target}.id"), nullable=kwargs.get("nullable", False),
                     unique=kwargs.get("unique", False))  # fmt: skip


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def _length(column: str, low: int, high: int) -> sa.CheckConstraint:
    if low == 0:
        return sa.CheckConstraint(f"length({column}) <= {high}")
    return sa.CheckConstraint(f"length({column}) BETWEEN {low} AND {high}")


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})")


def _json_object(column: str) -> tuple[sa.CheckConstraint, sa.CheckConstraint]:
    """A JSON object in a text column: each database's own JSON functions check it."""
    return (
        sa.CheckConstraint(f"json_valid({column}) AND json_type({column}) = 'object'").ddl_if(dialect="sqlite"),
        sa.CheckConstraint(f"jsonb_typeof(CAST({column} AS jsonb)) = 'object'").ddl_if(dialect="postgresql"),
    )


def _flag(column: str) -> sa.Column[int]:
    return sa.Column(column, sa.Integer, sa.CheckConstraint(f"{column} IN (0, 1)"), nullable=False)


sa.Table(
    "workshops", metadata, _id(),
    _text("name"), _text("held_on"), _text("data_description"), _text("contract"), _text("created_at"),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column("current_measure", sa.Text, sa.CheckConstraint(_CURRENT_MEASURE), nullable=True),
    _length("name", 1, MAX_NAME), _length("data_description", 1, MAX_TEXT), _length("contract", 1, MAX_REF),
)  # fmt: skip
sa.Table(
    "workshop_roles", metadata,
    _ref("workshop_id", "workshops"), _text("role_id"), _text("name"), _text("role_group"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("workshop_id", "role_id"), sa.UniqueConstraint("workshop_id", "position"),
    _length("role_id", 1, MAX_ROLE_ID), _length("name", 1, MAX_ROLE_NAME), _one_of("role_group", ROLE_GROUPS),
)  # fmt: skip
sa.Table(
    "participants", metadata, _id(),
    _ref("workshop_id", "workshops"), _text("display_name"), _text("role"), _text("joined_at"),
    sa.ForeignKeyConstraint(["workshop_id", "role"], ["workshop_roles.workshop_id", "workshop_roles.role_id"]),
    _length("display_name", 1, MAX_DISPLAY_NAME),
    sa.Index("participants_by_workshop", "workshop_id"),
)  # fmt: skip
sa.Table(
    "proposals", metadata, _id(),
    _ref("workshop_id", "workshops"), _ref("participant_id", "participants"), _text("indicator_id", nullable=True),
    _text("label"), _text("definition"), _text("reason"), _text("proposed_at"),
    sa.CheckConstraint(f"indicator_id IS NULL OR length(indicator_id) BETWEEN 1 AND {MAX_ID}"),
    _length("label", 1, MAX_NAME), *_json_object("definition"), _length("reason", 0, MAX_TEXT),
    sa.Index("proposals_by_workshop", "workshop_id", "id"),
)  # fmt: skip
sa.Table(
    "views", metadata, _id(),
    _ref("proposal_id", "proposals"), _ref("participant_id", "participants"),
    _text("view"), _text("comment"), _text("given_at"),
    _one_of("view", VIEWS), _length("comment", 0, MAX_TEXT),
    sa.Index("views_by_proposal", "proposal_id", "participant_id", "id"),
)  # fmt: skip
sa.Table(
    "decisions", metadata, _id(),
    _ref("workshop_id", "workshops"), _text("indicator_id"), _text("dissent"),
    _ref("recorded_by", "participants"), _text("decided_at"), _ref("supersedes", "decisions", nullable=True, unique=True),
    _length("indicator_id", 1, MAX_ID), _length("dissent", 0, MAX_TEXT),
    sa.Index("decisions_by_indicator", "workshop_id", "indicator_id", "id"),
)  # fmt: skip
sa.Table(
    "decision_proposals", metadata,
    _ref("decision_id", "decisions"), _ref("proposal_id", "proposals"),
    sa.PrimaryKeyConstraint("decision_id", "proposal_id"),
)  # fmt: skip
sa.Table(
    "decision_participants", metadata,
    _ref("decision_id", "decisions"), _ref("participant_id", "participants"), _flag("dissented"),
    sa.PrimaryKeyConstraint("decision_id", "participant_id"),
)  # fmt: skip
sa.Table(
    "interpretations", metadata, _id(),
    _ref("workshop_id", "workshops"), _ref("participant_id", "participants"),
    _text("finding_key"), _text("text"), _text("written_at"),
    *_json_object("finding_key"), _length("text", 1, MAX_TEXT),
    sa.Index("interpretations_by_workshop", "workshop_id", "id"),
)  # fmt: skip
sa.Table(
    "report_choices", metadata, _id(),
    _ref("workshop_id", "workshops"), _ref("participant_id", "participants"),
    _text("item_kind"), _text("item_key"), _flag("include"), _text("chosen_at"),
    _one_of("item_kind", REPORT_ITEM_KINDS), _length("item_key", 1, MAX_REF),
    sa.Index("report_choices_by_item", "workshop_id", "item_kind", "item_key", "id"),
)  # fmt: skip


def table(name: str) -> sa.Table:
    """One of the record's tables by name."""
    return metadata.tables[name]


def insert_roles(conn: Connection, workshop_id: int, roles: tuple | list) -> None:
    conn.execute(table("workshop_roles").insert(), [role_row(workshop_id, n, r) for n, r in enumerate(roles)])


def _create(conn: Connection) -> None:
    metadata.create_all(conn)


def _roles_become_data(conn: Connection, dialect: str) -> None:
    """2: every existing workshop had exactly the four default roles; participants lose the fixed CHECK
    and gain a foreign key to their workshop's roles. SQLite cannot drop a constraint, so the table is
    rebuilt (its documented way: new table, rows copied, old dropped, new renamed)."""
    if dialect != "sqlite":
        raise RecordError("A version-1 workshop record can only be a SQLite file.")
    table("workshop_roles").create(conn)
    for (workshop_id,) in conn.execute(sa.select(table("workshops").c.id)).all():
        insert_roles(conn, workshop_id, list(DEFAULT_ROLES))
    scratch = sa.MetaData()
    for existing in metadata.sorted_tables:
        existing.to_metadata(scratch)
    new = table("participants").to_metadata(scratch, name="participants_v2")
    conn.execute(sa.schema.CreateTable(new))
    columns = "id, workshop_id, display_name, role, joined_at"
    conn.exec_driver_sql(f"INSERT INTO participants_v2 ({columns}) SELECT {columns} FROM participants")
    conn.exec_driver_sql("DROP TABLE participants")
    conn.exec_driver_sql("ALTER TABLE participants_v2 RENAME TO participants")
    for index in table("participants").indexes:
        index.create(conn)


def _room_moves(conn: Connection, dialect: str) -> None:
    """3: the measure the room is discussing; none yet in an existing record (the same SQL on both)."""
    conn.exec_driver_sql(f"ALTER TABLE workshops ADD COLUMN current_measure TEXT CHECK ({_CURRENT_MEASURE})")


SCHEMA = Schema(
    name="workshop record",
    version_table="schema_version",  # the name version 1 used, so an older dpup_eval refuses a newer file
    version=SCHEMA_VERSION,
    create=_create,
    migrations=(
        Migration(2, "participant roles are data", _roles_become_data),
        Migration(3, "the room moves between measures", _room_moves),
    ),
)
