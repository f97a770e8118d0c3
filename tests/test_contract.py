"""Contracts: the built-in agreement loads; an invalid one names the file, the place and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dpup_eval import Agreement, Contract, ContractError, UnknownPurposeError
from dpup_eval.agreement.contract import default_contract_dir

CONTRACT_DIR = default_contract_dir()

EVALUATION = CONTRACT_DIR / "evaluation.odcs.yaml"


def test_both_purposes_load_with_dpup_details(agreement: Agreement) -> None:
    assert agreement.purposes == ["evaluation", "service_reporting"]
    evaluation = agreement.for_purpose("evaluation")
    reporting = agreement.for_purpose("service_reporting")
    assert evaluation.recipient != reporting.recipient  # purposes go to different parts of the agency
    assert evaluation.quasi_identifiers == ["participant_type", "age_band", "region"]
    assert evaluation.min_group_size == 5
    assert evaluation.key_fields == ["participant_ref"]
    assert reporting.key_fields == ["family_ref", "quarter"]
    assert evaluation.not_used_for and evaluation.not_seen_by and evaluation.retention
    for field in evaluation.fields + reporting.fields:
        assert field.why and field.adult_description and field.child_description, field.name
    assert evaluation.field("feedback").is_free_text
    assert evaluation.field("ethnic_groups").multi_value_separator == ";"
    assert {r.name for r in evaluation.rules} >= {"exit_not_before_enrolment", "attended_within_offered"}


def test_purpose_data_do_not_share_keys(agreement: Agreement) -> None:
    """Evaluation and service-reporting family references have different forms: the files cannot be joined."""
    ev = agreement.for_purpose("evaluation").field("family_ref").pattern
    sr = agreement.for_purpose("service_reporting").field("family_ref").pattern
    assert ev != sr


def test_unknown_purpose_lists_defined_ones(agreement: Agreement) -> None:
    with pytest.raises(UnknownPurposeError) as caught:
        agreement.for_purpose("marketing")
    assert "evaluation, service_reporting" in str(caught.value)


def _write_variant(tmp_path: Path, change) -> Path:
    doc = yaml.safe_load(EVALUATION.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "variant.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _props(doc):
    return doc["schema"][0]["properties"]


def _drop_custom(prop, name):
    prop["customProperties"] = [p for p in prop["customProperties"] if p["property"] != name]


@pytest.mark.parametrize(
    ("change", "place", "words"),
    [
        (lambda d: _props(d)[3].__setitem__("logicalType", "text"), "schema[0].properties[3].logicalType", "text"),
        (lambda d: _drop_custom(_props(d)[2], "role"), "schema[0].properties[2].customProperties", "needs a role"),
        (lambda d: _drop_custom(_props(d)[4], "childDescription"), "schema[0].properties[4].customProperties",
         "childDescription"),
        (lambda d: d.__setitem__("customProperties", [p for p in d["customProperties"] if p["property"] != "recipient"]),
         "customProperties", "recipient"),
        (lambda d: d.__setitem__("kind", "Contract"), "kind", "DataContract"),
        (lambda d: d["schema"][0]["quality"][0].__setitem__("implementation",
                                                             {"rule": "field_order", "left": "exit_date", "op": ">=",
                                                              "right": "nope"}),
         "schema[0].quality[0].implementation", "'nope' is not a field"),
        (lambda d: next(p for p in d["customProperties"] if p["property"] == "disclosureControl")["value"]
         .__setitem__("minimumCount", 3), "customProperties.disclosureControl", "stricter"),
        (lambda d: _props(d).append(dict(_props(d)[0])), "schema[0].properties[19].name", "listed twice"),
    ],
    ids=["bad-type", "no-role", "no-child-text", "no-recipient", "bad-kind", "rule-field", "looser-k", "twice"],
)
def test_invalid_contract_names_file_place_and_problem(tmp_path: Path, change, place: str, words: str) -> None:
    path = _write_variant(tmp_path, change)
    with pytest.raises(ContractError) as caught:
        Contract.load(path)
    text = caught.value.details()
    assert str(path) in str(caught.value)
    assert any(issue.place == place and words in issue.message for issue in caught.value.issues), text


def test_invalid_yaml_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.odcs.yaml"
    path.write_text("apiVersion: v3.2.0\nkind: [DataContract\n", encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        Contract.load(path)
    assert "broken.odcs.yaml" in str(caught.value) and "line" in caught.value.issues[0].place


def test_every_problem_is_collected(tmp_path: Path) -> None:
    def two(doc):
        _drop_custom(_props(doc)[1], "why")
        _drop_custom(_props(doc)[5], "adultDescription")

    with pytest.raises(ContractError) as caught:
        Contract.load(_write_variant(tmp_path, two))
    places = {issue.place for issue in caught.value.issues}
    assert {"schema[0].properties[1].customProperties", "schema[0].properties[5].customProperties"} <= places


def test_missing_file_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no such file"):
        Agreement.load(tmp_path / "absent.odcs.yaml")
    with pytest.raises(ContractError, match="no contract files"):
        Agreement.load(tmp_path)


def test_a_contract_is_schema_checked_once_per_content_and_again_when_it_changes(tmp_path: Path, monkeypatch) -> None:
    """The schema check is remembered by file and content (the workshop's fork server checks once for all
    its page kernels): the same file read again is not checked again; the file changed on disk, under
    the same name, is checked anew and its problem reported."""
    from dpup_eval.agreement import rules

    checks: list[str] = []
    real = rules._check_schema
    monkeypatch.setattr(rules, "_check_schema", lambda file, doc: checks.append(file) or real(file, doc))
    monkeypatch.setattr(rules, "_CHECKED", {})
    path = _write_variant(tmp_path, lambda d: None)
    Contract.load(path)
    Contract.load(path)
    assert len(checks) == 1
    bad = _write_variant(tmp_path, lambda d: d.__setitem__("kind", "Contract"))
    assert bad == path  # the same file, now with a schema problem
    with pytest.raises(ContractError) as caught:
        Contract.load(path)
    assert len(checks) == 2 and any(issue.place == "kind" for issue in caught.value.issues)
