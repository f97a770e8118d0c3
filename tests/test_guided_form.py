"""The guided form a parent can follow (issue 12, problem 7), without a browser.

- Success is an outcome: never a count of service ("Sessions offered") nor a baseline ("Parenting
  confidence at the start"); those field roles come from the demo's contract, read by hand.
- One question per field: "Where they are up to" is asked once (success, not success, or left out),
  not as two sets of the same four boxes meaning opposite things.
- Sliders say their unit: a share reads as a percent; points are in words ("1 point", "2 points").
- A new measure's suggestion goes by the name it was given.
"""

# ruff: noqa: F811  (fixtures imported from the sibling module are parameters here)
from __future__ import annotations

from test_workshop_widgets import _join, _tree, base_session, prepared, session  # noqa: F401

from dpup_eval.workshop.measure_options import measure_options
from dpup_eval.workshop.room import RoomView
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_measures import MeasuresBoard
from dpup_eval.workshop.widgets_propose import NEW, ProposalForm
from dpup_eval.workshop.widgets_success import LEAVE_OUT, NOT_SUCCESS, SUCCESS
from dpup_eval.workshop.widgets_views import ProposalsList

# From data_contracts/best_foot_forward/evaluation.odcs.yaml: service_delivery fields, and the "before"
# of the confidence and wellbeing changes in indicators.yaml.
NOT_SUCCESS_WORDS = ("Sessions offered", "Sessions attended", "Parenting confidence at the start")


def _shown(widget: object) -> bool:
    return getattr(widget.layout, "display", None) != "none"


def _visible_descriptions(root: object) -> list[str]:
    """Descriptions of the controls a person can see (a hidden box hides everything inside it)."""
    seen: list[str] = []

    def walk(widget: object) -> None:
        if not _shown(widget):
            return
        if getattr(widget, "description", ""):
            seen.append(widget.description)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(root)
    return seen


def test_only_outcomes_count_as_success(session: WorkshopSession) -> None:
    words = [o.words for o in measure_options(session.contract, session.indicators)]
    assert not [w for w in words if w in NOT_SUCCESS_WORDS], words
    # A count of service is still usable inside a ratio, and a baseline inside a change.
    assert "Sessions attended, out of sessions offered" in words
    assert any(w.startswith("Change in parenting confidence") for w in words)
    form = ProposalForm(session)
    form.measure.value = NEW
    offered = [label for label, _ in form.success.options]
    assert not [w for w in offered if w in NOT_SUCCESS_WORDS], offered


def test_status_is_asked_once_with_three_answers(session: WorkshopSession) -> None:
    form = ProposalForm(session)
    form.measure.value = "finished"
    assert form.choice is not None
    rows = {row.key: row for row in form.choice.rows}
    assert set(rows) == {"enrolled", "completed", "withdrew", "moved"}
    assert rows["completed"].value == SUCCESS and rows["withdrew"].value == NOT_SUCCESS
    assert rows["enrolled"].value == LEAVE_OUT  # the measure is about people who have stopped coming
    assert not _shown(form.group_sections["programme_status"])  # not asked a second time
    shown = _visible_descriptions(form)
    labels = [label for label, _ in form.choice.rows[0].options]
    assert len(labels) == 3
    moved_label = rows["moved"].description
    assert shown.count(moved_label) == 1, shown  # one control for "moved", not two
    rows["moved"].value = LEAVE_OUT
    body = form.definition()["definition"]
    assert body["success"] == [{"field": "programme_status", "op": "eq", "value": "completed"}]
    assert {"field": "programme_status", "op": "in", "value": ["completed", "withdrew"]} in body["include"]
    assert body["phrase"] == session.indicators.indicator("finished").definitions[0].phrase
    rows["withdrew"].value = SUCCESS
    body = form.definition()["definition"]
    assert body["success"] == [{"field": "programme_status", "op": "in", "value": ["completed", "withdrew"]}]
    assert "phrase" not in body  # success changed: the measure's own words no longer fit
    # Another success rule: the status is asked under "who is included" again, as tick boxes.
    form.measure.value = "attendance"
    assert form.choice is None and _shown(form.group_sections["programme_status"])


def test_sliders_say_their_unit(session: WorkshopSession) -> None:
    form = ProposalForm(session)
    form.measure.value = "parent_confidence_improved"
    assert form.threshold.readout is False  # no bare "2" beside the slider
    form.threshold.value = 1
    assert "went up by at least 1 point" in form.threshold_words.value
    assert "1 points" not in form.threshold_words.value
    form.threshold.value = 3
    assert "went up by at least 3 points" in form.threshold_words.value
    form.measure.value = "attendance"
    assert form.threshold.readout is True and form.threshold.readout_format == ".0%"
    board = MeasuresBoard(session)
    card = board.card("parent_confidence_improved")
    assert card.threshold.readout is False
    assert "went up by at least 2 points" in card.level.value
    card.threshold.value = 1
    assert "went up by at least 1 point" in card.level.value and "1 points" not in card.level.value
    assert "at least 75%" in board.card("attendance").level.value


def test_a_new_measure_goes_by_its_name(session: WorkshopSession) -> None:
    _join(session, "Aroha")
    form = ProposalForm(session)
    form.measure.value = NEW
    form.new_name.value = "Goals mostly reached"
    form.success.value = "ratio:goals_achieved:goals_set"
    form.threshold.value = 0.75
    assert "Goals mostly reached" in form.preview.value
    form.on_submit()
    (proposal,) = session.store.proposals(session.workshop.id)
    assert proposal.label == "Goals mostly reached"
    card = next(iter(ProposalsList(session).cards.values()))
    assert "Suggestion 1: Goals mostly reached" in card.about.value
    assert "Goals mostly reached" in card.result.value
    assert "Suggestion 1: Goals mostly reached" in RoomView(session).body.value
