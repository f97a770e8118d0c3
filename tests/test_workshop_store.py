"""The shared workshop record: every record type round trips, history is kept, "current" is derived
correctly, the archive round trips exactly, and thirty processes writing at once lose nothing."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from dpup_eval.errors import DpupEvalError
from dpup_eval.records import RecordBusyError
from dpup_eval.workshop import ROLES, VIEWS, Workshop, WorkshopError, WorkshopStore, finding_key_text

if TYPE_CHECKING:
    from collections.abc import Iterator
    from multiprocessing.synchronize import Barrier

HELD_ON = date(2026, 11, 20)
FINDING = {
    "indicator_id": "attendance",
    "definition_id": "p1",
    "group": {"rohe": "Ōtautahi"},
    "period": "2026-Q3",
}


class Clock:
    """A deterministic clock: one second per call, so timestamps are predictable and distinct."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def store(record_target: str) -> Iterator[WorkshopStore]:
    """The record on SQLite and on PostgreSQL (each test runs on both)."""
    with WorkshopStore(record_target, clock=Clock()) as opened:
        yield opened


def _workshop(store: WorkshopStore) -> Workshop:
    return store.create_workshop(
        "Best foot forward", HELD_ON, "Q3 extract sha256:ab12", "data_contracts/bff.yaml"
    )


def _filled(store: WorkshopStore) -> int:
    """A small but complete record: every table has rows, including history and a superseded decision."""
    w = _workshop(store).id
    mere = store.join(w, "Mere", "family_member").id
    sam = store.join(w, "Sam", "provider_staff").id
    ana = store.join(w, "Ana", "agency_staff").id
    p1 = store.propose(
        w, mere, indicator_id="attendance", label="Whānau come to 3 of 5 sessions", definition={"x": [1, 2.5]},
        reason="Five is too many with mahi.",
    ).id  # fmt: skip
    p2 = store.propose(
        w, sam, indicator_id=None, label="Tamariki feel safe", definition={"ask": "kōrero"}, reason=""
    )
    store.give_view(p1, sam, "concern", "Too low?")
    store.give_view(p1, sam, "support", "Fine after talking")
    store.give_view(p1, ana, "not_sure")
    first = store.decide(
        w, indicator_id="attendance", proposal_ids=[p1], present=[mere, sam, ana], recorded_by=ana
    )
    store.decide(
        w, indicator_id="attendance", proposal_ids=[p1], present=[mere, sam, ana], dissent="Ana: funder target is 4",
        dissenters=[ana], recorded_by=sam,
    )  # fmt: skip
    store.decide(w, indicator_id="safety", proposal_ids=[p2.id], present=[mere, sam], recorded_by=sam)
    interp = store.interpret(w, mere, FINDING, "Winter and tangihanga explain the dip.\n<b>not markup</b>")
    store.choose_for_report(w, mere, "finding", FINDING, True)
    store.choose_for_report(w, ana, "decision", str(first.id), False)
    store.choose_for_report(w, sam, "interpretation", str(interp.id), True)
    return w


# --- round trips ----------------------------------------------------------------------------------------


def test_workshop_round_trip_and_revision(store: WorkshopStore) -> None:
    assert store.current_workshop() is None
    w = _workshop(store)
    assert w == store.current_workshop() == store.workshop(w.id)
    assert (w.name, w.held_on, w.contract) == ("Best foot forward", HELD_ON, "data_contracts/bff.yaml")
    later = store.create_workshop(
        "Follow-up", date(2027, 2, 1), "Q4 extract", Path("data_contracts/bff.yaml")
    )
    assert store.current_workshop() == later
    assert store.workshop(999) is None
    marker = store.revision(w.id)
    assert not store.changed_since(w.id, marker)
    store.join(w.id, "Mere", "family_member")
    assert store.changed_since(w.id, marker)
    assert store.revision(later.id) == 1  # writes to one workshop do not disturb another's pages
    with pytest.raises(WorkshopError, match="no workshop"):
        store.revision(999)


