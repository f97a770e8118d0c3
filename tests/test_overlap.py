"""Overlap protection, bands for "all or none" of a small group, and the release ledger.

The checks recompute every published finding's people from the data with plain pandas (not through
the code under test) and compare the sets directly.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_run import dpup_eval
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dpup_eval.agreement.contract import Contract, default_contract_dir
from dpup_eval.findings.evaluation import Finding, Findings, evaluate
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicators import Definition, Filter, Indicator
from dpup_eval.findings.ledger import Ledger

REGIONS = ["Auckland", "Waikato", "Wellington", "Canterbury"]
QUARTERS = ["2025-Q1", "2025-Q2", "2025-Q3"]
STATUSES = ["enrolled", "completed", "withdrew", "moved"]
SECRET = bytes(range(32))


@pytest.fixture(scope="module")
def contract(agreement) -> Contract:
    return agreement.for_purpose("evaluation")


def people(n: int, seed: int, moved: float = 0.05) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    status = rng.choice(["completed", "withdrew", "moved"], n, p=[0.65 - moved, 0.35, moved])
    return pd.DataFrame({
        "participant_ref": [f"P-{seed:02X}{i:06X}" for i in range(n)],
        "region": pd.Categorical(rng.choice(REGIONS, n, p=[0.4, 0.2, 0.25, 0.15]), categories=REGIONS),
        "enrolment_quarter": pd.array(rng.choice(QUARTERS, n), dtype="string"),
        "programme_status": pd.Categorical(status, categories=STATUSES),
        "sessions_offered": pd.array([10] * n, dtype="Int64"),
        "sessions_attended": pd.array(rng.integers(0, 11, n), dtype="Int64"),
    })  # fmt: skip


def finished(statuses: list[str], label: str) -> Definition:
    return Definition(id=label, label=label, proposed_by="someone",
                      include=[Filter(field="programme_status", op="in", value=statuses)],
                      success=[Filter(field="programme_status", op="eq", value="completed")])  # fmt: skip


def attended(threshold: int, label: str) -> Definition:
    return Definition(id=label, label=label, proposed_by="someone", field="sessions_attended",
                      threshold=threshold)  # fmt: skip


def indicator(definitions: list[Definition], groupings: list[str] | None = None) -> Indicator:
    return Indicator(id="m", name="Measure", what_it_tells_us="X.", kind="proportion",
                     groupings=groupings or [], definitions=definitions)  # fmt: skip


def who(data: pd.DataFrame, d: Definition, f: Finding) -> dict[str, set[str]]:
    """The finding's sets of people, recomputed with pandas: counted, succeeded, did not."""
    counted = pd.Series(True, index=data.index)
    if d.include:
        counted &= data["programme_status"].isin(d.include[0].value)  # type: ignore[arg-type]
    for field, value in f.group.items():
        counted &= data[field].astype(str) == value
    if f.period is not None:
        counted &= data["enrolment_quarter"] == f.period
    if d.success:
        won = data["programme_status"] == "completed"
    else:
        won = data["sessions_attended"].astype(float) >= d.threshold
    refs = data["participant_ref"]
    return {"people": set(refs[counted]), "succeeded": set(refs[counted & won]),
            "did not": set(refs[counted & ~won])}  # fmt: skip


def published_sets(data: pd.DataFrame, results: list[tuple[Findings, dict[str, Definition]]]) -> list[set[str]]:
    sets = []
    for findings, definitions in results:
        for f in findings.findings:
            if not f.suppressed:
                sets += who(data, definitions[f.definition], f).values()
    return sets


def assert_never_close(sets: list[set[str]], minimum: int = 6) -> None:
    for i, a in enumerate(sets):
        for b in sets[i + 1 :]:
            differ = len(a ^ b)
            assert differ == 0 or differ >= minimum, f"two published populations differ by {differ} people"


# --- overlap ------------------------------------------------------------------------------------------


