"""Every workshop page callback, without a browser: set a widget's value, call its handler, check the result.

The session is built the way a page's kernel builds it: from the files the server writes once
(``prepare_workshop``), read through the environment, with a fresh workshop record per test.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import ipywidgets as w
import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.ledger import Ledger
from dpup_eval.workshop import WorkshopStore
from dpup_eval.workshop.measure_options import group_choices, measure_options, options_for_kind
from dpup_eval.workshop.pages import findings_page, success_measures_page
from dpup_eval.workshop.report import chosen_findings, finding_key, workshop_report_html
from dpup_eval.workshop.server import WorkshopConfig, prepare_workshop
from dpup_eval.workshop.session import WorkshopSession, ensure_workshop, indicator_for_proposal, open_session
from dpup_eval.workshop.widgets_base import Message, PageWatch, Poller, set_options, text_html, ticked
from dpup_eval.workshop.widgets_decide import KEEP, DecisionForm
from dpup_eval.workshop.widgets_findings import SIDE_BY_SIDE, FindingsPanel, show_figure
from dpup_eval.workshop.widgets_join import JoinPanel
from dpup_eval.workshop.widgets_measures import MeasureCard, MeasuresBoard
from dpup_eval.workshop.widgets_propose import NEW, ProposalForm
from dpup_eval.workshop.widgets_views import ProposalsList

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> WorkshopConfig:
    config = WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(),
                                    folder=tmp_path_factory.mktemp("workshop"), port=8999)
    prepare_workshop(config, say=lambda _: None)
    return config


@pytest.fixture(scope="module")
def base_session(prepared: WorkshopConfig) -> WorkshopSession:
    return open_session(prepared.kernel_env())


@pytest.fixture
def session(base_session: WorkshopSession, tmp_path: Path) -> WorkshopSession:
    """The module's data and agreement with a fresh, empty workshop record."""
    store = WorkshopStore(tmp_path / "record.sqlite")
    workshop = ensure_workshop(store, "Test workshop", "demo data", base_session.programme)
    ledger = Ledger(tmp_path / "releases.sqlite")  # each test starts with nothing released
    guard = DisclosureGuard(base_session.contract, ledger=ledger)
    fresh = dataclasses.replace(
        base_session, store=store, workshop=workshop, folder=tmp_path, participant=None, guard=guard
    )
    yield fresh
    store.close()
    ledger.close()


def _join(session: WorkshopSession, name: str, role: str = "family_member") -> JoinPanel:
    panel = JoinPanel(session)
    panel.name.value, panel.role.value = name, role
    panel.on_join()
    return panel


def _is_error(message: Message) -> bool:
    return "dpup-message-error" in message.value


# --- the session and the server's files ------------------------------------------------------------


def test_kernel_data_has_no_references_or_free_text(base_session: WorkshopSession) -> None:
    columns = set(base_session.data.columns)
    assert not columns & {"participant_ref", "family_ref", "feedback"}
    assert {"programme_status", "enrolment_quarter"} <= columns


def test_open_session_outside_the_workshop_says_how_to_start_it() -> None:
    with pytest.raises(Exception, match="dpup-eval workshop"):
        open_session({})


# --- joining ---------------------------------------------------------------------------------------


def test_join_records_a_participant_and_hides_the_form(session: WorkshopSession) -> None:
    panel = _join(session, "Aroha")
    assert panel.participant_id > 0 and session.participant.display_name == "Aroha"
    assert panel.form.layout.display == "none"
    assert "You are taking part as Aroha" in panel.joined.value


def test_join_needs_a_name(session: WorkshopSession) -> None:
    panel = _join(session, "   ")
    assert panel.participant_id == 0 and _is_error(panel.message)


def test_same_name_same_role_carries_on_other_role_is_refused(session: WorkshopSession) -> None:
    first = _join(session, "Mere", "provider_staff")
    again = _join(session, "mere", "provider_staff")
    assert again.participant_id == first.participant_id
    other = _join(session, "Mere", "agency_staff")
    assert other.participant_id == 0 and "already joined" in other.message.value