def test_participants_round_trip(store: WorkshopStore) -> None:
    w = _workshop(store).id
    mere = store.join(w, "  Mere  ", "family_member")
    assert mere.display_name == "Mere"
    sam = store.join(w, "Sam ā", "other")
    assert store.participants(w) == [mere, sam]
    assert store.find_participant(w, "MERE ") == mere
    assert store.find_participant(w, "Nobody") is None
    with pytest.raises(WorkshopError, match="already joined"):
        store.join(w, "mere", "provider_staff")


def test_proposals_round_trip_and_polling(store: WorkshopStore) -> None:
    w = _workshop(store).id
    mere = store.join(w, "Mere", "family_member").id
    definition = {
        "count": "children",
        "success": {"sessions_attended": {">=": 3}},
        "target": 0.6,
        "note": "whānau",
    }
    p1 = store.propose(
        w, mere, indicator_id="attendance", label="3 of 5", definition=definition, reason="Mahi."
    )
    p2 = store.propose(w, mere, indicator_id=None, label="New measure", definition={}, reason="")
    assert store.proposals(w) == [p1, p2]
    assert p1.definition == definition and p2.indicator_id is None
    assert store.proposals(w, since_id=p1.id) == [p2]
    assert store.proposals(w, since_id=p2.id) == []
    p1.definition["count"] = "changed"  # a returned record is a copy: history cannot be edited through it
    assert store.proposals(w)[0].definition == definition


def test_views_keep_history_and_derive_current(store: WorkshopStore) -> None:
    w = _workshop(store).id
    mere, sam = store.join(w, "Mere", "family_member").id, store.join(w, "Sam", "provider_staff").id
    p1 = store.propose(w, mere, indicator_id="a", label="A", definition={}, reason="").id
    p2 = store.propose(w, mere, indicator_id="b", label="B", definition={}, reason="").id
    store.give_view(p1, mere, "concern", "Not sure it is fair")
    store.give_view(p1, sam, "support")
    changed = store.give_view(p1, mere, "support", "Happy now")
    assert [(v.participant_id, v.view, v.comment) for v in store.views(p1)] == [
        (mere, "support", "Happy now"),
        (sam, "support", ""),
    ]
    assert store.views(p1)[0] == changed
    assert [v.view for v in store.view_history(p1)] == ["concern", "support", "support"]
    assert store.view_counts(w) == {
        p1: {"support": 2, "not_sure": 0, "concern": 0},
        p2: {"support": 0, "not_sure": 0, "concern": 0},
    }


def test_decisions_supersede_and_keep_history(store: WorkshopStore) -> None:
    w = _workshop(store).id
    mere, sam, ana = (
        store.join(w, n, r).id
        for n, r in [("Mere", "family_member"), ("Sam", "provider_staff"), ("Ana", "agency_staff")]
    )
    p1 = store.propose(w, mere, indicator_id="attendance", label="3 of 5", definition={"n": 3}, reason="").id
    p2 = store.propose(w, sam, indicator_id=None, label="Brand new", definition={}, reason="").id
    first = store.decide(
        w, indicator_id="attendance", proposal_ids=[p1], present=[sam, mere], recorded_by=ana
    )
    assert (first.supersedes, first.present, first.dissenters) == (None, (mere, sam), ())
    other = store.decide(w, indicator_id="safety", proposal_ids=[p2], present=[mere], recorded_by=mere)
    second = store.decide(
        w, indicator_id="attendance", proposal_ids=[], present=[mere, sam, ana, ana], dissent="Keep the old one?",
        dissenters=[mere], recorded_by=sam,
    )  # fmt: skip
    assert second.supersedes == first.id and other.supersedes is None
    assert (second.proposal_ids, second.present, second.dissenters) == ((), (mere, sam, ana), (mere,))
    assert store.decisions(w) == [other, second]
    assert store.decisions(w, include_superseded=True) == [first, other, second]
    third = store.decide(w, indicator_id="attendance", proposal_ids=[p1], present=[ana], recorded_by=ana)
    assert third.supersedes == second.id
    assert [d.id for d in store.decisions(w)] == [other.id, third.id]


