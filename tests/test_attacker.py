"""The shipped attacker: it recovers nothing from protected workshops, and finds the known attacks when the
protections are switched off (so "nothing found" means something).

Workshops are the demo programme's, with definitions, levels and "who is included" choices drawn the way
the guided form allows (tests/guided_workshops.py). Every disclosure the attacker reports is checked
against the truth, recomputed here from the data: its bounds must contain it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from guided_workshops import Workshop, guided_workshop, publish_workshop
from hypothesis import HealthCheck, given, settings

from dpup_eval.agreement.contract import Contract, default_contract_dir
from dpup_eval.findings.attacker import SERIOUS, attack
from dpup_eval.findings.disclosure import Protections
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicators import Filter, IndicatorSet, load_indicators
from dpup_eval.findings.ledger import Ledger
from dpup_eval.intake.loading import load

pytestmark = pytest.mark.slow  # whole workshops evaluated and attacked
SECRET = bytes(range(32))
CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"


@pytest.fixture(scope="module")
def contract(agreement) -> Contract:
    return agreement.for_purpose("evaluation")


@pytest.fixture(scope="module")
def indicators(contract: Contract) -> IndicatorSet:
    return load_indicators(default_contract_dir() / "indicators.yaml", contract)


@pytest.fixture(scope="module")
def demo(demo_dir: Path, contract: Contract) -> pd.DataFrame:
    return load(demo_dir / "evaluation.csv", contract, "evaluation").data


def _moved_children_too(indicators: IndicatorSet) -> Workshop:
    """The attack from issue 11: a change measure with and without the few children who moved away."""
    wellbeing = indicators.indicator("child_wellbeing_change")
    first = wellbeing.definitions[0]
    include = [f for f in first.include if f.field != "programme_status"]
    include.append(Filter(field="programme_status", op="in", value=["completed", "moved"]))
    alternative = first.model_copy(update={"id": "with_moved", "label": "Also counting children who moved",
                                           "include": include})  # fmt: skip
    agreed = [i if i.id != wellbeing.id else i.model_copy(update={"definitions": [first, alternative]})
              for i in indicators.indicators]  # fmt: skip
    return Workshop(slider=[("attendance", "three_quarters", level / 20) for level in range(8, 20)],
                    agreed=agreed)  # fmt: skip


def _run(data, contract, indicators, workshop, tmp: Path, protections: Protections):
    ledger = Ledger(tmp / "releases.sqlite")
    guard = DisclosureGuard(contract, secret=SECRET, protections=protections, ledger=ledger)
    publish_workshop(data, contract, indicators, workshop, guard)
    return attack(ledger), ledger


def test_with_the_protections_off_it_finds_the_attacks_in_the_issue(
    demo: pd.DataFrame, contract: Contract, indicators: IndicatorSet, tmp_path: Path
) -> None:
    report, _ = _run(demo, contract, indicators, _moved_children_too(indicators), tmp_path, Protections.none())
    kinds = {d.kind for d in report.disclosures}
    # Full-precision averages give the exact count behind them (the integer-mean trick) and so exact
    # totals; definitions a few people apart pin small groups and single children's changes; shares of
    # 100% of small groups are published; the public rounding key narrows counts.
    assert {"exact total", "exact count", "small group", "one person's value", "all or none"} <= kinds
    assert len([d for d in report.disclosures if d.kind == "one person's value"]) >= 3
    assert report.recovered and "could pick someone out" in report.to_summary()


@pytest.mark.parametrize(
    ("switched_off", "finds", "not_yet"),
    [
        # The public rounding key narrows each count to 3 values: exact counts by intersection; small
        # groups once populations a few people apart are published too.
        (Protections(cell_keys=False), "exact count", "small group"),
        (Protections(cell_keys=False, overlap=False), "small group", None),
        # Full-precision averages: exact counts and totals (the integer-mean trick); one child's change
        # once definitions a few children apart are published too.
        (Protections(magnitudes=False), "exact total", "one person's value"),
        (Protections(magnitudes=False, overlap=False), "one person's value", None),
        (Protections(bands=False), "all or none", None),  # 100% of a small group, published
    ],
)
def test_each_protection_stops_an_attack_the_attacker_knows(
    demo: pd.DataFrame, contract: Contract, indicators: IndicatorSet, tmp_path: Path, switched_off: Protections,
    finds: str, not_yet: str | None,
) -> None:  # fmt: skip
    report, _ = _run(demo, contract, indicators, _moved_children_too(indicators), tmp_path, switched_off)
    kinds = {d.kind for d in report.disclosures}
    assert finds in kinds and not_yet not in kinds


def test_the_demo_workshop_gives_nothing_away(
    demo: pd.DataFrame, contract: Contract, indicators: IndicatorSet, tmp_path: Path
) -> None:
    report, ledger = _run(demo, contract, indicators, _moved_children_too(indicators), tmp_path, Protections())
    assert report.disclosures == [], report.to_summary()
    assert report.findings > 300 and report.sets > 300 and len(ledger.releases()) > 10
    assert "It recovered nothing" in report.to_summary()


@settings(max_examples=8 if CI else 3, deadline=None, derandomize=CI,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])  # fmt: skip
@given(data=__import__("hypothesis").strategies.data())
def test_guided_workshops_give_nothing_away(
    demo: pd.DataFrame, contract: Contract, indicators: IndicatorSet, tmp_path_factory: pytest.TempPathFactory,
    data,
) -> None:  # fmt: skip
    workshop = data.draw(guided_workshop(contract, indicators))
    report, _ = _run(demo, contract, indicators, workshop, tmp_path_factory.mktemp("w"), Protections())
    assert not [d for d in report.disclosures if d.kind in SERIOUS], report.to_summary()
    assert not [d for d in report.disclosures if d.kind in ("exact count", "exact total")], report.to_summary()


def test_reported_bounds_contain_the_truth(demo: pd.DataFrame, contract: Contract, indicators: IndicatorSet,
                                            tmp_path: Path) -> None:  # fmt: skip
    """Soundness: every small group the attacker reports really has between its bounds people in it."""
    report, ledger = _run(demo, contract, indicators, _moved_children_too(indicators), tmp_path, Protections.none())
    small = [d for d in report.disclosures if d.kind == "small group"]
    assert small
    for d in small:
        truth = d.people()
        assert d.low <= truth <= d.high, d.what
    exact = [d for d in report.disclosures if d.kind == "exact count"]
    assert exact and all(d.low == d.high == d.people() for d in exact)