def test_alternative_definitions_never_publish_a_small_difference(contract: Contract) -> None:
    data = people(500, seed=1)
    left, not_moved = finished(["completed", "withdrew", "moved"], "left"), finished(["completed", "withdrew"], "stay")
    guard = DisclosureGuard(contract, secret=SECRET)
    result = evaluate(data, indicator([left, not_moved], ["region"]), period="enrolment_quarter",
                      contract=contract, guard=guard)  # fmt: skip
    sets = published_sets(data, [(result, {"left": left, "stay": not_moved})])
    assert_never_close(sets)
    close = [f for f in result.findings if f.reason and f.reason.startswith("too close")]
    assert close and all(f.definition == "stay" for f in close)  # the later definition gives way
    assert all(f.hidden_by == "too_close" for f in close)
    # The reason names the rule, not the earlier result: naming it would say a handful lie between them.
    assert all("Measure (left)" not in f.reason for f in result.findings if f.reason)


def test_stepping_a_threshold_cannot_pin_down_a_few_people(contract: Contract) -> None:
    data = people(400, seed=2)
    sessions = data["sessions_attended"].to_numpy(dtype=np.int64)
    sessions[np.flatnonzero(sessions == 7)[3:]] = 8  # only 3 people came to exactly 7 sessions
    data["sessions_attended"] = pd.array(sessions, dtype="Int64")
    guard = DisclosureGuard(contract, secret=SECRET)
    attendance = data["sessions_attended"].astype(int)
    shown: list[tuple[int, Finding]] = []
    for threshold in range(0, 11):
        result = evaluate(data, indicator([attended(threshold, f"t{threshold}")]), by=[], contract=contract,
                          guard=guard)  # fmt: skip
        shown += [(threshold, f) for f in result.findings if not f.suppressed]
    # Whatever was shown, its successes differ from every other shown level's by 0 or at least 6 people.
    winners = [set(np.flatnonzero(attendance >= t)) for t, _ in shown]
    for i, a in enumerate(winners):
        for b in winners[i + 1 :]:
            assert len(a ^ b) == 0 or len(a ^ b) >= 6
    levels = [t for t, _ in shown]
    assert 7 in levels and 8 not in levels  # "at least 8" would give away the 3 who came to exactly 7
    later = evaluate(data, indicator([attended(8, "t8")]), by=[], contract=contract, guard=guard).findings[0]
    assert later.suppressed and later.hidden_by == "too_close"
    assert later.reason.startswith("too close to a result already shown")


def test_a_period_that_differs_from_all_periods_by_a_few_is_not_shown(contract: Contract) -> None:
    data = people(300, seed=3)
    # Waikato: all but 3 people in Q1, so Waikato Q1 and Waikato in all quarters differ by 3 people.
    waikato = np.flatnonzero(data["region"] == "Waikato")
    quarters = data["enrolment_quarter"].to_numpy(dtype=object)
    quarters[waikato] = "2025-Q1"
    quarters[waikato[:3]] = "2025-Q2"
    data["enrolment_quarter"] = pd.array(quarters, dtype="string")
    everyone = Definition(id="all", label="All", proposed_by="a", success=[Filter(field="programme_status", op="eq", value="completed")])
    result = evaluate(data, indicator([everyone], ["region"]), period="enrolment_quarter", contract=contract,
                      guard=DisclosureGuard(contract, secret=SECRET))  # fmt: skip
    cells = {f.period: f for f in result.select(grouping="region") if f.group["region"] == "Waikato"}
    assert cells[None].suppressed or cells["2025-Q1"].suppressed
    assert_never_close(published_sets(data, [(result, {"all": everyone})]))


LEVELS = st.lists(st.integers(0, 10), min_size=1, max_size=4, unique=True)
INCLUDES = st.lists(st.sampled_from(["completed", "withdrew", "moved"]), min_size=1, max_size=3, unique=True)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), levels=LEVELS, includes=st.lists(INCLUDES, min_size=1, max_size=3),
       moved=st.sampled_from([0.01, 0.03, 0.1]))  # fmt: skip