def test_interpretations_round_trip(store: WorkshopStore) -> None:
    w = _workshop(store).id
    mere = store.join(w, "Mere", "family_member").id
    text = "<script>alert(1)</script> stays as typed; the page escapes it.\nKia ora."
    reordered = dict(reversed(list(FINDING.items())))
    i1 = store.interpret(w, mere, reordered, text)
    assert i1.finding_key == FINDING and i1.text == text
    assert store.interpretations(w) == [i1]
    assert finding_key_text(reordered) == finding_key_text(FINDING)


def test_report_choices_latest_wins(store: WorkshopStore) -> None:
    w = _filled(store)
    mere, sam = (p.id for p in store.participants(w)[:2])
    decision = store.decisions(w)[0].id
    finding = finding_key_text(FINDING)
    before = store.report_choices(w)
    assert before[("finding", finding)] is True
    store.choose_for_report(w, sam, "finding", finding, False)  # the text form names the same finding
    store.choose_for_report(w, mere, "decision", str(decision), True)
    store.choose_for_report(w, sam, "decision", str(decision), False)
    choices = store.report_choices(w)
    assert choices[("finding", finding)] is False
    assert choices[("decision", str(decision))] is False
    assert len(store.to_json()["tables"]["report_choices"]) == 6  # history kept
    with pytest.raises(WorkshopError, match="no decision"):
        store.choose_for_report(w, mere, "decision", "999", True)
    with pytest.raises(WorkshopError, match="no interpretation"):
        store.choose_for_report(w, mere, "interpretation", "first", True)
    with pytest.raises(WorkshopError, match="finding key"):
        store.choose_for_report(w, mere, "finding", "attendance", True)


# --- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, w, p, q: s.join(w, "   ", "family_member"), "cannot be empty"),
        (lambda s, w, p, q: s.join(w, "x" * 41, "family_member"), "at most 40"),
        (lambda s, w, p, q: s.join(w, "Two\nlines", "family_member"), "line breaks"),
        (lambda s, w, p, q: s.join(w, "Kim", "parent"), "family_member, provider_staff"),
        (lambda s, w, p, q: s.join(999, "Kim", "other"), "no workshop"),
        (lambda s, w, p, q: s.propose(w, p, indicator_id="a", label="L", definition={}, reason="r" * 2001), "2000"),
        (lambda s, w, p, q: s.propose(w, p, indicator_id="a", label="", definition={}, reason=""), "label"),
        (lambda s, w, p, q: s.propose(w, p, indicator_id="", label="L", definition={}, reason=""), "indicator id"),
        (lambda s, w, p, q: s.propose(w, p, indicator_id="a", label="L", definition=[1], reason=""), "JSON object"),
        (lambda s, w, p, q: s.propose(w, p, indicator_id="a", label="L", definition={"t": float("nan")}, reason=""), "JSON values"),
        (lambda s, w, p, q: s.propose(w, p, indicator_id="a", label="L", definition={"d": date.today()}, reason=""), "JSON values"),
        (lambda s, w, p, q: s.propose(w, 999, indicator_id="a", label="L", definition={}, reason=""), "has not joined"),
        (lambda s, w, p, q: s.give_view(q, p, "maybe"), "support, not_sure, concern"),
        (lambda s, w, p, q: s.give_view(q, p, "support", "c" * 2001), "2000"),
        (lambda s, w, p, q: s.give_view(999, p, "support"), "no proposal"),
        (lambda s, w, p, q: s.interpret(w, p, FINDING, "   "), "cannot be empty"),
        (lambda s, w, p, q: s.interpret(w, p, FINDING, "i" * 2001), "2000"),
        (lambda s, w, p, q: s.interpret(w, p, {"indicator_id": "a"}, "text"), "missing: definition_id, group, period"),
        (lambda s, w, p, q: s.decide(w, indicator_id="a", proposal_ids=[], present=[], recorded_by=p), "present"),
        (lambda s, w, p, q: s.decide(w, indicator_id="a", proposal_ids=[], present=[p], dissenters=[p + 1], recorded_by=p), "among those present"),
        (lambda s, w, p, q: s.decide(w, indicator_id="other", proposal_ids=[q], present=[p], recorded_by=p), "is about 'attendance'"),
        (lambda s, w, p, q: s.decide(w, indicator_id="a", proposal_ids=[999], present=[p], recorded_by=p), "not part of this workshop"),
        (lambda s, w, p, q: s.decide(w, indicator_id="a", proposal_ids=[], present=[p], dissent="d" * 2001, recorded_by=p), "2000"),
        (lambda s, w, p, q: s.choose_for_report(w, p, "chart", "x", True), "finding, decision, interpretation"),
        (lambda s, w, p, q: s.choose_for_report(w, p, "finding", FINDING, "yes"), "True or False"),
        (lambda s, w, p, q: s.create_workshop("W", datetime(2026, 1, 1), "d", "c"), "not a date and time"),
        (lambda s, w, p, q: s.create_workshop(" ", HELD_ON, "d", "c"), "workshop name"),
    ],
)  # fmt: skip
def test_validation_errors_are_plain(store: WorkshopStore, call: Any, message: str) -> None:
    w = _workshop(store).id
    p = store.join(w, "Mere", "family_member").id
    q = store.propose(w, p, indicator_id="attendance", label="L", definition={}, reason="").id
    marker = store.revision(w)
    with pytest.raises(WorkshopError, match=message) as caught:
        call(store, w, p, q)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, DpupEvalError)
    assert store.revision(w) == marker  # nothing half-written


