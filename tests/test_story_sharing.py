"""Stories leaving the register: the tender pack, the use register, access packs, and the command line.

Every expectation here is set by hand from what the test recorded (which family chose what), never read
back from the code's output.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.cli.app import main
from dpup_eval.demo.key_map import write_demo_key_map
from dpup_eval.rights import references
from dpup_eval.rights.access_pack import compile_access, write_access_pack
from dpup_eval.rights.requests import KeyMap, Register
from dpup_eval.rights.stories.register import StoryRegister
from dpup_eval.rights.stories.settings import StorySettings
from dpup_eval.rights.stories.sharing import reference_patterns, story_check
from dpup_eval.rights.stories.tender import build_tender_pack, published_findings, write_tender_pack
from dpup_eval.rights.uses import UseRegister

TOLD, ASKED = date(2025, 3, 4), date(2025, 3, 11)
#: Typed the way caseworkers type them: a name with a title, a mobile with spaces, an NHI, an email, the
#: family's own reference and an agency reference.
ATTACK = ("Whaea Losa Tuilagi rang Mere Tipene on 021 555 0199 (NHI ZZZ0016, mere.tipene@gmail.com) about "
          "family F-1A2B3C4D; CCSS-00007 says the group changed everything.")
SECRETS = ("Losa", "Tuilagi", "Mere", "Tipene", "021 555 0199", "ZZZ0016", "mere.tipene", "F-1A2B3C4D", "CCSS-00007")


@pytest.fixture(scope="module")
def programme() -> tuple[Agreement, StorySettings]:
    folder = default_contract_dir()
    return Agreement.load(folder), StorySettings.load(folder)


@pytest.fixture
def told(record_target: str, tmp_path: Path, programme) -> StoryRegister:
    """Five families, one story each, each family's choice set by hand; story 5 withdrawn after choosing tender."""
    agreement, settings = programme
    check = story_check(agreement, settings)
    register = StoryRegister(record_target, audit=tmp_path / "audit.jsonl")
    choices = [("CCSS-00001", "Kept at home: only the provider.", "provider"),
               ("CCSS-00002", "For the evaluators only.", "evaluation"),
               ("CCSS-00003", "Shown in workshops only.", "workshop"),
               ("CCSS-00004", "Quoted in reports.", "report"),
               ("CCSS-00007", ATTACK, "tender"),
               ("CCSS-00005", "Was for tenders, then taken back.", "tender")]
    for family, text, level in choices:
        story = register.record(family_ref=family, told_on=TOLD, domain="parent_confidence", text=text,
                                settings=settings, check=check)
        register.review(story.id, approve=True, family_saw=True)
        register.choose(story.id, level, asked_with="adult", how="in_person", given_on=ASKED)
    register.withdraw(6, asked_with="adult", how="phone", given_on=date(2025, 4, 1))
    register.choose(5, "tender", asked_with="adult", how="phone", given_on=date(2025, 9, 1))  # confirmed later
    return register


def _findings(tmp_path: Path) -> Path:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps([
        {"indicator": "completion", "indicator_name": "Finishing", "group": {}, "period": None, "suppressed": False,
         "sentence": "About 7 in 10 finished."},
        {"indicator": "completion", "indicator_name": "Finishing", "group": {"region": "Waikato"}, "period": None,
         "suppressed": False, "sentence": "In Waikato, about 6 in 10 finished."},
        {"indicator": "completion", "indicator_name": "Finishing", "group": {}, "period": "2025-Q1",
         "suppressed": True, "sentence": "Hidden: fewer than 5 people."},
    ]), encoding="utf-8")
    return path


def test_the_tender_pack_holds_only_stories_allowed_for_tenders(told, programme, tmp_path) -> None:
    agreement, settings = programme
    pack = build_tender_pack(told, agreement, settings, story_check(agreement, settings), [_findings(tmp_path)],
                             title="Family support 2026")
    assert [s.story.number for s in pack.stories] == [5]  # report, workshop, evaluation, provider, withdrawn: out
    assert [f.sentence for f in pack.findings] == ["About 7 in 10 finished."]  # no group, no period, nothing hidden
    uses = UseRegister(tmp_path / "uses.sqlite")
    out = write_tender_pack(pack, tmp_path / "pack" / "tender.html", uses, references=references.reference_patterns(agreement))
    html = out.read_text("utf-8")
    assert out.stat().st_mode & 0o777 == 0o600
    for other in ("Kept at home", "For the evaluators", "Shown in workshops", "Quoted in reports", "taken back"):
        assert other not in html
    assert "the group changed everything" in html
    assert "4 March" not in html and "March 2025" in html  # the month it was told, not the day
    assert "11 March 2025" in html and "1 September 2025" in html  # chosen, last confirmed
    [use] = uses.list()
    assert use.stories == [5] and use.kind == "funding" and use.what == "Tender pack: Family support 2026"