def test_no_two_published_populations_are_close(
    contract: Contract, seed: int, levels: list[int], includes: list[list[str]], moved: float
) -> None:
    data = people(250, seed=seed, moved=moved)
    guard = DisclosureGuard(contract, secret=SECRET)
    results = []
    definitions = [finished(sorted(s), f"f{i}") for i, s in enumerate(includes)]
    results.append((evaluate(data, indicator(definitions, ["region"]), period="enrolment_quarter",
                             contract=contract, guard=guard), {d.id: d for d in definitions}))  # fmt: skip
    for level in levels:
        d = attended(level, f"a{level}")
        results.append((evaluate(data, indicator([d], ["region"]), contract=contract, guard=guard), {d.id: d}))
    assert_never_close(published_sets(data, results))
    for findings, _ in results:
        for f in findings.findings:
            if not f.suppressed:
                assert 0 < f.estimate < 1  # never "all" or "none" of a group


# --- bands ---------------------------------------------------------------------------------------------


def test_all_or_none_of_a_small_group_is_a_band(contract: Contract) -> None:
    data = people(120, seed=4, moved=0.0)
    status = data["programme_status"].to_numpy(dtype=object)
    status[(data["region"] == "Waikato").to_numpy()] = "completed"  # everyone in Waikato finished
    data["programme_status"] = pd.Categorical(status, categories=STATUSES)
    everyone = finished(["completed", "withdrew"], "all")
    result = evaluate(data, indicator([everyone], ["region"]), contract=contract,
                      guard=DisclosureGuard(contract, secret=SECRET))  # fmt: skip
    waikato = next(f for f in result.select(grouping="region") if f.group["region"] == "Waikato")
    assert waikato.suppressed and waikato.estimate is None and waikato.n is None
    assert waikato.band == "almost all" and waikato.sentence.startswith("Region: Waikato – Almost all people")
    assert "exact share is not shown" in waikato.sentence


# --- the ledger ----------------------------------------------------------------------------------------


def test_releases_are_recorded_privately_and_checked_by_every_page(contract: Contract, tmp_path: Path) -> None:
    data = people(300, seed=5)
    path = tmp_path / "releases.sqlite"
    first = DisclosureGuard(contract, secret=SECRET, ledger=Ledger(path))
    left = finished(["completed", "withdrew", "moved"], "left")
    shown = evaluate(data, indicator([left], ["region"]), period="enrolment_quarter", contract=contract, guard=first)
    release = first.record(shown, "Findings page", workshop="Hui 1")
    assert release == 1 and stat.S_IMODE(path.stat().st_mode) == 0o600
    # Another page (another kernel, its own guard) sees what the first released, and keeps clear of it.
    other = DisclosureGuard(contract, secret=SECRET, ledger=Ledger(path))
    not_moved = finished(["completed", "withdrew"], "stay")
    later = evaluate(data, indicator([not_moved], ["region"]), period="enrolment_quarter", contract=contract,
                     guard=other)  # fmt: skip
    other.record(later, "Success measures page", workshop="Hui 2")
    assert_never_close(published_sets(data, [(shown, {"left": left}), (later, {"stay": not_moved})]))
    assert any(f.reason and f.reason.startswith("too close") for f in later.findings)
    (one, two) = Ledger(path).releases()
    assert (one.channel, one.workshop, one.findings) == ("Findings page", "Hui 1", len(shown))
    assert (two.channel, two.workshop) == ("Success measures page", "Hui 2")
    stored = list(Ledger(path).published())
    assert stored[0].findings == [f.model_dump(mode="json") for f in shown.findings]
    assert stored[0].rules["rounding"] == "cell keys" and stored[0].definitions["m"]["left"]["label"] == "left"
    assert {p.role for p in stored[0].populations} == {"people", "succeeded", "did not succeed"}


