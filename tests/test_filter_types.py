"""Filters on every logical type a contract allows, on a programme shaped unlike the demo.

The "Why" cases of issue 9 each have a test here: ``in [0, 1]`` on a whole-number arm silently dropped
the breakdown, ``ge 0`` crashed with a TypeError, a field with only a minimum (or only a maximum)
crashed indicator checking, and a traceback could reach a user from a command. Expected values are
computed here by hand from the CSV, read with plain pandas, never from the workbench's own output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from published import published_close
from scipy import stats

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.evaluation import Findings, evaluate
from dpup_eval.findings.indicators import Definition, Filter, Indicator, IndicatorError, validate_indicators


@pytest.fixture(scope="module")
def raw(trial) -> pd.DataFrame:
    """The trial's CSV as plain pandas reads it: the independent source of expected values."""
    return pd.read_csv(trial[0])


def _mean_indicator(include: list[Filter], groupings: list[str] = ["arm"]) -> Indicator:  # noqa: B006
    return Indicator(
        id="score", name="Reading at the end", what_it_tells_us="Reading scores.", people="students",
        kind="mean", unit="points", groupings=groupings,
        definitions=[Definition(id="d", label="Score at the end", proposed_by="agency", field="score_post",
                                include=include)],
    )  # fmt: skip


def _by_group(findings: Findings, grouping: str) -> dict[str, object]:
    return {f.group[grouping]: f for f in findings.select(grouping=grouping, period=None)}