def test_caseworker_identifiers_never_reach_a_tender_pack(told, programme, tmp_path) -> None:
    agreement, settings = programme
    pack = build_tender_pack(told, agreement, settings, story_check(agreement, settings), [], title="Bid")
    html = write_tender_pack(pack, tmp_path / "t.html", UseRegister(tmp_path / "u.sqlite"),
                             references=references.reference_patterns(agreement)).read_text("utf-8")
    everything = html + pack.model_dump_json()
    for secret in SECRETS:
        assert secret.lower() not in everything.lower(), secret


def test_a_workshop_story_never_reaches_a_report_and_a_report_story_never_a_tender(told) -> None:
    assert [s.number for s in told.shared("workshop")] == [3, 4, 5]
    assert [s.number for s in told.shared("report")] == [4, 5]
    assert [s.number for s in told.shared("tender")] == [5]
    assert [s.number for s in told.shared("evaluation")] == [2, 3, 4, 5]


def test_withdrawal_after_a_pack_keeps_the_next_pack_clean_and_the_record_of_where_it_went(
        told, programme, tmp_path) -> None:
    agreement, settings = programme
    uses = UseRegister(tmp_path / "uses.sqlite")
    check = story_check(agreement, settings)
    write_tender_pack(build_tender_pack(told, agreement, settings, check, [], title="First bid"), tmp_path / "1.html", uses,
                      references=references.reference_patterns(agreement))
    told.withdraw(5, asked_with="adult", how="phone", given_on=date.today())
    second = build_tender_pack(told, agreement, settings, check, [], title="Second bid")
    assert second.stories == []
    write_tender_pack(second, tmp_path / "2.html", uses, references=references.reference_patterns(agreement))
    assert [u.what for u in uses.list(story=5)] == ["Tender pack: First bid"]


def test_access_pack_shows_the_family_s_stories_and_where_they_went(told, programme, tmp_path, demo_dir) -> None:
    agreement, settings = programme
    uses = UseRegister(tmp_path / "uses.sqlite")
    write_tender_pack(build_tender_pack(told, agreement, settings, story_check(agreement, settings), [],
                                        title="Family support 2026"), tmp_path / "t.html", uses,
                      references=references.reference_patterns(agreement))
    requests = Register(tmp_path / "requests.sqlite", audit=tmp_path / "audit.jsonl")
    key_map = KeyMap.load(write_demo_key_map(tmp_path / "key_map.csv"))
    sent = {"evaluation": demo_dir / "evaluation.csv"}
    request = requests.new_request("CCSS-00007", date(2025, 10, 1), key_map=key_map)
    pack = compile_access(requests, request.id, agreement, key_map, sent, stories=told, uses=uses)
    [mine] = pack.stories
    assert mine.number == 5 and mine.words == ATTACK  # the family's own words are theirs to see
    assert mine.went_to == [f"{date.today():%-d %B %Y}: Tender pack: Family support 2026"]
    assert [h.split(":")[0] for h in mine.history] == ["11 March 2025", "1 September 2025"]
    pages = write_access_pack(pack, tmp_path / "access")
    adult = next(p for p in pages if p.name.endswith("-1-adult.html")).read_text("utf-8")
    child = next(p for p in pages if p.name.endswith("-1-child.html")).read_text("utf-8")
    assert "Tender pack: Family support 2026" in adult and "Your stories" in adult
    assert "It was used 1 time." in child
    for other in ("Kept at home", "Quoted in reports", "taken back"):  # other families' stories
        assert other not in adult and other not in child


def test_reference_shapes_come_from_the_contracts(programme) -> None:
    agreement, _ = programme
    found = reference_patterns(agreement)
    text = "p-1a2b3c4d and F-00AA11BB and S-DEADBEEF but not XP-1A2B3C4D9"
    assert sorted(m.group(0) for p in found for m in p.finditer(text)) == ["F-00AA11BB", "S-DEADBEEF", "p-1a2b3c4d"]


