"""Disclosure control: rules that only tighten, stable unbiased RR3, and suppression nobody can undo.

The suppression properties are checked by two independent attacks written here, not by re-running the
module's own logic: (1) the "subtraction" attack a reader with a calculator would make (any row or
column with a single hidden cell gives it away, and a recovered cell can help recover the next), and
(2) the linear-algebra attack (a hidden cell is recovered if its value follows from the published sums
by any combination of them: its unit vector lies in the row space of the sums over hidden cells).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dpup_eval.errors import DpupEvalError
from dpup_eval.findings.disclosure import (
    TOTAL,
    DisclosureRules,
    LooserRuleError,
    PublishedCount,
    _partner,
    publish_count,
    publish_table,
    stable_random_round,
    statistic_reason,
    suppress,
    with_totals,
)

# Applied per test rather than loaded globally, so other modules' hypothesis settings are untouched.
PROFILE = settings.get_profile("maths-" + os.environ.get("HYPOTHESIS_PROFILE", "dev"))  # see conftest.py
KEYS = st.text(min_size=1, max_size=40)


# --- rules -------------------------------------------------------------------------------------------


def test_defaults_are_the_stats_nz_rules() -> None:
    rules = DisclosureRules()
    assert (rules.rounding_base, rules.minimum_count, rules.minimum_for_mean) == (3, 6, 20)
    assert DisclosureRules.from_mapping(None) == rules
    assert DisclosureRules.from_mapping({}) == rules


def test_contract_can_tighten() -> None:
    rules = DisclosureRules.from_mapping({"roundingBase": 5, "minimumCount": 10, "minimumForMean": 30})
    assert rules == DisclosureRules(rounding_base=5, minimum_count=10, minimum_for_mean=30)
    assert DisclosureRules.from_mapping({"minimumCount": 8}) == DisclosureRules(minimum_count=8)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"minimumCount": 4},
            "minimumCount 4 is looser than the default 6; a contract may only make disclosure rules stricter",
        ),
        ({"roundingBase": 1}, "roundingBase 1 is looser than the default 3"),
        ({"minimumForMean": 19}, "minimumForMean 19 is looser than the default 20"),
    ],
)
def test_contract_cannot_loosen(mapping: dict[str, int], message: str) -> None:
    with pytest.raises(LooserRuleError) as caught:
        DisclosureRules.from_mapping(mapping)
    assert str(caught.value) == message if "contract" in message else message in str(caught.value)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, DpupEvalError)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"minimumcount": 10}, "unknown field"),
        ({"minimumCount": "10"}, "whole number"),
        ({"minimumCount": True}, "whole number"),
        ({"minimumCount": 6.5}, "whole number"),
        (["minimumCount"], "mapping"),
    ],
)
def test_contract_values_are_checked(mapping: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DisclosureRules.from_mapping(mapping)  # type: ignore[arg-type]


def test_stricter_copies_and_refuses_to_loosen() -> None:
    strict = DisclosureRules().stricter(minimum_count=10)
    assert strict.minimum_count == 10 and strict.rounding_base == 3
    assert strict.stricter(minimum_for_mean=25).minimum_count == 10
    with pytest.raises(LooserRuleError, match="minimum_count 8 is looser than the current 10"):
        strict.stricter(minimum_count=8)
    with pytest.raises(ValueError, match="unknown disclosure rule"):
        strict.stricter(minimum=50)
    with pytest.raises(LooserRuleError, match="rounding_base 2 is looser than the default 3"):
        DisclosureRules(rounding_base=2)


# --- rounding ----------------------------------------------------------------------------------------


@PROFILE
@given(count=st.integers(0, 10**9), key=KEYS, base=st.integers(3, 10))
def test_rounded_count_is_a_near_multiple_and_stable(count: int, key: str, base: int) -> None:
    rounded = stable_random_round(count, key, base)
    assert isinstance(rounded, int)
    assert rounded % base == 0
    assert abs(rounded - count) <= base - 1
    if count % base == 0:
        assert rounded == count
    assert all(stable_random_round(count, key, base) == rounded for _ in range(3))


@PROFILE
@given(
    cells=st.lists(st.tuples(st.integers(0, 10_000), KEYS), min_size=1, max_size=50, unique_by=lambda c: c[1])
)
def test_vectorised_rounding_equals_one_cell_at_a_time(cells: list[tuple[int, str]]) -> None:
    counts = np.array([count for count, _ in cells])
    keys = [key for _, key in cells]
    assert stable_random_round(counts, keys).tolist() == [stable_random_round(int(c), k) for c, k in cells]


@pytest.mark.parametrize(("count", "nearer", "farther"), [(7, 6, 9), (8, 9, 6), (100, 99, 102)])
def test_rounding_is_unbiased_over_many_cells(count: int, nearer: int, farther: int) -> None:
    keys = [f"indicator-{i % 10}|group-{i}|2025Q{i % 4 + 1}" for i in range(30_000)]
    rounded = stable_random_round(np.full(len(keys), count), keys)
    assert set(np.unique(rounded)) == {nearer, farther}
    assert abs(rounded.mean() - count) < 0.05  # standard error is sqrt(2 / 30000) ~ 0.008
    assert abs((rounded == nearer).mean() - 2 / 3) < 0.02


def test_general_base_probabilities() -> None:
    keys = [f"cell {i}" for i in range(30_000)]
    rounded = stable_random_round(np.full(len(keys), 11), keys, base=5)  # 1 from 10, 4 from 15
    assert abs((rounded == 10).mean() - 4 / 5) < 0.02
    assert abs(rounded.mean() - 11) < 0.05


def test_rounding_keeps_array_shape_and_secret_changes_draws() -> None:
    counts = np.array([[1, 2], [4, 5]])
    keys = ["a", "b", "c", "d"]
    assert stable_random_round(counts, keys).shape == (2, 2)
    many = [f"k{i}" for i in range(200)]
    ones = np.ones(200, dtype=int)
    assert not np.array_equal(
        stable_random_round(ones, many), stable_random_round(ones, many, secret=b"other")
    )


@pytest.mark.parametrize(
    ("count", "key", "message"),
    [
        (np.array([1, 2]), ["a"], "each cell needs its own key"),
        (np.array([1, 2]), "a", "sequence of keys"),
        (3, ["a"], "sequence of keys"),
        (-1, "a", "negative"),
        (np.array([1.5]), ["a"], "whole numbers"),
    ],
)
def test_rounding_rejects_bad_input(count: object, key: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        stable_random_round(count, key)  # type: ignore[call-overload]


def test_rounding_thousands_of_cells_is_fast() -> None:
    keys = [f"indicator-{i}|group|quarter" for i in range(10_000)]
    counts = np.arange(10_000)
    start = time.perf_counter()
    stable_random_round(counts, keys)
    assert time.perf_counter() - start < 0.5  # ~10 ms measured


# --- single counts and statistics ----------------------------------------------------------------------


def test_publish_count() -> None:
    assert publish_count(5, "x") == PublishedCount(None, True, "fewer than 6 people")
    assert publish_count(0, "x").suppressed
    assert publish_count(6, "x") == PublishedCount(6, False, None)
    published = publish_count(7, "attendance|Māori|2025Q1")
    assert published.value in (6, 9) and published == publish_count(7, "attendance|Māori|2025Q1")
    assert publish_count(8, "x", DisclosureRules(minimum_count=10)).reason == "fewer than 10 people"
    with pytest.raises(ValueError, match="negative"):
        publish_count(-3, "x")


def test_statistic_reason() -> None:
    assert statistic_reason(19) == "fewer than 20 people contributing"
    assert statistic_reason(20) is None
    assert statistic_reason(25, DisclosureRules(minimum_for_mean=30)) is not None


# --- suppression -------------------------------------------------------------------------------------


def _table(rows: list[list[int]], rows_total: bool = True, columns_total: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, index=[f"g{i}" for i in range(len(rows))], columns=[f"Q{j + 1}" for j in range(len(rows[0]))]
    )
    return with_totals(frame, rows=rows_total, columns=columns_total)


def _constraints(table: pd.DataFrame) -> np.ndarray:
    """One row per published sum over the flattened table: parts +1, the total -1."""
    n_rows, n_cols = table.shape
    rows = [i for i, label in enumerate(table.index) if label == TOTAL]
    cols = [j for j, label in enumerate(table.columns) if label == TOTAL]
    sums = []
    if cols and n_cols > 1:
        for r in range(n_rows):
            line = np.zeros((n_rows, n_cols))
            line[r, :] = 1
            line[r, cols[0]] = -1
            sums.append(line.ravel())
    if rows and n_rows > 1:
        for c in range(n_cols):
            line = np.zeros((n_rows, n_cols))
            line[:, c] = 1
            line[rows[0], c] = -1
            sums.append(line.ravel())
    return np.array(sums).reshape(len(sums), n_rows * n_cols)


def _subtraction_attack(table: pd.DataFrame, mask: pd.DataFrame) -> set[int]:
    """Cells a reader recovers by repeated single-line subtraction (recovered cells count as known)."""
    hidden = set(np.flatnonzero(mask.to_numpy().ravel()))
    recovered: set[int] = set()
    progress = True
    while progress:
        progress = False
        for line in _constraints(table):
            unknown = [i for i in np.flatnonzero(line) if i in hidden and i not in recovered]
            if len(unknown) == 1:
                recovered.add(unknown[0])
                progress = True
    return recovered


def _linear_attack(table: pd.DataFrame, mask: pd.DataFrame) -> set[int]:
    """Hidden cells whose value follows from the published sums by any linear combination."""
    hidden = np.flatnonzero(mask.to_numpy().ravel())
    sums = _constraints(table)
    if sums.size == 0 or hidden.size == 0:
        return set()
    on_hidden = sums[:, hidden]
    rank = np.linalg.matrix_rank(on_hidden)
    found = set()
    for position, cell in enumerate(hidden):
        unit = np.zeros(hidden.size)
        unit[position] = 1
        if np.linalg.matrix_rank(np.vstack([on_hidden, unit])) == rank:
            found.add(int(cell))
    return found


def _lines_with_one_hidden(table: pd.DataFrame, mask: pd.DataFrame) -> int:
    hidden = mask.to_numpy().ravel()
    return sum(int(hidden[np.flatnonzero(line)].sum() == 1) for line in _constraints(table))


def test_worked_example_hides_a_rectangle() -> None:
    table = _table([[10, 12, 3], [20, 25, 30], [40, 8, 9]])
    mask = suppress(table)
    # g0/Q3 = 3 is primary. Row g0 then needs a partner: Q1 (10) is the smallest. Column Q1 needs one:
    # g1 (20) beats g2 (40). Row g1 then prefers Q3 (30), which also mends column Q3: a rectangle.
    expected = {("g0", "Q1"), ("g0", "Q3"), ("g1", "Q1"), ("g1", "Q3")}
    assert {(r, c) for r in mask.index for c in mask.columns if mask.loc[r, c]} == expected
    assert not _linear_attack(table, mask)


def test_chain_through_several_sums_is_broken() -> None:
    """Two hidden rectangles joined by one hidden cell: every line has two hidden cells, yet the
    joining cell follows from combining five sums. The module must hide one more cell."""
    values = np.full((5, 5), 50)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        values[r, c] = 2
    table = _table(values.tolist())
    primary = table < 6
    assert _lines_with_one_hidden(table, primary) == 0
    assert _linear_attack(table, primary) == {1 * 6 + 2}
    mask = suppress(table)
    assert int(mask.to_numpy().sum()) == 10
    assert not _linear_attack(table, mask)


def test_single_row_with_a_total_column() -> None:
    table = pd.DataFrame({"Q1": [40], "Q2": [4], "Q3": [12], "Q4": [30], TOTAL: [86]}, index=["Overall"])
    mask = suppress(table)
    assert mask.iloc[0].tolist() == [False, True, True, False, False]


def test_total_equal_to_its_only_part_is_hidden_with_it() -> None:
    table = pd.DataFrame({"Q1": [3, 3], "Q2": [20, 20]}, index=["Only group", TOTAL])
    mask = suppress(table)
    assert mask["Q1"].tolist() == [True, True]
    assert not mask["Q2"].any()


def test_without_margins_only_primary_suppression() -> None:
    table = pd.DataFrame({"Q1": [3, 50], "Q2": [20, 20]}, index=["a", "b"])
    assert suppress(table).to_numpy().tolist() == [[True, False], [False, False]]


def test_zero_and_small_margins_are_suppressed() -> None:
    table = _table([[0, 0], [1, 2]])
    assert suppress(table).to_numpy().all()
    ten = _table([[8, 9], [12, 30]])
    mask = suppress(ten, DisclosureRules(minimum_count=10))
    assert mask.loc["g0"].tolist() == [True, True, False]  # the row total 17 rests on enough people
    assert mask.loc["g1"].tolist() == [True, True, False]  # partners for columns Q1 and Q2


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pd.DataFrame({"Q1": [1.0, np.nan]}), "no missing"),
        (pd.DataFrame({"Q1": [1, -1]}), "negative"),
        (pd.DataFrame({"Q1": ["a", "b"]}), "numbers only"),
        (pd.DataFrame({"Q1": [1, 2]}, index=[TOTAL, TOTAL]), "2 rows labelled"),
    ],
)
def test_suppress_rejects_what_is_not_a_count_table(table: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(table)


def test_with_totals() -> None:
    table = with_totals(pd.DataFrame({"Q1": [1, 2], "Q2": [3, 4]}, index=["a", "b"]))
    assert table.loc[TOTAL].tolist() == [3, 7, 10]
    assert table[TOTAL].tolist() == [4, 6, 10]
    with pytest.raises(ValueError, match="already has"):
        with_totals(table)


def test_publish_table_hides_and_rounds() -> None:
    table = _table([[10, 12, 3], [20, 25, 30], [40, 8, 9]])
    published = publish_table(table, "engagement/count")
    mask = suppress(table)
    assert published.isna().equals(mask)
    shown = published.to_numpy(dtype=float, na_value=np.nan)
    shown = shown[~np.isnan(shown)]
    assert (shown % 3 == 0).all()
    assert published.equals(publish_table(table, "engagement/count"))


@st.composite
def count_tables(draw: st.DrawFn) -> pd.DataFrame:
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    cell = st.one_of(st.integers(0, 7), st.integers(6, 120))
    rows = [[draw(cell) for _ in range(n_cols)] for _ in range(n_rows)]
    return _table(rows, rows_total=draw(st.booleans()), columns_total=draw(st.booleans()))


@PROFILE
@given(table=count_tables(), minimum=st.sampled_from([6, 10]))
def test_no_hidden_cell_can_be_recovered(table: pd.DataFrame, minimum: int) -> None:
    rules = DisclosureRules(minimum_count=minimum)
    mask = suppress(table, rules)
    assert mask.shape == table.shape and all(pd.api.types.is_bool_dtype(dtype) for dtype in mask.dtypes)
    assert (mask | ~(table < minimum)).all().all(), "every small cell is hidden"
    assert _lines_with_one_hidden(table, mask) == 0
    assert not _subtraction_attack(table, mask)
    assert not _linear_attack(table, mask)
    assert suppress(table, rules).equals(mask)


def test_suppress_is_fast_enough_for_findings() -> None:
    rng = np.random.default_rng(2)
    table = _table(rng.integers(0, 40, size=(8, 4)).tolist())
    start = time.perf_counter()
    for _ in range(20):
        suppress(table)
    assert (time.perf_counter() - start) / 20 < 0.05


@pytest.mark.parametrize(("smallest", "expected"), [((1, 3), 1 * 6 + 3), ((2, 1), 2 * 6 + 1)])
def test_the_bridge_is_closed_by_the_smallest_open_cell_joining_its_two_sides(
    smallest: tuple[int, int], expected: int
) -> None:
    """As the chain above, worked out by hand: the bridge g1/Q3 separates {g0, g1, Q1, Q2} from
    {g2, g3, Q3, Q4}; of the open cells joining them (g0/Q3, g0/Q4, g1/Q4, g2/Q1, g2/Q2, g3/Q1, g3/Q2) the
    one counting fewest (38: g1/Q4, whose row is on the first side, or g2/Q2, whose row is on the second)
    is hidden. g0/Q5 (30) and g3/Q5 (35) are smaller but touch one side only: hiding either would leave
    the bridge a bridge."""
    values = np.full((5, 5), 50)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        values[r, c] = 2
    values[smallest] = 38
    values[0, 4], values[3, 4] = 30, 35
    table = _table(values.tolist())  # 6 x 6 with the totals: flat index = row * 6 + column
    mask = suppress(table)
    primary = {0, 1, 6, 7, 8, 14, 15, 20, 21}
    assert set(np.flatnonzero(mask.to_numpy()).tolist()) == primary | {expected}
    assert not _linear_attack(table, mask)


def _partner_case(crossing_hidden: tuple[int, int], counts: tuple[float, float]) -> int | None:
    """One line (cells 0, 1, 2 and its total 90) whose cell 0 is withheld; cell 1 lies on a crossing line with
    cell 3, cell 2 on one with cell 4; ``crossing_hidden`` says how many cells of each crossing line are
    withheld (0, 1 or 2: cells 3/4 and the crossing totals 91/92)."""
    members = [[0, 1, 2, 90], [1, 3, 91], [2, 4, 92], [0, 5, 93]]
    cell_lines = [[0, 3], [0, 1], [0, 2], [1], [2], [3]]
    mask = np.zeros(100, dtype=bool)
    mask[0] = True
    for hidden, extra in zip(crossing_hidden, ((3, 91), (4, 92)), strict=True):
        mask[list(extra[:hidden])] = True
    values = np.full(100, 50.0)
    values[1], values[2] = counts
    return _partner(0, members, cell_lines, mask, values)


@pytest.mark.parametrize(
    ("crossing_hidden", "counts", "expected"),
    [
        ((1, 0), (50, 7), 1),  # mends its crossing line too: chosen although it counts more
        ((0, 1), (7, 50), 2),
        ((2, 0), (50, 7), 1),  # a crossing line already with 2+ hidden: no new problem, beats one with none
        ((0, 2), (7, 50), 2),
        ((1, 2), (50, 7), 1),  # mending beats "no new problem"
        ((0, 0), (9, 7), 2),  # same preference: the smaller count
        ((0, 0), (7, 9), 1),
        ((0, 0), (8, 8), 1),  # and then the first cell
    ],
)
def test_partner_prefers_mending_then_harmless_then_the_smallest(
    crossing_hidden: tuple[int, int], counts: tuple[float, float], expected: int
) -> None:
    assert _partner_case(crossing_hidden, counts) == expected


def test_no_partner_when_every_part_is_withheld() -> None:
    members, cell_lines = [[0, 1, 90]], [[0], [0]]
    mask = np.zeros(100, dtype=bool)
    mask[[0, 1]] = True
    assert _partner(0, members, cell_lines, mask, np.full(100, 50.0)) is None


# --- aimed at surviving mutants (issue 15): argument checks, the rules' base, Protections.none ---------


@pytest.mark.parametrize("base", [0, -3, True, 2.0, "3"])
def test_a_rounding_base_that_is_not_a_positive_whole_number_is_refused_by_name(base: object) -> None:
    with pytest.raises(ValueError, match=r"^rounding base must be a positive whole number, got "):
        stable_random_round(7, "cell", base)  # type: ignore[call-overload]


def test_base_one_leaves_every_count_as_it_is() -> None:
    """Every whole number is a multiple of 1: nothing to round (1 is a valid, if useless, base)."""
    assert [stable_random_round(c, f"k{c}", 1) for c in (0, 1, 7, 44)] == [0, 1, 7, 44]


def test_counts_and_keys_that_do_not_pair_up_are_refused_in_words() -> None:
    with pytest.raises(ValueError, match="^give one key for one count, or a sequence of keys for an array of counts$"):
        stable_random_round([4, 5], "one key")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="^counts of people must be whole numbers$"):
        stable_random_round([4.5], ["a"])
    with pytest.raises(ValueError, match="^counts of people cannot be negative$"):
        stable_random_round([-1], ["a"])
    with pytest.raises(ValueError, match="^counts of people cannot be negative$"):
        publish_count(-1, "a")


def test_published_counts_use_the_rules_rounding_base() -> None:
    """A programme that rounds to 5 publishes multiples of 5 (the default is 3: 7 -> 6 or 9)."""
    rules = DisclosureRules(rounding_base=5)
    published = [publish_count(c, f"cell {c}", rules).value for c in range(6, 60)]
    assert all(v is not None and v % 5 == 0 for v in published)
    assert any(v % 3 != 0 for v in published if v is not None)


def test_a_table_that_already_has_a_total_row_is_refused_by_name() -> None:
    table = pd.DataFrame({"a": [1, 2]}, index=["x", TOTAL])
    with pytest.raises(ValueError, match=f"already has a '{TOTAL}' row"):
        with_totals(table)


def test_protections_none_switches_every_protection_off_and_the_default_has_them_all_on() -> None:
    from dataclasses import asdict

    from dpup_eval.findings.disclosure import Protections

    assert asdict(Protections.none()) == {"cell_keys": False, "magnitudes": False, "overlap": False, "bands": False}
    assert asdict(Protections()) == {"cell_keys": True, "magnitudes": True, "overlap": True, "bands": True}


def test_suppress_refuses_tables_that_are_not_counts_in_words() -> None:
    with pytest.raises(ValueError, match=r"^suppress needs a table of counts \(numbers only\)$"):
        suppress(pd.DataFrame({"a": ["many", "few"]}))
    with pytest.raises(ValueError, match="^suppress needs a table of counts: no missing or negative values$"):
        suppress(pd.DataFrame({"a": [7, -1]}))
    with pytest.raises(ValueError, match=f"^the table has 2 columns labelled '{TOTAL}'$"):
        suppress(pd.DataFrame([[7, 8, 9]], columns=["a", TOTAL, TOTAL]))


def test_a_cell_of_exactly_the_minimum_is_published() -> None:
    """'Fewer than 6 people' is suppressed; 6 people is not (default rules, no totals to protect)."""
    mask = suppress(pd.DataFrame({"a": [6, 40], "b": [30, 50]}))
    assert not mask.to_numpy().any()
    assert suppress(pd.DataFrame({"a": [5, 40], "b": [30, 50]})).to_numpy().tolist() == [[True, False], [False, False]]


def test_publish_table_applies_the_rules_and_the_total_label_it_is_given() -> None:
    """Stricter rules (at least 10 people, multiples of 5) and a total row named "All": the 8 goes
    (it would stay under the defaults) and one partner in its column with it (else 39 - 31 gives it away),
    the rest are multiples of 5,
    and the result keeps pandas' nullable integers."""
    rules = DisclosureRules(minimum_count=10, rounding_base=5)
    table = pd.DataFrame({"x": [8, 31, 39], "y": [24, 26, 50]}, index=["g1", "g2", "All"])
    published = publish_table(table, "t", rules, total_label="All")
    assert str(published["x"].dtype) == "Int64"
    hidden = published.isna()
    assert hidden.loc["g1", "x"] and hidden["x"].sum() == 2 and not hidden["y"].any()  # 8 and one partner
    shown = [v for v in published.to_numpy().ravel().tolist() if v is not pd.NA]
    assert shown and all(v % 5 == 0 for v in shown)
    assert not publish_table(table, "t", total_label="All").isna().to_numpy().any()  # defaults: all 6 or more


@pytest.mark.parametrize("table", [
    # one data column beside its Total: the Total of a hidden cell is that cell
    pd.DataFrame({"x": [3, 40], TOTAL: [3, 40]}, index=["a", "b"]),
    # one data row above its Total
    pd.DataFrame({"x": [3, 3], "y": [41, 41]}, index=["a", TOTAL]),
    # two small cells in different rows and columns: their partners cascade through the table
    with_totals(pd.DataFrame({"c1": [2, 40, 45], "c2": [50, 3, 47], "c3": [60, 45, 50]}, index=["r1", "r2", "r3"])),
    with_totals(pd.DataFrame({"c1": [2, 7, 45, 9], "c2": [50, 3, 47, 8], "c3": [1, 45, 50, 30]},
                             index=["r1", "r2", "r3", "r4"])),
])
def test_no_line_is_left_with_a_single_hidden_cell(table: pd.DataFrame) -> None:
    mask = suppress(table)
    assert mask.to_numpy().any()
    assert _lines_with_one_hidden(table, mask) == 0  # the attacker's check above
