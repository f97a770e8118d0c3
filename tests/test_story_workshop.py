"""Stories in the workshop, without a browser: what the page shows, marks, the room's choice, the report.

Which family allowed what is set by hand below; every expectation follows from it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.rights.stories.register import StoryRegister
from dpup_eval.rights.stories.settings import StorySettings
from dpup_eval.rights.stories.sharing import story_check
from dpup_eval.rights.uses import UseRegister
from dpup_eval.workshop import WorkshopStore
from dpup_eval.workshop.pages import stories_page
from dpup_eval.workshop.report import workshop_report_html, write_workshop_report
from dpup_eval.workshop.server import WorkshopConfig, prepare_workshop
from dpup_eval.workshop.session import WorkshopSession, ensure_workshop, open_session
from dpup_eval.workshop.stories import STORIES_ENV, record_report_uses, workshop_stories
from dpup_eval.workshop.widgets_join import JoinPanel

PAYLOAD = '<img src=x onerror="alert(1)">'
ATTACK = "Whaea Losa Tuilagi rang Mere Tipene on 021 555 0199 (NHI ZZZ0016); CCSS-00002 feels strong now."
SECRETS = ("Losa", "Tuilagi", "Mere", "Tipene", "021 555 0199", "ZZZ0016", "CCSS-0000")
#: (family, domain, words, how far the family allowed it)
STORIES = [
    ("CCSS-00001", "parent_confidence", "I stopped yelling and started listening.", "workshop"),
    ("CCSS-00002", "parent_confidence", ATTACK, "report"),
    ("CCSS-00003", "parent_confidence", "Only for the evaluators to read.", "evaluation"),
    ("CCSS-00004", "children_wellbeing", "The kids sleep through the night.", "tender"),
    ("CCSS-00005", "children_wellbeing", "Shared, then taken back.", "report"),
]


@pytest.fixture(scope="module")
def base_session(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> WorkshopSession:
    config = WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(),
                                    folder=tmp_path_factory.mktemp("workshop"), port=8998)
    prepare_workshop(config, say=lambda _: None)
    return open_session(config.kernel_env())


@pytest.fixture
def session(base_session: WorkshopSession, tmp_path: Path) -> WorkshopSession:
    store = WorkshopStore(tmp_path / "record.sqlite")
    workshop = ensure_workshop(store, "Stories workshop", "demo data", base_session.programme)
    yield dataclasses.replace(base_session, store=store, workshop=workshop, folder=tmp_path, participant=None,
                              facilitator_code="FACIL-1")
    store.close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A story register holding STORIES, each reviewed and chosen as listed; story 5 then withdrawn."""
    folder = default_contract_dir()
    agreement, settings = Agreement.load(folder), StorySettings.load(folder)
    check = story_check(agreement, settings)
    register = StoryRegister(tmp_path / "stories.sqlite", audit=tmp_path / "audit.jsonl")
    for family, domain, text, level in STORIES:
        story = register.record(family_ref=family, told_on=date(2025, 3, 4), domain=domain, text=text,
                                settings=settings, check=check)
        register.review(story.id, approve=True, family_saw=True)
        register.choose(story.id, level, asked_with="adult", how="in_person", given_on=date(2025, 3, 11))
    register.withdraw(5, asked_with="adult", how="phone", given_on=date(2025, 4, 1))
    return {STORIES_ENV: str(tmp_path / "stories.sqlite")}


def _join(session: WorkshopSession, name: str) -> None:
    panel = JoinPanel(session)
    panel.name.value = name
    panel.on_join()


def _page_text(page) -> str:
    return page.parts["board"].view.value + "".join(str(o) for o in page.parts["marks"].story.options)


def test_the_page_shows_only_workshop_stories_made_safe(session, env) -> None:
    page = stories_page(session, poll=False, environ=env)
    text = _page_text(page)
    for shown in ("stopped yelling", "feels strong now", "sleep through the night"):
        assert shown in text
    assert "Only for the evaluators" not in text and "taken back" not in text
    for secret in SECRETS:
        assert secret not in text, secret
    assert [v for _, v in page.parts["marks"].story.options] == [1, 2, 4]


def test_marks_need_a_participant_and_a_reason_and_are_shown_escaped(session, env) -> None:
    page = stories_page(session, poll=False, environ=env)
    marks = page.parts["marks"]
    marks.story.value, marks.reason.value = 2, "It sounds like my house " + PAYLOAD
    marks.on_mark()
    assert "join the workshop first" in marks.message.value
    _join(session, "Aroha")
    marks.reason.value = "  "
    marks.on_mark()
    assert "own words" in marks.message.value
    marks.reason.value = "It sounds like my house " + PAYLOAD
    marks.on_mark()
    board = page.parts["board"].view.value
    assert "Matters most to Aroha: It sounds like my house &lt;img" in board and "<img" not in board


