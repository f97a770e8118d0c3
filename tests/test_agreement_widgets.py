"""The Agreement page's callbacks without a browser: three participants review, one declines, answers, sign.

The session is built as a page's kernel builds it (``prepare_workshop`` + ``open_session``), with a copy of
the demo programme (signing writes the agreed version into it) and a fresh workshop record per test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_workshop_widgets import base_session, prepared  # noqa: F401  (the shared session fixtures)

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.agreement.programme import Programme
from dpup_eval.workshop import WorkshopStore
from dpup_eval.workshop.session import WorkshopSession, ensure_workshop
from dpup_eval.workshop.widgets_agreement import agreement_page
from dpup_eval.workshop.widgets_join import JoinPanel

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
def session(base_session: WorkshopSession, tmp_path: Path) -> Iterator[WorkshopSession]:  # noqa: F811 (a fixture)
    folder = tmp_path / "programme"
    shutil.copytree(default_contract_dir(), folder)
    programme = Programme.load(folder)
    store = WorkshopStore(tmp_path / "record.sqlite")
    workshop = ensure_workshop(store, "Agreement review", "the draft agreement", programme)
    yield dataclasses.replace(base_session, programme=programme, store=store, workshop=workshop, folder=tmp_path,
                              participant=None)
    store.close()


def as_person(session: WorkshopSession, name: str, role: str) -> WorkshopSession:
    """The same workshop seen from another participant's page (each page is its own session)."""
    other = dataclasses.replace(session, participant=None)
    panel = JoinPanel(other)
    panel.name.value, panel.role.value = name, role
    panel.on_join()
    assert other.participant is not None
    return other


def ok(message_value: str) -> bool:
    return "dpup-message-ok" in message_value


def test_explained_field_by_field(session: WorkshopSession) -> None:
    page = agreement_page(session, poll=False)
    shown = page.parts["board"].explained.value
    # Purpose terms, from the demo contracts' own words.
    assert "the team at the agency that pays CCSS to run the programme" in shown
    assert "judging how well the programme works for families (that is the evaluation&#x27;s job)" in shown
    assert "the agency&#x27;s evaluation team" in shown and "quarterly" in shown
    # Each field: role words, identifying words, and its measures or "not used by any measure".
    assert "Quasi-identifier: with other such fields it could help pick someone out" in shown
    assert "not used by any measure" in shown
    goals_row = shown.split("<th scope=\"row\">Goals achieved</th>")[1].split("</tr>")[0]
    assert "not used by any measure" not in goals_row
    hints = page.parts["board"].hints.value
    assert "Evaluation: Date finished is an exact date: would the month (or the quarter) do?" in hints
    assert "Evaluation: Ethnic groups is not used by any measure: is it needed?" in hints


def test_three_participants_review_decline_answer_and_sign(session: WorkshopSession) -> None:
    mere = as_person(session, "Mere", "family_member")
    sam = as_person(session, "Sam", "provider_staff")
    aroha = as_person(session, "Aroha", "agency_staff")
    pages = {who: agreement_page(s, poll=False) for who, s in (("mere", mere), ("sam", sam), ("aroha", aroha))}

    views = pages["mere"].parts["views"]
    views.subject.value = ("evaluation", "feedback")
    views.view.value, views.reason.value = "dont_collect", f"Our words are ours. {PAYLOAD}"
    views.on_give()
    assert ok(views.message.value)
    board = pages["mere"].parts["board"]
    assert "Don&#x27;t collect 1" in board.explained.value and "<script>" not in board.explained.value

    mere_propose = pages["mere"].parts["proposals"]
    mere_propose.kind.value = "decline"
    mere_propose.subject.value = ("evaluation", "feedback")
    mere_propose.on_submit()
    assert "provider" in mere_propose.message.value and not ok(mere_propose.message.value)

    sam_propose = pages["sam"].parts["proposals"]
    sam_propose.kind.value = "decline"
    sam_propose.subject.value = ("evaluation", "feedback")
    sam_propose.reason.value = "We will not ask families for this."
    sam_propose.on_submit()
    assert ok(sam_propose.message.value)

    answers = pages["aroha"].parts["answers"]
    answers.refresh()
    assert answers.proposal.options[0][0].startswith("#1 The provider declines: Feedback in their own words")
    answers.answer.value, answers.note.value = "accepted", "Agreed: stories come through the story register."
    answers.on_send()
    assert ok(answers.message.value)

    sign_sam, sign_aroha = pages["sam"].parts["sign"], pages["aroha"].parts["sign"]
    sign_sam.on_make()
    assert ok(sign_sam.message.value)
    assert "Feedback in their own words no longer sent for evaluation" in sign_sam.message.value
    for panel, role in ((sign_sam, "Service manager"), (sign_aroha, "Senior advisor")):
        panel.state.refresh()
        panel.role.value, panel.on_date.value = role, dt.date(2026, 3, 2)
        panel.on_sign()
        assert ok(panel.message.value), panel.message.value
    assert "now the agreement in use" in sign_aroha.message.value
    in_use = Agreement.load(session.programme.folder).for_purpose("evaluation")
    assert in_use.version == "2.0.0" and not in_use.has_field("feedback")
    pages["mere"].parts["board"].state.refresh()
    versions = pages["mere"].parts["board"].versions.value
    assert "Version 2 (evaluation 2.0.0, service reporting 1.0.0): agreed by both sides; this is the agreement in use" \
        in versions
    assert "Signed for the provider by Service manager on 2026-03-02" in versions
    # Today's data was checked against evaluation 1.0.0 when the workshop started: now flagged.
    (session.folder / "check-report.json").write_text(
        '{"report": {"purpose": "evaluation", "contract_version": "1.0.0"}}', encoding="utf-8")
    pages["mere"].parts["board"].state.refresh()
    assert ("the evaluation data was checked against version 1.0.0 of the agreement; the agreement is now version "
            "2.0.0") in pages["mere"].parts["board"].warning.value


def test_a_family_member_cannot_sign_or_answer(session: WorkshopSession) -> None:
    mere = as_person(session, "Mere", "family_member")
    page = agreement_page(mere, poll=False)
    propose = page.parts["proposals"]
    propose.kind.value, propose.subject.value = "coarsen", ("evaluation", "exit_date")
    propose.to.value = "month"
    propose.on_submit()
    assert ok(propose.message.value)
    page.parts["answers"].refresh()
    page.parts["answers"].on_send()
    assert "give your view" in page.parts["answers"].message.value
    sign = page.parts["sign"]
    sign.role.value = "Parent"
    sign.on_sign()
    assert "provider" in sign.message.value and not ok(sign.message.value)


def test_nothing_without_joining(session: WorkshopSession) -> None:
    page = agreement_page(session, poll=False)
    page.parts["views"].on_give()
    assert "join the workshop first" in page.parts["views"].message.value
