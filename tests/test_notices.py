"""Notices for families: built from the agreement, readable, escaped, standalone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.errors import DpupEvalError
from dpup_eval.rights.notices import ADULT_MAX_GRADE, CHILD_MAX_GRADE, build_notice, readability

CONTRACT_DIR = default_contract_dir()
PAYLOAD = "<script>alert('x')</script>"


def _edited_agreement(tmp_path: Path, old: str, new: str, file: str = "evaluation.odcs.yaml") -> Agreement:
    folder = tmp_path / "agreement"
    shutil.copytree(CONTRACT_DIR, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return Agreement.load(folder)


def test_adult_notice_has_every_dpup_part_in_order(agreement: Agreement) -> None:
    notice = build_notice(agreement, "adult")
    assert [s.key for s in notice.sections] == ["what", "why", "how", "choice", "law", "transparency"]
    text = notice.to_markdown()
    for purpose in agreement.purposes:
        c = agreement.for_purpose(purpose)
        assert c.recipient in text  # who receives each purpose's data
        assert c.purpose_statement in text
        assert c.retention in text
        for item in (*c.not_used_for, *c.not_seen_by):
            assert item in text
        for f in c.fields:
            assert f.adult_description in text
    assert agreement.for_purpose("evaluation").how_to_ask in text
    assert "whānau" in text  # macrons kept


def test_child_notice_uses_the_child_texts(agreement: Agreement) -> None:
    notice = build_notice(agreement, "child")
    text = notice.plain_text()
    for purpose in agreement.purposes:
        c = agreement.for_purpose(purpose)
        assert c.child_purpose_statement in text
        assert c.retention_child in text
        assert c.recipient_plain in text
        assert all(f.child_description in text for f in c.fields)
        assert c.purpose_statement not in text  # the adult wording stays out
    assert len(text.split()) < 500  # short


@pytest.mark.parametrize(("audience", "measure", "target"), [
    ("adult", "flesch_kincaid_grade", ADULT_MAX_GRADE),
    ("child", "spache", CHILD_MAX_GRADE),
])
def test_notices_meet_their_readability_targets(agreement: Agreement, audience: str, measure: str, target: float) -> None:
    score = readability(build_notice(agreement, audience))  # type: ignore[arg-type]
    assert score.measure == measure
    assert score.grade <= target, score.describe()
    assert score.meets_target
    assert score.words > 100


def test_readability_tells_hard_text_apart() -> None:
    hard = ("Notwithstanding the aforementioned considerations, the organisation's institutional obligations "
            "necessitate comprehensive documentation of administrative determinations. ") * 5
    assert not readability(hard, "adult").meets_target
    assert not readability(hard, "child").meets_target
    with pytest.raises(DpupEvalError):
        readability(hard)


def test_changing_the_agreement_changes_the_notice(agreement: Agreement, tmp_path: Path) -> None:
    old = "a small team at the agency whose job is to find out if programmes work"
    new = "three researchers in the agency's evaluation team"
    changed = _edited_agreement(tmp_path, old, new)
    for audience in ("adult", "child"):
        before = build_notice(agreement, audience).plain_text()  # type: ignore[arg-type]
        after = build_notice(changed, audience).plain_text()  # type: ignore[arg-type]
        assert old in before.lower() and old not in after.lower()
        assert new in after.lower()


def test_child_promise_about_decisions_follows_the_agreement(tmp_path: Path) -> None:
    changed = _edited_agreement(tmp_path, "      - decisions about any one family or person\n", "")
    text = build_notice(changed, "child").plain_text()
    assert "make choices about you" not in text


def test_html_is_standalone_printable_and_escaped(tmp_path: Path) -> None:
    changed = _edited_agreement(tmp_path, "To see if the programme helps your family",
                                f"To see if {PAYLOAD} helps your family")
    for audience in ("adult", "child"):
        notice = build_notice(changed, audience)  # type: ignore[arg-type]
        page = notice.to_html()
        assert "<script" not in page
        if audience == "child":
            assert "&lt;script&gt;" in page
        assert "@media print" in page
        assert not re.search(r"https?://|<link|src=|@import", page)
        md = notice.to_markdown()
        assert "<script" not in md
    assert "&lt;script&gt;" in build_notice(changed, "child").to_markdown()


def test_unknown_audience_is_refused(agreement: Agreement) -> None:
    with pytest.raises(DpupEvalError, match="audience"):
        build_notice(agreement, "teen")  # type: ignore[arg-type]
