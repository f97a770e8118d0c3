"""The workshop record's shape: the records the store returns, the archive's tables, and input checks.

The tables themselves (and their migrations) are in :mod:`dpup_eval.workshop.tables`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

from dpup_eval.errors import DpupEvalError
from dpup_eval.workshop.agreement_tables import ARCHIVE_TABLES

#: The workshop's public types (``dpup_eval.workshop`` re-exports exactly these). The length limits and
#: input checks below are the store's and the archive's, imported by name where needed.
__all__ = [
    "DEFAULT_ROLES",
    "REPORT_ITEM_KINDS",
    "ROLES",
    "ROLE_GROUPS",
    "VIEWS",
    "Decision",
    "Interpretation",
    "Participant",
    "Proposal",
    "Role",
    "View",
    "Workshop",
    "WorkshopError",
    "finding_key_text",
]

R = TypeVar("R")

#: The archive (``export_json``) format; bump when its layout changes.
FORMAT_NAME = "dpup_eval.workshop_record"
#: 2 added ``workshop_roles``; 3 added ``workshops.current_measure``; 4 added the co-designed agreement's
#: tables (``agreement_tables.ARCHIVE_TABLES``). Older archives still import (version 1 with the default
#: roles; versions 1 and 2 with no measure under discussion; versions 1 to 3 with no agreement record).
FORMAT_VERSION = 4

#: The groups a participant role belongs to: what a room view counts views by.
ROLE_GROUPS = ("family", "provider", "agency", "other")
VIEWS = ("support", "not_sure", "concern")
REPORT_ITEM_KINDS = ("finding", "decision", "interpretation")
FINDING_KEY_FIELDS = ("indicator_id", "definition_id", "group", "period")

MAX_DISPLAY_NAME = 40
MAX_NAME = 200  # workshop name, proposal label
MAX_ID = 100  # indicator ids
MAX_TEXT = 2000  # anything a participant writes in their own words
MAX_REF = 1000  # contract path/id, report item keys
MAX_JSON = 20_000  # a serialised definition or finding key
MAX_ROLE_ID = 40
MAX_ROLE_NAME = 80
_ROLE_ID = re.compile(r"[a-z][a-z0-9_]*")


#: Every table of the record, parents before children (the order rows are imported in), with its
#: columns in archive order and the ORDER BY that makes an export deterministic.
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "workshops": (
        ("id", "name", "held_on", "data_description", "contract", "created_at", "revision", "current_measure"),
        "id",
    ),
    "workshop_roles": (("workshop_id", "role_id", "name", "role_group", "position"), "workshop_id, position"),
    "participants": (("id", "workshop_id", "display_name", "role", "joined_at"), "id"),
    "proposals": (
        (
            "id",
            "workshop_id",
            "participant_id",
            "indicator_id",
            "label",
            "definition",
            "reason",
            "proposed_at",
        ),
        "id",
    ),
    "views": (("id", "proposal_id", "participant_id", "view", "comment", "given_at"), "id"),
    "decisions": (
        ("id", "workshop_id", "indicator_id", "dissent", "recorded_by", "decided_at", "supersedes"),
        "id",
    ),
    "decision_proposals": (("decision_id", "proposal_id"), "decision_id, proposal_id"),
    "decision_participants": (("decision_id", "participant_id", "dissented"), "decision_id, participant_id"),
    "interpretations": (("id", "workshop_id", "participant_id", "finding_key", "text", "written_at"), "id"),
    "report_choices": (
        ("id", "workshop_id", "participant_id", "item_kind", "item_key", "include", "chosen_at"),
        "id",
    ),
}
#: Every table an archive holds (format 4): the workshop's, then the co-designed agreement's.
ARCHIVED: dict[str, tuple[tuple[str, ...], str]] = {**TABLES, **ARCHIVE_TABLES}
#: Columns holding JSON text in SQLite and a JSON object in the archive (readable, not double-encoded).
JSON_COLUMNS = {("proposals", "definition"), ("interpretations", "finding_key")}
#: Columns holding 0/1 in SQLite and true/false in the archive.
BOOL_COLUMNS = {("decision_participants", "dissented"), ("report_choices", "include")}


class WorkshopError(DpupEvalError, ValueError):
    """Something a participant or facilitator entered cannot be recorded; the message says why, plainly.

    A ``ValueError`` (bad input) and a ``DpupEvalError`` (the command line prints it as one line).
    """


# --- Records returned by the store: frozen so a page cannot edit history by mutating a result. ---


@dataclass(frozen=True, slots=True)
class Role:
    """A participant role in one workshop: what ``join`` is given, a plain name, and its role group.

    The group (family / provider / agency / other) is what views are counted by, so a programme can name
    its own roles ("Kaumātua", "Youth worker") and still show whether families and the agency agree.
    """

    id: str
    name: str
    group: str

    @classmethod
    def checked(cls, value: Role | Mapping[str, Any]) -> Role:
        """A role from a ``Role`` or a mapping with exactly ``id``, ``name`` and ``group`` (as in YAML)."""
        if isinstance(value, Role):
            value = {"id": value.id, "name": value.name, "group": value.group}
        elif not isinstance(value, Mapping) or set(value) != {"id", "name", "group"}:
            raise WorkshopError("Each role needs exactly an id, a name and a group.")
        role_id = check_text(value["id"], "A role id", max_len=MAX_ROLE_ID, min_len=1)
        if not _ROLE_ID.fullmatch(role_id):
            raise WorkshopError(
                f"The role id {role_id!r} must be lowercase letters, digits and _ (starting with a letter)."
            )
        name = check_text(value["name"], f"The name of role {role_id}", max_len=MAX_ROLE_NAME, min_len=1, strip=True)
        if not name.isprintable():
            raise WorkshopError(f"The name of role {role_id} cannot contain line breaks or control characters.")
        group = check_choice(value["group"], f"The group of role {role_id}", ROLE_GROUPS)
        return cls(role_id, name, group)


#: Today's four roles: every workshop gets them unless it is given its own.
DEFAULT_ROLES = (
    Role("family_member", "Family member (parent, caregiver or young person)", "family"),
    Role("provider_staff", "Provider staff", "provider"),
    Role("agency_staff", "Agency staff", "agency"),
    Role("other", "Someone else", "other"),
)
ROLES = tuple(r.id for r in DEFAULT_ROLES)


def check_roles(roles: Iterable[Role | Mapping[str, Any]]) -> tuple[Role, ...]:
    """A workshop's roles, checked: at least one, each valid, ids unique; order kept."""
    if isinstance(roles, str | bytes | Mapping):
        raise WorkshopError("The roles must be a list of roles.")
    checked = tuple(Role.checked(r) for r in roles)
    if not checked:
        raise WorkshopError("A workshop needs at least one participant role.")
    ids = [r.id for r in checked]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise WorkshopError(f"Each role id can be used once (repeated: {', '.join(repeated)}).")
    return checked