def test_a_use_register_from_before_stories_is_brought_up_to_date(tmp_path) -> None:
    path = tmp_path / "uses.sqlite"
    with sqlite3.connect(path) as conn:  # the version-1 table, as registers made before stories have it
        conn.execute("CREATE TABLE uses (id INTEGER PRIMARY KEY, used_on TEXT NOT NULL, kind TEXT NOT NULL, "
                     "what TEXT NOT NULL, purpose TEXT, data_used TEXT NOT NULL, findings TEXT NOT NULL, "
                     "summary TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)")
        conn.execute("INSERT INTO uses VALUES (1, '2025-01-02', 'report', 'Annual report', NULL, '[]', '[]', "
                     "'A summary', 'Ana', '2025-01-02T00:00:00+00:00')")
    conn.close()
    uses = UseRegister(path)
    assert uses.get(1).stories == [] and uses.get(1).what == "Annual report"
    added = uses.add(used_on=date(2025, 2, 1), kind="report", what="Story report", summary="Quoted two stories",
                     stories=[3, 1, 3], references=())
    assert added.stories == [1, 3]
    assert [u.id for u in uses.list(story=3)] == [2]


def test_the_command_line_records_reviews_chooses_and_packs(tmp_path, capsys) -> None:
    home = tmp_path / "home"
    db, uses_db = str(home / "stories.sqlite"), str(home / "uses.sqlite")
    common = ["--stories", db, "--log", str(tmp_path / "audit.jsonl")]
    programme = ["--programme", str(default_contract_dir())]
    assert main(["stories", "record", "--family", "CCSS-00011", "--domain", "whanau_connection", "--told", "2025-03-04",
                 "--text", "Aunty Mere Tipene (027 123 4567) says we are closer now.", *common, *programme]) == 0
    shown = capsys.readouterr().out
    assert "As told" in shown and "Made safe" in shown and "027 123 4567" in shown  # the provider's own review
    assert main(["stories", "choose", "1", "tender", "--on", "2025-03-11", *common]) == 2  # not reviewed yet
    assert "have not been approved" in capsys.readouterr().err
    assert main(["stories", "review", "1", "--approve", "--family-saw", *common]) == 0
    assert main(["stories", "choose", "1", "tender", "--how", "phone", "--on", "2025-03-11", *common]) == 0
    assert main(["stories", "list", *common]) == 0
    assert "may go to: tender" in capsys.readouterr().out
    out = tmp_path / "pack.html"
    assert main(["tender-pack", str(out), "--title", "Whanau bid", "--stories", db, "--uses", uses_db, *programme]) == 0
    html = out.read_text("utf-8")
    assert "we are closer now" in html and "Mere" not in html and "027 123 4567" not in html
    assert main(["stories", "withdraw", "1", "--on", str(date.today()), *common]) == 0
    assert main(["stories", "choose", "1", "everyone", *common]) == 2
    assert "not a choice" in capsys.readouterr().err
    question = tmp_path / "question.html"
    assert main(["stories", "question", "--audience", "child", "--out", str(question), *programme]) == 0
    assert "Pick one" in question.read_text("utf-8") and "Spache grade" in capsys.readouterr().err
    assert main(["stories", "question", "--audience", "teen", *programme]) == 2
    exported = tmp_path / "for-evaluators.json"
    assert main(["stories", "export", str(exported), "--level", "evaluation", "--stories", db, *programme]) == 0
    assert json.loads(exported.read_text("utf-8")) == []  # story 1 was withdrawn above
    sheet = tmp_path / "sheet.html"
    assert main(["stories", "sheet", "1", "--out", str(sheet), *common, *programme]) == 0
    page = sheet.read_text("utf-8")
    assert sheet.stat().st_mode & 0o777 == 0o600
    assert "027 123 4567" in page and "[phone removed]" in page  # both sides, for the family to compare
    assert "phone numbers: 1" in page and "Choose one" in page


def test_findings_that_are_not_evaluate_output_are_refused(tmp_path) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"findings": []}', encoding="utf-8")
    with pytest.raises(Exception, match="not the findings JSON"):
        published_findings([wrong])
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(Exception, match="not readable as published findings"):
        published_findings([broken])


def test_export_for_the_evaluation_team_holds_only_allowed_stories_without_references(told, tmp_path) -> None:
    out = tmp_path / "for-evaluators.json"
    assert main(["stories", "export", str(out), "--level", "evaluation", "--stories", str(told.path),
                 "--log", str(tmp_path / "audit.jsonl"), "--programme", str(default_contract_dir())]) == 0
    text = out.read_text("utf-8")
    assert [r["number"] for r in json.loads(text)] == [2, 3, 4, 5]  # provider-only (1) and withdrawn (6) stay out
    assert out.stat().st_mode & 0o777 == 0o600 and "family_ref" not in text
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), secret
    assert '"story.export"' in (tmp_path / "audit.jsonl").read_text("utf-8")
