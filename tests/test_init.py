"""A new programme in minutes: `dpup-eval init`, drafts refused until settled, every problem shown at once.

The done-when of issue 9 for the programme part: a programme made with `dpup-eval init` from a file the
tests generate goes through check, evaluate, notices and an access pack (and a workshop in the browser,
in `test_workshop_browser.py`), with no package file edited: only the programme's own files are settled.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from made_by_init import settle

from dpup_eval.agreement.contract import Contract, default_contract_dir
from dpup_eval.cli.app import main
from dpup_eval.errors import ContractError
from dpup_eval.intake.drafting import draft_contract, shape_pattern
from dpup_eval.intake.loading import load

NAME = "Work trial (made by init)"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory, work_ready) -> Path:
    """`dpup-eval init` on the second programme's trial export (a generated file), not yet settled."""
    folder = tmp_path_factory.mktemp("init") / "new programme"
    assert main(["init", str(folder), "--data", str(work_ready.outcomes), "--purpose", "outcomes_study"]) == 0
    return folder


def test_init_writes_a_draft_folder_that_says_what_to_settle(drafted: Path, work_ready) -> None:
    assert {p.name for p in drafted.iterdir()} == {"outcomes_study.odcs.yaml", "indicators.yaml", "programme.yaml",
                                                   "README.md"}
    contract = yaml.safe_load((drafted / "outcomes_study.odcs.yaml").read_text(encoding="utf-8"))
    roles = {p["name"]: next(c["value"] for c in p["customProperties"] if c["property"] == "role")
             for p in contract["schema"][0]["properties"]}
    # Guessed only where the data leaves little doubt; the rest is for people to choose.
    assert roles["client_code"] == roles["household_code"] == "pseudonymous_key"
    assert roles["start_month"] == "period" and roles["start_date"] == "programme_date"
    assert roles["weekly_hours_before"] == roles["weekly_hours_after"] == "outcome"
    assert {n for n, r in roles.items() if r == "TODO"} == {"trial_arm", "age_group", "district",
                                                          "employed_at_six_months", "training_sessions_attended"}
    patterns = {p["name"]: p.get("logicalTypeOptions", {}).get("pattern") for p in contract["schema"][0]["properties"]}
    assert patterns["client_code"] == "^C[0-9]{5}$" and patterns["household_code"] == "^H[0-9]{4}$"
    settings = yaml.safe_load((drafted / "programme.yaml").read_text(encoding="utf-8"))
    assert settings["periods"] == {"grain": "month", "field": "start_month"}
    assert settings["workshop"] == {"purpose": "outcomes_study"}
    indicators = yaml.safe_load((drafted / "indicators.yaml").read_text(encoding="utf-8"))["indicators"]
    assert {i["kind"] for i in indicators} == {"improved", "proportion"}
    assert all("trial_arm" in i["groupings"] and "weekly_hours_before" not in i["groupings"] for i in indicators)
    readme = (drafted / "README.md").read_text(encoding="utf-8")
    assert "children_take_part" in readme and "trial_arm" in readme and "dpup-eval check" in readme
    # Nothing from the rows: no reference, no value of a many-valued column.
    written = "".join(p.read_text(encoding="utf-8") for p in drafted.iterdir())
    data = work_ready.outcomes.read_text(encoding="utf-8")
    assert not any(ref in written for ref in re.findall(r"\b[CH]\d{4,5}\b", data)[:500])


