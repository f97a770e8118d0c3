"""`dpup-eval contract diff`: the change summary between two versions, through the real entry point.

Each expected sentence below is written by hand from the edit the test makes (not taken from the
code's output), so a summary that drifts from what people were told fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.agreement.diff import diff_agreements
from dpup_eval.agreement.versions import Version

EXE = shutil.which("dpup-eval", path=str(Path(sys.executable).parent)) or "dpup-eval"
Doc = dict[str, Any]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=os.environ.copy(), timeout=300,
                          stdin=subprocess.DEVNULL)


def version_of(tmp: Path, name: str, edits: dict[str, Callable[[Doc], None]]) -> Path:
    """A copy of the demo programme with each purpose's contract document edited by hand."""
    folder = tmp / name
    shutil.copytree(default_contract_dir(), folder)
    for purpose, edit in edits.items():
        path = folder / f"{purpose}.odcs.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(doc)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def props(doc: Doc) -> list[Doc]:
    return doc["schema"][0]["properties"]


def prop(doc: Doc, name: str) -> Doc:
    return next(p for p in props(doc) if p["name"] == name)


def custom(entry: Doc, key: str, value: Any) -> None:
    for item in entry["customProperties"]:
        if item["property"] == key:
            item["value"] = value
            return
    entry["customProperties"].append({"property": key, "value": value})


DATE_OF_BIRTH = {
    "name": "date_of_birth", "businessName": "Date of birth", "logicalType": "date", "required": True,
    "customProperties": [
        {"property": "role", "value": "quasi_identifier"},
        {"property": "why", "value": "To work out how old people are."},
        {"property": "adultDescription", "value": "Your date of birth."},
        {"property": "childDescription", "value": "Your birthday."},
    ],
}
FEEDBACK_STORIES = {
    "name": "feedback_stories", "businessName": "Feedback stories", "logicalType": "string", "required": False,
    "logicalTypeOptions": {"maxLength": 600},
    "customProperties": [
        {"property": "role", "value": "free_text"},
        {"property": "why", "value": "Stories about the sessions."},
        {"property": "adultDescription", "value": "What you told us."},
        {"property": "childDescription", "value": "What you said."},
    ],
}


def old_evaluation(doc: Doc) -> None:
    """The earlier evaluation contract: a date of birth where the agreed one has an age group."""
    index = next(i for i, p in enumerate(props(doc)) if p["name"] == "age_band")
    props(doc)[index] = DATE_OF_BIRTH


def old_service(doc: Doc) -> None:
    props(doc).append(FEEDBACK_STORIES)


def new_evaluation(doc: Doc) -> None:
    doc["version"] = "2.0.0"
    quarter = prop(doc, "enrolment_quarter")
    quarter["logicalTypeOptions"]["pattern"] = "^20[0-9]{2}$"
    custom(prop(doc, "region"), "adultDescription", "The region your group meets in, never your address.")
    custom(doc, "notUsedFor", [*next(c["value"] for c in doc["customProperties"] if c["property"] == "notUsedFor"),
                               "marketing"])
    props(doc).append(prop_copy_referral())


def prop_copy_referral() -> Doc:
    service = yaml.safe_load((default_contract_dir() / "service_reporting.odcs.yaml").read_text(encoding="utf-8"))
    return prop(service, "referral_source")


def new_service(doc: Doc) -> None:
    doc["version"] = "1.1.0"  # not enough: a field left this purpose
    doc["schema"][0]["properties"] = [p for p in props(doc) if p["name"] != "referral_source"]


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("versions")
    old = version_of(tmp, "v1", {"evaluation": old_evaluation, "service_reporting": old_service})
    new = version_of(tmp, "v2", {"evaluation": new_evaluation, "service_reporting": new_service})
    return old, new


def test_summary_through_the_entry_point(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    out = run("contract", "diff", str(old), str(new), "--html", str(tmp_path / "diff.html"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    evaluation = lines[:lines.index("service reporting: 1.0.0 -> 1.1.0 (major: what is shared changes)")]
    service = lines[len(evaluation):]
    assert evaluation[0] == "evaluation: 1.0.0 -> 2.0.0 (major: what is shared changes)"
    assert sorted(evaluation[1:]) == sorted([
        '  - Added to what it will not be used for: "marketing"',
        "  - Description of Region reworded",
        "  - Quarter started sent as a year instead of a quarter",
        "  - Date of birth replaced by age group",
        "  - How they found the programme moved from service reporting to evaluation",
    ])
    assert sorted(service[1:]) == sorted([
        "  - Feedback stories no longer sent for service reporting",
        "  - How they found the programme moved from service reporting to evaluation",
    ])
    assert out.stderr.splitlines()[0] == ("Warning: service_reporting: version 1.1.0 is not enough: the changes "
                                          "need a major change, so at least 2.0.0")
    page = (tmp_path / "diff.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="en-NZ">' in page
    assert "Date of birth replaced by age group" in page and "http" not in page
    assert "<script" not in page


def test_no_changes_and_wording_only(tmp_path: Path) -> None:
    same = run("contract", "diff", str(default_contract_dir()), str(default_contract_dir()))
    assert same.returncode == 0 and same.stdout.splitlines()[-1] == "No changes." and not same.stderr

    def reword(doc: Doc) -> None:
        doc["version"] = "1.0.1"
        custom(prop(doc, "status"), "why", "To count how many whānau finish the programme.")
    new = version_of(tmp_path, "patch", {"service_reporting": reword})
    out = run("contract", "diff", str(default_contract_dir()), str(new))
    assert out.returncode == 0 and not out.stderr
    assert "service reporting: 1.0.0 -> 1.0.1 (patch: wording only)" in out.stdout
    assert "  - Why where the whānau is up to is needed reworded" in out.stdout.splitlines()


def test_version_rules() -> None:
    """The bump rule, by hand: major resets minor and patch; numbers compare as numbers."""
    assert str(Version.parse("1.4.2").bump("major")) == "2.0.0"
    assert str(Version.parse("1.4.2").bump("minor")) == "1.5.0"
    assert str(Version.parse("1.4.2").bump("patch")) == "1.4.3"
    assert Version.parse("1.10.0") > Version.parse("1.9.0")


def test_levels_of_each_change(versions: tuple[Path, Path]) -> None:
    old, new = versions
    diff = diff_agreements(Agreement.load(old), Agreement.load(new))
    levels = {c.kind: c.level for c in diff.changes}
    assert levels == {"not-used-for-added": "minor", "field-adult-description-reworded": "patch",
                      "field-coarsened": "major", "field-replaced": "major", "field-moved": "major",
                      "field-dropped": "major"}
    assert [v.problem is None for v in diff.verdicts] == [True, False]


@pytest.mark.parametrize("args", [["/nonexistent/v1", str(default_contract_dir())], ["--bogus"]])
def test_bad_input_is_one_error_line(args: list[str]) -> None:
    out = run("contract", "diff", *args)
    assert out.returncode == 2 and "Traceback" not in out.stderr
