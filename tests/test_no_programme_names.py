"""Nothing in the package outside the demo names a field of either programme.

Why: a workbench that knows `participant_type` or `enrolment_quarter` works for one programme; every
other agency then edits the package. Field names are read from both programmes' contracts (the demo's
files and `second_programme.py`) and searched for in every source, template and page of `dpup_eval/`
(and the dashboards), except `dpup_eval/demo/` (the demo itself) and `dpup_eval/learn/` (the course,
which teaches on the demo programme's own data, as `demo/` does).

Names with an underscore are distinctive and are searched for as whole words anywhere (code,
docstrings, templates). One-word names (`region`, `quarter`, `status`) are ordinary words of the
workbench's own vocabulary (a period grain, a contract's status), so they are not searched for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from second_programme import monthly_contract, outcomes_contract

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "dpup_eval"
EXEMPT_PARTS = ("demo", "learn")
SUFFIXES = (".py", ".j2", ".ipynb", ".html", ".yaml", ".css", ".js", ".json")
#: Words that are the workbench's own vocabulary and happen to be a demo field's name too, with why.
VOCABULARY = {
    # The Privacy Act request register's own name for the reference a family is known by, and the key
    # map's column of the reference sent for a purpose. The register finds a contract's family key by
    # its role (`requests.family_column`), never by this name; the column is the register's storage.
    # The story register keeps the reference a provider knows a family by under the same name.
    "family_ref": {"rights/requests.py", "rights/registers.py", "rights/access_pack.py",
                   "templates/rights_access.html.j2", "cli/rights.py", "cli/stories.py", "rights/stories/family.py",
                   "rights/stories/register.py", "rights/stories/safety.py", "rights/stories/tables.py"},
}


def _field_names() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "data_contracts" / "best_foot_forward").glob("*.odcs.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        names |= {p["name"] for p in doc["schema"][0]["properties"]}
    for doc in (outcomes_contract(), monthly_contract()):
        names |= {p["name"] for p in doc["schema"][0]["properties"]}
    return {n for n in names if "_" in n}


def _sources() -> list[Path]:
    found = [
        p for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES and p.relative_to(PACKAGE).parts[0] not in EXEMPT_PARTS
    ]  # fmt: skip
    return sorted(found + list((REPO / "dashboards").glob("*.ipynb")))


def naming(text: str, names: set[str]) -> list[str]:
    """The field names that appear in ``text`` as whole words."""
    return sorted(n for n in names if re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", text))


def test_both_programmes_have_distinctive_field_names_to_look_for() -> None:
    names = _field_names()
    assert {"participant_type", "enrolment_quarter", "client_code", "trial_arm", "start_month"} <= names


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_source_names_a_programme_s_field(path: Path) -> None:
    where = str(path.relative_to(PACKAGE)) if path.is_relative_to(PACKAGE) else str(path.relative_to(REPO))
    allowed = {name for name, files in VOCABULARY.items() if where in files}
    found = [n for n in naming(path.read_text(encoding="utf-8"), _field_names()) if n not in allowed]
    assert not found, f"{where} names programme fields {found}: take them from the contract or the settings"


def test_the_search_finds_a_field_name_where_it_is() -> None:
    """The check can fail: the access pack's old hard-coded label fields are found."""
    old = 'for n in ("participant_type", "age_band") if contract.has_field(n)'
    assert naming(old, _field_names()) == ["age_band", "participant_type"]
    assert naming("an age_bands table, my_trial_arm", _field_names()) == []
