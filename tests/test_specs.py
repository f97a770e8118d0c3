"""The check builder, tested without Great Expectations (plain dicts, no GX context)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pandas as pd

from dpup_eval.agreement.contract import Agreement
from dpup_eval.intake.specs import build_specs, to_expectation


def _specs(agreement: Agreement, purpose: str = "evaluation"):
    return {s.key: s for s in build_specs(agreement.for_purpose(purpose))}


def test_every_field_rule_becomes_a_spec(agreement: Agreement) -> None:
    specs = _specs(agreement)
    assert specs["age_band.required"].code == "blank-required"
    assert specs["region.allowed"].params["values"] == ["Auckland", "Waikato", "Wellington", "Canterbury"]
    assert specs["participant_ref.pattern"].code == "pattern-mismatch"
    assert specs["confidence_post.range"].params == {"min": 10, "max": 50}
    assert specs["enrolment_date.type"].code == "invalid-date"
    assert specs["sessions_attended.type"].code == "invalid-type"
    assert specs["feedback.length"].params == {"max": 600}
    assert specs["participant_ref.unique"].scope == "rows"
    assert specs["rule.attended_within_offered"].columns == ("sessions_attended", "sessions_offered")
    assert "exit_date.required" not in specs  # optional fields may be blank


def test_multi_valued_categories_use_one_anchored_pattern(agreement: Agreement) -> None:
    spec = _specs(agreement)["ethnic_groups.allowed"]
    pattern = re.compile(spec.params["regex"])
    assert pattern.match("Māori;Pacific Peoples") and pattern.match("European")
    assert not pattern.match("Māori;Martian") and not pattern.match("Māori;") and not pattern.match("Māori, European")


def test_expectation_configs(agreement: Agreement) -> None:
    specs = _specs(agreement)
    assert to_expectation(specs["region.allowed"]) == {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "region", "value_set": ["Auckland", "Waikato", "Wellington", "Canterbury"]},
    }
    # "attended <= offered" is checked as "offered >= attended".
    pair = to_expectation(specs["rule.attended_within_offered"])
    assert pair["type"] == "expect_column_pair_values_a_to_be_greater_than_b"
    assert pair["kwargs"]["column_A"] == "sessions_offered" and pair["kwargs"]["or_equal"] is True
    renamed = to_expectation(specs["enrolment_date.range"], rename={"enrolment_date": "enrolment_date__typed"})
    assert renamed["kwargs"]["column"] == "enrolment_date__typed"
    assert renamed["kwargs"]["min_value"] == pd.Timestamp(dt.date(2024, 1, 1))
    keys = to_expectation(_specs(agreement, "service_reporting")["family_ref + quarter.unique"])
    assert keys == {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["family_ref", "quarter"]}}


def test_building_specs_does_not_import_great_expectations() -> None:
    code = ("import sys; from dpup_eval.agreement.contract import Agreement, default_contract_dir; "
            "from dpup_eval.intake.specs import build_specs, to_expectation; "
            "[to_expectation(s) for s in build_specs(Agreement.load(default_contract_dir()).for_purpose('evaluation'))]; "
            "print('great_expectations' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