def test_participant_from_another_workshop_is_refused(store: WorkshopStore) -> None:
    w1, w2 = _workshop(store).id, _workshop(store).id
    outsider = store.join(w2, "Mere", "family_member").id
    insider = store.join(w1, "Mere", "family_member").id  # names are unique per workshop, not per file
    proposal = store.propose(w1, insider, indicator_id="a", label="L", definition={}, reason="").id
    with pytest.raises(WorkshopError, match="has not joined"):
        store.give_view(proposal, outsider, "support")
    with pytest.raises(WorkshopError, match="has not joined"):
        store.decide(w1, indicator_id="a", proposal_ids=[proposal], present=[insider], recorded_by=outsider)


def test_text_limits_are_inclusive(store: WorkshopStore) -> None:
    w = _workshop(store).id
    p = store.join(w, "x" * 40, "other").id
    q = store.propose(w, p, indicator_id="a", label="L", definition={}, reason="ā" * 2000)
    assert store.give_view(q.id, p, "support", "🙂" * 2000).comment == "🙂" * 2000  # SQLite agrees on length


# --- archive -------------------------------------------------------------------------------------------


def test_export_import_export_is_identical(store: WorkshopStore, tmp_path: Path) -> None:
    _filled(store)
    first = tmp_path / "record.json"
    store.export_json(first)
    text = first.read_text(encoding="utf-8")
    assert "Ōtautahi" in text and "Whānau come" in text  # UTF-8 as typed, not \u escapes
    archive = json.loads(text)
    assert (archive["format"], archive["format_version"]) == ("dpup_eval.workshop_record", 4)
    assert {t: len(rows) for t, rows in archive["tables"].items()} == {
        "workshops": 1, "workshop_roles": 4, "participants": 3, "proposals": 2, "views": 3, "decisions": 3, "decision_proposals": 3,
        "decision_participants": 8, "interpretations": 1, "report_choices": 3, "agreement_versions": 0,
        "agreement_views": 0, "agreement_proposals": 0, "agreement_responses": 0, "agreement_signoffs": 0,
    }  # fmt: skip
    with WorkshopStore.import_json(first, tmp_path / "copy.sqlite") as copy:
        second = tmp_path / "again.json"
        copy.export_json(second)
        assert second.read_bytes() == first.read_bytes()
        w = copy.current_workshop()
        assert w is not None and w == store.current_workshop()
        assert copy.decisions(w.id, include_superseded=True) == store.decisions(w.id, include_superseded=True)
        assert copy.report_choices(w.id) == store.report_choices(w.id)
        assert copy.view_counts(w.id) == store.view_counts(w.id)
    with WorkshopStore.import_json(archive, tmp_path / "from-dict.sqlite") as from_dict:
        assert from_dict.to_json() == archive