def test_an_unsettled_folder_is_refused_with_every_place_listed(
    drafted: Path, work_ready, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", work_ready.outcomes, "--programme", drafted, "--purpose", "outcomes_study")
    assert code == 2 and err.count("Error:") == 1
    places = [line for line in err.splitlines() if line.startswith("  ")]
    text = "\n".join(places)
    assert len(places) > 30 and "(and" not in err  # every problem, not the first and "N more"
    assert all(re.match(r"  \S.*\.(yaml|yml): \S", line) for line in places)  # each names its file
    assert "programme.yaml: children_take_part: still to settle" in text
    assert "outcomes_study.odcs.yaml: status: the contract is still a draft" in text
    assert "field 'trial_arm' needs a role" in text
    assert "field 'district' why: still to settle" in text
    assert "indicators.yaml: indicators[0].name: indicator 'weekly_hours_improved'" in text


def test_init_refuses_a_folder_that_is_not_empty(drafted: Path, work_ready, capsys) -> None:
    code, _, err = run(capsys, "init", drafted, "--data", work_ready.outcomes)
    assert code == 2 and "already exists" in err


def test_settled_it_goes_through_check_evaluate_notice_and_an_access_pack(
    tmp_path: Path, drafted: Path, work_ready, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "settled"
    folder.mkdir()
    for path in drafted.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    settle(folder, name=NAME, purpose="outcomes_study")
    data = work_ready.outcomes
    code, out, err = run(capsys, "check", data, "--programme", folder, "--purpose", "outcomes_study")
    assert code == 0 and "ACCEPTED" in out, err
    findings_json = tmp_path / "findings.json"
    code, out, err = run(capsys, "evaluate", data, "--programme", folder, "--purpose", "outcomes_study",
                         "--json", findings_json)
    assert code == 0, err
    findings = json.loads(findings_json.read_text(encoding="utf-8"))
    periods = {f["period"] for f in findings if f["period"]}
    assert periods and all(re.fullmatch(r"2025-0[1-6]", p) for p in periods)
    assert {"All months"} == {f["period_label"] for f in findings if f["period"] is None}
    assert any(f["group"] == {"trial_arm": "1"} for f in findings)
    code, out, err = run(capsys, "notice", "--programme", folder, "--format", "md")
    assert code == 0 and "Research team" in out, err
    code, _, err = run(capsys, "notice", "--programme", folder, "--audience", "child")
    assert code == 2 and "no children take part" in err
    monkeypatch.setenv("DPUP_EVAL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(folder)  # the programme is found in the current folder from here on
    code, out, err = run(capsys, "request", "new", "HET-00003", "--received", "2025-11-03",
                         "--key-map", work_ready.key_map)
    assert code == 0, err
    code, out, err = run(capsys, "request", "compile", "1", "--key-map", work_ready.key_map,
                         "--sent", f"outcomes_study={data}", "--out", tmp_path / "pack")
    assert code == 0, err
    pages = sorted((tmp_path / "pack").iterdir())
    assert pages and all(p.name.endswith("-adult.html") for p in pages)  # no children: no child pages
    assert all("Otago" in p.read_text() or "Northland" in p.read_text() or "Bay of Plenty" in p.read_text()
               for p in pages)


def test_why_a_draft_with_roles_set_was_accepted_and_is_now_refused(tmp_path: Path, demo_dir: Path) -> None:
    """Issue 9: `contract draft` output still full of TODO and `status: draft` passed validation, and its
    data was accepted. Someone who only gives every column a role must still be stopped, at every place."""
    doc = yaml.safe_load(draft_contract(demo_dir / "service_reporting.csv", "service_reporting", "Contracts"))
    for prop in doc["schema"][0]["properties"]:
        for custom in prop["customProperties"]:
            if custom["property"] == "role" and custom["value"] == "TODO":
                custom["value"] = "service_delivery"
    path = tmp_path / "service_reporting.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContractError) as refused:
        load(demo_dir / "service_reporting.csv", path, "service_reporting")
    issues = refused.value.issues
    assert any(i.place == "status" for i in issues)
    todo_places = {i.place for i in issues if "still to settle" in i.message}
    expected = {"description.purpose", "customProperties[1].value", "customProperties[3].value"}
    assert expected <= todo_places and len(todo_places) >= 3 * len(doc["schema"][0]["properties"])
    assert str(refused.value).count("\n") == len(issues)  # the message lists every one of them


def test_why_the_cli_showed_one_problem_of_eleven(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 9: the command line showed only the first of eleven contract problems."""
    doc = yaml.safe_load((default_contract_dir() / "evaluation.odcs.yaml").read_text(encoding="utf-8"))
    for prop in doc["schema"][0]["properties"][:11]:
        prop["customProperties"] = [c for c in prop["customProperties"] if c["property"] != "why"]
    path = tmp_path / "evaluation.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, _, err = run(capsys, "contract", "validate", path)
    assert code == 2 and "11 problems" in err
    for i in range(11):
        assert f"{path}: schema[0].properties[{i}].customProperties: field '" in err


def test_children_s_descriptions_are_needed_only_where_children_take_part(tmp_path: Path) -> None:
    doc = yaml.safe_load((default_contract_dir() / "evaluation.odcs.yaml").read_text(encoding="utf-8"))
    for prop in doc["schema"][0]["properties"]:
        prop["customProperties"] = [c for c in prop["customProperties"] if c["property"] != "childDescription"]
    path = tmp_path / "evaluation.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert Contract.load(path, children=False).field("feedback").child_description == ""
    with pytest.raises(ContractError) as refused:
        Contract.load(path)
    assert len(refused.value.issues) == len(doc["schema"][0]["properties"])


@pytest.mark.parametrize(("values", "pattern"), [
    (["C00012", "C10345", "C99999"], "^C[0-9]{5}$"),
    (["P-1A2B3C4D", "P-00FF12AB", "P-9C3D4E5F"], r"^P\-[0-9A-F]{8}$"),
    (["WH-0042", "WH-1234"], r"^WH\-[0-9]{4}$"),
    (["C0012", "C10345"], None),  # two lengths: no one shape
])
def test_reference_shapes_are_drafted_as_patterns(values: list[str], pattern: str | None) -> None:
    found = shape_pattern(values)
    assert found == pattern
    if found:
        assert all(re.fullmatch(found, v) for v in values)
