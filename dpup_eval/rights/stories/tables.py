"""Where the story register keeps its records: tables, version, opening (the shared record layer).

Every table is written to by INSERT only: a story's words, each rewording, each review of its made-safe
text and each choice the family made are new rows, so the history is the record and nothing is
overwritten. A SQLite file by default (created 0600 in a 0700 folder: it holds families' own words and
the reference the provider knows them by), or a PostgreSQL database given a URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dpup_eval.paths import dpup_home
from dpup_eval.records import Database, Migration, Schema
from dpup_eval.rights.registers import open_register

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["CONSENT_TABLE", "MARK_TABLE", "REVIEW_TABLE", "SELECTION_TABLE", "STORIES", "STORY_TABLE", "VERSION_TABLE", "default_stories_path",
           "open_stories"]

metadata = sa.MetaData()


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def _story_id() -> sa.Column[int]:
    return sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False)


STORY_TABLE = sa.Table(
    "stories", metadata, sa.Column("id", sa.Integer, primary_key=True),
    _text("family_ref"), _text("told_on"), _text("domain"), _text("source"),
    _text("recorded_by"), _text("recorded_at"),
)  # fmt: skip
#: Each wording of a story: the words as told, the made-safe words, what was taken out and what was flagged.
VERSION_TABLE = sa.Table(
    "story_versions", metadata, sa.Column("id", sa.Integer, primary_key=True), _story_id(),
    sa.Column("version", sa.Integer, nullable=False), _text("original"), _text("redacted"), _text("removed"),
    _text("flags"), _text("checked_with"), _text("reason"), sa.Column("with_family", sa.Integer, nullable=False),
    _text("made_by"), _text("made_at"),
    sa.UniqueConstraint("story_id", "version"),
)  # fmt: skip
#: A person's look at one version's made-safe text beside the original: approved to travel, or held back.
REVIEW_TABLE = sa.Table(
    "story_reviews", metadata, sa.Column("id", sa.Integer, primary_key=True), _story_id(),
    sa.Column("version", sa.Integer, nullable=False), _text("decision"), sa.Column("family_saw", sa.Integer,
    nullable=False), _text("flags_reason", nullable=True), _text("reviewed_by"), _text("reviewed_at"),
)  # fmt: skip
#: The family's choices: chosen, changed, confirmed, withdrawn; each for the version they were shown.
CONSENT_TABLE = sa.Table(
    "story_consents", metadata, sa.Column("id", sa.Integer, primary_key=True), _story_id(),
    sa.Column("version", sa.Integer, nullable=False), _text("level"), _text("event"), _text("asked_with"),
    _text("how"), _text("given_on"), _text("note", nullable=True), _text("recorded_by"), _text("recorded_at"),
)  # fmt: skip

#: Schema 2. A workshop participant's mark on a story that matters most to them, with their reason.
#: ``workshop`` names the workshop (its record's number, name and day): the workshop record is another database.
MARK_TABLE = sa.Table(
    "story_marks", metadata, sa.Column("id", sa.Integer, primary_key=True), _story_id(), _text("workshop"),
    sa.Column("participant", sa.Integer, nullable=False), _text("participant_name"), _text("reason"),
    _text("marked_at"),
)  # fmt: skip
#: Schema 2. The room's choice of the most significant story in a domain (Most Significant Change), recorded
#: by the facilitator, with the room's reasons, who was present and who disagreed and why. The latest per
#: workshop and domain counts; earlier ones stay.
SELECTION_TABLE = sa.Table(
    "story_selections", metadata, sa.Column("id", sa.Integer, primary_key=True), _story_id(), _text("workshop"),
    _text("domain"), _text("reasons"), _text("present"), _text("dissenters"), _text("dissent"), _text("recorded_by"),
    _text("recorded_at"),
)  # fmt: skip


def _workshop_tables(conn: Connection, dialect: str) -> None:
    """Schema 2: marks and selections made in workshops."""
    metadata.create_all(conn, tables=[MARK_TABLE, SELECTION_TABLE])


STORIES = Schema(name="story register", version_table="stories_register_version", version=2,
                 create=metadata.create_all,
                 migrations=(Migration(2, "workshop marks and selections", _workshop_tables),))


def default_stories_path() -> Path:
    """``stories.sqlite`` in the workbench's folder (see `dpup_eval.paths.dpup_home`)."""
    return dpup_home() / "stories.sqlite"


def open_stories(target: str | os.PathLike[str]) -> Database:
    """Open (creating or migrating) the story register; the caller closes it."""
    return open_register(target, STORIES, what="The story register",
                         recover="Restore it from your backup copy; a new, empty register would lose families' "
                                 "choices.")