def test_import_refuses_a_non_empty_database(store: WorkshopStore, tmp_path: Path) -> None:
    _filled(store)
    archive = store.to_json()
    with pytest.raises(WorkshopError, match="already holds a workshop record"):
        WorkshopStore.import_json(archive, store.location)
    assert store.to_json() == archive  # untouched


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda a: a.update(format="something else"), "not a workshop record"),
        (lambda a: a.update(format_version=5), "format version 5"),
        (lambda a: a["tables"]["workshops"][0].update(current_measure="x" * 101), "at most 100"),
        (lambda a: a["tables"].pop("views"), "exactly these tables"),
        (lambda a: a["tables"]["views"][0].pop("comment"), "exactly the columns"),
        (lambda a: a["tables"]["views"][0].update(participant_id=999), "not consistent"),
        (lambda a: a["tables"]["participants"][0].update(role="boss"), "not consistent"),
        (lambda a: a["tables"]["report_choices"][0].update(include=1), "true or false"),
        (lambda a: a["tables"]["views"][0].update(given_at="yesterday"), "ISO date"),
        (lambda a: a["tables"]["decisions"][0].update(recorded_by="Ana"), "whole-number id"),
    ],
)
def test_import_refuses_a_damaged_archive(
    store: WorkshopStore, tmp_path: Path, damage: Any, message: str
) -> None:
    _filled(store)
    archive = store.to_json()
    damage(archive)
    target = tmp_path / "copy.sqlite"
    with pytest.raises(WorkshopError, match=message):
        WorkshopStore.import_json(archive, target)
    if target.exists():  # a refused import leaves nothing behind that would block a corrected retry
        with WorkshopStore(target) as left:
            assert all(rows == [] for rows in left.to_json()["tables"].values())


# --- the database file -----------------------------------------------------------------------------------


def test_reopening_is_idempotent_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    with WorkshopStore(path) as first:
        w = _workshop(first).id
    with WorkshopStore(path) as again:
        assert again.revision(w) == 1
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
        raw.execute("UPDATE schema_version SET version = 99")
    raw.close()
    with pytest.raises(DpupEvalError, match="newer dpup_eval"):
        WorkshopStore(path)


def test_usable_from_another_thread_in_the_same_process(store: WorkshopStore) -> None:
    w = _workshop(store).id
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(store.revision(w)))
    worker.start()
    worker.join()
    assert seen == [1]


def test_refuses_use_in_another_process(store: WorkshopStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.db, "_pid", -1)  # as if the store had been carried across fork()
    with pytest.raises(RuntimeError, match="one per process"):
        store.current_workshop()


def test_a_held_lock_is_waited_out_with_bounded_retries(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    with WorkshopStore(path, timeout_s=0.05) as impatient:  # SQLite's own wait is tiny; retries must cover
        w = _workshop(impatient).id
        blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, lambda: blocker.execute("COMMIT")).start()
        started = time.monotonic()
        impatient.join(w, "Mere", "family_member")  # waits for the lock, then succeeds
        assert 0.25 < time.monotonic() - started < 5
        blocker.close()
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # never released while we try
        started = time.monotonic()
        with pytest.raises(RecordBusyError, match=r"w\.sqlite is busy: .* Nothing was recorded"):
            impatient.join(w, "Sam", "provider_staff")  # a plain message, not a raw sqlite3 error
        assert time.monotonic() - started < 5  # bounded, not forever
        blocker.execute("ROLLBACK")
        blocker.close()
        assert [p.display_name for p in impatient.participants(w)] == ["Mere"]


# --- thirty participants at once --------------------------------------------------------------------


PROCESSES = 30
ROUNDS = 10


def _participant(db_path: str, workshop_id: int, shared: int, n: int, barrier: Barrier) -> None:
    """One participant's page: opens its own store at the same moment as everyone else, then writes."""
    barrier.wait(timeout=60)
    with WorkshopStore(db_path) as store:
        me = store.join(workshop_id, f"Person {n}", ROLES[n % len(ROLES)]).id
        for i in range(ROUNDS):
            mine = store.propose(
                workshop_id,
                me,
                indicator_id=f"ind-{i}",
                label=f"{n}.{i}",
                definition={"n": n, "i": i},
                reason="ā",
            )
            store.give_view(mine.id, me, "support")
            store.give_view(shared, me, VIEWS[i % 3], comment=f"{n}:{i}")
            key = FINDING | {"period": f"2026-Q{i % 4 + 1}"}
            store.interpret(workshop_id, me, key, f"{n}:{i}")
            store.choose_for_report(workshop_id, me, "finding", key, (n + i) % 2 == 0)


