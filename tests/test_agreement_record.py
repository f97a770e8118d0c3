"""The co-designed agreement in the workshop record: views, proposals, a decline, answers, versions, sign-offs.

Run on SQLite and (when a PostgreSQL server can be started here) PostgreSQL. Expected summaries are written
by hand from the demo contract's plain field names.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.agreement.revision import read_texts
from dpup_eval.workshop import WorkshopError, WorkshopStore
from dpup_eval.workshop.agreement_record import AgreementRecord


@pytest.fixture
def room(record_target: str, tmp_path: Path) -> Iterator[tuple[AgreementRecord, int, dict[str, int]]]:
    folder = tmp_path / "programme"
    shutil.copytree(default_contract_dir(), folder)
    store = WorkshopStore(record_target)
    try:
        w = store.create_workshop("Agreement review", date(2026, 3, 2), "the draft agreement", folder)
        people = {name: store.join(w.id, name, role).id for name, role in
                  (("Mere", "family_member"), ("Sam", "provider_staff"), ("Aroha", "agency_staff"))}
        yield AgreementRecord(store, folder), w.id, people
    finally:
        store.close()


def test_review_decline_answer_version_and_sign(room: tuple[AgreementRecord, int, dict[str, int]]) -> None:
    record, w, who = room
    v1 = record.start(w)
    assert record.start(w).id == v1.id and v1.number == 1 and v1.summary == ()
    assert v1.contracts == read_texts(record.folder)

    record.give_view(v1.id, who["Mere"], "evaluation", "feedback", "dont_collect", "Our words should stay with us.")
    record.give_view(v1.id, who["Mere"], "evaluation", "feedback", "not_sure", "Maybe, if it is made safe.")
    record.give_view(v1.id, who["Sam"], "evaluation", None, "needed", "The evaluation helps whānau.")
    latest = [(v.field, v.view) for v in record.views(v1.id)]
    assert latest == [("feedback", "not_sure"), (None, "needed")]
    assert [v.view for v in record.view_history(v1.id)] == ["dont_collect", "not_sure", "needed"]

    coarsen = record.propose(v1.id, who["Mere"], "coarsen", "evaluation", "exit_date", {"to": "month"},
                             "The month is enough.")
    with pytest.raises(WorkshopError, match="provider"):
        record.propose(v1.id, who["Mere"], "decline", "evaluation", "feedback", reason="no")
    decline = record.propose(v1.id, who["Sam"], "decline", "evaluation", "feedback", reason="We cannot ask for it.")
    assert decline.answers == {"provider": "accepted"} and not decline.accepted
    with pytest.raises(WorkshopError, match="answered by the agency"):
        record.respond(decline.id, who["Sam"], "accepted")
    with pytest.raises(WorkshopError, match="give your view"):
        record.respond(coarsen.id, who["Mere"], "accepted")
    record.respond(decline.id, who["Aroha"], "discuss", "Can we keep it for some whānau?")
    record.respond(decline.id, who["Aroha"], "accepted", "Agreed: not collected.")
    record.respond(coarsen.id, who["Sam"], "accepted")
    assert not next(p for p in record.proposals(v1.id) if p.id == coarsen.id).accepted
    record.respond(coarsen.id, who["Aroha"], "accepted")
    assert all(p.accepted for p in record.proposals(v1.id))
    assert [r["response"] for r in record.responses(decline.id)] == ["discuss", "accepted"]

    v2 = record.make_version(v1.id, who["Aroha"])
    assert v2.number == 2 and v2.based_on == v1.id
    assert sorted(v2.summary) == sorted([
        "Check removed: A person cannot finish before they started.",
        "Date finished sent as a month instead of an exact date",
        "Feedback in their own words no longer sent for evaluation",
    ])
    assert v2.versions() == {"evaluation": "2.0.0", "service_reporting": "1.0.0"}
    assert record.version(v1.id).contracts == v1.contracts  # nothing overwritten
    with pytest.raises(WorkshopError, match="replaced by version 2"):
        record.propose(v1.id, who["Mere"], "drop", "evaluation", "region")
    with pytest.raises(WorkshopError, match="replaced by version 2"):
        record.sign(v1.id, who["Sam"], "Service manager", date(2026, 3, 2))

    with pytest.raises(WorkshopError, match="provider's side and the agency's side"):
        record.sign(v2.id, who["Mere"], "Parent", date(2026, 3, 2))
    record.sign(v2.id, who["Sam"], "Service manager, CCSS", date(2026, 3, 2))
    assert not record.is_agreed(v2.id)
    with pytest.raises(WorkshopError, match="Both sides"):
        record.adopt(v2.id)
    record.sign(v2.id, who["Aroha"], "Senior advisor, Commissioning", date(2026, 3, 3))
    assert record.is_agreed(v2.id)
    assert [(s.side, s.signer_role, s.signed_on) for s in record.signoffs(v2.id)] == [
        ("provider", "Service manager, CCSS", date(2026, 3, 2)),
        ("agency", "Senior advisor, Commissioning", date(2026, 3, 3))]
    record.adopt(v2.id)
    in_use = Agreement.load(record.folder).for_purpose("evaluation")
    assert in_use.version == "2.0.0" and not in_use.has_field("feedback")
    assert (record.folder / "history" / "evaluation.odcs.yaml@1.0.0").exists()

    counts = record.db.read(lambda c: {t: c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in
                                       ("agreement_versions", "agreement_views", "agreement_proposals",
                                        "agreement_responses", "agreement_signoffs")})
    assert counts == {"agreement_versions": 2, "agreement_views": 3, "agreement_proposals": 2,
                      "agreement_responses": 4, "agreement_signoffs": 2}


def test_bad_input_is_a_plain_message(room: tuple[AgreementRecord, int, dict[str, int]]) -> None:
    record, w, who = room
    v1 = record.start(w)
    for call, words in (
        (lambda: record.give_view(v1.id, who["Mere"], "evaluation", "shoe_size", "needed"), "not a field"),
        (lambda: record.give_view(v1.id, who["Mere"], "marketing", None, "needed"), "not a purpose"),
        (lambda: record.give_view(v1.id, who["Mere"], "evaluation", None, "love it"), "must be one of"),
        (lambda: record.give_view(v1.id, 999, "evaluation", None, "needed"), "has not joined"),
        (lambda: record.propose(v1.id, who["Mere"], "coarsen", "evaluation", "region", {"to": "month"}),
         "only exact dates"),
        (lambda: record.make_version(v1.id, who["Aroha"]), "No proposal has been accepted"),
        (lambda: record.give_view(v1.id, who["Mere"], "evaluation", None, "needed", "x" * 2001), "at most 2000"),
    ):
        with pytest.raises(WorkshopError, match=words):
            call()


def test_the_record_survives_reopening(record_target: str, tmp_path: Path) -> None:
    folder = tmp_path / "programme"
    shutil.copytree(default_contract_dir(), folder)
    with WorkshopStore(record_target) as store:
        w = store.create_workshop("Agreement review", date(2026, 3, 2), "the draft agreement", folder)
        sam = store.join(w.id, "Sam", "provider_staff").id
        first = AgreementRecord(store, folder).start(w.id)
        AgreementRecord(store, folder).give_view(first.id, sam, "evaluation", "region", "needed", "Funding.")
    with WorkshopStore(record_target) as store:
        record = AgreementRecord(store, folder)
        assert record.start(w.id).id == first.id
        assert [(v.field, v.reason) for v in record.views(first.id)] == [("region", "Funding.")]


def test_proposals_that_cannot_make_a_valid_agreement(room: tuple[AgreementRecord, int, dict[str, int]]) -> None:
    """Dropping the period field the programme's settings name: accepted by both, refused when made, in words."""
    record, w, who = room
    v1 = record.start(w)
    drop = record.propose(v1.id, who["Sam"], "drop", "evaluation", "enrolment_quarter", reason="Not needed.")
    record.respond(drop.id, who["Aroha"], "accepted")
    with pytest.raises(WorkshopError, match="do not make an agreement the workbench can use: .*enrolment_quarter"):
        record.make_version(v1.id, who["Aroha"])
    assert [v.number for v in record.versions(w)] == [1]


