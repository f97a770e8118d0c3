"""The release ledger: every set of findings that left the workbench, with the populations it rests on.

Why: disclosure control that only looks at one table, or one day, is undone by the next one. Each
release (a workshop page shown, a report, an `evaluate` export) is recorded with the findings as
published and, for every finding, the sets of people it rests on, so that a later release is checked
against everything released before it (:mod:`dpup_eval.findings.overlap`), across workshops and
quarters, and so that the shipped attacker (:mod:`dpup_eval.findings.attacker`) can try to undo the
protection using only what was published.

It holds record keys (secret random numbers, one per person) and which keys each published population
contains, never a name, a reference or a value from the data; but together they describe the people,
so the file is owner-only (0600) in the programme's own folder (:func:`~dpup_eval.findings.record_keys.programme_folder`).
A population is stored as (the rows' record keys, stored once per data file; the rows selected, as
packed bits; the group and period codes each row must match, stored once per coding), which is a few
kilobytes however many findings share them.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from dpup_eval.findings.overlap import Members, Population
from dpup_eval.findings.record_keys import SKETCH_BUCKETS, RecordKeys, programme_folder
from dpup_eval.records import Database, Schema, inserted_id, is_url, migrate

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["LEDGER", "LEDGER_FILE", "Ledger", "PublishedRelease", "Release", "StoredPopulation"]

LEDGER_FILE = "releases.sqlite"

_metadata = sa.MetaData()


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def _number(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=nullable)


UNIVERSES = sa.Table(
    "ledger_universes", _metadata, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("digest", sa.Text, nullable=False, unique=True), _number("rows"),
    sa.Column("record_keys", sa.LargeBinary, nullable=False),
)  # fmt: skip
ARRAYS = sa.Table(
    "ledger_arrays", _metadata, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("digest", sa.Text, nullable=False, unique=True), _text("dtype"), _number("size"),
    sa.Column("data", sa.LargeBinary, nullable=False),
)  # fmt: skip
RELEASES = sa.Table(
    "ledger_releases", _metadata, sa.Column("id", sa.Integer, primary_key=True),
    _text("at"), _text("programme"), _text("purpose"), _text("workshop", nullable=True), _text("channel"),
    _text("description"), _text("rules"), _text("definitions"), _text("findings"), _number("finding_count"),
)  # fmt: skip
POPULATIONS = sa.Table(
    "ledger_populations", _metadata, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("release_id", sa.Integer, sa.ForeignKey("ledger_releases.id"), nullable=False, index=True),
    _number("finding"), _text("role"), _text("measure"),
    sa.Column("universe_id", sa.Integer, sa.ForeignKey("ledger_universes.id"), nullable=False),
    sa.Column("base_id", sa.Integer, sa.ForeignKey("ledger_arrays.id"), nullable=False),
    sa.Column("minus_id", sa.Integer, sa.ForeignKey("ledger_arrays.id"), nullable=True),
    _text("dims"), _number("count"), _number("fingerprint"), sa.Column("sketch", sa.LargeBinary, nullable=False),
    _text("label"), sa.Column("in_words", sa.Boolean, nullable=False),
)  # fmt: skip
LEDGER = Schema(
    name="release ledger", version_table="release_ledger_version", version=1, create=_metadata.create_all,
)  # fmt: skip


@dataclass(frozen=True)
class Release:
    """One release as listed: when, where it went, and how much it held."""

    id: int
    at: str
    programme: str
    purpose: str
    workshop: str | None
    channel: str
    description: str
    findings: int
    populations: int


@dataclass(frozen=True)
class StoredPopulation:
    """One population row of the ledger (what the attacker reads: never its count)."""

    id: int
    release_id: int
    finding: int
    role: str
    measure: str
    in_words: bool
    label: str
    members: Members


@dataclass(frozen=True)
class PublishedRelease:
    """One release as the attacker may read it: what was published, and the populations' structure."""

    id: int
    rules: dict[str, Any]
    definitions: dict[str, Any]
    findings: list[dict[str, Any]]
    populations: list[StoredPopulation]


def _pack(array: np.ndarray) -> bytes:
    return zlib.compress(np.ascontiguousarray(array).tobytes(), 6)