@pytest.mark.slow
def test_thirty_processes_writing_at_once_lose_nothing(record_target: str) -> None:
    path = record_target  # a SQLite file, then a PostgreSQL database
    with WorkshopStore(path) as setup:
        w = _workshop(setup).id
        host = setup.join(w, "Facilitator", "other").id
        shared = setup.propose(
            w, host, indicator_id="attendance", label="Shared", definition={}, reason=""
        ).id
    # Each page is its own process with its own connection, opened after the barrier. "forkserver" rather
    # than "spawn": children fork from a fresh, single-threaded server (never from pytest, never with an
    # open connection) that has already imported dpup_eval, so thirty of them start in about a second
    # instead of each paying for the package's imports (pandas) again, about 1 s of CPU apiece.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dpup_eval.workshop.store", "pytest"])
    barrier = context.Barrier(PROCESSES + 1)
    workers = [
        context.Process(target=_participant, args=(str(path), w, shared, n, barrier))
        for n in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    barrier.wait(timeout=60)  # everyone has started; go
    started = time.monotonic()
    for process in workers:
        process.join(timeout=60)
    elapsed = time.monotonic() - started
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    for process in workers:
        process.close()

    writes = PROCESSES * (1 + 5 * ROUNDS)
    with WorkshopStore(path) as store:
        tables = {t: len(rows) for t, rows in store.to_json()["tables"].items()}
        assert tables["participants"] == 1 + PROCESSES
        assert tables["proposals"] == 1 + PROCESSES * ROUNDS
        assert tables["views"] == 2 * PROCESSES * ROUNDS
        assert tables["interpretations"] == PROCESSES * ROUNDS
        assert tables["report_choices"] == PROCESSES * ROUNDS
        assert store.revision(w) == 3 + writes  # the change counter missed no write either
        assert store.view_counts(w)[shared] == {"support": PROCESSES, "not_sure": 0, "concern": 0}
        by_person: dict[int, list[str]] = {}
        for view in store.view_history(shared):
            by_person.setdefault(view.participant_id, []).append(view.comment)
        assert sorted(len(c) for c in by_person.values()) == [ROUNDS] * PROCESSES
        for comments in by_person.values():  # each page's writes landed in the order it made them
            assert [int(c.split(":")[1]) for c in comments] == list(range(ROUNDS))
    print(f"{writes} writes from {PROCESSES} processes in {elapsed:.2f} s ({store.db.dialect})")


def test_postgresql_a_held_lock_is_waited_out_with_bounded_retries(postgres: Any) -> None:
    """PostgreSQL's equivalent of the SQLite test above: the record's advisory lock held by another client."""
    import psycopg

    url = postgres.new_database()
    with WorkshopStore(url, timeout_s=0.05) as impatient:  # lock_timeout 50 ms; the retries must cover
        w = _workshop(impatient).id
        blocker = psycopg.connect(host=str(postgres.socket_dir), port=postgres.port, user="dpup",
                                  dbname=url.split("/")[3].split("?")[0])  # fmt: skip
        blocker.execute("SELECT pg_advisory_xact_lock(%s)", (impatient.db.lock_key,))  # held until commit
        threading.Timer(0.3, blocker.commit).start()
        started = time.monotonic()
        impatient.join(w, "Mere", "family_member")  # waits for the lock, then succeeds
        assert 0.25 < time.monotonic() - started < 5
        blocker.execute("SELECT pg_advisory_xact_lock(%s)", (impatient.db.lock_key,))  # never released while we try
        started = time.monotonic()
        with pytest.raises(RecordBusyError, match="is busy: .* Nothing was recorded"):
            impatient.join(w, "Sam", "provider_staff")
        assert time.monotonic() - started < 5  # bounded, not forever
        blocker.rollback()
        blocker.close()
        assert [p.display_name for p in impatient.participants(w)] == ["Mere"]
