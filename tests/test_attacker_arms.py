"""The attacker reads differences between named arms too (and with the previous period, and between the
two groups of a two-group breakdown), and finds nothing on a protected trial workshop whose proposals,
made the way the guided form makes them, are compared between arms.

The trial is tests/trial_programme.py's: two arms, a three-way class type compared with regular
classes, derived outcomes, months. Every published difference is a published number the attacker must
use: a test shows it does (a difference against a finding whose own numbers were not shown gives that
finding away when nothing is protected).
"""

from __future__ import annotations

import copy
import os
from dataclasses import replace
from pathlib import Path

import pytest
from guided_workshops import guided_workshop, publish_workshop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trial_programme import FOLDER

from dpup_eval.findings.attack_model import BIG, build_model
from dpup_eval.findings.attacker import SERIOUS, attack, attack_releases
from dpup_eval.findings.disclosure import Protections
from dpup_eval.findings.evaluation import evaluate, with_derived
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicators import CompareGroups, Definition, Filter, Indicator, load_indicators
from dpup_eval.findings.ledger import Ledger

SECRET = bytes(range(32))
CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"
ELIGIBLE = [Filter(field="eligible", op="eq", value=True)]


def _reading(kind: str = "mean") -> Indicator:
    success = {"success": [Filter(field="passed", op="eq", value=True)]} if kind == "proportion" else {}
    field = {"field": "score_post"} if kind == "mean" else {}
    return Indicator(
        id="reading", name="Reading", what_it_tells_us="Reading.", people="students", kind=kind, unit="points",
        groupings=["arm"], compare=[CompareGroups(field="arm", reference=0)],
        definitions=[Definition(id="d", label="D", proposed_by="agency", include=ELIGIBLE, **field, **success)],
    )  # fmt: skip


def _hide_control_and_everyone(releases: list, keep_differences: bool) -> list:
    """The releases as if a page had shown the incentive arm only: control's and everyone's own numbers
    taken out; the differences kept or taken out too."""
    changed = []
    for release in releases:
        findings = copy.deepcopy(release.findings)
        for f in findings:
            if f["group"] in ({}, {"arm": "0"}):
                f.update(estimate=None, ci_low=None, ci_high=None)
            if not keep_differences:
                f.update(versus_groups=[], versus_rest=None, versus_previous=None)
        changed.append(replace(release, findings=findings))
    return changed


def _unprotected_release(trial, tmp_path: Path, kind: str) -> list:
    _, contract, data = trial
    ledger = Ledger(tmp_path / "releases.sqlite")
    guard = DisclosureGuard(contract, secret=SECRET, protections=Protections.none(), ledger=ledger)
    guard.record(evaluate(data, [_reading(kind)], by=["arm"], period="enrolment_month", contract=contract,
                          guard=guard), "Findings page")  # fmt: skip
    releases = list(ledger.published())
    assert any(f["versus_groups"] for f in releases[0].findings)
    return releases


def test_the_attacker_uses_differences_between_arm_averages(trial, tmp_path: Path) -> None:
    releases = _unprotected_release(trial, tmp_path, "mean")

    def about_control(report) -> list[str]:
        return [d.what for d in report.disclosures if d.kind in ("exact count", "exact total") and "control" in d.what]

    without = about_control(attack_releases(_hide_control_and_everyone(releases, keep_differences=False)))
    with_differences = about_control(attack_releases(_hide_control_and_everyone(releases, keep_differences=True)))
    # Unprotected, a difference is exact: control's average is the incentive arm's minus it, which pins
    # control's count (the integer-mean trick) and total as control's own average would (without it, at
    # most a count pinned by the public rounding key).
    assert set(without) < set(with_differences)
    assert not [w for w in without if w.endswith("all periods’")]
    assert [w for w in with_differences if w.endswith("all periods’")]


def test_the_attacker_uses_differences_between_arm_shares(trial, tmp_path: Path) -> None:
    releases = _unprotected_release(trial, tmp_path, "proportion")
    findings = releases[0].findings
    control = next(i for i, f in enumerate(findings) if f["group"] == {"arm": "0"} and f["period"] is None)

    def successes_bounds(keep_differences: bool) -> tuple[float, float]:
        model = build_model(_hide_control_and_everyone(releases, keep_differences))
        (j,) = [j for j, sources in enumerate(model.sources) if (releases[0].id, control, "succeeded") in sources]
        return model.low[j], model.high[j]

    # Without the difference nothing bounds how many in control passed; with it (exact, unprotected),
    # control's share of its rounded count is known, so its passes are pinned to a few values.
    assert successes_bounds(False)[1] >= BIG
    low, high = successes_bounds(True)
    assert high - low <= 4


@pytest.mark.slow  # whole workshops evaluated and attacked
@settings(max_examples=6 if CI else 3, deadline=None, derandomize=CI,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])  # fmt: skip
@given(data=st.data())
def test_guided_trial_workshops_with_arm_comparisons_give_nothing_away(
    trial, tmp_path_factory: pytest.TempPathFactory, data
) -> None:
    _, contract, frame = trial
    indicators = load_indicators(FOLDER / "indicators.yaml", contract)
    assert any(i.compare for i in indicators.indicators)  # arms compared on the Findings page
    frame, extended = with_derived(frame, contract, indicators.derived)
    workshop = data.draw(guided_workshop(extended, indicators))
    ledger = Ledger(tmp_path_factory.mktemp("w") / "releases.sqlite")
    guard = DisclosureGuard(extended, secret=SECRET, ledger=ledger)
    publish_workshop(frame, extended, indicators, workshop, guard, period="enrolment_month")
    published = [f for r in ledger.published() for f in r.findings]
    assert any(f["versus_groups"] for f in published)
    report = attack(ledger)
    assert not [d for d in report.disclosures if d.kind in SERIOUS], report.to_summary()
    assert not [d for d in report.disclosures if d.kind in ("exact count", "exact total")], report.to_summary()