@dataclass(frozen=True, slots=True)
class Workshop:
    id: int
    name: str
    held_on: date
    data_description: str
    contract: str
    created_at: datetime
    roles: tuple[Role, ...]  # the participant roles people join with, in order
    current_measure: str | None = None  # the measure the room is discussing (the facilitator moves it)

    def role(self, role_id: str) -> Role:
        """The workshop's role with this id; a plain ``WorkshopError`` naming the choices otherwise."""
        for role in self.roles:
            if role.id == role_id:
                return role
        raise WorkshopError(
            f"The role must be one of: {', '.join(r.id for r in self.roles)} (got {role_id!r})."
        )


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    workshop_id: int
    display_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    workshop_id: int
    participant_id: int
    indicator_id: str | None  # None: a brand-new measure
    label: str
    definition: dict[str, Any]  # opaque to the store; a fresh copy on every read
    reason: str
    proposed_at: datetime


@dataclass(frozen=True, slots=True)
class View:
    id: int
    proposal_id: int
    participant_id: int
    view: str
    comment: str
    given_at: datetime


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    workshop_id: int
    indicator_id: str
    proposal_ids: tuple[int, ...]  # empty: the existing definition was kept
    present: tuple[int, ...]
    dissenters: tuple[int, ...]
    dissent: str
    recorded_by: int
    decided_at: datetime
    supersedes: int | None


