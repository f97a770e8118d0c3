"""The co-designed agreement's tables: versions, views, proposals (declines among them), responses, sign-offs.

They live in the workshop record's database (participants are workshop participants) but are a record of
their own with their own version table (``agreement_record_version``), so they migrate independently of
the workshop tables. Every table is written by INSERT only: a changed view, a second response or a new
version is a new row; the latest counts and the history is the record.
"""

from __future__ import annotations

import sqlalchemy as sa

from dpup_eval.records import Schema

__all__ = ["AGREEMENT_SCHEMA", "ARCHIVE_TABLES", "PROPOSALS", "RESPONSES", "SIGNOFFS", "VERSIONS", "VIEWS", "metadata"]

#: A view on a field or a purpose; what may be proposed; how a side answers; which sides sign.
AGREEMENT_VIEWS = ("needed", "not_sure", "dont_collect")
PROPOSAL_KINDS = ("drop", "coarsen", "move", "reword", "not_used_for", "decline")
RESPONSES_ALLOWED = ("accepted", "not_accepted", "discuss")
SIDES = ("provider", "agency")
MAX_TEXT = 2000
MAX_CONTRACTS = 2_000_000

metadata = sa.MetaData()
# The workshop tables this record refers to (created by the workshop record, not here).
sa.Table("workshops", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("participants", metadata, sa.Column("id", sa.Integer, primary_key=True))


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def _ref(name: str, target: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(f"{target}.id"), nullable=nullable)


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})")


def _length(column: str, high: int) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"length({column}) <= {high}")


#: Each version of the programme's contracts under discussion: every contract's YAML text (a JSON object
#: file name -> text), what it was made from and the plain-language summary of what changed (JSON list).
VERSIONS = sa.Table(
    "agreement_versions", metadata, sa.Column("id", sa.Integer, primary_key=True), _ref("workshop_id", "workshops"),
    sa.Column("number", sa.Integer, nullable=False), _text("contracts"), _ref("based_on", "agreement_versions",
    nullable=True), _text("summary"), _ref("made_by", "participants", nullable=True), _text("made_at"),
    sa.UniqueConstraint("workshop_id", "number"), _length("contracts", MAX_CONTRACTS),
)  # fmt: skip
VIEWS = sa.Table(
    "agreement_views", metadata, sa.Column("id", sa.Integer, primary_key=True), _ref("version_id", "agreement_versions"),
    _ref("participant_id", "participants"), _text("purpose"), _text("field", nullable=True), _text("view"),
    _text("reason"), _text("given_at"), _one_of("view", AGREEMENT_VIEWS), _length("reason", MAX_TEXT),
    sa.Index("agreement_views_by_version", "version_id", "id"),
)  # fmt: skip
#: A proposed change, or (kind ``decline``) the provider declining a field; ``detail`` is a JSON object.
PROPOSALS = sa.Table(
    "agreement_proposals", metadata, sa.Column("id", sa.Integer, primary_key=True),
    _ref("version_id", "agreement_versions"), _ref("participant_id", "participants"), _text("kind"),
    _text("purpose"), _text("field", nullable=True), _text("detail"), _text("reason"), _text("proposed_at"),
    _one_of("kind", PROPOSAL_KINDS), _length("reason", MAX_TEXT), _length("detail", MAX_TEXT * 2),
    sa.Index("agreement_proposals_by_version", "version_id", "id"),
)  # fmt: skip
RESPONSES = sa.Table(
    "agreement_responses", metadata, sa.Column("id", sa.Integer, primary_key=True),
    _ref("proposal_id", "agreement_proposals"), _ref("participant_id", "participants"), _text("side"),
    _text("response"), _text("note"), _text("responded_at"), _one_of("side", SIDES),
    _one_of("response", RESPONSES_ALLOWED), _length("note", MAX_TEXT),
)  # fmt: skip
#: A named role signing a version for its side, with the date.
SIGNOFFS = sa.Table(
    "agreement_signoffs", metadata, sa.Column("id", sa.Integer, primary_key=True),
    _ref("version_id", "agreement_versions"), _ref("participant_id", "participants"), _text("side"),
    _text("signer_role"), _text("signed_on"), _text("signed_at"), _one_of("side", SIDES),
    sa.CheckConstraint("length(signer_role) BETWEEN 1 AND 80"),
)  # fmt: skip
_OWN = [VERSIONS, VIEWS, PROPOSALS, RESPONSES, SIGNOFFS]
#: The tables as they go into a workshop record archive (workshop/archive.py, format 4 on), parents first:
#: each with its columns in archive order and the ORDER BY that makes an export deterministic.
ARCHIVE_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    t.name: (tuple(c.name for c in t.columns), "id") for t in _OWN
}


def _create(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=_OWN)


AGREEMENT_SCHEMA = Schema(name="agreement record", version_table="agreement_record_version", version=1,
                          create=_create)
