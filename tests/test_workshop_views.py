"""Three views of one workshop (issue 12, problems 2, 3 and 9): participant, facilitator, room.

Callbacks are driven without a browser, as in test_workshop_widgets (whose fixtures these reuse).
Expected counts in the room view are worked out by hand from the views given in each test.
"""

# ruff: noqa: F811  (fixtures imported from the sibling module are parameters here)
from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime

import pytest
from test_workshop_widgets import _join, _propose, _tree, base_session, prepared, session  # noqa: F401

from dpup_eval.workshop import DEFAULT_ROLES, Participant, View
from dpup_eval.workshop.code_limits import CodeCheck, WrongCodeLimiter
from dpup_eval.workshop.pages import facilitator_page, room_page, success_measures_page
from dpup_eval.workshop.room import NOT_ENOUGH, RoomView, group_views_words, views_by_group
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_views import ProposalsList

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _people(*roles: str) -> list[Participant]:
    return [Participant(i, 1, f"P{i}", role, NOW) for i, role in enumerate(roles, start=1)]


def _views(*pairs: tuple[int, str]) -> list[View]:
    return [View(k, 7, pid, view, "", NOW) for k, (pid, view) in enumerate(pairs, start=1)]


def test_counts_by_group_only_from_three_people_of_that_group() -> None:
    people = _people("family_member", "family_member", "family_member", "agency_staff", "agency_staff",
                     "provider_staff")  # fmt: skip
    views = _views(
        (1, "support"), (2, "support"), (3, "concern"), (4, "support"), (5, "support"), (6, "not_sure")
    )
    groups = {g.group: g for g in views_by_group(views, people, DEFAULT_ROLES)}
    assert list(groups) == ["family", "provider", "agency"]  # "other" only when someone of it spoke
    assert groups["family"].counts == {"support": 2, "not_sure": 0, "concern": 1}
    assert groups["agency"].counts is None and groups["provider"].counts is None  # 2 and 1 people
    assert group_views_words(groups.values()) == [
        "Family members: Support 2, Not sure 0, Concern 1",
        f"Provider staff: {NOT_ENOUGH}",
        f"Agency staff: {NOT_ENOUGH}",
    ]
    # Two of the family have spoken: nothing about the family shows (it would say what each one thinks).
    two = {g.group: g for g in views_by_group(views[1:], people, DEFAULT_ROLES)}
    assert two["family"].counts is None and two["family"].words == NOT_ENOUGH


def test_room_view_counts_latest_views_by_group_without_names(session: WorkshopSession) -> None:
    family = [session.store.join(session.workshop.id, f"Kiri{k}", "family_member") for k in range(3)]
    agency = session.store.join(session.workshop.id, "Agency person", "agency_staff")
    pid = _propose(session, agency.id, label="Not counting moves")
    room = RoomView(session)
    assert "Suggestion 1: Not counting moves" in room.body.value
    assert f"Family members: {NOT_ENOUGH}" in room.body.value
    session.store.give_view(pid, family[0].id, "concern")
    session.store.give_view(pid, family[1].id, "support")
    session.store.give_view(pid, agency.id, "support")
    room.refresh()
    assert f"Family members: {NOT_ENOUGH}" in room.body.value  # two people: not yet
    session.store.give_view(pid, family[2].id, "support")
    session.store.give_view(pid, family[0].id, "support")  # changed her mind: only her latest view counts
    room.refresh()
    assert "Family members: Support 3, Not sure 0, Concern 0" in room.body.value
    assert f"Agency staff: {NOT_ENOUGH}" in room.body.value
    assert "On today&#x27;s data: " in room.body.value and "Kiri" not in room.body.value
    assert "Agency person" not in room.body.value


def test_every_suggestion_shows_its_result_to_everyone(session: WorkshopSession) -> None:
    mere = session.store.join(session.workshop.id, "Mere", "provider_staff")
    _propose(session, mere.id, label="Not counting moves")
    _join(session, "Aroha")  # someone else's page
    card = next(iter(ProposalsList(session).cards.values()))
    shown = card.result.value
    suggestion = session.evaluate_overall(
        session.proposal_indicator(session.store.proposals(session.workshop.id)[0])
    )
    agreed = session.evaluate_overall(session.indicators.indicator("finished"))
    (mine,) = suggestion.select(grouping="", period=None)
    now = agreed.select(grouping="", period=None)[0]  # the measure's first definition, as it stands
    assert mine.definition_label == "Not counting moves" and not mine.suppressed
    assert "This suggestion on today&#x27;s data: " in shown and "The measure as it stands: " in shown
    assert shown.index("This suggestion") < shown.index("The measure as it stands")
    for finding in (mine, now):  # its own result and the agreed one, each as published (rounded counts)
        assert f"{round(finding.estimate * 100)}%" in shown
    counts = [int(n) for n in re.findall(r"of about (\d+) people", shown)]
    assert counts and all(n % 3 == 0 for n in counts)  # published, rounded counts only