@dataclass(frozen=True, slots=True)
class Interpretation:
    id: int
    workshop_id: int
    participant_id: int
    finding_key: dict[str, Any]
    text: str
    written_at: datetime


# --- Input checks: plain messages, because they may be shown to a participant as they are. ---


def check_text(value: object, what: str, *, max_len: int, min_len: int = 0, strip: bool = False) -> str:
    """Return ``value`` (stripped if asked) after checking it is text of an acceptable length."""
    if not isinstance(value, str):
        raise WorkshopError(f"{what} must be text.")
    text = value.strip() if strip else value
    if len(text) < min_len:
        raise WorkshopError(f"{what} cannot be empty." if min_len == 1 else f"{what} is too short.")
    if len(text) > max_len:
        raise WorkshopError(f"{what} can be at most {max_len} characters (it has {len(text)}).")
    return text


def check_choice(value: object, what: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise WorkshopError(f"{what} must be one of: {', '.join(allowed)} (got {value!r}).")
    return str(value)


def check_id(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorkshopError(f"{what} must be a whole-number id (got {value!r}).")
    return value


def canonical_json(value: Mapping[str, Any], what: str) -> str:
    """Serialise a JSON object deterministically (sorted keys, UTF-8 kept), refusing NaN/infinity."""
    if not isinstance(value, Mapping):
        raise WorkshopError(f"{what} must be a JSON object (a dict).")
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WorkshopError(f"{what} must contain only JSON values: {exc}") from None
    if len(text) > MAX_JSON:
        raise WorkshopError(f"{what} is too large ({len(text)} characters; at most {MAX_JSON}).")
    return text


def finding_key_text(finding_key: Mapping[str, Any]) -> str:
    """The canonical text form of a finding key, used to store it and as a report ``item_key``.

    A finding key names one finding: ``indicator_id``, ``definition_id``, ``group`` (a dict, empty for
    everyone) and ``period``. Equal keys give equal text whatever the dict order.
    """
    if not isinstance(finding_key, Mapping):
        raise WorkshopError("The finding key must be a dict.")
    missing = [f for f in FINDING_KEY_FIELDS if f not in finding_key]
    if missing:
        raise WorkshopError(f"The finding key is missing: {', '.join(missing)}.")
    if not isinstance(finding_key["group"], Mapping):
        raise WorkshopError("The finding key's group must be a dict (empty for everyone).")
    for field in ("indicator_id", "definition_id"):
        check_text(finding_key[field], f"The finding key's {field}", max_len=MAX_ID, min_len=1)
    return canonical_json(finding_key, "The finding key")


# --- Rows to records, and the archive's row form. ---

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "held_on": date.fromisoformat,
    "definition": json.loads,
    "finding_key": json.loads,
}


def to_record(cls: type[R], row: Mapping[Any, Any], **extra: Any) -> R:
    """Build a record from a row whose column names match the record's fields (extras are ignored)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    values = dict(extra)
    for key in row.keys():  # noqa: SIM118 - a RowMapping
        if key in names:
            value = row[key]
            values[key] = (
                datetime.fromisoformat(value) if key.endswith("_at") else _PARSERS.get(key, _same)(value)
            )
    return cls(**values)


def _same(value: Any) -> Any:
    return value


def to_archive(table: str, columns: tuple[str, ...], row: Mapping[Any, Any]) -> dict[str, Any]:
    """A stored row as an archive row: JSON columns as objects, flags as booleans."""
    out: dict[str, Any] = {}
    for col in columns:
        value = row[col]
        if (table, col) in JSON_COLUMNS:
            value = json.loads(value)
        elif (table, col) in BOOL_COLUMNS:
            value = bool(value)
        out[col] = value
    return out


def from_archive(table: str, columns: tuple[str, ...], row: Mapping[str, Any]) -> tuple[Any, ...]:
    """An archive row as values to insert, checking what SQLite's loose typing would let through."""
    if table in ARCHIVE_TABLES:
        return tuple(_agreement_value(f"{table}.{col}", col, row[col]) for col in columns)
    values = []
    for col in columns:
        value = row[col]
        what = f"{table}.{col}"
        if (table, col) in JSON_COLUMNS:
            value = canonical_json(value, what)
        elif (table, col) in BOOL_COLUMNS:
            if not isinstance(value, bool):
                raise WorkshopError(f"{what} must be true or false.")
            value = int(value)
        elif col == "role_id":
            check_text(value, what, max_len=MAX_ROLE_ID, min_len=1)
        elif col in ("indicator_id", "current_measure") or (col == "supersedes" and value is None):
            if value is not None:
                check_text(value, what, max_len=MAX_ID, min_len=1)
        elif col == "id" or col.endswith("_id") or col in ("recorded_by", "revision", "supersedes", "position"):
            check_id(value, what)
        elif col.endswith("_at") or col == "held_on":
            _check_iso(value, what, day=col == "held_on")
        values.append(value)
    return tuple(values)


def _check_iso(value: Any, what: str, *, day: bool) -> None:
    """An archive's date (``day``) or date and time must be ISO text."""
    try:
        (date if day else datetime).fromisoformat(value)
    except (TypeError, ValueError):
        raise WorkshopError(f"{what} is not an ISO date/time: {value!r}.") from None


def _agreement_value(what: str, col: str, value: Any) -> Any:
    """One value of an agreement table's archive row: ids are whole numbers (``based_on``, ``made_by`` may
    be empty), times and dates are ISO, ``field`` is text or empty, the rest is text (the tables' own
    checks then hold the kinds and lengths)."""
    if col in ("based_on", "made_by") and value is None:
        return None
    if col in ("id", "number", "based_on", "made_by") or col.endswith("_id"):
        return check_id(value, what)
    if col.endswith("_at") or col == "signed_on":
        _check_iso(value, what, day=col == "signed_on")
        return value
    if col == "field" and value is None:
        return None
    if not isinstance(value, str):
        raise WorkshopError(f"{what} must be text.")
    return value


def check_archive(archive: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """Check an archive's envelope and shape before touching any database.

    A version-1 archive (made before roles were data) has no ``workshop_roles``: each of its workshops
    is given the default roles, which are exactly the roles version 1 allowed.
    """
    if archive.get("format") != FORMAT_NAME:
        raise WorkshopError(f"This is not a workshop record (format {archive.get('format')!r}).")
    version = archive.get("format_version")
    if version not in (1, 2, 3, FORMAT_VERSION):
        raise WorkshopError(
            f"This workshop record has format version {version!r}; "
            f"this dpup_eval reads versions 1 to {FORMAT_VERSION}."
        )
    tables = archive.get("tables")
    expected = [t for t in TABLES if version != 1 or t != "workshop_roles"]
    if version == FORMAT_VERSION:
        expected += list(ARCHIVE_TABLES)
    if not isinstance(tables, Mapping) or set(tables) != set(expected):
        raise WorkshopError(f"A workshop record must hold exactly these tables: {', '.join(expected)}.")
    for table in expected:
        columns, rows = ARCHIVED[table][0], tables[table]
        if table == "workshops" and version in (1, 2):  # before the room moved between measures
            columns = tuple(c for c in columns if c != "current_measure")
        if not isinstance(rows, list):
            raise WorkshopError(f"Table {table} in the record must be a list of rows.")
        for n, row in enumerate(rows):
            if not isinstance(row, Mapping) or set(row) != set(columns):
                raise WorkshopError(
                    f"Row {n} of table {table} must have exactly the columns {', '.join(columns)}."
                )
    checked = {t: list(tables[t]) for t in expected}
    for table in ARCHIVE_TABLES:
        checked.setdefault(table, [])  # before version 4: no agreement record
    if version in (1, 2):
        checked["workshops"] = [{**w, "current_measure": None} for w in checked["workshops"]]
    if version == 1:
        checked["workshop_roles"] = [
            role_row(w["id"], n, role) for w in checked["workshops"] for n, role in enumerate(DEFAULT_ROLES)
        ]
    return {t: checked[t] for t in ARCHIVED}


def role_row(workshop_id: int, position: int, role: Role) -> dict[str, Any]:
    """A role as a ``workshop_roles`` row."""
    return {
        "workshop_id": workshop_id, "role_id": role.id, "name": role.name, "role_group": role.group,
        "position": position,
    }  # fmt: skip
