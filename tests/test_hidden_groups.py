"""Structurally empty groups are never "small", and a hidden finding says which rule hid it.

The "Why" case of issue 9: a grouping field blank for people outside a measure produced an empty
"not recorded" group, hidden as a small cell; secondary suppression then hid a real group of hundreds
(a whole control arm), with nothing saying why. Expected counts come from the CSV through plain pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dpup_eval.agreement.disclosure_rules import DisclosureRules
from dpup_eval.findings.evaluation import Findings, evaluate
from dpup_eval.findings.indicators import Definition, Filter, Indicator
from dpup_eval.findings.reasons import TableContext, hidden_reasons


def _share(include: list[Filter], groupings: list[str]) -> Indicator:
    return Indicator(
        id="passed", name="Passed the reading check", what_it_tells_us="Who passed.", people="students",
        kind="proportion", groupings=groupings,
        definitions=[Definition(id="d", label="Passed", proposed_by="agency", phrase="passed the check",
                                include=include, success=[Filter(field="passed", op="eq", value=True)])],
    )  # fmt: skip


def _groups(findings: Findings, grouping: str) -> dict[str, object]:
    return {f.group[grouping]: f for f in findings.select(grouping=grouping, period=None)}


@pytest.fixture(scope="module")
def raw(trial) -> pd.DataFrame:
    return pd.read_csv(trial[0])


def test_blank_outside_the_measure_is_no_group_and_hides_nobody(trial, raw: pd.DataFrame) -> None:
    _, contract, data = trial
    eligible = _share([Filter(field="eligible", op="eq", value=True)], ["arm"])
    arms = _groups(evaluate(data, [eligible], contract=contract, period="enrolment_month"), "arm")
    assert set(arms) == {"0", "1"}  # no empty "not recorded" group
    assert arms["0"].n == (raw["arm"] == 0).sum() == 240  # the control arm is shown, not hidden
    assert not arms["1"].suppressed
    # The mentor is blank for everyone not offered the incentive: inside "arm 1" nobody is blank.
    offered = _share([Filter(field="arm", op="eq", value=1)], ["mentor_kind"])
    mentors = _groups(evaluate(data, [offered], contract=contract), "mentor_kind")
    assert set(mentors) == {"peer", "adult"} and not any(f.suppressed for f in mentors.values())
    assert sum(f.n for f in mentors.values()) == pytest.approx((raw["arm"] == 1).sum(), abs=4)


def test_blank_inside_the_measure_is_a_group_of_its_own(trial, raw: pd.DataFrame) -> None:
    _, contract, data = trial
    arms = _groups(evaluate(data, [_share([], ["arm"])], contract=contract), "arm")
    assert set(arms) == {"0", "1", "not recorded"}
    blank = arms["not recorded"]
    assert blank.n == raw["arm"].isna().sum() == 45 and blank.group_label == "Trial arm: not recorded"


def test_groups_the_definition_excludes_are_absent_not_hidden(trial) -> None:
    _, contract, data = trial
    two = _share([Filter(field="class_type", op="in", value=["small", "regular"])], ["class_type"])
    classes = _groups(evaluate(data, [two], contract=contract), "class_type")
    assert set(classes) == {"small", "regular"} and not any(f.suppressed for f in classes.values())


def _with_small_class(data: pd.DataFrame, people: int) -> pd.DataFrame:
    """The trial with every class_type 'regular_aide' made 'regular', except ``people`` students."""
    small = data.copy()
    aide = (small["class_type"] == "regular_aide").to_numpy()
    keep = np.flatnonzero(aide)[:people]
    small.loc[aide, "class_type"] = "regular"
    small.loc[keep, "class_type"] = "regular_aide"
    return small


def test_a_hidden_finding_names_the_rule_and_what_to_do_but_not_the_small_group(trial) -> None:
    _, contract, data = trial
    findings = evaluate(_with_small_class(data, 4), [_share([], ["class_type"])], contract=contract,
                        period="enrolment_month")  # fmt: skip
    hidden = [f for f in findings.select(grouping="class_type") if f.suppressed]
    small = [f for f in hidden if f.group["class_type"] == "regular_aide"]
    partners = [f for f in hidden if f.group["class_type"] != "regular_aide"]
    assert small and partners  # the small group and at least one group hidden to protect it
    for f in hidden:
        assert f.hidden_by == "small_numbers"
        assert f.reason.startswith("fewer than 6 people, or fewer than 6 who passed the check (")
        assert "results by class" in f.reason and "hidden together" in f.reason
        assert "combine small groups of class" in f.reason
        assert f.reason in f.sentence.replace("not shown: ", "") + "."
        assert " 4 " not in f.reason and "4 people" not in f.sentence  # the small count never appears
    by_period = {f.period for f in small}
    # The small group and its partners read the same in each period: the words do not point at it.
    for period in by_period:
        assert len({f.reason for f in hidden if f.period == period}) == 1
    in_month = next(f for f in hidden if f.period is not None)
    assert "look at all months together" in in_month.reason
    everyone = findings.select(grouping="", period=None)[0]
    assert not everyone.suppressed and everyone.reason is None


def test_averages_say_they_need_twenty(trial) -> None:
    _, contract, data = trial
    mean = Indicator(id="m", name="Reading", what_it_tells_us="x", kind="mean", unit="points", groupings=["class_type"],
                     definitions=[Definition(id="d", label="D", proposed_by="agency", field="score_post")])  # fmt: skip
    classes = _groups(evaluate(_with_small_class(data, 12), [mean], contract=contract), "class_type")
    hidden = [f for f in classes.values() if f.suppressed]
    assert hidden and all(
        f.reason.startswith("fewer than 20 people (an average or middle value needs at least 20;") for f in hidden
    )


def test_protecting_another_table_is_said_as_such() -> None:
    context = TableContext("count", DisclosureRules(), "came", "region", "months")
    hidden = np.array([[True, False, True], [True, False, True]])
    reasons = hidden_reasons(hidden, np.zeros_like(hidden), context, has_periods=True)
    assert reasons[0, 0].code == "protects_elsewhere"
    assert reasons[0, 0].words.startswith("hidden to protect a small group elsewhere")
    assert "look at all months together" in reasons[0, 0].words
    assert "look at all months" not in reasons[0, 2].words  # the all-months column: no such advice
    assert reasons[0, 1] is None


def test_periods_the_definition_excludes_are_absent_not_hidden(trial, raw: pd.DataFrame) -> None:
    _, contract, data = trial
    from_march = _share([Filter(field="enrolment_date", op="ge", value="2025-03-01")], ["arm"])
    findings = evaluate(data, [from_march], contract=contract, period="enrolment_date", period_grain="month")
    shown = {f.period for f in findings.findings}
    assert shown == {"2025-03", "2025-04", "2025-05", "2025-06", None}  # no January or February at all
    assert findings.periods[:2] == ["2025-01", "2025-02"]  # other definitions may still have them
    everyone = {f.period: f for f in findings.select(grouping="")}
    march_on = (pd.to_datetime(raw["enrolment_date"]) >= "2025-03-01").sum()
    assert abs(everyone[None].n - march_on) <= 2 and not any(f.suppressed for f in everyone.values())
