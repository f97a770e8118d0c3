"""Labels for coded values come from the contract: arm 0 is "control", on integer and true/false fields too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from trial_programme import FOLDER, PURPOSE, trial_frame

from dpup_eval.agreement.contract import Contract, value_text
from dpup_eval.errors import ContractError
from dpup_eval.findings.evaluation import evaluate
from dpup_eval.findings.indicators import Definition, Filter, Indicator
from dpup_eval.intake.loading import load
from dpup_eval.workshop.measure_options import measure_options

CONTRACT = FOLDER / f"{PURPOSE}.odcs.yaml"


def test_codes_are_written_one_way() -> None:
    assert [value_text(v) for v in (0, 1.0, True, False, "0", dt.date(2025, 3, 1))] == [
        "0", "1", "true", "false", "0", "2025-03-01",
    ]  # fmt: skip


def test_integer_and_boolean_codes_have_labels(trial) -> None:
    contract: Contract = trial[1]
    arm, eligible = contract.field("arm"), contract.field("eligible")
    assert arm.allowed == ("0", "1") and eligible.allowed == ("true", "false")
    assert [arm.label(v) for v in (0, "1", 1.0)] == ["control", "offered the incentive", "offered the incentive"]
    assert eligible.label(True) == "in the trial" and eligible.label(False) == "not eligible"
    assert arm.typed_value("1") == 1 and eligible.typed_value("false") is False
    assert Filter(field="arm", op="in", value=[0, 1]).describe(contract) == (
        "Trial arm is one of control, offered the incentive"
    )
    assert Filter(field="eligible", op="eq", value=True).describe(contract) == "Eligible for the trial is in the trial"


def test_findings_show_labels_not_codes(trial) -> None:
    _, contract, data = trial
    indicator = Indicator(
        id="passed", name="Passed the reading check", what_it_tells_us="Who passed.", people="students",
        kind="proportion", groupings=["arm", "eligible"],
        definitions=[Definition(id="d", label="Passed", proposed_by="agency", phrase="passed",
                                success=[Filter(field="passed", op="eq", value=True)])],
    )  # fmt: skip
    findings = evaluate(data, [indicator], contract=contract)
    labels = {f.group_label for f in findings.findings if f.group}
    assert {"Trial arm: control", "Trial arm: offered the incentive"} <= labels
    assert {"Eligible for the trial: in the trial", "Eligible for the trial: not eligible"} <= labels
    assert not any(label.endswith((": 0", ": 1", ": True", ": False", ": true")) for label in labels)
    control = next(f for f in findings.findings if f.group == {"arm": "0"} and f.period is None)
    assert control.sentence.startswith("Trial arm: control – ")


def test_enum_values_must_suit_the_field(tmp_path: Path) -> None:
    doc = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    props = {p["name"]: p for p in doc["schema"][0]["properties"]}
    props["arm"]["enum"] = [{"value": "zero", "label": "control"}, {"value": 1}, {"value": 1, "label": "again"}]
    props["weeks_enrolled"]["enum"] = [{"value": 1.5}]
    props["eligible"]["enum"] = [{"value": "yes"}]
    bad = tmp_path / "bad.odcs.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        Contract.load(bad)
    problems = caught.value.details()
    assert "must be a whole number, not 'zero'" in problems
    assert "'1' is listed twice" in problems
    assert "not a number" in problems
    assert "must be true or false (no quotes), not 'yes'" in problems


def test_checks_use_the_codes(tmp_path: Path, trial) -> None:
    contract: Contract = trial[1]
    rows = trial_frame().head(12).copy()
    rows.loc[0, "arm"] = "2"  # not an agreed arm
    rows.loc[1, "eligible"] = "yes"  # a true/false field reads yes/no too: the codes only give labels
    rows.loc[2, "passed"] = "FALSE"
    path = tmp_path / "few.csv"
    rows.to_csv(path, index=False)
    result = load(path, contract, PURPOSE)
    quarantined = result.quarantine
    assert len(quarantined) == 1 and "arm" in quarantined["reasons"].iloc[0]
    assert result.data["eligible"].iloc[0]  # row 1 of the file (row 0 was quarantined)


def test_workshop_choices_carry_typed_codes(trial) -> None:
    contract: Contract = trial[1]
    from dpup_eval.findings.indicators import IndicatorSet

    options = {o.key: o for o in measure_options(contract, IndicatorSet(indicators=[]))}
    passed = options["category:passed"]
    assert passed.values == (("passed", True), ("did not pass", False))
    fields = passed.definition_fields(None, [True])
    definition = Definition(id="p", label="P", proposed_by="families", **fields)
    indicator = Indicator(id="x", name="X", what_it_tells_us="X.", kind="proportion", definitions=[definition])
    from dpup_eval.findings.indicators import validate_indicators

    validate_indicators(indicator, contract)  # a tick box's code is a true/false the contract accepts


def test_a_whole_number_groups_only_by_its_codes(trial) -> None:
    _, contract, data = trial
    from dpup_eval.findings.indicators import IndicatorError

    indicator = Indicator(id="m", name="M", what_it_tells_us="x", kind="mean", groupings=["score_pre"],
                          definitions=[Definition(id="d", label="D", proposed_by="agency", field="score_post")])  # fmt: skip
    with pytest.raises(IndicatorError, match="whole number with many possible values"):
        evaluate(data, [indicator], contract=contract)  # 800 groups of one person each, before
    evaluate(data, [indicator.model_copy(update={"groupings": ["arm", "eligible"]})], contract=contract)
