"""The question put to a family about their story: every choice, in words adults and children can read."""

from __future__ import annotations

import pytest

from dpup_eval.rights.notices import readability
from dpup_eval.rights.stories.levels import LEVELS, consent_question, level_words

PROVIDER = "City Centre Social Services"
EVALUATORS = "a small team at the agency whose job is to find out if programmes work"


@pytest.mark.parametrize("audience", ["adult", "child"])
def test_the_question_meets_its_readers_level(audience: str) -> None:
    question = consent_question(audience, provider=PROVIDER, programme="Best foot forward", evaluators=EVALUATORS)
    score = readability(question)
    assert score.meets_target, score.describe()
    assert score.words > 60  # a real text was scored, not an empty one


@pytest.mark.parametrize("audience", ["adult", "child"])
def test_every_choice_is_put_in_order_in_the_family_s_words(audience: str) -> None:
    question = consent_question(audience, provider=PROVIDER, programme="Best foot forward", evaluators=EVALUATORS)
    [choices] = [s for s in question.sections if s.key == "choice"]
    texts = [text for _, text in choices.blocks[0].items]
    assert texts == [level_words(level, audience, provider=PROVIDER, evaluators=EVALUATORS) for level in LEVELS]
    assert all("CCSS" in texts[i] for i in (0, 4))  # the provider as the contracts name it
    html = question.to_html()
    assert all(t.replace("'", "&#39;") in html for t in texts)


def test_the_adult_question_names_the_evaluation_team_and_the_tender() -> None:
    text = consent_question("adult", provider=PROVIDER, programme="Work Ready", evaluators="the Labour Market "
                            "evaluation team").plain_text()
    assert "the Labour Market evaluation team" in text and "tender" in text and "Work Ready" in text
    assert "take your story back" in text and "cannot take it out of a report that is already out" in text
