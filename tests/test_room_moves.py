"""The room moves between measures (issue 12, "three views"): the facilitator moves it, everyone follows.

The measure under discussion is a field of the workshop record (``workshops.current_measure``, schema
and archive version 3), so every page's kernel sees it on its next poll. A record or an archive made
before it (version 2) is read with no measure under discussion.
"""

# ruff: noqa: F811  (fixtures imported from the sibling module are parameters here)
from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from test_workshop_widgets import _join, base_session, prepared, session  # noqa: F401

from dpup_eval.workshop import WorkshopError, WorkshopStore
from dpup_eval.workshop.pages import facilitator_page, room_page, success_measures_page
from dpup_eval.workshop.room import NOBODY, RoomMover
from dpup_eval.workshop.session import WorkshopSession


def test_the_record_keeps_the_measure_under_discussion(tmp_path: Path) -> None:
    with WorkshopStore(tmp_path / "w.sqlite") as store:
        w = store.create_workshop("Hui", date(2026, 12, 2), "Q3 data", "programme")
        assert w.current_measure is None
        before = store.revision(w.id)
        moved = store.move_room(w.id, "attendance")
        assert moved.current_measure == "attendance" and store.workshop(w.id).current_measure == "attendance"
        assert store.revision(w.id) == before + 1  # every page's poller sees the move
        assert store.move_room(w.id, None).current_measure is None
        with pytest.raises(WorkshopError, match="at most 100"):
            store.move_room(w.id, "x" * 101)
        with pytest.raises(WorkshopError, match="no workshop 99"):
            store.move_room(99, "attendance")
        store.move_room(w.id, "finished")
        archive = store.to_json()
    assert archive["format_version"] == 4 and archive["tables"]["workshops"][0]["current_measure"] == "finished"
    with WorkshopStore.import_json(archive, tmp_path / "copy.sqlite") as copy:
        assert copy.workshop(w.id).current_measure == "finished" and copy.to_json() == archive
    # An archive made before the room moved (version 2) imports with no measure under discussion.
    old = {**archive, "format_version": 2, "tables": {**_before_agreements(archive["tables"]), "workshops": [
        {k: v for k, v in row.items() if k != "current_measure"} for row in archive["tables"]["workshops"]]}}  # fmt: skip
    with WorkshopStore.import_json(old, tmp_path / "from-v2.sqlite") as copy:
        assert copy.workshop(w.id).current_measure is None


def test_a_version_2_record_migrates(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    with WorkshopStore(path) as store:
        w = store.create_workshop("Hui", date(2026, 12, 2), "Q3 data", "programme")
        store.join(w.id, "Mere", "family_member")
    raw = sqlite3.connect(path)  # made as version 2 made it: no column, version 2
    raw.execute("ALTER TABLE workshops DROP COLUMN current_measure")
    raw.execute("UPDATE schema_version SET version = 2")
    raw.commit()
    raw.close()
    with WorkshopStore(path) as store:
        assert store.workshop(w.id).current_measure is None and len(store.participants(w.id)) == 1
        assert store.move_room(w.id, "attendance").current_measure == "attendance"
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    raw.close()


def test_the_facilitator_moves_the_room_and_the_pages_follow(session: WorkshopSession) -> None:
    coded = dataclasses.replace(session, facilitator_code="ABCD-EFGH")
    facilitator = facilitator_page(coded, poll=False)
    mover: RoomMover = facilitator.parts["mover"]
    room = room_page(coded, poll=False)
    phone = success_measures_page(coded, poll=False)
    assert mover.measure.value == "" and mover.measure.options[0][0] == NOBODY
    everything = room.parts["room"].body.value
    assert "Finished the programme" in everything and "Came to most sessions" in everything
    assert phone.parts["now"].value == ""

    mover.on_next()  # from nothing in particular to the first measure
    first = coded.indicators.indicators[0]
    assert coded.store.workshop(coded.workshop.id).current_measure == first.id
    assert "the room is now on" in mover.message.value
    mover.on_next()
    second = coded.indicators.indicators[1]
    assert coded.store.workshop(coded.workshop.id).current_measure == second.id

    # What each page's poller does when the record moved.
    room.parts["room"].refresh()
    projected = room.parts["room"].body.value
    assert "Now discussing:" in projected and f"<h2>{second.name}</h2>" in projected
    assert f"<h2>{first.name}</h2>" not in projected and f"Other measures: {first.name}" in projected
    for listener in phone.poller.listeners:
        listener()
    assert f"The room is now discussing: {second.name}." in phone.parts["now"].value
    board = phone.parts["board"]
    assert board.children[0].indicator.id == second.id and "dpup-current" in board.children[0]._dom_classes
    assert "dpup-current" not in board.children[1]._dom_classes

    # Another facilitator tab follows too; choosing "nothing in particular" shows every measure again.
    other = RoomMover(coded)
    assert other.measure.value == second.id
    other.measure.value = ""
    assert coded.store.workshop(coded.workshop.id).current_measure is None
    room.parts["room"].refresh()
    assert f"<h2>{first.name}</h2>" in room.parts["room"].body.value


def test_a_new_measure_can_be_discussed_by_its_name(session: WorkshopSession) -> None:
    _join(session, "Mere")
    mere = session.participant
    assert mere is not None
    body = {"definition": {"id": "p", "label": "Tamariki kept coming", "proposed_by": "Mere",
                           "field": "sessions_attended", "per": "sessions_offered", "threshold": 0.5},
            "indicator": {"name": "Tamariki kept coming", "what_it_tells_us": "Kept coming", "people": "people",
                          "kind": "proportion", "target": 0.5}}  # fmt: skip
    proposal = session.store.propose(session.workshop.id, mere.id, indicator_id=None, label="Tamariki kept coming",
                                     definition=body, reason="")  # fmt: skip
    mover = RoomMover(session)
    mover.measure.value = f"new-{proposal.id}"
    room = room_page(session, poll=False).parts["room"].body.value
    assert "Tamariki kept coming (new, suggestion 1)" in room and "Suggestion 1: Tamariki kept coming" in room
    assert "Finished the programme</h2>" not in room


def _before_agreements(tables: dict) -> dict:
    """An archive's tables as a version 1-3 archive has them: no agreement record (added in version 4)."""
    return {name: rows for name, rows in tables.items() if not name.startswith("agreement_")}
