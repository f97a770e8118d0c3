"""Record keys and cell keys: the same people are perturbed the same way everywhere, one person more or
less is perturbed independently, and the secret that makes it so stays private."""

from __future__ import annotations

import stat

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dpup_eval.agreement.contract import Contract
from dpup_eval.errors import DpupEvalError
from dpup_eval.findings import cell_keys
from dpup_eval.findings.cell_keys import KEY_SPACE, Selection, derived_draws, key_cells, key_draws
from dpup_eval.findings.disclosure import Protections, stable_random_round
from dpup_eval.findings.evaluation import evaluate
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicators import Definition, Filter, Indicator
from dpup_eval.findings.record_keys import (
    RECORD_KEY_COLUMN,
    RecordKeys,
    programme_folder,
    programme_secret,
    with_record_keys,
)
from dpup_eval.findings.tables import Coding

REGIONS = ["Auckland", "Waikato", "Wellington", "Canterbury"]
SECRET = bytes(range(32))


@pytest.fixture(scope="module")
def contract(agreement) -> Contract:
    return agreement.for_purpose("evaluation")


def people(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    status = rng.choice(["completed", "withdrew", "moved"], n, p=[0.6, 0.3, 0.1])
    return pd.DataFrame({
        "participant_ref": [f"P-{i:08X}" for i in range(n)],
        "region": pd.Categorical(rng.choice(REGIONS, n), categories=REGIONS),
        "enrolment_quarter": pd.array(rng.choice(["2025-Q1", "2025-Q2", "2025-Q3"], n), dtype="string"),
        "programme_status": pd.Categorical(status, categories=["enrolled", "completed", "withdrew", "moved"]),
        "sessions_offered": pd.array([12] * n, dtype="Int64"),
        "sessions_attended": pd.array(rng.integers(0, 13, n), dtype="Int64"),
    })  # fmt: skip


def measure(definitions: list[Definition], kind: str = "proportion", groupings: list[str] | None = None):
    return Indicator(id=f"m-{kind}", name="Measure", what_it_tells_us="X.", kind=kind, groupings=groupings or [],
                     definitions=definitions)  # fmt: skip


FINISHED = Filter(field="programme_status", op="eq", value="completed")


# --- record keys -------------------------------------------------------------------------------------


def test_record_keys_follow_the_person_not_the_row(contract: Contract) -> None:
    data = people(300)
    keys = RecordKeys.of(data, contract, SECRET).keys
    shuffled = data.sample(frac=1.0, random_state=3)
    again = RecordKeys.of(shuffled, contract, SECRET).keys
    assert dict(zip(shuffled["participant_ref"], again, strict=True)) == dict(
        zip(data["participant_ref"], keys, strict=True)
    )
    assert len(set(keys.tolist())) == 300
    assert not np.array_equal(RecordKeys.of(data, contract, b"x" * 32).keys, keys)
    # The workshop's data carries the keys in a column, computed before references are dropped.
    carried = with_record_keys(data, contract, SECRET).drop(columns="participant_ref")
    assert np.array_equal(RecordKeys.of(carried, contract, b"unused").keys, keys)
    assert RECORD_KEY_COLUMN in carried.columns


def test_rows_without_a_reference_get_keys_from_their_content(contract: Contract) -> None:
    data = people(50).drop(columns="participant_ref")
    doubled = pd.concat([data, data.iloc[:5]], ignore_index=True)
    keys = RecordKeys.of(doubled, contract, SECRET).keys
    assert len(set(keys.tolist())) == 55  # identical rows still get their own keys
    assert np.array_equal(RecordKeys.of(doubled, contract, SECRET).keys, keys)


def test_the_secret_is_private_stable_and_guarded(contract: Contract, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DPUP_EVAL_HOME", str(tmp_path / "home"))
    first = programme_secret("Best foot forward")
    folder = programme_folder("Best foot forward")
    path = folder / "record-key.secret"
    assert folder == tmp_path / "home" / "programmes" / "best-foot-forward"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert programme_secret("Best foot forward") == first and len(first) == 32
    path.chmod(0o644)
    assert programme_secret("Best foot forward") == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("not hex", encoding="ascii")
    with pytest.raises(DpupEvalError, match="damaged"):
        programme_secret("Best foot forward")


# --- cell keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("exact_from", [None, 1, 4])
def test_cell_key_is_the_sum_of_the_peoples_keys(exact_from: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same keys from the float sums (small tables) and the exact integer sums (from 2**21 rows; here
    forced from 1 and 4 rows), checked against sums worked out by hand."""
    if exact_from is not None:
        monkeypatch.setattr(cell_keys, "_EXACT_ROWS", exact_from)
    keys = RecordKeys(np.array([2**32 + 5, 7 * 2**32 + 2**31, 3, 2**32 - 1], dtype=np.uint64))
    rows = np.array([0, 0, 1, 1])
    cells = key_cells(Selection.of(np.ones(4, bool), keys, np.zeros(4, np.int64)), rows, 2, 1)
    # low halves: 5 + 2**31 = 2147483653; 3 + (2**32 - 1) = 2**32 + 2 -> 2 (mod 2**32)
    assert cells.key[:, 0].tolist() == [2147483653.0, 2.0]
    assert cells.key[:, 1].tolist() == cells.key[:, 0].tolist()  # the all-periods column
    assert cells.fingerprint[:, 0].tolist() == [8.0, 0.0]  # high halves: 1 + 7; 0 + 0
    assert key_draws(cells.key)[0, 0] == pytest.approx(2147483653 / 2**32)


def test_an_empty_cell_has_key_zero() -> None:
    """Three groups, nobody in the last: its key and fingerprint are 0 (the sum over nobody)."""
    keys = RecordKeys(np.array([2**32 + 5, 3], dtype=np.uint64))
    cells = key_cells(Selection.of(np.ones(2, bool), keys, np.zeros(2, np.int64)), np.array([0, 1]), 3, 1)
    assert cells.key[:, 0].tolist() == [5.0, 3.0, 0.0]
    assert cells.fingerprint[:, 0].tolist() == [1.0, 0.0, 0.0]


def test_sums_stay_exact_past_two_million_people() -> None:
    """2**21 + 1 people whose low halves are all 2**32 - 1: the true sum is past 2**53, where float64 sums
    lose units, so only exact integer sums give the key worked out here with Python's integers."""
    people = 2**21 + 1
    keys = RecordKeys(np.full(people, 2**32 - 1, dtype=np.uint64))
    everyone = Selection.of(np.ones(people, bool), keys, np.zeros(people, np.int64))
    cells = key_cells(everyone, np.zeros(people, np.int64), 1, 1)
    assert int(cells.key[0, 0]) == (people * (2**32 - 1)) % 2**32 == 2**32 - people


def test_one_person_more_or_less_is_perturbed_independently() -> None:
    rng = np.random.default_rng(5)
    keys = RecordKeys(rng.integers(0, 2**63, 20_000, dtype=np.uint64))
    groups = rng.integers(0, 4_000, keys.keys.size)  # 4,000 sets of about 5 people
    one_more = groups.copy()
    extra = rng.choice(keys.keys.size, 4_000, replace=False)
    one_more[extra] = np.arange(4_000)  # each set gains one person taken from elsewhere
    periods = np.zeros(keys.keys.size, dtype=np.int64)
    everyone = Selection.of(np.ones(keys.keys.size, bool), keys, periods)
    before = key_draws(key_cells(everyone, groups, 4_000, 1).key[:, 0])
    after = key_draws(key_cells(everyone, one_more, 4_000, 1).key[:, 0])
    assert stats.kstest(before, "uniform").pvalue > 0.001 and stats.kstest(after, "uniform").pvalue > 0.001
    changed = before != after
    assert changed.mean() > 0.99
    assert abs(stats.pearsonr(before[changed], after[changed])[0]) < 0.06
    same_way = (before[changed] < 1 / 3) == (after[changed] < 1 / 3)  # "round residue 1 up"
    assert same_way.mean() == pytest.approx(1 - 2 * (1 / 3) * (2 / 3), abs=0.03)  # as for independent draws


def test_derived_draws_depend_on_the_key_and_the_purpose_only() -> None:
    rng = np.random.default_rng(2)
    key = np.floor(rng.random(5_000) * KEY_SPACE)
    mean, median = derived_draws(key, "mean:x"), derived_draws(key, "median:x")
    assert np.array_equal(mean, derived_draws(key.copy(), "mean:x"))
    assert abs(stats.pearsonr(mean, median)[0]) < 0.06 and abs(stats.pearsonr(mean, key_draws(key))[0]) < 0.06
    assert stats.kstest(mean, "uniform").pvalue > 0.001


# --- the same people, the same published count, in every table ---------------------------------------


def test_same_people_same_count_in_every_table_measure_and_definition(contract: Contract) -> None:
    data = people(400)
    guard = DisclosureGuard(contract, secret=SECRET)
    everyone = Definition(id="all", label="All", proposed_by="a", success=[FINISHED])
    # The same people picked out by different filters.
    auckland = Definition(id="akl", label="Akl", proposed_by="a", success=[FINISHED],
                          include=[Filter(field="region", op="eq", value="Auckland")])
    not_others = Definition(id="akl2", label="Akl2", proposed_by="b", success=[FINISHED],
                            include=[Filter(field="region", op="not_in", value=REGIONS[1:])])  # fmt: skip
    by_region = evaluate(data, measure([everyone], groupings=["region"]), period="enrolment_quarter",
                         contract=contract, guard=guard)  # fmt: skip
    filtered = evaluate(data, measure([auckland, not_others]), by=[], period="enrolment_quarter",
                        contract=contract, guard=guard)  # fmt: skip
    attendance = Definition(id="mean", label="Mean", proposed_by="c", field="sessions_attended",
                            include=[Filter(field="region", op="eq", value="Auckland")])  # fmt: skip
    averaged = evaluate(data, measure([attendance], kind="mean"), by=[], period="enrolment_quarter",
                        contract=contract, guard=guard)  # fmt: skip
    for period in [None, "2025-Q1", "2025-Q2", "2025-Q3"]:
        cell = [f for f in by_region.select(grouping="region", period=period) if f.group["region"] == "Auckland"]
        counts = {cell[0].n, *(f.n for f in filtered.select(grouping="", period=period))}
        counts |= {f.n for f in averaged.select(grouping="", period=period)}
        truth = int(((data["region"] == "Auckland") & (period is None or data["enrolment_quarter"] == period)).sum())
        assert len(counts) == 1 and abs(counts.pop() - truth) <= 2  # type: ignore[operator]
    # Successes are a set of people too: same set, same count, whatever the share's denominator.
    winners = (data["region"] == "Auckland") & (data["programme_status"] == "completed")
    shares = [f for f in by_region.select(grouping="region", period=None) if f.group["region"] == "Auckland"]
    shares += filtered.select(grouping="", period=None, definition="akl")
    assert {round(f.estimate * f.n) for f in shares} == {round(shares[0].estimate * shares[0].n)}
    assert abs(round(shares[0].estimate * shares[0].n) - int(winners.sum())) <= 2


def test_without_cell_keys_counts_round_by_their_labels_as_before(contract: Contract) -> None:
    data = people(200)
    everyone = Definition(id="all", label="All", proposed_by="a", success=[FINISHED])
    guard = DisclosureGuard(contract, secret=SECRET, protections=Protections(cell_keys=False))
    result = evaluate(data, measure([everyone]), by=["region"], contract=contract, guard=guard)
    population = everyone.population_key()
    for f in result.select(grouping="region", period=None):
        truth = int((data["region"] == f.group["region"]).sum())
        label = f"{population}|region={f.group['region']}|*"
        if not f.suppressed:
            assert f.n == stable_random_round(truth, label)  # the old, public-key way


def test_coding_single_and_keys_agree_with_counts(contract: Contract) -> None:
    data = people(90)
    keys = RecordKeys.of(data, contract, SECRET)
    single = Coding.single(len(data))
    cells = key_cells(Selection.of(np.ones(90, bool), keys, np.zeros(90, np.int64)), single.codes, 1, 1)
    assert cells.sketch.sum() == 2 * 90  # one period column plus the all-periods column


# --- aimed at surviving mutants (issue 15): taking a group out, the mixer, derived draws ----------------


def test_taking_a_group_out_leaves_the_keys_of_the_people_left() -> None:
    """KeyCells.minus: everyone's keys minus a group's are the keys of the others, worked out by hand:
    low halves 5, 2**31, 3, 2**32 - 1 and high halves 1, 7, 0, 0; the group is people 1 and 3."""
    keys = RecordKeys(np.array([2**32 + 5, 7 * 2**32 + 2**31, 3, 2**32 - 1], dtype=np.uint64))
    periods = np.zeros(4, np.int64)
    everyone = key_cells(Selection.of(np.ones(4, bool), keys, periods), np.zeros(4, np.int64), 1, 1)
    group = key_cells(Selection.of(np.array([False, True, False, True]), keys, periods), np.zeros(4, np.int64), 1, 1)
    left = everyone.minus(group)
    assert left.key[0].tolist() == [8.0, 8.0]  # 5 + 3 (mod 2**32, wrapped: 2**31 + 2**32 - 1 + 8 was taken off)
    assert left.fingerprint[0].tolist() == [1.0, 1.0]  # 1 + 0
    assert left.sketch.sum() == 2 * 2  # two people left, counted in the cell and in the row total
    others = key_cells(Selection.of(np.array([True, False, True, False]), keys, periods), np.zeros(4, np.int64), 1, 1)
    assert np.array_equal(left.sketch, others.sketch)


def test_the_mixer_is_splitmix64() -> None:
    """Published SplitMix64 outputs (Vigna's reference generator; Java's SplittableRandom): from state 0,
    0xE220A8397B1DCDAF then 0x6E789E6AA1B965F4; from 1234567, 6457827717110365317, 3203168211198807973,
    9817491932198370423. The mixer takes the state before its golden-ratio step."""
    gamma = 0x9E3779B97F4A7C15
    states = np.array([0, gamma, 1234567, 1234567 + gamma, (1234567 + 2 * gamma) % 2**64], dtype=np.uint64)
    assert cell_keys._mix(states).tolist() == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 6457827717110365317,
                                               3203168211198807973, 9817491932198370423]


def test_derived_draws_keep_distinct_keys_apart() -> None:
    """A derived draw is a mix of the whole key with the purpose's tag: 4096 different keys give 4096
    different draws (a tag that masked bits away would make keys collide), all in [0, 1)."""
    keys = np.arange(4096, dtype=np.float64) * 1_048_573.0 % KEY_SPACE
    draws = derived_draws(keys, "mean:score")
    assert len(np.unique(draws)) == 4096 and draws.min() >= 0.0 and draws.max() < 1.0
    assert not np.array_equal(draws, derived_draws(keys, "median:score"))