def test_a_name_is_shown_as_text(session: WorkshopSession) -> None:
    panel = _join(session, "<b>Bo</b>")
    assert "&lt;b&gt;Bo&lt;/b&gt;" in panel.joined.value and "<b>" not in panel.joined.value


# --- the measures board ----------------------------------------------------------------------------


def test_board_shows_each_measure_with_a_live_result(session: WorkshopSession) -> None:
    board = MeasuresBoard(session)
    assert len(board.cards) == len(session.indicators.indicators)
    for card in board.cards:
        assert "[Result:" in card.result.value or "not shown" in card.result.value


def test_changing_a_threshold_updates_the_result(session: WorkshopSession) -> None:
    card = MeasureCard(session, session.indicators.indicator("attendance"))
    before = card.result.value
    assert card.threshold.value == 0.75 and card.suggest.layout.display == "none"
    card.threshold.value = 0.25
    assert card.result.value != before
    assert card.suggest.layout.display is None


def test_choosing_another_definition_moves_the_slider(session: WorkshopSession) -> None:
    card = MeasureCard(session, session.indicators.indicator("attendance"))
    card.choice.value = "half"
    assert card.threshold.value == 0.5
    finished = MeasureCard(session, session.indicators.indicator("finished"))
    assert finished.threshold.layout.display == "none"  # a category success has no level


def test_suggesting_a_level_needs_a_participant_then_proposes_it(session: WorkshopSession) -> None:
    notified = []
    card = MeasureCard(
        session, session.indicators.indicator("attendance"), on_proposed=lambda: notified.append(1)
    )
    card.threshold.value = 0.6
    card.on_suggest()
    assert _is_error(card.message) and not session.store.proposals(session.workshop.id)
    _join(session, "Aroha")
    card.on_suggest()
    (proposal,) = session.store.proposals(session.workshop.id)
    assert proposal.indicator_id == "attendance" and proposal.definition["definition"]["threshold"] == 0.6
    assert "60%" in proposal.label and notified == [1]


# --- the guided proposal form ---------------------------------------------------------------------


def test_form_offers_plain_words_not_field_names(session: WorkshopSession) -> None:
    form = ProposalForm(session)
    words = " ".join(label for label, _ in form.success.options)
    assert "programme_status" not in words and "Where they are up to" in words
    assert "Not ready yet" not in form.preview.value and "%" in form.preview.value


def test_form_prefills_from_the_measure_and_builds_a_checked_definition(session: WorkshopSession) -> None:
    form = ProposalForm(session)
    form.measure.value = "finished"
    assert form.success.value == "category:programme_status"
    boxes = {b.key: b for b in form.group_boxes["programme_status"]}
    assert boxes["moved"].value and not boxes["enrolled"].value
    boxes["moved"].value = False
    body = form.definition()
    include = body["definition"]["include"]
    assert {"field": "programme_status", "op": "in", "value": ["completed", "withdrew"]} in include
    assert body["definition"]["success"] == [{"field": "programme_status", "op": "eq", "value": "completed"}]
    assert body["target"] == 0.7
    assert form.indicator().kind == "proportion"


def test_form_threshold_and_preview_follow_the_answers(session: WorkshopSession) -> None:
    form = ProposalForm(session)
    form.measure.value = "parent_confidence_improved"
    assert form.success.value == "change:confidence_pre:confidence_post" and form.threshold.value == 2
    before = form.preview.value
    form.threshold.value = 8
    assert form.preview.value != before and "went up by at least 8 points" in form.threshold_words.value
    assert "Also kept as written" not in form.kept_filters.value or "Parent" not in form.kept_filters.value


def test_form_refuses_nobody_included(session: WorkshopSession) -> None:
    _join(session, "Aroha")
    form = ProposalForm(session)
    for box in form.group_boxes["region"]:
        box.value = False
    assert "Not ready yet" in form.preview.value
    form.on_submit()
    assert _is_error(form.message) and "Region" in form.message.value
    assert not session.store.proposals(session.workshop.id)


