"""Indicator definitions: the agreed YAML loads, filters are data, invalid definitions say what to change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dpup_eval.agreement.contract import Contract, default_contract_dir
from dpup_eval.errors import DpupEvalError
from dpup_eval.findings.indicators import (
    Definition,
    Filter,
    Indicator,
    IndicatorError,
    load_indicators,
    validate_indicators,
)

YAML = default_contract_dir() / "indicators.yaml"


@pytest.fixture(scope="module")
def contract(agreement) -> Contract:
    return agreement.for_purpose("evaluation")


def _indicator(kind: str = "proportion", **definition: object) -> Indicator:
    fields = {"id": "d", "label": "D", "proposed_by": "families", **definition}
    return Indicator(id="x", name="X", what_it_tells_us="X.", kind=kind, definitions=[Definition(**fields)])


def _problems(indicator: Indicator, contract: Contract) -> list[str]:
    with pytest.raises(IndicatorError) as caught:
        validate_indicators(indicator, contract)
    return [str(issue) for issue in caught.value.issues]


def test_agreed_indicators_load_and_validate(contract: Contract) -> None:
    indicators = load_indicators(YAML, contract)
    assert len(indicators.indicators) >= 5
    confidence = indicators.indicator("parent_confidence_improved")
    assert [d.threshold for d in confidence.definitions] == [2, 5]
    assert {d.proposed_by for d in confidence.definitions} == {"families", "agency"}
    kinds = {i.kind for i in indicators.indicators}
    assert {"proportion", "improved", "change", "median"} <= kinds


def test_error_is_a_project_error_and_names_the_place(contract: Contract) -> None:
    bad = _indicator(success=[Filter(field="programme_staus", op="eq", value="completed")])
    with pytest.raises(DpupEvalError) as caught:
        validate_indicators(bad, contract)
    message = str(caught.value)
    assert "indicators[0].definitions[0].success[0]" in message
    assert "did you mean 'programme_status'" in message


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"success": [Filter(field="region", op="lt", value="Auckland")]}, "use 'eq' or 'in'"),
        (
            {"success": [Filter(field="programme_status", op="eq", value="finished")]},
            "agreed values are enrolled, completed",
        ),
        ({"success": [Filter(field="region", op="in", value="Auckland")]}, "needs a list"),
        ({"success": [Filter(field="region", op="eq", value=["Auckland"])]}, "use 'in' for a list"),
        ({"success": [Filter(field="sessions_attended", op="ge", value=99)]}, "outside the agreed range"),
        ({"success": [Filter(field="sessions_attended", op="ge", value="ten")]}, "is a number"),
        ({"success": [Filter(field="enrolment_date", op="ge", value="1 May")]}, "YYYY-MM-DD"),
        ({"success": [Filter(field="feedback", op="eq", value="good")]}, "cannot be used to choose people"),
        ({"success": [Filter(field="region", op="missing", value="x")]}, "takes no value"),
        ({"field": "sessions_attended", "threshold": 55}, "outside the agreed range"),
        ({}, "say what counts as success"),
        ({"field": "region", "threshold": 1}, "a measure must be a number"),
    ],
)
def test_invalid_proportion_definitions_are_actionable(
    contract: Contract, definition: dict, expected: str
) -> None:
    problems = _problems(_indicator(**definition), contract)
    assert any(expected in p for p in problems), problems


def test_change_kinds_need_their_measures(contract: Contract) -> None:
    assert any(
        "needs 'pre' and 'post'" in p
        for p in _problems(_indicator("change", field="confidence_pre"), contract)
    )
    improved = _indicator("improved", pre="confidence_pre", post="confidence_post")
    assert any("needs a threshold" in p for p in _problems(improved, contract))
    too_far = _indicator("improved", pre="confidence_pre", post="confidence_post", threshold=45)
    assert any("impossible on a 10 to 50 scale" in p for p in _problems(too_far, contract))


def test_all_problems_are_collected(contract: Contract) -> None:
    bad = Indicator(
        id="x", name="X", what_it_tells_us="X.", kind="proportion", target=70, groupings=["ethnic_groups", "postcode"],
        definitions=[Definition(id="a", label="A", proposed_by="agency", success=[Filter(field="nope", op="eq", value=1)])],
    )  # fmt: skip
    problems = _problems(bad, contract)
    assert len(problems) == 4
    assert any("between 0 and 1" in p for p in problems)
    assert any("groups overlap" in p for p in problems)


def test_yaml_errors_name_the_file(tmp_path: Path, contract: Contract) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("indicators:\n  - id: a\n    kind: ratio\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match="mine.yaml"):
        load_indicators(path, contract)
    path.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match="not valid YAML"):
        load_indicators(path, contract)


def test_code_in_a_filter_value_is_only_a_value(contract: Contract, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    data = pd.DataFrame({"enrolment_quarter": pd.array(["2025-Q1", payload, None], dtype="string[pyarrow]")})
    text_filter = Filter(field="enrolment_quarter", op="eq", value=payload)
    assert text_filter.mask(data).tolist() == [False, True, False]  # compared, never run
    assert not marker.exists()
    # For a field with agreed categories, such a value is simply not an agreed value.
    bad = _indicator(success=[Filter(field="programme_status", op="eq", value="__import__('os')")])
    assert any("not an agreed value" in p for p in _problems(bad, contract))
    assert not marker.exists()


@given(st.text(max_size=30))
def test_any_text_value_is_compared_not_executed(value: str) -> None:
    data = pd.DataFrame({"enrolment_quarter": pd.array(["2025-Q1", value], dtype="string[pyarrow]")})
    mask = Filter(field="enrolment_quarter", op="eq", value=value).mask(data)
    assert mask.tolist() == [value == "2025-Q1", True]


def test_missing_never_matches_a_comparison() -> None:
    data = pd.DataFrame({
        "programme_status": pd.Categorical(["completed", None, "withdrew"], categories=["completed", "withdrew"]),
        "sessions_attended": pd.array([3, None, 8], dtype="Int64"),
    })  # fmt: skip
    assert Filter(field="programme_status", op="ne", value="completed").mask(data).tolist() == [
        False,
        False,
        True,
    ]
    assert Filter(field="programme_status", op="missing").mask(data).tolist() == [False, True, False]
    assert Filter(field="sessions_attended", op="between", value=[3, 5]).mask(data).tolist() == [
        True,
        False,
        False,
    ]
    assert Filter(field="sessions_attended", op="lt", value=5).mask(data).dtype == np.bool_


def test_with_threshold_moves_one_definition(contract: Contract) -> None:
    confidence = load_indicators(YAML, contract).indicator("parent_confidence_improved")
    moved = confidence.with_threshold("plus_two", 3)
    assert [d.threshold for d in moved.definitions] == [3, 5]
    with pytest.raises(KeyError):
        confidence.with_threshold("plus_nine", 9)


def test_filters_describe_themselves_plainly(contract: Contract) -> None:
    text = Filter(field="programme_status", op="in", value=["completed", "withdrew"]).describe(contract)
    assert text == "Where they are up to is one of Finished the programme, Left early"