def test_the_room_s_choice_needs_the_facilitator_and_keeps_dissent(session, env) -> None:
    page = stories_page(session, poll=False, environ=env)
    _join(session, "Aroha")
    session.store.join(session.workshop.id, "Hemi", "provider_staff")
    choice = page.parts["choice"]
    choice.refresh()
    choice.story.value, choice.reasons.value = 2, "It shows a parent finding their feet"
    choice.code.value = "WRONG"
    choice.on_record()
    assert "only the facilitator" in choice.message.value
    for box in choice.dissenters.children:
        box.value = box.key == "Hemi"
    choice.dissent.value, choice.code.value = "Story 1 says more about the whole whānau", "facil-1"
    choice.on_record()
    assert "story 2 is the room&#x27;s choice" in choice.message.value
    assert not any(box.value for box in choice.dissenters.children)  # the next choice starts without dissent
    board = page.parts["board"].view.value
    assert "Story 2 – the room&#x27;s most significant story" in board
    assert "Disagreed: Hemi. Story 1 says more" in board


def test_the_report_holds_only_chosen_stories_the_family_allowed_to_publish(session, env, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(STORIES_ENV, env[STORIES_ENV])
    stories = workshop_stories(session)
    assert stories is not None
    room = stories.room
    room.select(1, reasons="It made the room go quiet", present=["Aroha"], recorded_by="Facilitator")  # workshop only
    room.select(4, reasons="Children come first", present=["Aroha"], recorded_by="Facilitator")  # tender (> report)
    findings = session.evaluate_full([session.indicators.indicators[0]])
    html = workshop_report_html(session, findings)
    assert "The kids sleep through the night." in html and "Children come first" in html
    assert "stopped yelling" not in html and "It made the room go quiet" not in html
    room.select(2, reasons="A parent finding their feet", present=["Aroha"], dissenters=["Hemi"],
                dissent="Too close to home", recorded_by="Facilitator")  # the latest choice for the domain
    html = workshop_report_html(session, findings)
    assert "feels strong now" in html and "Disagreed: Hemi. What was said: Too close to home" in html
    for secret in SECRETS:
        assert secret not in html, secret
    uses = UseRegister(tmp_path / "uses.sqlite")
    assert record_report_uses(stories, tmp_path / "report.html", uses) == [2, 4]
    assert [u.stories for u in uses.list()] == [[2, 4]]
    assert write_workshop_report(session, findings, tmp_path / "reports").is_file()


def test_the_findings_page_shows_the_chosen_story_beside_a_measure_of_its_domain(session, env, monkeypatch) -> None:
    from dpup_eval.workshop.widgets_findings import FindingsPanel

    monkeypatch.setenv(STORIES_ENV, env[STORIES_ENV])
    workshop_stories(session).room.select(2, reasons="A parent finding their feet", present=["Aroha"],
                                          recorded_by="Facilitator")
    panel = FindingsPanel(session)
    panel.measure.value = "parent_confidence_improved"  # indicators.yaml: domain parent_confidence
    assert "feels strong now" in panel.stories.value and "A parent finding their feet" in panel.stories.value
    assert "Confidence as a parent" in panel.stories.value
    panel.measure.value = "finished"  # no domain
    assert panel.stories.value == ""
    panel.measure.value = "child_wellbeing_change"  # a domain with no story chosen yet
    assert panel.stories.value == ""


def test_a_story_withdrawn_after_its_choice_leaves_the_page_and_the_report(session, env) -> None:
    stories = workshop_stories(session, env)
    stories.room.select(2, reasons="A parent finding their feet", present=["Aroha"], recorded_by="Facilitator")
    stories.room.register.withdraw(2, asked_with="adult", how="phone", given_on=date.today())
    assert stories.room.selected() == {} and [s.number for s in stories.room.stories()] == [1, 4]
    page = stories_page(session, poll=False, environ=env)
    assert "feels strong now" not in page.parts["board"].view.value
    with pytest.raises(Exception, match="not one the families allowed"):
        stories.room.mark(2, 1, "Aroha", "still want it")


def test_without_a_story_register_the_page_says_how_to_start(session) -> None:
    page = stories_page(session, poll=False, environ={})
    assert page.parts == {}
    assert "dpup-eval workshop --stories" in page.root.children[-1].value
