"""Access and correction requests: deadlines, the key map, a full access request, corrections."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dpup_eval.agreement.contract import Agreement
from dpup_eval.audit import AuditLog, record_use
from dpup_eval.demo.key_map import demo_key_map, write_demo_key_map
from dpup_eval.rights.access_pack import compile_access, write_access_pack
from dpup_eval.rights.requests import (
    KeyMap,
    Register,
    RequestError,
)

PAYLOAD = "<script>alert('x')</script>"
REFERENCE = re.compile(r"\b(?:[PFS]-[0-9A-F]{8}|CCSS-\d{5})\b")


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
def register(tmp_path: Path, log: AuditLog) -> Register:
    return Register(tmp_path / "requests.sqlite", audit=log)


@pytest.fixture(scope="session")
def key_map(demo_dir: Path) -> KeyMap:
    return KeyMap.load(write_demo_key_map(demo_dir / "key_map.csv"))


@pytest.fixture(scope="session")
def sent(demo_dir: Path) -> dict[str, Path]:
    return {"evaluation": demo_dir / "evaluation.csv", "service_reporting": demo_dir / "service_reporting.csv"}


@pytest.mark.parametrize(("received", "due", "transfer_due"), [
    (date(2025, 12, 1), date(2026, 1, 20), date(2025, 12, 15)),  # the Christmas-New Year period is skipped
    (date(2025, 4, 17), date(2025, 5, 20), date(2025, 5, 6)),  # Good Friday, Easter Monday, Anzac Day
    (date(2025, 3, 1), date(2025, 3, 28), date(2025, 3, 14)),  # received on a Saturday: day 0
])
def test_requests_are_due_in_working_days(register: Register, received: date, due: date, transfer_due: date) -> None:
    request = register.new_request("CCSS-00001", received)
    assert (request.due, request.transfer_due) == (due, transfer_due)
    assert request.status == "open"


def test_open_requests_with_days_left_and_answered(register: Register) -> None:
    first = register.new_request("CCSS-00001", date(2025, 3, 3))
    second = register.new_request("CCSS-00002", date(2025, 3, 10), kind="correction")
    assert [r.id for r in register.list_requests()] == [first.id, second.id]
    assert first.days_left(date(2025, 3, 3)) == 20
    assert first.days_left(first.due) == 0
    assert first.days_left(date(2025, 4, 2)) == -2  # overdue by two working days
    answered = register.answer(first.id, date(2025, 3, 20), "sent copies")
    assert answered.status == "answered" and answered.answered_on == date(2025, 3, 20)
    assert [r.id for r in register.list_requests()] == [second.id]
    assert len(register.list_requests(open_only=False)) == 2
    with pytest.raises(RequestError, match="already answered"):
        register.answer(first.id, date(2025, 3, 21))
    with pytest.raises(RequestError, match="no request number 99"):
        register.get(99)
    moved = register.transfer(second.id, "the agency", date(2025, 3, 12))
    assert moved.transferred_to == "the agency" and moved.transferred_on <= moved.transfer_due


def test_demo_key_map_links_every_reference_in_the_demo_files(sent: dict[str, Path]) -> None:
    rows = pd.DataFrame(demo_key_map())
    evaluation = pd.read_csv(sent["evaluation"], dtype=str)
    service = pd.read_csv(sent["service_reporting"], dtype=str)
    by_purpose = rows.pivot(index="provider_family_ref", columns="purpose", values="family_ref")
    assert set(by_purpose["evaluation"]) == set(evaluation["family_ref"])
    assert set(by_purpose["service_reporting"]) == set(service["family_ref"])
    # The same whānau: as many people in the evaluation file as the service file says took part.
    people = evaluation.groupby("family_ref").size()
    service["size"] = service["parents_enrolled"].astype(int) + service["children_enrolled"].astype(int)
    size = service.groupby("family_ref")["size"].first()
    assert (people[by_purpose["evaluation"]].to_numpy() == size[by_purpose["service_reporting"]].to_numpy()).all()


def test_key_map_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("family,purpose\n", encoding="utf-8")
    with pytest.raises(RequestError, match="lacks column"):
        KeyMap.load(bad)
    with pytest.raises(RequestError, match="cannot read"):
        KeyMap.load(tmp_path / "missing.csv")


def test_full_access_request_with_adult_and_child_versions(
    register: Register, agreement: Agreement, key_map: KeyMap, sent: dict[str, Path], log: AuditLog, tmp_path: Path
) -> None:
    evaluation = agreement.for_purpose("evaluation")
    record_use("load", purpose="evaluation", dataset=sent["evaluation"], fields=evaluation.field_names,
               log=log, actor="Ana", role="evaluator")
    request = register.new_request("CCSS-00007", date(2025, 6, 2), key_map=key_map)
    assert request.known
    pack = compile_access(register, request.id, agreement, key_map, sent)
    members = pd.read_csv(sent["evaluation"], dtype=str)
    members = members[members["family_ref"] == key_map.refs("CCSS-00007")["evaluation"]]
    assert pack.found and len(pack.people) == len(members)
    page = pack.people[0]
    assert {r.purpose for r in page.records} == {"evaluation", "service_reporting"}
    person = next(r for r in page.records if r.purpose == "evaluation")
    assert [f.name for f in person.fields] == evaluation.field_names
    assert [(u.who, u.role, u.how) for u in person.uses] == [("Ana", "evaluator", "load")]
    paths = write_access_pack(pack, tmp_path / "out")
    assert len(paths) == 2 * len(members)
    adult = paths[0].read_text(encoding="utf-8")
    child = paths[1].read_text(encoding="utf-8")
    assert "adult" in paths[0].name and "child" in paths[1].name
    for f in evaluation.fields:
        assert f.plain_name in adult and f.why.replace("'", "&#39;") in adult
        assert f.child_description in child.replace("&#39;", "'")
    assert evaluation.recipient in adult and "Ana" in adult
    assert "What we keep about you" in child and "Why:" not in child
    assert "@media print" in adult and not re.search(r"https?://|<link|src=", adult + child)
    assert "whānau" in adult


def test_request_for_an_only_partly_covered_family(register: Register, agreement: Agreement, key_map: KeyMap,
                                                   sent: dict[str, Path]) -> None:
    everyone = compile_access(register, register.new_request("CCSS-00007", date(2025, 6, 2)).id, agreement, key_map, sent)
    one = everyone.people[0].records[0].fields[0].value
    pack = compile_access(register, register.new_request("CCSS-00007", date(2025, 6, 2), covers=[one]).id,
                          agreement, key_map, sent)
    assert len(pack.people) == 1


def test_unknown_family_says_so_and_lists_nothing(register: Register, agreement: Agreement, key_map: KeyMap,
                                                  sent: dict[str, Path], tmp_path: Path) -> None:
    request = register.new_request(f"CCSS-{PAYLOAD}", date(2025, 6, 2), key_map=key_map)
    assert not request.known
    pack = compile_access(register, request.id, agreement, key_map, sent)
    assert not pack.found and pack.people == [] and pack.references == {}
    paths = write_access_pack(pack, tmp_path / "none")
    assert len(paths) == 2
    adult = paths[0].read_text(encoding="utf-8")
    assert "holds no information" in adult and "<table" not in adult
    assert "<script" not in adult and "&lt;script&gt;" in adult


def test_correction_applied_keeps_history_and_lists_recipients(
    register: Register, agreement: Agreement, key_map: KeyMap, sent: dict[str, Path], log: AuditLog, tmp_path: Path
) -> None:
    record_use("load", purpose="evaluation", dataset=sent["evaluation"], fields=["region", "age_band"], log=log,
               actor="Ana", role="evaluator")
    record_use("load", purpose="evaluation", dataset=sent["evaluation"], fields=["age_band"], log=log,
               actor="Rawiri", role="evaluator")
    request = register.new_request("CCSS-00007", date(2025, 6, 2), kind="correction", key_map=key_map)
    person = compile_access(register, request.id, agreement, key_map, sent).people[0].records[0]
    ref = next(f.value for f in person.fields if f.name == "participant_ref")
    old = next(f.value for f in person.fields if f.name == "region")
    new = "Canterbury" if old != "Canterbury" else "Waikato"
    result = register.correct(request.id, agreement, key_map, sent, purpose="evaluation",
                              record={"participant_ref": ref}, field="region", new_value=new,
                              reason="moved before enrolling", by="Privacy officer")
    assert result.outcome == "applied" and (result.old_value, result.new_value) == (old, new)
    who = [(r.who, r.how) for r in result.recipients]
    assert who[0] == (agreement.for_purpose("evaluation").recipient, "sent quarterly as agreed")
    assert ("Ana", "load") in who and all(w != "Rawiri" for w, _ in who)  # Rawiri never loaded the region
    history = register.versions("evaluation", {"participant_ref": ref})
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["field_values"]["region"] == old and history[1]["field_values"]["region"] == new
    assert (history[1]["changed_by"], history[1]["reason"]) == ("Privacy officer", "moved before enrolling")
    # The answer now shows the corrected value and where it came from.
    again = compile_access(register, request.id, agreement, key_map, sent).people[0].records[0]
    region = next(f for f in again.fields if f.name == "region")
    assert region.value == new and f"it was {old}" in region.history[0]
    # A second correction makes a third version.
    register.correct(request.id, agreement, key_map, sent, purpose="evaluation", record={"participant_ref": ref},
                     field="goals_set", new_value="4", reason="recounted")
    assert len(register.versions("evaluation", {"participant_ref": ref})) == 3
    assert all(not REFERENCE.search(line) for line in log.path.read_text(encoding="utf-8").splitlines())


def test_correction_not_made_attaches_a_statement(register: Register, agreement: Agreement, key_map: KeyMap,
                                                  sent: dict[str, Path], tmp_path: Path) -> None:
    request = register.new_request("CCSS-00007", date(2025, 6, 2), kind="correction")
    family = compile_access(register, request.id, agreement, key_map, sent).people[0].records[-1]
    quarter = next(f.value for f in family.fields if f.name == "quarter")
    result = register.correct(request.id, agreement, key_map, sent, purpose="service_reporting",
                              record={"quarter": quarter}, field="referral_source", decision="statement",
                              statement=f"We came through our marae {PAYLOAD}")
    assert result.outcome == "statement" and result.statement and PAYLOAD in result.statement
    assert register.versions("service_reporting", {"family_ref": key_map.refs("CCSS-00007")["service_reporting"],
                                                   "quarter": quarter}) == []
    assert result.recipients[0].who == agreement.for_purpose("service_reporting").recipient
    pack = compile_access(register, request.id, agreement, key_map, sent)
    pages = "".join(p.read_text(encoding="utf-8") for p in write_access_pack(pack, tmp_path / "out"))
    assert "We came through our marae" in pages and "<script" not in pages and "&lt;script&gt;" in pages
    with pytest.raises(RequestError, match="statement"):
        register.correct(request.id, agreement, key_map, sent, purpose="service_reporting",
                         record={"quarter": quarter}, field="referral_source", decision="statement", statement=" ")


@pytest.mark.parametrize(("purpose", "field", "value", "reason"), [
    ("evaluation", "name", "Aroha Smith", "not held"),
    ("evaluation", "participant_ref", "P-00000000", "made-up reference"),
    ("evaluation", "region", "Otago", "not an agreed value of region"),
    ("evaluation", "sessions_attended", "lots", "is a number"),
    ("evaluation", "sessions_attended", "99", "outside the agreed range of sessions_attended (0 to 40)"),
    ("evaluation", "sessions_attended", "2.5", "holds whole numbers"),
    ("evaluation", "exit_date", "31/12/2025", "is a date; write it as YYYY-MM-DD"),
    ("evaluation", "exit_date", "2025-02-30", "is a date"),  # no such day: the data check would refuse it too
    ("health", "region", "Waikato", "shares no 'health'"),
])
def test_corrections_that_cannot_be_made_are_refused_with_a_reason(
    register: Register, agreement: Agreement, key_map: KeyMap, sent: dict[str, Path],
    purpose: str, field: str, value: str, reason: str,
) -> None:
    request = register.new_request("CCSS-00007", date(2025, 6, 2), kind="correction")
    ref = compile_access(register, request.id, agreement, key_map, sent).people[0].records[0].fields[0].value
    result = register.correct(request.id, agreement, key_map, sent, purpose=purpose, record={"participant_ref": ref},
                              field=field, new_value=value, reason="asked")
    assert result.outcome == "refused" and reason in result.reason
    assert value not in result.reason  # the reason is kept in the register; the value asked for is not
    stored = register.corrections(request.id)[-1]
    assert stored["outcome"] == "refused" and stored["new_value"] is None  # the value asked for is not kept
    assert register.versions("evaluation", {"participant_ref": ref}) == []


def test_a_record_of_another_family_is_refused(register: Register, agreement: Agreement, key_map: KeyMap,
                                               sent: dict[str, Path]) -> None:
    request = register.new_request("CCSS-00007", date(2025, 6, 2), kind="correction")
    other = compile_access(register, register.new_request("CCSS-00008", date(2025, 6, 2)).id, agreement, key_map, sent)
    ref = other.people[0].records[0].fields[0].value
    result = register.correct(request.id, agreement, key_map, sent, purpose="evaluation",
                              record={"participant_ref": ref}, field="region", new_value="Waikato", reason="asked")
    assert result.outcome == "refused" and "no evaluation record of this family" in result.reason