class Ledger:
    """The programme's release ledger, kept by the record layer (:mod:`dpup_eval.records`): a SQLite
    file, created 0600 in a 0700 folder (WAL: several workshop pages record at once), or a PostgreSQL
    database given a URL."""

    def __init__(self, target: Path | str) -> None:
        self.path = os.fspath(target) if is_url(target) else Path(target)
        self._db = Database(
            self.path, what="The release ledger", lock_name=f"dpup_eval.{LEDGER.version_table}",
            recover="Restore it from your backup copy: without it, later releases cannot be checked against "
            "earlier ones.",
        )  # fmt: skip
        try:
            migrate(self._db, LEDGER)
        except BaseException:
            self._db.close()
            raise
        self._arrays: dict[int, np.ndarray] = {}
        self._universes: dict[int, RecordKeys] = {}
        self._known_universes: dict[str, int] = {}
        self._known_arrays: dict[str, int] = {}
        self._by_object: dict[int, tuple[np.ndarray, int]] = {}

    @classmethod
    def for_programme(cls, programme: str) -> Ledger:
        return cls(programme_folder(programme) / LEDGER_FILE)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing --------------------------------------------------------------------------------------

    def _ids(self, conn: Connection, known: dict[str, int], table: sa.Table, digest: str,
             row: Callable[[], dict[str, Any]]) -> int:  # fmt: skip
        """The id of the stored row with this digest, inserting it (``row()``) the first time."""
        if digest in known:
            return known[digest]
        found = conn.execute(sa.select(table.c.id).where(table.c.digest == digest)).scalar()
        if found is None:
            found = inserted_id(conn.execute(table.insert().values(digest=digest, **row())))
        known[digest] = int(found)
        return int(found)

    def _universe_id(self, conn: Connection, keys: RecordKeys, known: dict[str, int]) -> int:
        def row() -> dict[str, Any]:
            return {"rows": len(keys), "record_keys": _pack(keys.keys.astype("<u8"))}

        return self._ids(conn, known, UNIVERSES, keys.digest, row)

    def _array_id(self, conn: Connection, array: np.ndarray, known: dict[str, int], seen: dict[int, Any]) -> int:
        cached = self._by_object.get(id(array)) or seen.get(id(array))
        if cached is not None and cached[0] is array:
            return int(cached[1])
        flat = np.ascontiguousarray(array)
        digest = hashlib.blake2b(flat.dtype.str.encode() + flat.tobytes(), digest_size=16).hexdigest()
        found = self._ids(conn, known, ARRAYS, digest,
                          lambda: {"dtype": flat.dtype.str, "size": int(flat.size), "data": _pack(flat)})  # fmt: skip
        seen[id(array)] = (array, found)  # the same array again: no hashing
        return found

    def record(
        self, *, programme: str, purpose: str, workshop: str | None, channel: str, description: str,
        rules: dict[str, Any], definitions: dict[str, Any], findings: list[dict[str, Any]],
        populations: Sequence[tuple[int, str, str, Population, bool]],
    ) -> int:  # fmt: skip
        """Record one release; ``populations``: (finding index, role, measure, population, shown in words
        only: a band such as "almost all", which the overlap check does not hold others to). Returns its id.

        ``rules`` includes how it was protected (the method is no secret; the record keys are), and
        ``definitions`` the definitions as evaluated (what the pages show in words)."""
        at = datetime.now(UTC).isoformat(timespec="seconds")

        def body(conn: Connection) -> tuple[int, dict[str, int], dict[str, int], dict[int, Any]]:
            # ids learnt here are kept only once the transaction commits (a retry starts afresh)
            universes, arrays = dict(self._known_universes), dict(self._known_arrays)
            seen: dict[int, Any] = {}
            release_id = inserted_id(conn.execute(RELEASES.insert().values(
                at=at, programme=programme, purpose=purpose, workshop=workshop, channel=channel,
                description=description, rules=json.dumps(rules), finding_count=len(findings),
                definitions=json.dumps(definitions, ensure_ascii=False), findings=json.dumps(findings, ensure_ascii=False),
            )))  # fmt: skip
            rows = []
            for finding, role, measure, population, in_words in populations:
                members = population.members
                dims = [[self._array_id(conn, members.resolve(codes), arrays, seen), int(code)]
                        for codes, code in members.dims]  # fmt: skip
                minus = None if members.minus is None else self._array_id(conn, members.resolve(members.minus), arrays, seen)
                rows.append({
                    "release_id": release_id, "finding": finding, "role": role, "measure": measure,
                    "universe_id": self._universe_id(conn, members.keys(), universes),
                    "base_id": self._array_id(conn, members.resolve(members.base), arrays, seen), "minus_id": minus,
                    "dims": json.dumps(dims), "count": population.count, "fingerprint": population.fingerprint,
                    "sketch": population.sketch.astype("<i4").tobytes(), "label": population.label,
                    "in_words": bool(in_words),
                })  # fmt: skip
            if rows:
                conn.execute(POPULATIONS.insert(), rows)
            return release_id, universes, arrays, seen

        release_id, self._known_universes, self._known_arrays, seen = self._db.write(body)
        self._by_object.update(seen)
        return release_id

    # --- reading --------------------------------------------------------------------------------------

    def _array(self, array_id: int) -> np.ndarray:
        if array_id not in self._arrays:
            dtype, size, data = self._db.read(lambda c: c.execute(
                sa.select(ARRAYS.c.dtype, ARRAYS.c.size, ARRAYS.c.data).where(ARRAYS.c.id == array_id)).one())  # fmt: skip
            self._arrays[array_id] = np.frombuffer(zlib.decompress(data), dtype=np.dtype(dtype), count=size)
        return self._arrays[array_id]

    def _universe(self, universe_id: int) -> RecordKeys:
        if universe_id not in self._universes:
            rows, data = self._db.read(lambda c: c.execute(
                sa.select(UNIVERSES.c.rows, UNIVERSES.c.record_keys).where(UNIVERSES.c.id == universe_id)).one())  # fmt: skip
            self._universes[universe_id] = RecordKeys(np.frombuffer(zlib.decompress(data), dtype="<u8", count=rows))
        return self._universes[universe_id]

    def _members(self, universe_id: int, base_id: int, minus_id: int | None, dims: str) -> Members:
        def loader(method: Any, key: int) -> Any:
            return lambda: method(key)

        return Members(
            universe=loader(self._universe, universe_id), base=loader(self._array, base_id),
            minus=None if minus_id is None else loader(self._array, minus_id),
            dims=tuple((loader(self._array, codes), code) for codes, code in json.loads(dims)),
        )  # fmt: skip

    def populations_since(
        self, after: int = 0, known: Collection[tuple[int, int]] = frozenset()
    ) -> tuple[list[Population], int]:
        """Populations published as numbers after population id ``after`` (for the overlap check), and
        the last id looked at.

        Each set of people comes once (its first release), and not at all when ``known`` already holds
        its (count, fingerprint): every page in a room publishes the same measures again, so a page
        starting late would otherwise load thousands of copies of the same few hundred sets (2 s of a
        page's start in a benchmark room). Only the ids, counts and fingerprints of the new rows are read
        first; the rest of a row only for a set not seen before."""
        p = POPULATIONS.c
        heads = sa.select(p.id, p.count, p.fingerprint).where(p.id > after, p.in_words.is_(False)).order_by(p.id)
        full = sa.select(p.id, p.universe_id, p.base_id, p.minus_id, p.dims, p.count, p.fingerprint, p.sketch, p.label)

        def read(c: Connection) -> tuple[list[Any], int]:
            listed = c.execute(heads).all()
            seen, fresh = set(known), []
            for pid, count, fingerprint in listed:
                if (count, fingerprint) not in seen:
                    seen.add((count, fingerprint))
                    fresh.append(pid)
            rows: list[Any] = []
            for start in range(0, len(fresh), 500):  # bounded IN lists
                rows += c.execute(full.where(p.id.in_(fresh[start : start + 500])).order_by(p.id)).all()
            return rows, (listed[-1][0] if listed else after)

        rows, last = self._db.read(read)
        found = [
            Population(
                count=count, fingerprint=fingerprint, describe=label, ref=pid,
                sketch=np.frombuffer(sketch, dtype="<i4", count=SKETCH_BUCKETS).astype(np.int32),
                members=self._members(universe_id, base_id, minus_id, dims),
            )  # fmt: skip
            for pid, universe_id, base_id, minus_id, dims, count, fingerprint, sketch, label in rows
        ]
        return found, last

    def releases(self) -> list[Release]:
        """Every release, oldest first."""
        r, p = RELEASES.c, POPULATIONS.c
        query = (
            sa.select(r.id, r.at, r.programme, r.purpose, r.workshop, r.channel, r.description, r.finding_count,
                      sa.func.count(p.id))
            .select_from(RELEASES.outerjoin(POPULATIONS, p.release_id == r.id)).group_by(r.id).order_by(r.id)
        )  # fmt: skip
        return [Release(*row) for row in self._db.read(lambda c: c.execute(query).all())]

    def published(self) -> Iterator[PublishedRelease]:
        """Each release's rules, definitions, findings as published, and populations (for the attacker)."""
        r, p = RELEASES.c, POPULATIONS.c
        ids = self._db.read(lambda c: c.execute(sa.select(r.id).order_by(r.id)).scalars().all())
        for release_id in ids:

            def release(c: Connection, i: int = release_id) -> tuple[Any, Sequence[Any]]:  # one snapshot
                head = c.execute(sa.select(r.rules, r.definitions, r.findings).where(r.id == i)).one()
                rows = c.execute(
                    sa.select(p.id, p.finding, p.role, p.measure, p.in_words, p.label, p.universe_id, p.base_id,
                              p.minus_id, p.dims).where(p.release_id == i).order_by(p.id)).all()  # fmt: skip
                return head, rows

            (rules, definitions, findings), rows = self._db.read(release)
            populations = [
                StoredPopulation(pid, release_id, finding, role, measure, bool(w), label, self._members(u, b, m, d))
                for pid, finding, role, measure, w, label, u, b, m, d in rows
            ]
            yield PublishedRelease(
                release_id, json.loads(rules), json.loads(definitions), json.loads(findings), populations
            )