def test_form_submits_a_new_measure(session: WorkshopSession) -> None:
    notified = []
    _join(session, "Aroha")
    form = ProposalForm(session, on_proposed=lambda: notified.append(1))
    form.measure.value = NEW
    form.on_submit()
    assert "give the new measure a name" in form.message.value
    form.new_name.value = "Goals mostly reached"
    form.success.value = "ratio:goals_achieved:goals_set"
    form.threshold.value = 0.75
    form.reason.value = PAYLOAD
    form.on_submit()
    (proposal,) = session.store.proposals(session.workshop.id)
    assert proposal.indicator_id is None and proposal.reason == PAYLOAD and notified == [1]
    indicator = indicator_for_proposal(session.indicators, proposal)
    assert indicator.id == f"new-{proposal.id}" and indicator.definitions[0].threshold == 0.75
    assert form.proposed == 1 and form.reason.value == ""


def test_form_for_a_median_keeps_the_measure(session: WorkshopSession) -> None:
    form = ProposalForm(session)
    form.measure.value = "sessions_attended"
    assert form.success.layout.display == "none" and form.target.layout.display == "none"
    assert "stays as agreed" in form.fixed_measure.value
    assert form.definition()["definition"]["field"] == "sessions_attended"
    form.indicator()  # valid


def test_measure_options_suit_the_kind(session: WorkshopSession) -> None:
    options = measure_options(session.contract, session.indicators)
    assert {o.style for o in options_for_kind(options, "improved")} == {"change"}
    assert "change" not in {o.style for o in options_for_kind(options, "proportion")}
    assert options_for_kind(options, "median") == []
    assert [g.field for g in group_choices(session.contract)] == [
        "participant_type",
        "region",
        "programme_status",
    ]


# --- suggestions and views -------------------------------------------------------------------------


def _propose(session: WorkshopSession, participant_id: int, label: str = "Not counting moves") -> int:
    definition = session.indicators.indicator("finished").definition("finished_not_counting_moves")
    body = {"definition": {**definition.model_dump(mode="json", exclude_none=True), "label": label}}
    proposal = session.store.propose(
        session.workshop.id,
        participant_id,
        indicator_id="finished",
        label=label,
        definition=body,
        reason=PAYLOAD,
    )
    return proposal.id


def test_new_suggestions_and_views_appear_on_refresh_as_text(session: WorkshopSession) -> None:
    listing = ProposalsList(session)
    assert "No suggestions yet" in listing.children[0].value
    other = session.store.join(session.workshop.id, "Mere", "provider_staff")
    pid = _propose(session, other.id, label=PAYLOAD)
    listing.refresh()
    card = listing.cards[pid]
    assert (
        "&lt;img src=x" in card.about.value
        and "<img" not in card.about.value
        and "<script" not in card.about.value
    )
    assert "Suggested by Mere (Provider staff)" in card.about.value
    session.store.give_view(pid, other.id, "concern", PAYLOAD)
    listing.refresh()
    assert "Concern: 1" in card.counts.value and "Support: 0" in card.counts.value
    assert "&lt;script&gt;" in card.comments.value and "<script" not in card.comments.value


def test_giving_a_view(session: WorkshopSession) -> None:
    author = session.store.join(session.workshop.id, "Mere", "provider_staff")
    pid = _propose(session, author.id)
    listing = ProposalsList(session)
    card = listing.cards[pid]
    card.on_send()
    assert _is_error(card.message)  # not joined
    _join(session, "Aroha")
    card.on_send()
    assert "support, not sure or concern" in card.message.value
    card.view.value, card.comment.value = "support", "Fair to families"
    card.on_send()
    (view,) = session.store.views(pid)
    assert view.view == "support" and view.comment == "Fair to families" and card.comment.value == ""


# --- decisions -------------------------------------------------------------------------------------


def test_recording_a_decision_with_dissent(session: WorkshopSession) -> None:
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    pid = _propose(session, mere.id)
    _join(session, "Aroha")
    decided = []
    form = DecisionForm(session, on_decided=lambda: decided.append(1))
    form.measure.value = "finished"
    keys = [b.key for b in form.choices.children]
    assert keys == [KEEP, pid]
    form.on_record()
    assert "tick what was agreed" in form.message.value
    for box in form.choices.children:
        box.value = True
    form.on_record()
    assert "not both" in form.message.value
    form.choices.children[0].value = False
    assert len(form.present.children) == 2 and all(b.value for b in form.present.children)
    next(b for b in form.dissenters.children if b.key == mere.id).value = True
    form.dissent.value = "Moving can mean it went wrong"
    form.code.value = session.facilitator_code or ""
    form.on_record()
    (decision,) = session.store.decisions(session.workshop.id)
    assert decision.proposal_ids == (pid,) and decision.dissenters == (mere.id,)
    assert "Disagreed: Mere." in form.decisions.value and "Moving can mean" in form.decisions.value
    assert decided == [1] and form.dissent.value == ""


