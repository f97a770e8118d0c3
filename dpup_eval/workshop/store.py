"""The shared workshop record: one SQLite file that every participant's page reads and writes.

Why SQLite: in Voila every browser page is its own kernel (its own process), so nothing in memory is
shared between participants; a database file on the workshop machine is. The standard library's
``sqlite3`` is enough, and adds no dependency to a dashboard kernel.

Why writes are not lost with thirty people pressing buttons at once:

* WAL mode: readers never block the (single) writer and the writer never blocks readers.
* ``busy_timeout``: a writer that finds the database locked waits up to ``timeout_s`` instead of failing.
* ``BEGIN IMMEDIATE``: a write transaction takes the write lock at its start, so two writers cannot both
  read and then collide upgrading to a write lock (SQLite reports that as "database is locked" at once,
  without waiting).
* a bounded retry with jittered backoff around every transaction, for the rare "locked"/"busy" the busy
  handler does not absorb (WAL recovery, a lock met at COMMIT).
* one short transaction per write, so the lock is held for milliseconds.

Connections: open one ``WorkshopStore`` per process (each Voila kernel opens its own). Within a process
the store may be used from several threads (say, a polling timer), because its one connection is guarded
by a lock. It must not travel across ``fork``: a store used in another process raises ``RuntimeError``.

Polling: there is no push between kernels, so a page asks ``revision(workshop_id)`` every few seconds
(one indexed read) and redraws only when it has moved; ``proposals(workshop_id, since_id=...)`` then
fetches only the new rows.

History is never rewritten: views, decisions and report choices are append-only and "current" is derived
(the latest row per key; the decision no later decision supersedes). Text typed by participants is stored
as typed (escaping is the renderer's job), checked only for length.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from dpup_eval.errors import DpupEvalError
from dpup_eval.workshop.records import (
    DDL,
    DEFAULT_ROLES,
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_DISPLAY_NAME,
    MAX_ID,
    MAX_NAME,
    MAX_REF,
    MAX_TEXT,
    MIGRATE_PARTICIPANTS_V2,
    REPORT_ITEM_KINDS,
    SCHEMA_VERSION,
    TABLES,
    VIEWS,
    Decision,
    Interpretation,
    Participant,
    Proposal,
    Role,
    View,
    Workshop,
    WorkshopError,
    canonical_json,
    check_archive,
    check_choice,
    check_id,
    check_roles,
    check_text,
    finding_key_text,
    from_archive,
    role_row,
    to_archive,
    to_record,
)

T = TypeVar("T")
Conn = sqlite3.Connection

_MAX_ATTEMPTS = 8  # each attempt already waits up to busy_timeout inside SQLite
_FIRST_BACKOFF_S = 0.01
_MAX_BACKOFF_S = 0.5
#: SQL condition, for a row ``d`` of decisions, that no later decision supersedes it.
_NOT_SUPERSEDED = "NOT EXISTS (SELECT 1 FROM decisions s WHERE s.supersedes = d.id)"


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _unique_ids(values: Iterable[int], what: str) -> tuple[int, ...]:
    return tuple(sorted({check_id(v, what) for v in values}))


class WorkshopStore:
    """The workshop record in one SQLite file: workshop, participants, proposals, views, decisions,
    interpretations and report choices, with their history."""

    def __init__(
        self, path: Path | str, *, timeout_s: float = 30.0, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._conn = sqlite3.connect(
            self.path, timeout=timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            self._conn.row_factory = sqlite3.Row
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            mode = self._retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            if mode != "wal":
                raise DpupEvalError(
                    f"SQLite could not use WAL mode for {self.path} (got {mode!r}); "
                    "put the workshop database on a local disk."
                )
            self._conn.execute("PRAGMA synchronous = FULL")  # a decision survives a power cut
            # Foreign keys are off while the schema is made or migrated (a migration may rebuild a table,
            # which cannot be done with them on, and the pragma is ignored inside a transaction); the
            # migration checks them itself before it commits.
            self._conn.execute("PRAGMA foreign_keys = OFF")
            self._write(self._ensure_schema)
            self._conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            self._conn.close()
            raise

    # --- connection and transactions ---------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> WorkshopStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _retry(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` again, after a jittered backoff, while SQLite reports locked/busy."""
        delay = _FIRST_BACKOFF_S
        for n in range(_MAX_ATTEMPTS):
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or n == _MAX_ATTEMPTS - 1:
                    raise
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, _MAX_BACKOFF_S)
        raise AssertionError("unreachable")

    def _transaction(self, body: Callable[[Conn], T], *, write: bool) -> T:
        if os.getpid() != self._pid:
            raise RuntimeError("A WorkshopStore cannot be shared across processes; open one per process.")

        def attempt() -> T:
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                result = body(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            return result

        with self._lock:
            return self._retry(attempt)

    def _write(self, body: Callable[[Conn], T]) -> T:
        return self._transaction(body, write=True)

    def _read(self, body: Callable[[Conn], T]) -> T:
        return self._transaction(body, write=False)

    def _now(self) -> str:
        return self._clock().isoformat()

    @staticmethod
    def _ensure_schema(conn: Conn) -> None:
        """Create the schema in a new file, or migrate an older one in place (history kept)."""
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone() and conn.execute("SELECT version FROM schema_version").fetchone()
        version = found["version"] if found else None
        if version is not None and version > SCHEMA_VERSION:
            raise DpupEvalError(
                f"This workshop database was made by a newer dpup_eval (schema {version}); "
                f"this one understands schema {SCHEMA_VERSION}."
            )
        # Statement by statement: executescript() would COMMIT the surrounding BEGIN IMMEDIATE.
        for statement in DDL.split(";"):
            if statement.strip():
                conn.execute(statement)
        if version is None:
            conn.execute("INSERT INTO schema_version (only_row, version) VALUES (1, ?)", (SCHEMA_VERSION,))
            return
        if version < 2:  # roles became data: every existing workshop had exactly the four default roles
            for workshop in conn.execute("SELECT id FROM workshops").fetchall():
                WorkshopStore._insert_roles(conn, workshop["id"], DEFAULT_ROLES)
            for statement in MIGRATE_PARTICIPANTS_V2:
                conn.execute(statement)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise DpupEvalError(
                f"The workshop record could not be brought up to date: {len(broken)} rows refer to rows "
                "that do not exist. Nothing was changed."
            )
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    @staticmethod
    def _insert_roles(conn: Conn, workshop_id: int, roles: Iterable[Role]) -> None:
        conn.executemany(
            "INSERT INTO workshop_roles (workshop_id, role_id, name, role_group, position)"
            " VALUES (:workshop_id, :role_id, :name, :role_group, :position)",
            [role_row(workshop_id, n, role) for n, role in enumerate(roles)],
        )

    @staticmethod
    def _workshop(conn: Conn, row: sqlite3.Row | None) -> Workshop | None:
        """A workshop row as a record, with its roles."""
        if row is None:
            return None
        roles = conn.execute(
            "SELECT role_id, name, role_group FROM workshop_roles WHERE workshop_id = ? ORDER BY position",
            (row["id"],),
        )
        return to_record(Workshop, row, roles=tuple(Role(r[0], r[1], r[2]) for r in roles))

    @staticmethod
    def _bump(conn: Conn, workshop_id: int) -> None:
        """Count every change, so a polling page can tell cheaply whether to redraw."""
        conn.execute("UPDATE workshops SET revision = revision + 1 WHERE id = ?", (workshop_id,))

    @staticmethod
    def _require_workshop(conn: Conn, workshop_id: int) -> None:
        if (
            conn.execute(
                "SELECT 1 FROM workshops WHERE id = ?", (check_id(workshop_id, "workshop"),)
            ).fetchone()
            is None
        ):
            raise WorkshopError(f"There is no workshop {workshop_id}.")

    @staticmethod
    def _require_participant(conn: Conn, workshop_id: int, participant_id: int) -> None:
        row = conn.execute(
            "SELECT workshop_id FROM participants WHERE id = ?", (check_id(participant_id, "participant"),)
        ).fetchone()
        if row is None or row["workshop_id"] != workshop_id:
            raise WorkshopError(f"Participant {participant_id} has not joined this workshop.")

    @staticmethod
    def _insert(conn: Conn, table: str, values: Mapping[str, Any]) -> sqlite3.Row:
        """Insert one row and read it back, so returned records match what later reads will give."""
        placeholders = ", ".join("?" * len(values))
        cur = conn.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders})", tuple(values.values())
        )
        return conn.execute(f"SELECT * FROM {table} WHERE id = ?", (cur.lastrowid,)).fetchone()

    def _select(self, cls: type[T], sql: str, params: tuple[Any, ...]) -> list[T]:
        return [to_record(cls, r) for r in self._read(lambda c: c.execute(sql, params).fetchall())]

    # --- workshop and participants ------------------------------------------------------------

    def create_workshop(
        self,
        name: str,
        held_on: date,
        data_description: str,
        contract: str | os.PathLike[str],
        *,
        roles: Iterable[Role | Mapping[str, Any]] = DEFAULT_ROLES,
    ) -> Workshop:
        """Start a workshop record: what it is called, when it is held, which data and agreement it uses,
        and the participant roles people join with (default: family member, provider staff, agency staff,
        someone else)."""
        name = check_text(name, "The workshop name", max_len=MAX_NAME, min_len=1, strip=True)
        if not isinstance(held_on, date) or isinstance(held_on, datetime):
            raise WorkshopError("The workshop date must be a date (not a date and time).")
        data_description = check_text(data_description, "The data description", max_len=MAX_TEXT, min_len=1)
        contract = check_text(os.fspath(contract), "The contract", max_len=MAX_REF, min_len=1)
        checked_roles = check_roles(roles)
        row = {"name": name, "held_on": held_on.isoformat(), "data_description": data_description}
        row |= {"contract": contract, "created_at": self._now(), "revision": 1}

        def body(conn: Conn) -> Workshop:
            created = self._insert(conn, "workshops", row)
            self._insert_roles(conn, created["id"], checked_roles)
            return self._workshop(conn, created)  # type: ignore[return-value]

        return self._write(body)

    def workshop(self, workshop_id: int) -> Workshop | None:
        sql = "SELECT * FROM workshops WHERE id = ?"
        return self._read(lambda c: self._workshop(c, c.execute(sql, (workshop_id,)).fetchone()))

    def current_workshop(self) -> Workshop | None:
        """The most recently created workshop: the one a page joins when it is given no id."""
        sql = "SELECT * FROM workshops ORDER BY id DESC LIMIT 1"
        return self._read(lambda c: self._workshop(c, c.execute(sql).fetchone()))

    def revision(self, workshop_id: int) -> int:
        """A counter raised by every write to this workshop: poll it and redraw only when it moves."""
        sql = "SELECT revision FROM workshops WHERE id = ?"
        row = self._read(lambda c: c.execute(sql, (workshop_id,)).fetchone())
        if row is None:
            raise WorkshopError(f"There is no workshop {workshop_id}.")
        return int(row["revision"])

    def changed_since(self, workshop_id: int, marker: int) -> bool:
        """Whether anything was written to the workshop since ``marker`` (a value of ``revision``)."""
        return self.revision(workshop_id) != marker

    def join(self, workshop_id: int, display_name: str, role: str) -> Participant:
        """Add a participant: a chosen display name (unique in the workshop) and one of the workshop's
        roles (its id), nothing more."""
        display_name = check_text(
            display_name, "Your display name", max_len=MAX_DISPLAY_NAME, min_len=1, strip=True
        )
        if not display_name.isprintable():
            raise WorkshopError("Your display name cannot contain line breaks or control characters.")
        row = {
            "workshop_id": workshop_id,
            "display_name": display_name,
            "role": role,
            "joined_at": self._now(),
        }

        def body(conn: Conn) -> sqlite3.Row:
            self._require_workshop(conn, workshop_id)
            found = conn.execute("SELECT * FROM workshops WHERE id = ?", (workshop_id,)).fetchone()
            self._workshop(conn, found).role(role)  # type: ignore[union-attr]
            taken = conn.execute(
                "SELECT display_name FROM participants WHERE workshop_id = ?", (workshop_id,)
            )
            if any(r["display_name"].casefold() == display_name.casefold() for r in taken):
                raise WorkshopError(
                    f"Someone has already joined as {display_name!r}; please choose another name."
                )
            self._bump(conn, workshop_id)
            return self._insert(conn, "participants", row)

        return to_record(Participant, self._write(body))

    def participants(self, workshop_id: int) -> list[Participant]:
        return self._select(
            Participant, "SELECT * FROM participants WHERE workshop_id = ? ORDER BY id", (workshop_id,)
        )

    def find_participant(self, workshop_id: int, display_name: str) -> Participant | None:
        """The participant with this display name (any case): lets a reloaded page carry on as them."""
        wanted = display_name.strip().casefold()
        return next((p for p in self.participants(workshop_id) if p.display_name.casefold() == wanted), None)

    # --- proposals and views --------------------------------------------------------------------

    def propose(
        self,
        workshop_id: int,
        participant_id: int,
        *,
        indicator_id: str | None,
        label: str,
        definition: Mapping[str, Any],
        reason: str,
    ) -> Proposal:
        """Record an alternative definition for an indicator (``indicator_id=None``: a new measure)."""
        if indicator_id is not None:
            indicator_id = check_text(indicator_id, "The indicator id", max_len=MAX_ID, min_len=1)
        row = {
            "workshop_id": workshop_id,
            "participant_id": participant_id,
            "indicator_id": indicator_id,
            "label": check_text(label, "The label", max_len=MAX_NAME, min_len=1, strip=True),
            "definition": canonical_json(definition, "The definition"),
            "reason": check_text(reason, "The reason", max_len=MAX_TEXT),
            "proposed_at": self._now(),
        }

        def body(conn: Conn) -> sqlite3.Row:
            self._require_participant(conn, workshop_id, participant_id)
            self._bump(conn, workshop_id)
            return self._insert(conn, "proposals", row)

        return to_record(Proposal, self._write(body))

    def proposals(self, workshop_id: int, since_id: int = 0) -> list[Proposal]:
        """Proposals with an id above ``since_id``, oldest first: a polling page asks only for new ones."""
        sql = "SELECT * FROM proposals WHERE workshop_id = ? AND id > ? ORDER BY id"
        return self._select(Proposal, sql, (workshop_id, since_id))

    def give_view(self, proposal_id: int, participant_id: int, view: str, comment: str = "") -> View:
        """Record a participant's view on a proposal; a changed view is a new row, the old one is kept."""
        row = {
            "proposal_id": check_id(proposal_id, "proposal"),
            "participant_id": participant_id,
            "view": check_choice(view, "The view", VIEWS),
            "comment": check_text(comment, "The comment", max_len=MAX_TEXT),
            "given_at": self._now(),
        }

        def body(conn: Conn) -> sqlite3.Row:
            found = conn.execute("SELECT workshop_id FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
            if found is None:
                raise WorkshopError(f"There is no proposal {proposal_id}.")
            self._require_participant(conn, found["workshop_id"], participant_id)
            self._bump(conn, found["workshop_id"])
            return self._insert(conn, "views", row)

        return to_record(View, self._write(body))

    def views(self, proposal_id: int) -> list[View]:
        """Each participant's current (latest) view on a proposal, ordered by participant."""
        sql = (
            "SELECT * FROM views WHERE id IN (SELECT MAX(id) FROM views WHERE proposal_id = ?"
            " GROUP BY participant_id) ORDER BY participant_id"
        )
        return self._select(View, sql, (proposal_id,))

    def view_history(self, proposal_id: int) -> list[View]:
        """Every view ever given on a proposal, oldest first."""
        return self._select(View, "SELECT * FROM views WHERE proposal_id = ? ORDER BY id", (proposal_id,))

    def view_counts(self, workshop_id: int) -> dict[int, dict[str, int]]:
        """Proposal id -> how many participants currently hold each view (every proposal, zeros included)."""

        def body(conn: Conn) -> dict[int, dict[str, int]]:
            ids = conn.execute("SELECT id FROM proposals WHERE workshop_id = ? ORDER BY id", (workshop_id,))
            counts = {r["id"]: dict.fromkeys(VIEWS, 0) for r in ids}
            for r in conn.execute(
                "SELECT proposal_id, view, COUNT(*) AS n FROM views WHERE id IN (SELECT MAX(v.id) FROM views v"
                " JOIN proposals p ON p.id = v.proposal_id WHERE p.workshop_id = ?"
                " GROUP BY v.proposal_id, v.participant_id) GROUP BY proposal_id, view",
                (workshop_id,),
            ):
                counts[r["proposal_id"]][r["view"]] = r["n"]
            return counts

        return self._read(body)

    # --- decisions ----------------------------------------------------------------------------------

    def decide(
        self,
        workshop_id: int,
        *,
        indicator_id: str,
        proposal_ids: Iterable[int],
        present: Iterable[int],
        dissent: str = "",
        dissenters: Iterable[int] = (),
        recorded_by: int,
    ) -> Decision:
        """Record what the room agreed for an indicator, who was there and who disagreed.

        ``proposal_ids`` empty means the existing definition was kept. A later decision on the same
        indicator supersedes this one (it stores ``supersedes``); nothing is overwritten.
        """
        indicator_id = check_text(indicator_id, "The indicator id", max_len=MAX_ID, min_len=1)
        proposal_set = _unique_ids(proposal_ids, "proposal")
        present_set = _unique_ids(present, "participant")
        dissent_set = _unique_ids(dissenters, "participant")
        if not present_set:
            raise WorkshopError("Record who was present (at least one participant).")
        if not set(dissent_set) <= set(present_set):
            raise WorkshopError("Everyone recorded as disagreeing must be among those present.")
        row = {
            "workshop_id": workshop_id,
            "indicator_id": indicator_id,
            "dissent": check_text(dissent, "The dissent", max_len=MAX_TEXT),
            "recorded_by": check_id(recorded_by, "participant"),
            "decided_at": self._now(),
        }

        def body(conn: Conn) -> int:
            self._require_workshop(conn, workshop_id)
            for pid in {*present_set, recorded_by}:
                self._require_participant(conn, workshop_id, pid)
            for prop_id in proposal_set:
                p = conn.execute(
                    "SELECT workshop_id, indicator_id FROM proposals WHERE id = ?", (prop_id,)
                ).fetchone()
                if p is None or p["workshop_id"] != workshop_id:
                    raise WorkshopError(f"Proposal {prop_id} is not part of this workshop.")
                if p["indicator_id"] not in (None, indicator_id):
                    raise WorkshopError(
                        f"Proposal {prop_id} is about {p['indicator_id']!r}, not {indicator_id!r}."
                    )
            previous = conn.execute(
                f"SELECT id FROM decisions d WHERE workshop_id = ? AND indicator_id = ? AND {_NOT_SUPERSEDED}",
                (workshop_id, indicator_id),
            ).fetchone()
            did = self._insert(conn, "decisions", row | {"supersedes": previous and previous["id"]})["id"]
            conn.executemany(
                "INSERT INTO decision_proposals (decision_id, proposal_id) VALUES (?, ?)",
                [(did, p) for p in proposal_set],
            )
            conn.executemany(
                "INSERT INTO decision_participants (decision_id, participant_id, dissented) VALUES (?, ?, ?)",
                [(did, p, int(p in dissent_set)) for p in present_set],
            )
            self._bump(conn, workshop_id)
            return int(did)

        did = self._write(body)
        return next(d for d in self.decisions(workshop_id, include_superseded=True) if d.id == did)

    def decisions(self, workshop_id: int, include_superseded: bool = False) -> list[Decision]:
        """The current decision per indicator (oldest first), or every decision ever taken."""
        where = "workshop_id = ?" if include_superseded else f"workshop_id = ? AND {_NOT_SUPERSEDED}"
        in_workshop = "decision_id IN (SELECT id FROM decisions WHERE workshop_id = ?) ORDER BY 1, 2"

        def body(conn: Conn) -> list[Decision]:
            rows = conn.execute(
                f"SELECT * FROM decisions d WHERE {where} ORDER BY id", (workshop_id,)
            ).fetchall()
            links: dict[str, dict[int, list[int]]] = {"proposal_ids": {}, "present": {}, "dissenters": {}}
            for r in conn.execute(f"SELECT * FROM decision_proposals WHERE {in_workshop}", (workshop_id,)):
                links["proposal_ids"].setdefault(r["decision_id"], []).append(r["proposal_id"])
            for r in conn.execute(f"SELECT * FROM decision_participants WHERE {in_workshop}", (workshop_id,)):
                links["present"].setdefault(r["decision_id"], []).append(r["participant_id"])
                if r["dissented"]:
                    links["dissenters"].setdefault(r["decision_id"], []).append(r["participant_id"])
            return [
                to_record(Decision, r, **{k: tuple(v.get(r["id"], ())) for k, v in links.items()})
                for r in rows
            ]

        return self._read(body)

    # --- interpretations and the report --------------------------------------------------------

    def interpret(
        self, workshop_id: int, participant_id: int, finding_key: Mapping[str, Any], text: str
    ) -> Interpretation:
        """Record what a participant reads into a finding, in their own words."""
        text = check_text(text, "The interpretation", max_len=MAX_TEXT)
        if not text.strip():
            raise WorkshopError("The interpretation cannot be empty.")
        row = {"workshop_id": workshop_id, "participant_id": participant_id}
        row |= {"finding_key": finding_key_text(finding_key), "text": text, "written_at": self._now()}

        def body(conn: Conn) -> sqlite3.Row:
            self._require_participant(conn, workshop_id, participant_id)
            self._bump(conn, workshop_id)
            return self._insert(conn, "interpretations", row)

        return to_record(Interpretation, self._write(body))

    def interpretations(self, workshop_id: int) -> list[Interpretation]:
        sql = "SELECT * FROM interpretations WHERE workshop_id = ? ORDER BY id"
        return self._select(Interpretation, sql, (workshop_id,))

    def choose_for_report(
        self,
        workshop_id: int,
        participant_id: int,
        item_kind: str,
        item_key: str | Mapping[str, Any],
        include: bool,
    ) -> None:
        """Record that an item goes into (or stays out of) the report; the latest choice wins.

        ``item_key`` is the decision or interpretation id as text, or for a finding its finding key (a
        dict, or the text ``finding_key_text`` gives).
        """
        item_kind = check_choice(item_kind, "The item kind", REPORT_ITEM_KINDS)
        if not isinstance(include, bool):
            raise WorkshopError("include must be True or False.")
        if isinstance(item_key, int) and not isinstance(item_key, bool):
            item_key = str(item_key)  # a decision or interpretation id
        if item_kind == "finding":
            try:
                item_key = finding_key_text(
                    item_key if isinstance(item_key, Mapping) else json.loads(item_key)
                )
            except (TypeError, json.JSONDecodeError):
                raise WorkshopError("A finding's item key must be its finding key.") from None
        item_key = check_text(item_key, "The item key", max_len=MAX_REF, min_len=1)
        row = {"workshop_id": workshop_id, "participant_id": participant_id, "item_kind": item_kind}
        row |= {"item_key": item_key, "include": int(include), "chosen_at": self._now()}

        def body(conn: Conn) -> None:
            self._require_participant(conn, workshop_id, participant_id)
            if item_kind != "finding":
                sql = f"SELECT 1 FROM {item_kind}s WHERE id = ? AND workshop_id = ?"
                if not item_key.isdigit() or not conn.execute(sql, (int(item_key), workshop_id)).fetchone():
                    raise WorkshopError(f"There is no {item_kind} {item_key!r} in this workshop.")
            self._bump(conn, workshop_id)
            self._insert(conn, "report_choices", row)

        self._write(body)

    def report_choices(self, workshop_id: int) -> dict[tuple[str, str], bool]:
        """(item kind, item key) -> included?, by the latest choice on each item."""
        sql = (
            "SELECT item_kind, item_key, include FROM report_choices WHERE id IN (SELECT MAX(id)"
            " FROM report_choices WHERE workshop_id = ? GROUP BY item_kind, item_key) ORDER BY id"
        )
        rows = self._read(lambda c: c.execute(sql, (workshop_id,)).fetchall())
        return {(r["item_kind"], r["item_key"]): bool(r["include"]) for r in rows}

    # --- archive ------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The whole record, every table and all history, as one JSON-ready dict (read in one snapshot)."""

        def body(conn: Conn) -> dict[str, list[dict[str, Any]]]:
            return {
                table: [
                    to_archive(table, columns, r)
                    for r in conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
                ]
                for table, (columns, order) in TABLES.items()
            }

        return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "tables": self._read(body)}

    def export_json(self, path: Path | str) -> None:
        """Write the record to one UTF-8 JSON file for the archive (atomically: never half a file)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def import_json(
        cls, source: Path | str | Mapping[str, Any], db_path: Path | str, *, timeout_s: float = 30.0
    ) -> WorkshopStore:
        """Load an archived record into a new database; refuses a database that already holds one."""
        archive = (
            source if isinstance(source, Mapping) else json.loads(Path(source).read_text(encoding="utf-8"))
        )
        tables = check_archive(archive)
        rows = {t: [from_archive(t, TABLES[t][0], r) for r in tables[t]] for t in TABLES}
        store = cls(db_path, timeout_s=timeout_s)

        def body(conn: Conn) -> None:
            if any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in TABLES):
                raise WorkshopError(
                    f"{store.path} already holds a workshop record; import into a new, empty file."
                )
            try:
                for table, (columns, _) in TABLES.items():
                    sql = (
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                    )
                    conn.executemany(sql, rows[table])
            except sqlite3.IntegrityError as exc:
                raise WorkshopError(f"The record is not consistent, so it was not imported: {exc}") from None

        try:
            store._write(body)
        except BaseException:
            store.close()
            raise
        return store
