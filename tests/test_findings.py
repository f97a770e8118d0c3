"""Findings: hand-computed values, disclosure control nobody can undo, and plain sentences."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import optimize, stats

from dpup_eval.agreement.contract import Contract, default_contract_dir
from dpup_eval.findings.disclosure import DisclosureRules, LooserRuleError, stable_random_round
from dpup_eval.findings.evaluation import Findings, evaluate, evaluate_file
from dpup_eval.findings.indicators import Definition, Filter, Indicator, IndicatorError
from dpup_eval.findings.intervals import wilson

REGIONS = ["Auckland", "Waikato", "Wellington", "Canterbury"]
QUARTERS = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


@pytest.fixture(scope="module")
def contract(agreement) -> Contract:
    return agreement.for_purpose("evaluation")


def frame(
    regions: list[str], quarters: list[str], finished: list[bool], attended: list[int] | None = None
) -> pd.DataFrame:
    n = len(regions)
    attended = attended if attended is not None else [5] * n
    return pd.DataFrame({
        "region": pd.Categorical(regions, categories=REGIONS),
        "enrolment_quarter": pd.array(quarters, dtype="string[pyarrow]"),
        "programme_status": pd.Categorical(["completed" if f else "withdrew" for f in finished],
                                           categories=["enrolled", "completed", "withdrew", "moved"]),
        "sessions_offered": pd.array([12] * n, dtype="Int64"),
        "sessions_attended": pd.array(attended, dtype="Int64"),
        "confidence_pre": pd.array([20] * n, dtype="Int64"),
        "confidence_post": pd.array([20 + a % 7 for a in attended], dtype="Int64"),
    })  # fmt: skip


FINISHED = Indicator(
    id="finished", name="Finished the programme", what_it_tells_us="Who finished.", people="people",
    kind="proportion", target=0.6, groupings=["region"],
    definitions=[Definition(id="all", label="Finished", proposed_by="agency", phrase="finished",
                            success=[Filter(field="programme_status", op="eq", value="completed")])],
)  # fmt: skip


def _one(findings: Findings, **criteria: object):
    chosen = findings.select(**criteria)  # type: ignore[arg-type]
    assert len(chosen) == 1, chosen
    return chosen[0]


def test_proportions_match_hand_computed_values(contract: Contract) -> None:
    # Auckland 24 people, 12 finished; Waikato 18 people, 12 finished: multiples of 3 stay as they are,
    # and every published set of people is at least 6 away from every other (none is held back).
    regions = ["Auckland"] * 24 + ["Waikato"] * 18
    finished = [True] * 12 + [False] * 12 + [True] * 12 + [False] * 6
    result = evaluate(
        frame(regions, ["2025-Q1"] * 42, finished), [FINISHED], by=["region"], contract=contract
    )
    auckland = [f for f in result.select(grouping="region") if f.group == {"region": "Auckland"}][0]
    assert auckland.n == 24 and auckland.estimate == 0.5
    # The published counts are rounded, so the interval allows for that noise: it solves
    # (p̂ - p)² = z²[p(1 - p)/n + v(1 + p²)/n²] with v = 1 for base 3; found here by bisection.
    low, high = rounded_wilson(12, 24)
    assert (auckland.ci_low, auckland.ci_high) == (round(low, 2), round(high, 2))
    assert auckland.ci_low < float(wilson(12, 24)[0]) and auckland.ci_high > float(wilson(12, 24)[1])
    assert auckland.meets_target is False
    assert auckland.versus_rest.difference == round(12 / 24 - 12 / 18, 2)  # published to whole percents
    everyone = _one(result, grouping="", period=None)
    assert everyone.n == 42 and everyone.estimate == round(24 / 42, 2)
    assert everyone.group == {} and everyone.group_label == "Everyone"
    # Groups with no people at all (Wellington, Canterbury) are true zeros: withheld, never shown as 0.
    hidden = [
        f for f in result.select(grouping="region") if f.group["region"] in ("Wellington", "Canterbury")
    ]
    assert all(f.suppressed and f.estimate is None for f in hidden)


def rounded_wilson(s: int, n: int, v: float = 1.0) -> tuple[float, float]:
    """The two roots of (s/n - p)² = z²[p(1 - p)/n + v(1 + p²)/n²] in [0, 1], by bisection (brentq)."""
    z, ph = stats.norm.ppf(0.975), s / n

    def gap(p: float) -> float:
        return (ph - p) ** 2 - z * z * (p * (1 - p) / n + v * (1 + p * p) / (n * n))

    return optimize.brentq(gap, 0.0, ph), optimize.brentq(gap, ph, 1.0)


def test_means_medians_and_changes_match_hand_computed_values(contract: Contract) -> None:
    attended = list(range(30)) + [3] * 6
    attended = [a % 13 for a in attended]
    data = frame(["Auckland"] * 36, ["2025-Q1"] * 36, [True] * 36, attended)
    base = {"what_it_tells_us": "X.", "people": "people", "groupings": []}
    mean = Indicator(
        id="m",
        name="Mean",
        kind="mean",
        unit="sessions",
        **base,
        definitions=[Definition(id="d", label="Mean", proposed_by="provider", field="sessions_attended")],
    )
    median = mean.model_copy(update={"id": "med", "kind": "median"})
    change = Indicator(
        id="c",
        name="Change",
        kind="change",
        unit="points",
        **base,
        definitions=[
            Definition(
                id="d", label="Change", proposed_by="agency", pre="confidence_pre", post="confidence_post"
            )
        ],
    )
    result = evaluate(data, [mean, median, change], by=[], contract=contract)
    values = np.array(attended, dtype=float)
    # Averages are published to one decimal (sessions: 0 to 40) by random rounding; the interval is t
    # around the published average with the rounding's variance (0.1²/6) added, ends to one decimal.
    m = _one(result, indicator="m")
    assert values.mean() == 5.0 and m.estimate == 5.0 and m.n == 36
    half = stats.t.ppf(0.975, 35) * math.sqrt(values.var(ddof=1) / 36 + 0.1**2 / 6)
    assert (m.ci_low, m.ci_high) == (round(5.0 - half, 1), round(5.0 + half, 1))
    med = _one(result, indicator="med")
    # The distribution-free interval, as scipy's quantile test gives it for the median.
    interval = stats.quantile_test(values, q=np.median(values), p=0.5).confidence_interval(0.95)
    assert (med.estimate, med.ci_low, med.ci_high) == pytest.approx((np.median(values), interval.low, interval.high))
    c = _one(result, indicator="c")
    diffs = np.array([a % 7 for a in attended], dtype=float)
    assert c.estimate in (math.floor(diffs.mean() * 10) / 10, math.ceil(diffs.mean() * 10) / 10)
    half = stats.t.ppf(0.975, 35) * math.sqrt(diffs.var(ddof=1) / 36 + 0.1**2 / 6)
    assert (c.ci_low, c.ci_high) == (round(c.estimate - half, 1), round(c.estimate + half, 1))


def test_small_groups_are_withheld_with_a_reason_and_protected_from_subtraction(contract: Contract) -> None:
    regions = ["Auckland"] * 30 + ["Waikato"] * 3 + ["Wellington"] * 27 + ["Canterbury"] * 40
    result = evaluate(
        frame(regions, ["2025-Q1"] * 100, [True, False] * 50), [FINISHED], by=["region"], contract=contract
    )
    by_region = {f.group["region"]: f for f in result.select(grouping="region")}
    assert by_region["Waikato"].suppressed
    assert "fewer than 6 people" in by_region["Waikato"].reason
    assert "fewer than 6 people" in by_region["Waikato"].sentence
    # Everyone is published, so one more region must be hidden, or Waikato = everyone - the others.
    assert sum(f.suppressed for f in by_region.values() if f.group["region"] != "Waikato") == 1
    for f in by_region.values():
        if f.suppressed:
            assert (f.estimate, f.ci_low, f.ci_high, f.n, f.versus_rest, f.meets_target) == (None,) * 6


def test_statistics_need_twenty_people(contract: Contract) -> None:
    median = Indicator(id="med", name="Sessions", what_it_tells_us="X.", kind="median", unit="sessions",
                       groupings=[], definitions=[Definition(id="d", label="M", proposed_by="provider",
                                                             field="sessions_attended")])  # fmt: skip
    result = evaluate(
        frame(["Auckland"] * 19, ["2025-Q1"] * 19, [True] * 19), [median], by=[], contract=contract
    )
    finding = _one(result)
    assert finding.suppressed and "fewer than 20 people" in finding.reason


def test_rules_can_only_be_stricter(contract: Contract) -> None:
    data = frame(["Auckland"] * 9 + ["Waikato"] * 9, ["2025-Q1"] * 18, [True] * 18)
    strict = evaluate(
        data, [FINISHED], by=["region"], contract=contract, rules=DisclosureRules(minimum_count=10)
    )
    assert all(f.suppressed for f in strict.select(grouping="region"))
    assert strict.rules["minimum_count"] == 10
    with pytest.raises(LooserRuleError):
        DisclosureRules(minimum_count=3)


def test_same_people_round_the_same_way_across_definitions(contract: Contract, demo_dir: Path) -> None:
    result = evaluate_file(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation",
                           default_contract_dir() / "indicators.yaml", by=["region"], period="enrolment_quarter")  # fmt: skip
    two = result.select(indicator="parent_confidence_improved", grouping="region", period="2025-Q2")
    by_definition: dict[str, dict[str, int | None]] = {}
    for f in two:
        by_definition.setdefault(f.definition, {})[f.group_label] = f.n
    plus_two, plus_five = by_definition["plus_two"], by_definition["plus_five"]
    assert all(
        plus_two[g] == plus_five[g] for g in plus_two if plus_two[g] is not None and plus_five[g] is not None
    )


def test_evaluate_file_json_and_plain_sentences(demo_dir: Path) -> None:
    result = evaluate_file(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation",
                           default_contract_dir() / "indicators.yaml", by=["region", "age_band"], period="enrolment_quarter")  # fmt: skip
    records = json.loads(result.to_json())
    assert isinstance(records, list) and len(records) == len(result)
    required = {"indicator", "definition", "group", "period", "estimate", "ci_low", "ci_high", "n", "suppressed",
                "target", "meets_target", "sentence"}  # fmt: skip
    assert all(required <= set(r) for r in records)
    raw_names = (
        "programme_status",
        "confidence_pre",
        "enrolment_quarter",
        "sessions_attended",
        "age_band",
        "region=",
    )
    assert not [r["sentence"] for r in records if any(name in r["sentence"] for name in raw_names)]
    assert any(r["suppressed"] for r in records) and any(not r["suppressed"] for r in records)
    assert evaluate_file(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation",
                         default_contract_dir() / "indicators.yaml", by=["region", "age_band"],
                         period="enrolment_quarter").to_json() == result.to_json()  # fmt: skip
    first = next(r for r in records if not r["suppressed"] and r["group"] == {} and r["period"] is None)
    assert "of about" in first["sentence"] and "probably between" not in first["sentence"]  # no interval jargon


def test_bad_groupings_are_errors(contract: Contract) -> None:
    data = frame(["Auckland"] * 6, ["2025-Q1"] * 6, [True] * 6)
    with pytest.raises(IndicatorError, match="groups overlap"):
        evaluate(data, [FINISHED], by=["ethnic_groups"], contract=contract)
    with pytest.raises(IndicatorError, match="did you mean 'region'"):
        evaluate(data, [FINISHED], by=["regoin"], contract=contract)


# --- properties -------------------------------------------------------------------------------------


@given(st.integers(0, 10_000), st.text(min_size=1, max_size=20))
def test_rounded_counts_are_stable_multiples_of_three_near_the_truth(count: int, key: str) -> None:
    rounded = stable_random_round(count, key)
    assert rounded % 3 == 0 and abs(rounded - count) <= 2
    assert stable_random_round(count, key) == rounded


@st.composite
def cells(draw: st.DrawFn) -> list[tuple[int, int]]:
    """(people, finished) in each region x quarter cell: big cells (12-40 people, 6 or more finished
    and 6 or more not) with some small ones (0-14 people, any number finished) put in at drawn places. With no small cell
    every cell may be shown, so the table's shown cells are checked, not only its hidden ones."""
    big = [draw(st.integers(12, 40)) for _ in range(len(REGIONS) * 3)]
    table = [(size, draw(st.integers(6, size - 6))) for size in big]
    for place in draw(st.lists(st.integers(0, len(table) - 1), max_size=len(table), unique=True)):
        size = draw(st.integers(0, 14))
        table[place] = (size, draw(st.integers(0, size)))
    return table


