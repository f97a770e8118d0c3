"""The story register: consent levels, review of the made-safe words, rewording, withdrawal, history."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.rights.stories.levels import LEVELS
from dpup_eval.rights.stories.register import StoryError, StoryRegister
from dpup_eval.rights.stories.safety import GroupSizes, StoryCheck
from dpup_eval.rights.stories.settings import StorySettings

TOLD = date(2025, 3, 4)
ASKED = date(2025, 3, 11)
#: The demo's pseudonymous references, as its contracts define them (P-, F-, S- and eight hex digits).
REFERENCES = (re.compile(r"(?<![A-Za-z0-9])[PFS]-[0-9A-F]{8}(?![A-Za-z0-9])", re.IGNORECASE),)


@pytest.fixture(scope="module")
def settings() -> StorySettings:
    return StorySettings.load(default_contract_dir())


@pytest.fixture(scope="module")
def demo_agreement() -> Agreement:
    return Agreement.load(default_contract_dir())


@pytest.fixture
def check(demo_agreement: Agreement, settings: StorySettings) -> StoryCheck:
    """Group sizes counted by hand: a big Auckland group, a Waikato group of 3 (under k = 5)."""
    contract = demo_agreement.for_purpose("evaluation")
    data = pd.DataFrame({"region": ["Auckland"] * 40 + ["Waikato"] * 3 + ["Wellington"] * 12,
                         "age_band": ["25-34"] * 50 + ["55+"] * 5,
                         "participant_type": ["parent"] * 30 + ["child"] * 25})
    return StoryCheck(contracts=(contract,), references=REFERENCES,
                      sizes=GroupSizes.from_data(data, contract, "hand-made rows"),
                      watch_words=settings.watch_words)


@pytest.fixture
def register(record_target: str, tmp_path: Path) -> StoryRegister:
    return StoryRegister(record_target, audit=tmp_path / "audit.jsonl")


def _record(register: StoryRegister, settings: StorySettings, check: StoryCheck, text: str,
            family: str = "CCSS-00007", domain: str = "parent_confidence"):
    return register.record(family_ref=family, told_on=TOLD, domain=domain, text=text, settings=settings, check=check)


def _share(register: StoryRegister, story_id: int, level: str, on: date = ASKED) -> None:
    register.review(story_id, approve=True, family_saw=True)
    register.choose(story_id, level, asked_with="adult", how="in_person", given_on=on)


def test_a_new_story_stays_with_the_provider(register, settings, check) -> None:
    story = _record(register, settings, check, "I used to shout a lot. Now we talk it through at tea time.")
    assert story.level == "provider" and story.choice is None and not story.approved
    assert register.shared("evaluation") == []
    assert [s.id for s in register.stories()] == [story.id]  # the provider's own view
    with pytest.raises(StoryError, match="not shared"):
        register.shared("provider")


@pytest.mark.parametrize("level", LEVELS[1:])
def test_each_level_reaches_exactly_as_far_as_the_family_chose(register, settings, check, level) -> None:
    story = _record(register, settings, check, "My boy sleeps through now and so do I.")
    _share(register, story.id, level)
    reached = [lv for lv in LEVELS[1:] if register.shared(lv)]
    assert reached == list(LEVELS[1: LEVELS.index(level) + 1])


def test_a_choice_beyond_the_provider_needs_approved_words(register, settings, check) -> None:
    story = _record(register, settings, check, "We go to the park on Sundays now.")
    with pytest.raises(StoryError, match="have not been approved"):
        register.choose(story.id, "workshop", asked_with="adult", how="in_person", given_on=ASKED)
    register.choose(story.id, "provider", asked_with="adult", how="in_person", given_on=ASKED)  # always allowed
    register.review(story.id, approve=False)  # held back: still not allowed
    with pytest.raises(StoryError, match="have not been approved"):
        register.choose(story.id, "workshop", asked_with="adult", how="in_person", given_on=ASKED)


def test_held_back_after_approval_stops_sharing(register, settings, check) -> None:
    story = _record(register, settings, check, "We go to the park on Sundays now.")
    _share(register, story.id, "report")
    assert register.shared("report")
    register.review(story.id, approve=False)
    assert register.shared("evaluation") == []
    assert register.get(story.id).waiting_for() == ["the made-safe words of version 1 are held back"]


def test_rewording_keeps_history_and_asks_the_family_again(register, settings, check) -> None:
    story = _record(register, settings, check, "A long story about a hard year. We made it through together.")
    _share(register, story.id, "workshop")
    revised = register.revise(story.id, "We made it through together.", reason="shortened with the family",
                              with_family=True, check=check)
    assert [v.version for v in revised.versions] == [1, 2]
    assert revised.versions[0].original.startswith("A long story")  # the old words are kept
    assert revised.level == "provider" and register.shared("workshop") == []
    assert set(revised.waiting_for()) == {"the family has not chosen for the words of version 2 yet",
                                          "nobody has reviewed the made-safe words of version 2"}
    _share(register, story.id, "workshop", on=date(2025, 4, 1))
    shared = register.shared("workshop")
    assert [s.text for s in shared] == ["We made it through together."]
    assert len(register.get(story.id).consents) == 2  # the first choice stays in the history


def test_confirmation_keeps_the_first_date_and_moves_the_last(register, settings, check) -> None:
    story = _record(register, settings, check, "The group felt like whānau.", domain="whanau_connection")
    _share(register, story.id, "tender")
    confirmed = register.choose(story.id, "tender", asked_with="adult", how="phone", given_on=date(2025, 9, 1))
    assert [c.event for c in confirmed.consents] == ["chosen", "confirmed"]
    [shared] = register.shared("tender")
    assert (shared.chosen_on, shared.last_confirmed, shared.how) == (ASKED, date(2025, 9, 1), "phone")
    changed = register.choose(story.id, "workshop", asked_with="adult", how="phone", given_on=date(2025, 9, 2))
    assert changed.consents[-1].event == "changed" and register.shared("report") == []


def test_withdrawal_takes_the_story_out_of_everything_and_is_recorded(register, settings, check) -> None:
    story = _record(register, settings, check, "Our kids are happier at school.", domain="children_wellbeing")
    _share(register, story.id, "tender")
    withdrawn = register.withdraw(story.id, asked_with="adult", how="phone", given_on=date(2025, 5, 1),
                                  note="changed their mind")
    assert withdrawn.level == "withdrawn"
    assert all(register.shared(level) == [] for level in LEVELS[1:])
    assert [c.event for c in withdrawn.consents] == ["chosen", "withdrawn"]
    assert withdrawn.versions[0].original == "Our kids are happier at school."  # history kept
    with pytest.raises(StoryError, match="already withdrawn"):
        register.withdraw(story.id, asked_with="adult", how="phone", given_on=date(2025, 5, 2))


def test_identifiers_never_travel_but_the_original_is_kept(register, settings, check) -> None:
    text = ("Whaea Losa rang Mere on 021 555 0199 about her NHI ZZZ0016 and family F-1A2B3C4D; "
            "Mere says CCSS-00007 changed her life.")
    story = _record(register, settings, check, text)
    v = story.current
    assert v.original == text
    for value in ("Losa", "Mere", "021 555 0199", "ZZZ0016", "F-1A2B3C4D", "CCSS-00007"):
        assert value not in v.redacted
    assert v.removed["reference"] == 2 and v.removed["phone"] == 1 and v.removed["name"] >= 2
    _share(register, story.id, "tender")
    [shared] = register.shared("tender", check=check)
    assert "CCSS-00007" not in shared.model_dump_json() and "F-1A2B3C4D" not in shared.model_dump_json()
    assert "family_ref" not in shared.model_dump()


def test_the_audit_log_holds_numbers_not_words(register, settings, check, tmp_path) -> None:
    story = _record(register, settings, check, "Tama is doing much better at kura.")
    _share(register, story.id, "workshop")
    log = (tmp_path / "audit.jsonl").read_text("utf-8")
    assert "story.record" in log and "story.chosen" in log
    assert "Tama" not in log and "CCSS-00007" not in log and "kura" not in log


def test_small_groups_places_ages_and_watch_words_are_flagged(register, settings, check) -> None:
    story = _record(register, settings, check,
                    "We moved from Auckland to Huntly in the Waikato with our twins; my mum is 57 years old.")
    flags = {(f.kind, f.term) for f in story.current.flag_list}
    assert ("place", "Huntly") in flags
    assert ("small_group", "Waikato") in flags  # 3 people, under k = 5
    assert ("watch_word", "twins") in flags
    assert ("small_group", "57 years old") not in flags  # 55+: 5 people, not under k
    assert not any(f[1] == "Auckland" for f in flags)  # 40 people
    with pytest.raises(StoryError, match="could pick someone out"):
        register.review(story.id, approve=True)
    with pytest.raises(StoryError, match="check it with the family"):  # a reason alone is not enough
        register.review(story.id, approve=True, flags_reason="Huntly is where CCSS runs the group")
    approved = register.review(story.id, approve=True, family_saw=True,
                               flags_reason="Family agreed; Huntly is where CCSS runs the group, known to all who attend")
    assert approved.approved and approved.review.flags_reason.startswith("Family agreed")


def test_without_data_every_describing_mention_is_flagged(demo_agreement, settings) -> None:
    contract = demo_agreement.for_purpose("evaluation")
    unsized = StoryCheck(contracts=(contract,), watch_words=settings.watch_words)
    _, flags = unsized.make_safe("Life in Auckland with a 3 year old is busy.")
    assert {(f.kind, f.term) for f in flags} == {("group_size_unknown", "Auckland"),
                                                 ("group_size_unknown", "3 year old")}


def test_bad_input_is_refused_with_the_reason(register, settings, check) -> None:
    with pytest.raises(StoryError, match="looks like a name"):
        _record(register, settings, check, "Fine words.", family="Mere.Tipene@gmail.com")
    with pytest.raises(Exception, match="not one of this programme's domains"):
        _record(register, settings, check, "Fine words.", domain="housing")
    with pytest.raises(StoryError, match="empty"):
        _record(register, settings, check, "   ")
    with pytest.raises(StoryError, match="under 5000"):
        _record(register, settings, check, "word " * 1200)
    story = _record(register, settings, check, "Fine words.")
    with pytest.raises(StoryError, match="cannot be dated"):
        register.choose(story.id, "provider", asked_with="adult", how="in_person", given_on=date(2024, 1, 1))
    with pytest.raises(StoryError, match="how the family was asked"):
        register.choose(story.id, "provider", asked_with="adult", how="telepathy", given_on=ASKED)
    with pytest.raises(Exception, match="not a choice"):
        register.choose(story.id, "everyone", asked_with="adult", how="phone", given_on=ASKED)
    with pytest.raises(StoryError, match="no story number 99"):
        register.get(99)


def test_register_file_is_private(tmp_path, settings, check) -> None:
    path = tmp_path / "private" / "stories.sqlite"
    _record(StoryRegister(path), settings, check, "Fine words.")
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700


def test_flags_round_trip_as_json(register, settings, check) -> None:
    story = _record(register, settings, check, "A refugee family like ours found friends here.")
    assert json.loads(json.dumps(story.current.flags))[0]["kind"] == "watch_word"