def test_only_the_facilitator_records_a_decision(session: WorkshopSession) -> None:
    session = dataclasses.replace(session, facilitator_code="ABCD-EFGH")
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    pid = _propose(session, mere.id)
    _join(session, "Aroha")
    form = DecisionForm(session)
    form.measure.value = "finished"
    next(b for b in form.choices.children if b.key == pid).value = True
    for typed in ("", "ABCD-EFGX"):
        form.code.value = typed
        form.on_record()
        assert _is_error(form.message) and "only the facilitator" in form.message.value
        assert session.store.decisions(session.workshop.id) == []
    form.code.value = " abcd-efgh "
    form.on_record()
    assert not _is_error(form.message) and len(session.store.decisions(session.workshop.id)) == 1
    assert form.code.value == ""  # not left on a shared screen


def test_decision_lists_follow_the_record(session: WorkshopSession) -> None:
    form = DecisionForm(session)
    assert form.present.children == ()
    session.store.join(session.workshop.id, "Mere", "provider_staff")
    form.refresh()
    assert [b.description for b in form.present.children] == ["Mere"]
    new = session.store.propose(
        session.workshop.id, session.store.participants(session.workshop.id)[0].id, indicator_id=None,
        label="Kept coming", definition={"definition": {}, "indicator": {"name": "Kept coming"}}, reason="",
    )  # fmt: skip
    form.refresh()
    assert f"new-{new.id}" in [v for _, v in form.measure.options]


# --- polling ---------------------------------------------------------------------------------------


def test_poller_redraws_only_on_change_and_survives_a_broken_listener(session: WorkshopSession) -> None:
    poller = Poller(session.store, session.workshop.id)
    calls = []
    poller.on_change(lambda: 1 / 0)
    poller.on_change(lambda: calls.append(1))
    assert poller.check() is False and calls == []
    session.store.join(session.workshop.id, "Mere", "provider_staff")
    assert poller.check() is True and calls == [1]
    assert poller.check() is False


def test_polling_loop_beats_while_waiting_and_stops_when_the_page_closes(session: WorkshopSession) -> None:
    import asyncio

    class Watch:
        waiting = True
        looks = 0

        def __call__(self) -> bool:
            self.looks += 1
            self.waiting = self.looks < 3
            return self.looks < 5

    watch = Watch()
    poller = Poller(session.store, session.workshop.id, interval=0.001, alive=watch, alive_every=2)
    asyncio.run(asyncio.wait_for(poller._run(), timeout=10))  # returns once the page is reported closed
    assert watch.looks == 5 and poller._pulse is not None and poller._pulse.value == "4"


def test_page_watch_stops_after_two_empty_looks() -> None:
    watch = PageWatch(None, None, None)
    assert watch() and watch.connections() is None  # no server: count as open
    counts = iter([0, 0, 0, 1, 0, 1, 0, 0])
    watch.connections = lambda: next(counts)  # type: ignore[method-assign]
    assert watch() and watch() and watch()  # never connected yet (waiting in the pool): open
    assert watch() and watch() and watch() and watch() and not watch()


# --- findings, readings, report ------------------------------------------------------------------


def test_findings_panel_switches_views_and_definitions(session: WorkshopSession) -> None:
    panel = FindingsPanel(session)
    labels = [label for label, _ in panel.measure.options]
    assert all(label.startswith("Not agreed yet: ") for label in labels)
    assert panel.measure.value == "finished" and panel.definition.value == "finished_of_left"
    assert "application/vnd.plotly.v1+json" in panel.chart.outputs[0]["data"]
    assert "Quarter started" in panel.readings.value
    panel.view.value = "group"
    assert panel.grouping.layout.display is None and "Region: Auckland" in panel.readings.value
    panel.definition.value = SIDE_BY_SIDE
    assert panel.chart.outputs and panel.include.disabled
    panel.view.value = "target"
    assert len(panel.selected()) == 2
    assert panel.finding.value is not None