def _people(table: list[tuple[int, int]]) -> pd.DataFrame:
    regions, quarters, finished = [], [], []
    for k, (size, done) in enumerate(table):
        regions += [REGIONS[k // 3]] * size
        quarters += [QUARTERS[k % 3]] * size
        finished += [True] * done + [False] * (size - done)
    return frame(regions, quarters, finished)


def _table(findings: list, value) -> pd.DataFrame:
    rows = REGIONS + ["Everyone"]
    cols = QUARTERS[:3] + ["All"]
    table = pd.DataFrame(np.nan, index=rows, columns=cols, dtype=object)
    for f in findings:
        row = f.group.get("region", "Everyone")
        col = f.period or "All"
        if row in rows and col in cols:
            table.loc[row, col] = value(f)
    return table


def _true_counts(data: pd.DataFrame, people: pd.Series) -> pd.DataFrame:
    """A count in every cell and margin (rows: regions + Everyone; columns: quarters + All), with plain
    pandas from the rows themselves: ``people`` says who to count."""
    table = pd.crosstab(data["region"].astype(str), data["enrolment_quarter"].astype(str), values=people,
                        aggfunc="sum", margins=True, margins_name="All")  # fmt: skip
    table = table.rename(index={"All": "Everyone"}).fillna(0).astype(int)
    return table.reindex(index=REGIONS + ["Everyone"], columns=QUARTERS[:3] + ["All"], fill_value=0)


NO_SMALL_CELL = [(12, 6)] * 12
MIXED = [(30, 20), (3, 1), (25, 12)] + [(20, 10)] * 9


@given(cells())
@example(NO_SMALL_CELL)
@example(MIXED)
def test_published_tables_never_give_away_a_hidden_cell(
    contract: Contract, table: list[tuple[int, int]]
) -> None:
    data = _people(table)
    if data.empty:
        return
    result = evaluate(data, [FINISHED], by=["region"], period="enrolment_quarter", contract=contract)
    chosen = result.select(grouping="region") + result.select(grouping="")
    # Every region and everyone, by each quarter present and over all quarters: no cell goes missing.
    assert len(chosen) == (len(REGIONS) + 1) * (data["enrolment_quarter"].nunique() + 1)
    people = _true_counts(data, pd.Series(1, index=data.index))
    finished = _true_counts(data, (data["programme_status"] == "completed").astype(int))
    shown = 0
    for f in chosen:
        cell = (f.group.get("region", "Everyone"), f.period or "All")
        true_n, true_done = int(people.loc[cell]), int(finished.loc[cell])
        if f.suppressed:
            assert (f.estimate, f.ci_low, f.ci_high, f.n) == (None, None, None, None)
            assert f.reason and "not shown" in f.sentence
        else:
            shown += 1
            assert true_n >= 6 and true_done >= 6, "a shown share rests on fewer than 6 people"
            assert true_n - true_done >= 6, "a shown share says all but a few of a group finished"
            assert f.n % 3 == 0 and abs(f.n - true_n) <= 2  # rounded to base 3, never far from the truth
            assert 0 <= f.ci_low <= f.estimate <= f.ci_high <= 1
            # Worked out from counts each rounded by at most 2, then published to whole percents (half a
            # percentage point), so never further from the truth than that.
            slack = 0.005 + 1e-9
            assert (true_done - 2) / (true_n + 2) - slack <= f.estimate <= (true_done + 2) / (true_n - 2) + slack
        if true_n < 6 or true_done < 6 or true_n - true_done < 6:
            assert f.suppressed, "a cell resting on fewer than 6 people (or all but fewer than 6) is shown"
    # No cell under the minimum (people, finishers, or those who did not finish: issue 11's "all or
    # none of a small group"): nothing to protect, so every cell is shown (and was checked above).
    others = people - finished
    if (people.to_numpy() >= 6).all() and (finished.to_numpy() >= 6).all() and (others.to_numpy() >= 6).all():
        assert shown == len(chosen)
    if table == MIXED:  # one small cell: hidden with its partners, most of the table still shown
        assert 0 < len(chosen) - shown < shown
    # The subtraction attack: repeatedly fill any row or column (totals included) with one hidden cell.
    hidden = _table(chosen, lambda f: f.suppressed).to_numpy(dtype=bool)
    known = ~hidden
    changed = True
    while changed:
        changed = False
        for lines in (known, known.T):
            for line in lines:
                if (~line).sum() == 1:
                    line[:] = True
                    changed = True
    assert known.all() == (not hidden.any()), "a hidden cell can be worked out by subtraction"


@given(
    st.lists(st.integers(10, 50), min_size=20, max_size=60),
    st.lists(st.integers(10, 50), min_size=60, max_size=60),
)
def test_statistic_intervals_contain_the_estimate(
    contract: Contract, pre: list[int], post: list[int]
) -> None:
    n = len(pre)
    data = frame(["Auckland"] * n, ["2025-Q1"] * n, [True] * n)
    data["confidence_pre"] = pd.array(pre, dtype="Int64")
    data["confidence_post"] = pd.array(post[:n], dtype="Int64")
    change = Indicator(
        id="c",
        name="Change",
        what_it_tells_us="X.",
        kind="change",
        groupings=[],
        definitions=[
            Definition(
                id="d", label="Change", proposed_by="agency", pre="confidence_pre", post="confidence_post"
            )
        ],
    )
    median = Indicator(
        id="m",
        name="Median",
        what_it_tells_us="X.",
        kind="median",
        groupings=[],
        definitions=[Definition(id="d", label="Median", proposed_by="agency", field="confidence_post")],
    )
    for f in evaluate(data, [change, median], by=[], contract=contract).findings:
        assert not f.suppressed
        assert f.ci_low <= f.estimate <= f.ci_high
        assert f.ci_low >= -40 and f.ci_high <= 50 and math.isfinite(f.estimate)