def _expected_mean(values: pd.Series) -> tuple[float, float, float]:
    x = values.to_numpy(dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


@pytest.mark.parametrize(
    "include",
    [
        [Filter(field="arm", op="in", value=[0, 1])],  # silently dropped the whole breakdown before
        [Filter(field="arm", op="ge", value=0)],  # crashed with a 110-line TypeError before
        [Filter(field="arm", op="between", value=[0, 1])],
        [Filter(field="eligible", op="eq", value=True)],  # a blank arm hid the control arm before
    ],
    ids=["in-integer", "ge-integer", "between-integer", "eq-boolean"],
)
def test_integer_and_boolean_filters_keep_both_arms(trial, raw: pd.DataFrame, include: list[Filter]) -> None:
    _, contract, data = trial
    findings = evaluate(data, [_mean_indicator(include)], contract=contract)
    arms = _by_group(findings, "arm")
    assert set(arms) == {"0", "1"}, "both arms, and no empty 'not recorded' group"
    for code in (0, 1):
        students = raw[raw["arm"] == code]
        finding = arms[str(code)]
        assert not finding.suppressed
        assert finding.n == len(students)  # 240 and 360: multiples of 3, so rounding keeps them
        published_close(finding, _expected_mean(students["score_post"]))  # averages are rounded (issue 11)


def test_number_and_date_filters_choose_the_right_people(trial, raw: pd.DataFrame) -> None:
    _, contract, data = trial
    chosen = [Filter(field="weeks_enrolled", op="between", value=[10, 15.5]),
              Filter(field="enrolment_date", op="ge", value=dt.date(2025, 3, 1)),
              Filter(field="enrolment_date", op="lt", value="2025-06-01")]  # fmt: skip
    mask = np.ones(len(data), dtype=bool)
    for item in chosen:
        mask &= item.mask(data)
    dates = pd.to_datetime(raw["enrolment_date"])
    expected = (
        raw["weeks_enrolled"].between(10, 15.5)
        & (dates >= "2025-03-01")
        & (dates < "2025-06-01")
    )
    assert mask.tolist() == expected.tolist()
    assert 0 < mask.sum() < len(data)


def test_boolean_success_counts_who_passed(trial, raw: pd.DataFrame) -> None:
    _, contract, data = trial
    passed = Indicator(
        id="passed", name="Passed the reading check", what_it_tells_us="Who passed.", people="students",
        kind="proportion", groupings=["arm"],
        definitions=[Definition(id="d", label="Passed", proposed_by="agency",
                                include=[Filter(field="arm", op="not_missing")],
                                success=[Filter(field="passed", op="eq", value=True)])],
    )  # fmt: skip
    arms = _by_group(evaluate(data, [passed], contract=contract), "arm")
    for code in (0, 1):
        students = raw[raw["arm"] == code]
        s, n = int(students["passed"].sum()), len(students)
        finding = arms[str(code)]
        # Published from counts rounded to base 3: each moves by at most 2.
        assert (s - 2) / (n + 2) <= finding.estimate <= (s + 2) / (n - 2)


def test_a_filter_that_cannot_apply_is_an_error_not_a_traceback(trial) -> None:
    _, contract, data = trial
    as_text = data.assign(arm=data["arm"].astype("string"))  # data not loaded with its contract
    with pytest.raises(IndicatorError, match="holds text, and 0 is a number"):
        evaluate(as_text, [_mean_indicator([Filter(field="arm", op="ge", value=0)])], contract=contract)
    with pytest.raises(IndicatorError, match="holds text, and 1 is a number"):
        Filter(field="arm", op="in", value=[1]).mask(as_text)  # matched nobody, silently, before
    with pytest.raises(IndicatorError, match="no column 'arm'"):
        Filter(field="arm", op="eq", value=1).mask(data.drop(columns=["arm"]))


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"field": "books_read", "threshold": 500}, None),  # only a minimum: no upper limit to break
        ({"field": "books_read", "threshold": -1}, "outside the agreed range of books_read (at least 0)"),
        ({"success": [Filter(field="weeks_enrolled", op="ge", value=99)]},
         "outside the agreed range of weeks_enrolled (at most 52)"),
        ({"success": [Filter(field="books_read", op="ge", value=1000)]}, None),
        ({"success": [Filter(field="arm", op="eq", value=2)]}, "agreed values are 0 (control), 1 (offered the incentive)"),
        ({"success": [Filter(field="arm", op="eq", value="1")]}, "is a number; '1' is not"),
        ({"success": [Filter(field="eligible", op="eq", value="yes")]}, "true or false"),
        ({"success": [Filter(field="arm", op="eq", value=0.5)]}, "whole numbers"),
        ({"success": [Filter(field="enrolment_date", op="lt", value="1999-01-01")]}, None),
    ],
)
def test_fields_with_one_bound_and_coded_values_are_checked_plainly(
    trial, definition: dict, expected: str | None
) -> None:
    contract: Contract = trial[1]
    indicator = Indicator(id="x", name="X", what_it_tells_us="X.", kind="proportion",
                          definitions=[Definition(id="d", label="D", proposed_by="agency", **definition)])  # fmt: skip
    if expected is None:
        validate_indicators(indicator, contract)
        return
    with pytest.raises(IndicatorError) as caught:  # an IndicatorError, not a raw TypeError
        validate_indicators(indicator, contract)
    assert any(expected in str(issue) for issue in caught.value.issues), caught.value.issues


def test_no_traceback_reaches_a_user(monkeypatch, capsys, demo_dir: Path) -> None:
    from dpup_eval.agreement.contract import default_contract_dir
    from dpup_eval.cli.app import main
    from dpup_eval.findings import evaluation

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("unsupported operand type(s) for -: 'str' and 'int'")

    monkeypatch.setattr(evaluation, "evaluate_file", broken)
    demo = ["--programme", str(default_contract_dir())]
    code = main(["evaluate", str(demo_dir / "evaluation.csv"), "--purpose", "evaluation", *demo])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "unsupported operand" not in err
    assert err.strip().splitlines()[-1].startswith("Error:") and "--debug" in err
    code = main(["--debug", "evaluate", str(demo_dir / "evaluation.csv"), "--purpose", "evaluation", *demo])
    assert code == 2 and "Traceback" in capsys.readouterr().err