def test_agreed_measures_come_first(session: WorkshopSession) -> None:
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    pid = _propose(session, mere.id, label="Not counting moves")
    panel = FindingsPanel(session)
    session.store.decide(session.workshop.id, indicator_id="finished", proposal_ids=[pid], present=[mere.id],
                         recorded_by=mere.id)  # fmt: skip
    session.store.decide(session.workshop.id, indicator_id="attendance", proposal_ids=[], present=[mere.id],
                         recorded_by=mere.id)  # fmt: skip
    panel.refresh()
    labels = [label for label, _ in panel.measure.options]
    assert labels[:2] == ["Agreed: Finished the programme", "Agreed: Came to most sessions"]
    assert panel.definition.options[0][1] == f"p{pid}"
    assert "Not counting moves" in panel.definition.options[0][0]


def test_a_page_opened_before_the_decision_moves_to_the_agreed_measure(session: WorkshopSession) -> None:
    """Pages are started before anyone opens them; the one opened after the decision showed a measure
    nobody agreed (seen on a programme whose first measure was not the one decided)."""
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    waiting, looking = FindingsPanel(session), FindingsPanel(session)
    assert waiting.measure.value == looking.measure.value == "finished"  # the first measure, before any decision
    looking.measure.value = "finished"  # unchanged: not a choice
    other = [v for _, v in looking.measure.options if v not in ("finished", "attendance")][0]
    looking.measure.value = other  # a person picks one
    session.store.decide(session.workshop.id, indicator_id="attendance", proposal_ids=[], present=[mere.id],
                         recorded_by=mere.id)  # fmt: skip
    waiting.refresh()
    looking.refresh()
    assert waiting.measure.value == "attendance"
    assert looking.measure.value == other  # what a person chose stays


def test_adding_a_reading_and_choosing_for_the_report(session: WorkshopSession) -> None:
    written = []
    panel = FindingsPanel(session, on_written=lambda: written.append(1))
    panel.interpretation.value = PAYLOAD
    panel.on_save()
    assert _is_error(panel.message)
    panel.include.value = not panel.include.value
    assert _is_error(panel.message) and session.store.report_choices(session.workshop.id) == {}
    _join(session, "Aroha")
    panel.view.value = "group"
    panel.on_save()
    (reading,) = session.store.interpretations(session.workshop.id)
    assert reading.text == PAYLOAD and reading.finding_key["group"] and written == [1]
    assert "&lt;img" in panel.interpretations.value and "<img" not in panel.interpretations.value
    panel.include.value = False
    panel.include.value = True
    choices = session.store.report_choices(session.workshop.id)
    assert list(choices.values()) == [True]


def test_exporting_the_report(session: WorkshopSession) -> None:
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    _join(session, "Aroha")
    session.store.decide(session.workshop.id, indicator_id="finished", proposal_ids=[], present=[mere.id],
                         dissenters=[mere.id], dissent=PAYLOAD, recorded_by=mere.id)  # fmt: skip
    panel = FindingsPanel(session)
    panel.interpretation.value = "Looks steady " + PAYLOAD
    panel.on_save()
    panel.on_export()
    assert "Open the workshop report" in panel.report_link.value
    html = panel.report_path.read_text(encoding="utf-8")
    assert "Disagreed: Mere." in html and "&lt;img src=x" in html and "<img src=x" not in html
    assert "Looks steady" in html and "Plotly.newPlot" in html and "\"displayModeBar\": false" in html
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"\b[PF]-[0-9A-F]{8}\b", html)


def test_report_findings_default_to_the_agreed_and_respect_choices(session: WorkshopSession) -> None:
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    findings = session.evaluate_full([i for i, _ in session.agreed_indicators()])
    everything = chosen_findings(session, findings)
    assert {f.indicator for f in everything} == {i.id for i in session.indicators.indicators}
    session.store.decide(session.workshop.id, indicator_id="attendance", proposal_ids=[], present=[mere.id],
                         recorded_by=mere.id)  # fmt: skip
    agreed = chosen_findings(session, findings)
    assert {f.indicator for f in agreed} == {"attendance"}
    session.store.choose_for_report(session.workshop.id, mere.id, "finding", finding_key(agreed[0]), False)
    assert agreed[0] not in chosen_findings(session, findings)
    assert "What was decided" in workshop_report_html(session, findings)


