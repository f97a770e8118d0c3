"""Outcomes derived from fields by a small declarative expression (sum, difference, ratio), never code.

Expected values are worked out here from the CSV with plain pandas and scipy. Published numbers are
disclosure-controlled (issue 11): an average is randomly rounded to its step (``Finding.precision``) and its
interval widened a little for that rounding, so they are checked to within the step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from published import published_close
from scipy import stats

from dpup_eval.findings.derived import DerivedOutcome
from dpup_eval.findings.evaluation import evaluate
from dpup_eval.findings.indicators import (
    Definition,
    Filter,
    Indicator,
    IndicatorError,
    IndicatorSet,
    load_indicators,
    validate_indicators,
)

DERIVED = [
    DerivedOutcome(name="literacy_total", plain_name="Reading and spelling together",
                   sum=["score_post", "spelling_post"]),
    DerivedOutcome(name="reading_gain", plain_name="Reading gain", difference=["score_post", "score_pre"]),
    DerivedOutcome(name="books_per_week", plain_name="Books read each week", ratio=["books_read", "weeks_enrolled"]),
]  # fmt: skip


def _set(*indicators: Indicator, derived: list[DerivedOutcome] = DERIVED) -> IndicatorSet:
    return IndicatorSet(purpose="outcome_study", derived=derived, indicators=list(indicators))


def _mean(field: str, kind: str = "mean") -> Indicator:
    return Indicator(id=f"{kind}_{field}", name="Measure", what_it_tells_us="x", people="students", kind=kind,
                     unit="points", definitions=[Definition(id="d", label="D", proposed_by="agency", field=field)])  # fmt: skip


def _t(values: pd.Series) -> tuple[float, float, float]:
    x = values.dropna().to_numpy(dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def test_sum_difference_and_ratio_match_hand_calculation(trial) -> None:
    path, contract, data = trial
    raw = pd.read_csv(path)
    weekly = Indicator(
        id="weekly", name="Reads most weeks", what_it_tells_us="x", people="students", kind="proportion",
        definitions=[Definition(id="d", label="At least one book a week", proposed_by="families",
                                field="books_per_week", threshold=1)],
    )  # fmt: skip
    findings = evaluate(data, _set(_mean("literacy_total"), _mean("reading_gain"), _mean("books_per_week", "median"),
                                   weekly), contract=contract)  # fmt: skip
    by_id = {f.indicator: f for f in findings.select(grouping="", period=None)}
    total = raw["score_post"] + raw["spelling_post"]
    published_close(by_id["mean_literacy_total"], _t(total))
    published_close(by_id["mean_reading_gain"], _t(raw["score_post"] - raw["score_pre"]))
    rate = raw["books_read"] / raw["weeks_enrolled"]
    median = by_id["median_books_per_week"]
    assert median.precision and abs(median.estimate - rate.median()) < median.precision + 1e-9
    share, n = (rate >= 1).sum(), len(rate)
    # From counts each rounded by at most 2, published to whole percents (half a point either way).
    assert (share - 2) / (n + 2) - 0.005 <= by_id["weekly"].estimate <= (share + 2) / (n - 2) + 0.005
    from dpup_eval.findings.derived import extend_contract

    extended, _ = extend_contract(contract, DERIVED)
    assert Filter(field="reading_gain", op="gt", value=0).describe(extended) == "Reading gain is more than 0"


def test_a_missing_part_leaves_no_value_and_zero_divides_to_nothing(trial) -> None:
    _, contract, data = trial
    few = data.head(6).copy()
    few["spelling_post"] = pd.array([None, 50, 60, 70, 80, 90], dtype="Int64")
    few["weeks_enrolled"] = pd.array([0.0, 10.0, 10.0, 10.0, 10.0, None], dtype="Float64")
    from dpup_eval.findings.derived import add_derived_columns, extend_contract

    extended, problems = extend_contract(contract, DERIVED)
    assert not problems
    added = add_derived_columns(few, extended, DERIVED)
    assert added["literacy_total"].isna().tolist() == [True, False, False, False, False, False]
    assert added["books_per_week"].isna().tolist() == [True, False, False, False, False, True]
    assert str(added["literacy_total"].dtype) == "Int64" and str(added["books_per_week"].dtype) == "Float64"
    total = extended.field("literacy_total")
    assert (total.minimum, total.maximum, total.role) == (200, 1100, "outcome")
    gain = extended.field("reading_gain")
    assert (gain.minimum, gain.maximum) == (-800, 800)
    assert extended.field("books_per_week").maximum is None  # weeks has no minimum above 0


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (DerivedOutcome(name="x", plain_name="X", sum=["score_post", "class_type"]), "holds coded values"),
        (DerivedOutcome(name="x", plain_name="X", sum=["score_post", "enrolment_date"]), "holds a date"),
        (DerivedOutcome(name="x", plain_name="X", sum=["score_post", "score_psot"]), "'score_psot' is not a field"),
        (DerivedOutcome(name="x", plain_name="X", sum=["score_post"]), "two or more fields"),
        (DerivedOutcome(name="x", plain_name="X", ratio=["a", "b", "c"]), "exactly two fields"),
        (DerivedOutcome(name="x", plain_name="X", sum=["score_post", "score_pre"],
                        difference=["score_post", "score_pre"]), "exactly one of"),
        (DerivedOutcome(name="score_post", plain_name="X", sum=["score_pre", "spelling_post"]), "already a field"),
        (DerivedOutcome(name="__import__('os').system('x')", plain_name="X", sum=["score_pre", "score_post"]),
         "not a usable name"),
    ],
)
def test_bad_expressions_are_refused_with_the_place(trial, outcome: DerivedOutcome, expected: str) -> None:
    contract = trial[1]
    with pytest.raises(IndicatorError) as caught:
        validate_indicators(_set(_mean("score_post"), derived=[outcome]), contract)
    assert any(expected in str(issue) and str(issue).startswith("derived[0]") for issue in caught.value.issues)


def test_a_derived_outcome_is_checked_like_a_field(trial) -> None:
    contract = trial[1]
    too_high = Indicator(id="t", name="T", what_it_tells_us="x", kind="proportion",
                         definitions=[Definition(id="d", label="D", proposed_by="agency", field="literacy_total",
                                                 threshold=5000)])  # fmt: skip
    with pytest.raises(IndicatorError, match=r"outside the agreed range of literacy_total \(200 to 1100\)"):
        validate_indicators(_set(too_high), contract)
    filtered = Indicator(id="f", name="F", what_it_tells_us="x", kind="mean",
                         definitions=[Definition(id="d", label="D", proposed_by="agency", field="score_post",
                                                 include=[Filter(field="reading_gain", op="gt", value=0)])])  # fmt: skip
    validate_indicators(_set(filtered), contract)


def test_yaml_with_code_in_it_is_only_data(tmp_path: Path, trial) -> None:
    contract = trial[1]
    marker = tmp_path / "ran"
    text = yaml.safe_dump({
        "purpose": "outcome_study",
        "derived": [{"name": "gain", "plain_name": "Gain", "difference": ["score_post", f"__import__('os').system('touch {marker}')"]}],
        "indicators": [{"id": "g", "name": "Gain", "what_it_tells_us": "x", "kind": "mean",
                        "definitions": [{"id": "d", "label": "D", "proposed_by": "agency", "field": "gain"}]}],
    })  # fmt: skip
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IndicatorError, match="is not a field agreed for outcome_study"):
        load_indicators(path, contract)
    assert not marker.exists()
    ok = text.replace(f"__import__('os').system('touch {marker}')", "score_pre")
    path.write_text(ok, encoding="utf-8")
    assert load_indicators(path, contract).derived[0].difference == ["score_post", "score_pre"]


def test_one_indicator_at_a_time_after_adding_derived_outcomes(trial) -> None:
    """A workshop page evaluates one indicator at a time: it adds the derived outcomes once, up front."""
    from dpup_eval.findings.evaluation import with_derived

    path, contract, data = trial
    extended_data, extended = with_derived(data, contract, DERIVED)
    gain = evaluate(extended_data, _mean("reading_gain"), contract=extended)
    raw = pd.read_csv(path)
    published_close(gain.findings[0], _t(raw["score_post"] - raw["score_pre"]))
    with pytest.raises(IndicatorError, match="the data has no column spelling_post"):
        with_derived(data.drop(columns=["spelling_post"]), contract, DERIVED)
