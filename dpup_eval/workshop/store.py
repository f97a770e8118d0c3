"""The shared workshop record: one database that every participant's page reads and writes.

Why a database: in Voila every browser page is its own kernel (its own process), so nothing in memory is
shared between participants; a database on the workshop machine is. By default it is one SQLite file
beside the workshop; given a ``postgresql://`` URL it is a PostgreSQL database, so an agency can host many
workshops in one place. Either way the record layer (:mod:`dpup_eval.records`) opens it, serialises
writers (SQLite's write lock; a PostgreSQL advisory lock), retries a busy moment a bounded number of
times, refuses a damaged file with a plain message, and migrates an older record in place
(:mod:`dpup_eval.workshop.tables`).

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
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from dpup_eval.records import Database, inserted_id, migrate
from dpup_eval.workshop import archive
from dpup_eval.workshop.agreement_tables import AGREEMENT_SCHEMA, ARCHIVE_TABLES
from dpup_eval.workshop.records import (
    DEFAULT_ROLES,
    MAX_DISPLAY_NAME,
    MAX_ID,
    MAX_NAME,
    MAX_REF,
    MAX_TEXT,
    REPORT_ITEM_KINDS,
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
    check_choice,
    check_id,
    check_roles,
    check_text,
    finding_key_text,
    to_record,
)
from dpup_eval.workshop.tables import SCHEMA, insert_roles, table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T = TypeVar("T")

WORKSHOPS, ROLES_T, PARTICIPANTS = table("workshops"), table("workshop_roles"), table("participants")
PROPOSALS, VIEWS_T, DECISIONS = table("proposals"), table("views"), table("decisions")
DECISION_PROPOSALS, DECISION_PARTICIPANTS = table("decision_proposals"), table("decision_participants")
INTERPRETATIONS, REPORT_CHOICES = table("interpretations"), table("report_choices")
#: Every page asks this every few seconds: built once, compiled once.
_REVISION = sa.select(WORKSHOPS.c.revision).where(WORKSHOPS.c.id == sa.bindparam("workshop_id"))
#: What to do with a damaged record: said in the error a facilitator sees.
RECOVER = (
    "Restore it from its JSON export (`dpup-eval workshop import BACKUP.json --db NEW`; a backup is written "
    "to the workshop folder's backups/ at every start), or start afresh with `dpup-eval workshop --new` "
    "(the damaged file is kept beside it)."
)


def _unique_ids(values: Iterable[int], what: str) -> tuple[int, ...]:
    return tuple(sorted({check_id(v, what) for v in values}))


def _not_superseded() -> sa.ColumnElement[bool]:
    """For a row of ``decisions``: no later decision supersedes it."""
    later = DECISIONS.alias("later")
    return ~sa.exists().where(later.c.supersedes == DECISIONS.c.id)


class WorkshopStore:
    """The workshop record: workshops and their roles, participants, proposals, views, decisions,
    interpretations and report choices, with their history, in a SQLite file or a PostgreSQL database."""

    def __init__(
        self, path: Path | str, *, timeout_s: float = 30.0, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self.db = Database(path, what="The workshop record", lock_name="dpup_eval.workshop_record",
                           recover=RECOVER, timeout_s=timeout_s)  # fmt: skip
        try:
            migrate(self.db, SCHEMA)
        except BaseException:
            self.db.close()
            raise

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for a PostgreSQL record)."""
        return self.db.path

    @property
    def location(self) -> str:
        """Where the record is, for messages: the file, or the URL without its password."""
        return self.db.location

    # --- connection and transactions ---------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> WorkshopStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _write(self, body: Callable[[Connection], T]) -> T:
        return self.db.write(body)

    def _read(self, body: Callable[[Connection], T]) -> T:
        return self.db.read(body)

    def _now(self) -> str:
        return self._clock().isoformat()

    @staticmethod
    def _bump(conn: Connection, workshop_id: int) -> None:
        """Count every change, so a polling page can tell cheaply whether to redraw."""
        conn.execute(
            WORKSHOPS.update().where(WORKSHOPS.c.id == workshop_id).values(revision=WORKSHOPS.c.revision + 1)
        )

    @staticmethod
    def _workshop(conn: Connection, row: sa.RowMapping | None) -> Workshop | None:
        """A workshop row as a record, with its roles."""
        if row is None:
            return None
        roles = conn.execute(
            sa.select(ROLES_T.c.role_id, ROLES_T.c.name, ROLES_T.c.role_group)
            .where(ROLES_T.c.workshop_id == row["id"]).order_by(ROLES_T.c.position)
        )  # fmt: skip
        return to_record(Workshop, row, roles=tuple(Role(*r) for r in roles))

    def _load_workshop(self, conn: Connection, workshop_id: int) -> Workshop:
        found = conn.execute(
            sa.select(WORKSHOPS).where(WORKSHOPS.c.id == check_id(workshop_id, "workshop"))
        ).mappings().first()  # fmt: skip
        if found is None:
            raise WorkshopError(f"There is no workshop {workshop_id}.")
        return self._workshop(conn, found)  # type: ignore[return-value]

    @staticmethod
    def _require_participant(conn: Connection, workshop_id: int, participant_id: int) -> None:
        owner = conn.execute(
            sa.select(PARTICIPANTS.c.workshop_id).where(PARTICIPANTS.c.id == check_id(participant_id, "participant"))
        ).scalar()  # fmt: skip
        if owner is None or owner != workshop_id:
            raise WorkshopError(f"Participant {participant_id} has not joined this workshop.")

    @staticmethod
    def _insert(conn: Connection, target: sa.Table, values: Mapping[str, Any]) -> sa.RowMapping:
        """Insert one row and read it back, so returned records match what later reads will give."""
        new_id = inserted_id(conn.execute(target.insert().values(**values)))
        return conn.execute(sa.select(target).where(target.c.id == new_id)).mappings().one()

    def _select(self, cls: type[T], query: sa.Select[Any]) -> list[T]:
        return [to_record(cls, r) for r in self._read(lambda c: c.execute(query).mappings().all())]

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
        row: dict[str, Any] = {"name": name, "held_on": held_on.isoformat(), "data_description": data_description}
        row |= {"contract": contract, "created_at": self._now(), "revision": 1}

        def body(conn: Connection) -> Workshop:
            created = self._insert(conn, WORKSHOPS, row)
            insert_roles(conn, created["id"], checked_roles)
            return self._workshop(conn, created)  # type: ignore[return-value]

        return self._write(body)

    def workshop(self, workshop_id: int) -> Workshop | None:
        query = sa.select(WORKSHOPS).where(WORKSHOPS.c.id == workshop_id)
        return self._read(lambda c: self._workshop(c, c.execute(query).mappings().first()))

    def current_workshop(self, contract: str | os.PathLike[str] | None = None) -> Workshop | None:
        """The most recently created workshop: the one a page joins when it is given no id.

        With ``contract`` (what the workshop was created with: its programme folder), the latest workshop
        of that programme only: a shared PostgreSQL record holds the workshops of many programmes.
        """
        query = sa.select(WORKSHOPS).order_by(WORKSHOPS.c.id.desc()).limit(1)
        if contract is not None:
            query = query.where(WORKSHOPS.c.contract == os.fspath(contract))
        return self._read(lambda c: self._workshop(c, c.execute(query).mappings().first()))

    def move_room(self, workshop_id: int, measure_id: str | None) -> Workshop:
        """Say which measure the room is discussing (None: none in particular); every page follows it."""
        if measure_id is not None:
            measure_id = check_text(measure_id, "The measure", max_len=MAX_ID, min_len=1)

        def body(conn: Connection) -> Workshop:
            self._load_workshop(conn, workshop_id)
            conn.execute(WORKSHOPS.update().where(WORKSHOPS.c.id == workshop_id).values(current_measure=measure_id))
            self._bump(conn, workshop_id)
            return self._load_workshop(conn, workshop_id)

        return self._write(body)

    def revision(self, workshop_id: int) -> int:
        """A counter raised by every write to this workshop: poll it and redraw only when it moves."""
        found = self._read(lambda c: c.execute(_REVISION, {"workshop_id": workshop_id}).scalar())
        if found is None:
            raise WorkshopError(f"There is no workshop {workshop_id}.")
        return int(found)

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
        row = {"workshop_id": workshop_id, "display_name": display_name, "role": role, "joined_at": self._now()}

        def body(conn: Connection) -> sa.RowMapping:
            self._load_workshop(conn, workshop_id).role(role)
            taken = conn.execute(
                sa.select(PARTICIPANTS.c.display_name).where(PARTICIPANTS.c.workshop_id == workshop_id)
            ).scalars()
            if any(name.casefold() == display_name.casefold() for name in taken):
                raise WorkshopError(
                    f"Someone has already joined as {display_name!r}; please choose another name."
                )
            self._bump(conn, workshop_id)
            return self._insert(conn, PARTICIPANTS, row)

        return to_record(Participant, self._write(body))

    def participants(self, workshop_id: int) -> list[Participant]:
        query = sa.select(PARTICIPANTS).where(PARTICIPANTS.c.workshop_id == workshop_id).order_by(PARTICIPANTS.c.id)
        return self._select(Participant, query)

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

        def body(conn: Connection) -> sa.RowMapping:
            self._require_participant(conn, workshop_id, participant_id)
            self._bump(conn, workshop_id)
            return self._insert(conn, PROPOSALS, row)

        return to_record(Proposal, self._write(body))

    def proposals(self, workshop_id: int, since_id: int = 0) -> list[Proposal]:
        """Proposals with an id above ``since_id``, oldest first: a polling page asks only for new ones."""
        query = (
            sa.select(PROPOSALS).where(PROPOSALS.c.workshop_id == workshop_id, PROPOSALS.c.id > since_id)
            .order_by(PROPOSALS.c.id)
        )  # fmt: skip
        return self._select(Proposal, query)

    def give_view(self, proposal_id: int, participant_id: int, view: str, comment: str = "") -> View:
        """Record a participant's view on a proposal; a changed view is a new row, the old one is kept."""
        row = {
            "proposal_id": check_id(proposal_id, "proposal"),
            "participant_id": participant_id,
            "view": check_choice(view, "The view", VIEWS),
            "comment": check_text(comment, "The comment", max_len=MAX_TEXT),
            "given_at": self._now(),
        }

        def body(conn: Connection) -> sa.RowMapping:
            workshop_id = conn.execute(
                sa.select(PROPOSALS.c.workshop_id).where(PROPOSALS.c.id == proposal_id)
            ).scalar()
            if workshop_id is None:
                raise WorkshopError(f"There is no proposal {proposal_id}.")
            self._require_participant(conn, workshop_id, participant_id)
            self._bump(conn, workshop_id)
            return self._insert(conn, VIEWS_T, row)

        return to_record(View, self._write(body))

    def views(self, proposal_id: int) -> list[View]:
        """Each participant's current (latest) view on a proposal, ordered by participant."""
        latest = (
            sa.select(sa.func.max(VIEWS_T.c.id)).where(VIEWS_T.c.proposal_id == proposal_id)
            .group_by(VIEWS_T.c.participant_id)
        )  # fmt: skip
        return self._select(View, sa.select(VIEWS_T).where(VIEWS_T.c.id.in_(latest)).order_by(VIEWS_T.c.participant_id))

    def view_history(self, proposal_id: int) -> list[View]:
        """Every view ever given on a proposal, oldest first."""
        return self._select(View, sa.select(VIEWS_T).where(VIEWS_T.c.proposal_id == proposal_id).order_by(VIEWS_T.c.id))

    def view_counts(self, workshop_id: int) -> dict[int, dict[str, int]]:
        """Proposal id -> how many participants currently hold each view (every proposal, zeros included)."""
        latest = (
            sa.select(sa.func.max(VIEWS_T.c.id)).join(PROPOSALS, PROPOSALS.c.id == VIEWS_T.c.proposal_id)
            .where(PROPOSALS.c.workshop_id == workshop_id).group_by(VIEWS_T.c.proposal_id, VIEWS_T.c.participant_id)
        )  # fmt: skip
        counted = (
            sa.select(VIEWS_T.c.proposal_id, VIEWS_T.c.view, sa.func.count().label("n"))
            .where(VIEWS_T.c.id.in_(latest)).group_by(VIEWS_T.c.proposal_id, VIEWS_T.c.view)
        )  # fmt: skip

        def body(conn: Connection) -> dict[int, dict[str, int]]:
            ids = conn.execute(
                sa.select(PROPOSALS.c.id).where(PROPOSALS.c.workshop_id == workshop_id).order_by(PROPOSALS.c.id)
            ).scalars()
            counts = {pid: dict.fromkeys(VIEWS, 0) for pid in ids}
            for proposal_id, view, n in conn.execute(counted):
                counts[proposal_id][view] = n
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

        def body(conn: Connection) -> int:
            self._load_workshop(conn, workshop_id)
            for pid in {*present_set, recorded_by}:
                self._require_participant(conn, workshop_id, pid)
            for prop_id in proposal_set:
                p = conn.execute(
                    sa.select(PROPOSALS.c.workshop_id, PROPOSALS.c.indicator_id).where(PROPOSALS.c.id == prop_id)
                ).first()
                if p is None or p.workshop_id != workshop_id:
                    raise WorkshopError(f"Proposal {prop_id} is not part of this workshop.")
                if p.indicator_id not in (None, indicator_id):
                    raise WorkshopError(f"Proposal {prop_id} is about {p.indicator_id!r}, not {indicator_id!r}.")
            previous = conn.execute(
                sa.select(DECISIONS.c.id).where(
                    DECISIONS.c.workshop_id == workshop_id, DECISIONS.c.indicator_id == indicator_id, _not_superseded()
                )
            ).scalar()  # fmt: skip
            did = self._insert(conn, DECISIONS, row | {"supersedes": previous})["id"]
            if proposal_set:
                conn.execute(DECISION_PROPOSALS.insert(), [{"decision_id": did, "proposal_id": p} for p in proposal_set])
            conn.execute(
                DECISION_PARTICIPANTS.insert(),
                [{"decision_id": did, "participant_id": p, "dissented": int(p in dissent_set)} for p in present_set],
            )
            self._bump(conn, workshop_id)
            return int(did)

        did = self._write(body)
        return next(d for d in self.decisions(workshop_id, include_superseded=True) if d.id == did)

    def decisions(self, workshop_id: int, include_superseded: bool = False) -> list[Decision]:
        """The current decision per indicator (oldest first), or every decision ever taken."""
        query = sa.select(DECISIONS).where(DECISIONS.c.workshop_id == workshop_id).order_by(DECISIONS.c.id)
        if not include_superseded:
            query = query.where(_not_superseded())
        in_workshop = sa.select(DECISIONS.c.id).where(DECISIONS.c.workshop_id == workshop_id)

        def body(conn: Connection) -> list[Decision]:
            rows = conn.execute(query).mappings().all()
            links: dict[str, dict[int, list[int]]] = {"proposal_ids": {}, "present": {}, "dissenters": {}}
            linked = DECISION_PROPOSALS
            for did, pid in conn.execute(
                sa.select(linked.c.decision_id, linked.c.proposal_id)
                .where(linked.c.decision_id.in_(in_workshop)).order_by(linked.c.decision_id, linked.c.proposal_id)
            ):  # fmt: skip
                links["proposal_ids"].setdefault(did, []).append(pid)
            there = DECISION_PARTICIPANTS
            for did, pid, dissented in conn.execute(
                sa.select(there.c.decision_id, there.c.participant_id, there.c.dissented)
                .where(there.c.decision_id.in_(in_workshop)).order_by(there.c.decision_id, there.c.participant_id)
            ):  # fmt: skip
                links["present"].setdefault(did, []).append(pid)
                if dissented:
                    links["dissenters"].setdefault(did, []).append(pid)
            return [
                to_record(Decision, r, **{k: tuple(v.get(r["id"], ())) for k, v in links.items()}) for r in rows
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
        row: dict[str, Any] = {"workshop_id": workshop_id, "participant_id": participant_id}
        row |= {"finding_key": finding_key_text(finding_key), "text": text, "written_at": self._now()}

        def body(conn: Connection) -> sa.RowMapping:
            self._require_participant(conn, workshop_id, participant_id)
            self._bump(conn, workshop_id)
            return self._insert(conn, INTERPRETATIONS, row)

        return to_record(Interpretation, self._write(body))

    def interpretations(self, workshop_id: int) -> list[Interpretation]:
        query = sa.select(INTERPRETATIONS).where(INTERPRETATIONS.c.workshop_id == workshop_id)
        return self._select(Interpretation, query.order_by(INTERPRETATIONS.c.id))

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
        row: dict[str, Any] = {"workshop_id": workshop_id, "participant_id": participant_id, "item_kind": item_kind}
        row |= {"item_key": item_key, "include": int(include), "chosen_at": self._now()}

        def body(conn: Connection) -> None:
            self._require_participant(conn, workshop_id, participant_id)
            if item_kind != "finding":
                items = DECISIONS if item_kind == "decision" else INTERPRETATIONS
                if not item_key.isdigit() or conn.execute(
                    sa.select(items.c.id).where(items.c.id == int(item_key), items.c.workshop_id == workshop_id)
                ).first() is None:  # fmt: skip
                    raise WorkshopError(f"There is no {item_kind} {item_key!r} in this workshop.")
            self._bump(conn, workshop_id)
            self._insert(conn, REPORT_CHOICES, row)

        self._write(body)

    def report_choices(self, workshop_id: int) -> dict[tuple[str, str], bool]:
        """(item kind, item key) -> included?, by the latest choice on each item."""
        chosen = REPORT_CHOICES.c
        latest = sa.select(sa.func.max(chosen.id)).where(chosen.workshop_id == workshop_id)
        query = (
            sa.select(chosen.item_kind, chosen.item_key, chosen.include)
            .where(chosen.id.in_(latest.group_by(chosen.item_kind, chosen.item_key))).order_by(chosen.id)
        )  # fmt: skip
        return {(kind, key): bool(include) for kind, key, include in self._read(lambda c: c.execute(query).all())}

    # --- archive ------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The whole record, every table and all history, as one JSON-ready dict (read in one snapshot)."""
        return archive.to_json(self.db)

    def export_json(self, path: Path | str) -> None:
        """Write the record to one UTF-8 JSON file for the archive (atomically, owner-only: never half a
        file, never readable by others on a shared machine)."""
        archive.write_json(self.to_json(), Path(path))

    @classmethod
    def import_json(
        cls, source: Path | str | Mapping[str, Any], db_path: Path | str, *, timeout_s: float = 30.0
    ) -> WorkshopStore:
        """Load an archived record into a new database; refuses a database that already holds one."""
        rows = archive.rows_to_import(source)
        store = cls(db_path, timeout_s=timeout_s)
        try:
            if any(rows[name] for name in ARCHIVE_TABLES):  # the agreement record's tables, made as it makes them
                migrate(store.db, AGREEMENT_SCHEMA)
            store._write(lambda conn: archive.insert_all(conn, rows, store.location, store.db.dialect))
        except BaseException:
            store.close()
            raise
        return store