# --- pages and the safety net ---------------------------------------------------------------------


def test_pages_build_whole_and_send_no_row_level_data(session: WorkshopSession) -> None:
    measures = success_measures_page(session, poll=False)
    found = findings_page(session, poll=False)
    assert set(measures.parts) == {"join", "board", "proposals", "agreed", "form", "findings", "switcher", "now"}
    assert "findings" in found.parts and "dpup-page" in measures.root._dom_classes
    states = [
        json.dumps(widget.get_state(), default=str) for widget in _tree(measures.root) + _tree(found.root)
    ]
    assert len(states) > 100
    everything = "\n".join(states)
    assert "Parents feel more confident" in everything
    assert not re.search(r"\b[PF]-[0-9A-F]{8}\b", everything)
    counts = [int(n) for n in re.findall(r"(?:of about|only about|\(|; )(\d+) people", everything)]
    assert counts and min(counts) >= 6


def test_the_participant_page_is_built_from_far_fewer_models(session: WorkshopSession) -> None:
    """Each model is serialised by the kernel, passed on by Voila and built by the browser of every person
    who joins. Before layouts and styles were shared until changed (shared_models.py) this page opened 440
    models, 286 of them layouts and styles."""
    from ipywidgets.widgets.widget import _instances  # every open model (Widget.widgets is deprecated)

    before = set(_instances)
    success_measures_page(session, poll=False)
    new = [m for k, m in _instances.items() if k not in before]
    looks = [m for m in new if isinstance(m, (w.Layout, w.Style))]
    assert len(new) < 230 and len(looks) < 45, (len(new), len(looks))


def test_safe_text_helpers() -> None:
    assert (
        text_html(("p", PAYLOAD))
        == "<p>"
        + PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        + "</p>"
    )
    drop = w.Dropdown(options=[("a", 1)])
    drop.value = None
    set_options(drop, [("b", 2), ("c", 3)])
    assert drop.value == 2
    set_options(drop, [("c", 3), ("b", 2)])
    assert drop.value == 2
    out = w.Output()
    import plotly.graph_objects as go

    show_figure(out, go.Figure(go.Scatter(x=[1], y=[1])))
    assert list(out.outputs[0]["data"]) == ["application/vnd.plotly.v1+json"]


def _tree(widget: w.Widget) -> list[w.Widget]:
    """A widget and every widget under it (what the page sends to the browser)."""
    found = [widget]
    for name in widget.keys:
        value = getattr(widget, name)
        for item in value if isinstance(value, tuple | list) else [value]:
            if isinstance(item, w.Widget) and item is not widget:
                found += _tree(item)
    return found


def test_pages_join_the_workshop_the_server_started_not_the_latest(prepared: WorkshopConfig, tmp_path: Path) -> None:
    """A PostgreSQL record may hold several workshops at once: the server tells its pages which is theirs."""
    from datetime import date

    from dpup_eval.workshop.session import ENV

    env = prepared.kernel_env() | {ENV["db"]: str(tmp_path / "shared.sqlite")}
    with WorkshopStore(env[ENV["db"]]) as store:
        ours = store.create_workshop("Ours", date(2026, 11, 20), "demo", "c").id
        store.create_workshop("Another facilitator's", date(2026, 11, 20), "demo", "c")
    assert open_session(env | {ENV["workshop"]: str(ours)}).workshop.name == "Ours"
    assert open_session(env).workshop.name == "Another facilitator's"  # without it: the latest, as before