def _discussed(record: AgreementRecord, w: int, who: dict[str, int]) -> int:
    """A version with a view, a proposal answered by both sides, a second version signed by one side."""
    v1 = record.start(w)
    record.give_view(v1.id, who["Mere"], "evaluation", "feedback", "dont_collect", "Our words stay with us.")
    drop = record.propose(v1.id, who["Sam"], "decline", "evaluation", "feedback", reason="We cannot ask for it.")
    record.respond(drop.id, who["Aroha"], "accepted", "Agreed: not collected.")
    v2 = record.make_version(v1.id, who["Aroha"])
    record.sign(v2.id, who["Sam"], "Service manager, CCSS", date(2026, 3, 2))
    return v2.id


def test_the_agreement_record_goes_into_the_archive_and_the_backups_and_comes_back(
    room: tuple[AgreementRecord, int, dict[str, int]], tmp_path: Path
) -> None:
    """Nothing lost: the workshop record's archive (export, import, the backup at every start) carries the
    agreement's versions, views, proposals, answers and sign-offs, and a copy reads them back the same."""
    from dpup_eval.workshop import archive

    record, w, who = room
    v2 = _discussed(record, w, who)
    exported = record.store.to_json()
    counts = {t: len(rows) for t, rows in exported["tables"].items() if t.startswith("agreement_")}
    # by hand from _discussed (the provider's own decline is its answer: no response row for it)
    assert counts == {"agreement_versions": 2, "agreement_views": 1, "agreement_proposals": 1,
                      "agreement_responses": 1, "agreement_signoffs": 1}  # fmt: skip
    with WorkshopStore.import_json(exported, tmp_path / "copy.sqlite") as copy:
        assert copy.to_json() == exported
        again = AgreementRecord(copy, record.folder)
        assert again.versions(w) == record.versions(w)
        assert again.proposals(again.version(v2).based_on or 0) == record.proposals(record.version(v2).based_on or 0)
        assert again.signoffs(v2) == record.signoffs(v2)
        # the copy goes on: a new view gets the next id, not one the archive brought (PostgreSQL's sequences)
        assert again.give_view(v2, who["Mere"], "evaluation", None, "needed", "").id > max(
            r["id"] for r in exported["tables"]["agreement_views"])
    kept = archive.backup(record.store.db, tmp_path / "backups")
    assert json.loads(kept.read_text(encoding="utf-8"))["tables"]["agreement_signoffs"] == \
        exported["tables"]["agreement_signoffs"]  # fmt: skip


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: t["agreement_views"][0].update(view="maybe"), "not consistent"),
        (lambda t: t["agreement_views"][0].update(given_at="yesterday"), "ISO date"),
        (lambda t: t["agreement_proposals"][0].update(participant_id="Sam"), "whole-number id"),
        (lambda t: t["agreement_responses"][0].update(note=5), "must be text"),
        (lambda t: t["agreement_signoffs"][0].update(version_id=999), "not consistent"),
        (lambda t: t.pop("agreement_views"), "exactly these tables"),
    ],
)
def test_a_damaged_agreement_record_in_an_archive_is_refused(
    room: tuple[AgreementRecord, int, dict[str, int]], tmp_path: Path, damage: object, message: str
) -> None:
    record, w, who = room
    _discussed(record, w, who)
    exported = record.store.to_json()
    damage(exported["tables"])  # type: ignore[operator]
    with pytest.raises(WorkshopError, match=message):
        WorkshopStore.import_json(exported, tmp_path / "copy.sqlite")