def test_a_page_starting_late_loads_each_published_set_once(contract: Contract, tmp_path: Path) -> None:
    """Every page in a room publishes the same measures again: a late page must not load every copy."""
    import sqlite3

    data = people(300, seed=7)
    path = tmp_path / "releases.sqlite"
    d = finished(["completed", "withdrew"], "stay")
    shown = None
    for _ in range(3):  # three pages, each its own guard, showing the same measure
        guard = DisclosureGuard(contract, secret=SECRET, ledger=Ledger(path))
        shown = evaluate(data, indicator([d], ["region"]), period="enrolment_quarter", contract=contract, guard=guard)
        guard.record(shown, "Success measures page")
        guard.ledger.close()
    with sqlite3.connect(path) as db:  # what is stored, read without the code under test
        stored = db.execute("SELECT count, fingerprint FROM ledger_populations WHERE NOT in_words ORDER BY id").fetchall()
        last = db.execute("SELECT max(id) FROM ledger_populations WHERE NOT in_words").fetchone()[0]
    distinct = list(dict.fromkeys(stored))
    assert len(stored) == 3 * len(distinct) > 3  # each page stored its release whole
    ledger = Ledger(path)
    populations, seen = ledger.populations_since()
    assert [(q.count, q.fingerprint) for q in populations] == distinct and seen == last
    assert ledger.populations_since(0, set(distinct)) == ([], last)
    again, _ = ledger.populations_since(0, set(distinct[1:]))
    assert [(q.count, q.fingerprint) for q in again] == distinct[:1]
    # and a fourth page still keeps clear of what the first three published
    fourth = DisclosureGuard(contract, secret=SECRET, ledger=ledger)
    assert len(fourth.registry) == len(distinct)
    moved = finished(["completed", "withdrew", "moved"], "left")
    later = evaluate(data, indicator([moved], ["region"]), period="enrolment_quarter", contract=contract, guard=fourth)
    assert_never_close(published_sets(data, [(shown, {"stay": d}), (later, {"left": moved})]))
    ledger.close()


def test_the_ledger_holds_no_references(contract: Contract, tmp_path: Path) -> None:
    data = people(200, seed=6)
    guard = DisclosureGuard(contract, secret=SECRET, ledger=Ledger(tmp_path / "l.sqlite"))
    guard.record(evaluate(data, indicator([attended(5, "five")]), by=["region"], contract=contract, guard=guard), "x")
    guard.ledger.close()
    raw = (tmp_path / "l.sqlite").read_bytes()
    assert b"P-" not in raw and b"Auckland" in raw  # findings name groups; no reference is stored


@pytest.mark.slow
def test_releases_command_lists_and_explains(tmp_path: Path, demo_dir: Path) -> None:
    env = {**os.environ, "DPUP_EVAL_HOME": str(tmp_path / "home")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:  # main() here (tests/cli_run.py)
        return dpup_eval(*args, env=env, cwd=default_contract_dir())  # the demo programme's folder

    none = run("releases")
    assert none.returncode == 2 and none.stderr.startswith("Error: Nothing has been released for Best foot forward")
    out = run("evaluate", str(demo_dir / "evaluation.csv"), "--purpose", "evaluation", "--by", "region")
    assert out.returncode == 0, out.stderr
    listed = run("releases")
    assert listed.returncode == 0 and "dpup-eval evaluate evaluation.csv (terminal)" in listed.stdout
    assert listed.stdout.count("\n") == 2 and run("releases", "--help").returncode == 0
    ledger = tmp_path / "home" / "programmes" / "best-foot-forward" / "releases.sqlite"
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    attacked = run("releases", "attack", "--json", str(tmp_path / "attack.json"))
    assert attacked.returncode == 0 and "It recovered nothing" in attacked.stdout, attacked.stdout
    assert '"disclosures": []' in (tmp_path / "attack.json").read_text(encoding="utf-8")
    missing = run("releases", "attack", "--ledger", str(tmp_path / "nowhere.sqlite"))
    assert missing.returncode == 2 and missing.stderr.startswith("Error: No release ledger at")