def test_report_keeps_exactly_the_ticked_measures(session: WorkshopSession) -> None:
    """Ticking one other measure must not drop the agreed one the box still shows ticked (issue 12, 1)."""
    mere = _join(session, "Mere", "provider_staff").session.participant
    session.store.decide(session.workshop.id, indicator_id="attendance", proposal_ids=[], present=[mere.id],
                         recorded_by=mere.id)  # fmt: skip
    panel = FindingsPanel(session)
    panel.measure.value = "attendance"
    assert panel.include.value is True  # the agreed measure shows ticked
    panel.measure.value = "finished"
    assert panel.include.value is False
    panel.include.value = True  # the room adds one other measure
    panel.measure.value = "attendance"
    assert panel.include.value is True  # ... and the agreed one still shows ticked
    shown = {f.indicator for f in chosen_findings(session, panel.findings)}
    assert shown == {"attendance", "finished"}
    html = workshop_report_html(session, panel.findings)
    assert "<h3>Came to most sessions" in html and "<h3>Finished the programme" in html
    unticked = (panel.measure.value, panel.definition.value)
    panel.include.value = False  # unticking a definition takes out that one only
    kept = {(f.indicator, f.definition) for f in chosen_findings(session, panel.findings)}
    assert unticked not in kept and "finished" in {indicator for indicator, _ in kept}


def test_a_list_of_people_keeps_its_ticks_when_someone_joins() -> None:
    """The decision forms (Success measures and Stories) rebuild their lists of people as the room grows."""
    import ipywidgets as w

    from dpup_eval.workshop.widgets_base import keep_ticked

    present, against = w.VBox(), w.VBox()
    keep_ticked(present, [("Aroha", 1), ("Ben", 2)], value=True)
    keep_ticked(against, [("Aroha", 1), ("Ben", 2)], value=False)
    present.children[1].value = False  # Ben left the room
    against.children[0].value = True  # Aroha disagreed
    keep_ticked(present, [("Aroha", 1), ("Ben", 2), ("Cho", 3)], value=True)
    keep_ticked(against, [("Aroha", 1), ("Ben", 2), ("Cho", 3)], value=False)
    assert [(b.description, b.key, b.value) for b in present.children] == [
        ("Aroha", 1, True), ("Ben", 2, False), ("Cho", 3, True)]  # fmt: skip
    assert [(b.key, b.value) for b in against.children] == [(1, True), (2, False), (3, False)]
    # Ben's box was ticked in the browser just as Dee joined: the tick reaches the box the browser showed,
    # after the list changed. It must still be Ben's box in the form (the same widget), not a box removed.
    shown = against.children[1]
    keep_ticked(against, [("Aroha", 1), ("Ben", 2), ("Cho", 3), ("Dee", 4)], value=False)
    shown.value = True
    assert [(b.key, b.value) for b in against.children] == [(1, True), (2, True), (3, False), (4, False)]
    keep_ticked(against, [("Aroha", 1), ("Ben (he/him)", 2), ("Dee", 4)], value=False)  # renamed, one gone
    assert [(b.description, b.value) for b in against.children] == [
        ("Aroha", True), ("Ben (he/him)", True), ("Dee", False)]  # fmt: skip


def test_a_decision_keeps_its_ticks_when_the_room_changes(session: WorkshopSession) -> None:
    """The facilitator ticks a suggestion and a dissenter while someone joins and someone else suggests:
    the ticks (even one still on its way from the browser) are in the decision recorded."""
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    pid = _propose(session, mere.id)
    _join(session, "Tui")
    form = DecisionForm(session)
    form.measure.value = "finished"
    suggestion = next(b for b in form.choices.children if b.key == pid)
    against_mere = next(b for b in form.dissenters.children if b.key == mere.id)
    suggestion.value = True
    session.store.join(session.workshop.id, "Aroha", "family_member")  # the room grows ...
    later = _propose(session, mere.id, "Counting only those who stayed")  # ... and another suggestion arrives for the same measure
    form.refresh()
    against_mere.value = True  # the tick the browser sent before it drew the new list
    assert [b.key for b in form.choices.children] == [KEEP, pid, later]
    assert ticked(form.choices.children) == [pid]
    form.code.value = session.facilitator_code or ""
    form.on_record()
    (decision,) = session.store.decisions(session.workshop.id)
    assert decision.proposal_ids == (pid,) and decision.dissenters == (mere.id,)
    form.measure.value = next(v for _, v in form.measure.options if v != "finished")
    assert ticked(form.choices.children) == []  # another measure starts with nothing ticked