def test_participant_page_has_no_facilitator_controls(session: WorkshopSession) -> None:
    page = success_measures_page(dataclasses.replace(session, facilitator_code="ABCD-EFGH"), poll=False)
    assert set(page.parts) == {"join", "board", "proposals", "agreed", "form", "findings", "switcher", "now"}
    states = "\n".join(json.dumps(widget.get_state(), default=str) for widget in _tree(page.root))
    assert "Facilitator code" not in states and "Record the decision" not in states
    assert "facilitator.ipynb" not in states


def test_facilitator_page_opens_with_the_code_only(session: WorkshopSession) -> None:
    coded = dataclasses.replace(session, facilitator_code="ABCD-EFGH")
    page = facilitator_page(coded, poll=False)
    gate, decisions = page.parts["gate"], page.parts["decisions"]
    tools = page.root.children[-1]
    assert tools.layout.display == "none"
    gate.code.value = "ABCD-EFGX"
    gate.on_open()
    assert tools.layout.display == "none" and "not the facilitator code" in gate.message.value
    gate.code.value = " abcd-efgh "
    gate.on_open()
    assert tools.layout.display is None and gate.code.value == "" and decisions.code.layout.display == "none"
    page.parts["join"].name.value, page.parts["join"].role.value = "Facilitator", "provider_staff"
    page.parts["join"].on_join()
    decisions.refresh()  # what the page's poller does once the join is in the record
    decisions.measure.value = "finished"
    next(b for b in decisions.choices.children if b.key == "keep").value = True
    decisions.on_record()  # no code typed again
    assert len(coded.store.decisions(coded.workshop.id)) == 1, decisions.message.value
    # Participants read what was agreed (not the form): their page's list follows the record.
    participant = success_measures_page(coded, poll=False)
    assert "Finished the programme: agreed to keep it as written." in participant.parts["agreed"].value


def test_facilitator_codes_on_the_page_count_against_the_device_limit(
    session: WorkshopSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate and the decision form ask the workshop's limiter, as the Stories page does (they compared
    the code themselves: guesses through the facilitator page were never limited)."""
    asked: list[str] = []
    limiter = WrongCodeLimiter(allowed=3, window=60, pause=60)

    def ask(typed: str) -> bool:
        asked.append(typed)
        return limiter.check("this phone", typed, "ABCD-EFGH")

    monkeypatch.setattr(CodeCheck, "from_environment", classmethod(lambda cls, *a, **k: ask))
    coded = dataclasses.replace(session, facilitator_code="ABCD-EFGH")
    page = facilitator_page(coded, poll=False)
    gate, tools = page.parts["gate"], page.root.children[-1]
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
        gate.code.value = guess
        gate.on_open()
        assert "not the facilitator code" in gate.message.value
    gate.code.value = "ABCD-EFGH"  # the right code, but this device is paused now
    gate.on_open()
    assert tools.layout.display == "none" and "wait" in gate.message.value.lower()
    assert len(asked) == 4
    decisions = page.parts["decisions"]
    decisions.code.value = "ABCD-EFGH"
    page.parts["join"].name.value, page.parts["join"].role.value = "Facilitator", "provider_staff"
    page.parts["join"].on_join()
    decisions.refresh()
    decisions.measure.value = "finished"
    next(b for b in decisions.choices.children if b.key == "keep").value = True
    decisions.on_record()
    assert len(asked) == 5 and coded.store.decisions(coded.workshop.id) == []  # still paused: nothing recorded


def test_room_page_builds_whole(session: WorkshopSession) -> None:
    page = room_page(session, poll=False)
    assert "dpup-projector" in page.root._dom_classes and "room" in page.parts
    assert "Came to most sessions" in page.parts["room"].body.value


def test_the_participant_page_evaluates_its_findings_part_only_when_it_is_shown(session: WorkshopSession) -> None:
    """Most of a participant page's start went on findings nobody had opened yet (issue 12: fast join)."""
    ledger = session.disclosure().ledger
    assert ledger is not None
    page = success_measures_page(session, poll=False)
    panel, switcher = page.parts["findings"], page.parts["switcher"]
    channels = [r.channel for r in ledger.releases()]
    assert panel.findings is None and "Findings page" not in channels  # nothing evaluated, nothing released
    panel.refresh()  # the room's decisions changed: still nothing while the part is not shown
    assert panel.findings is None
    switcher.choice.value = "Findings"  # a person opens the part
    assert panel.findings is not None and panel.measure.value is not None
    assert [r.channel for r in ledger.releases()][len(channels):] == ["Findings page"]
    assert panel.chart.outputs  # drawn now that it can be seen
