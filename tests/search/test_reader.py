"""The question reader's rules, each on its own: how one phrase is read in its context."""

from __future__ import annotations

import pytest

from bot.lexicon import MATCHER
from bot.search.reader import (
    Phrase,
    Speller,
    figures,
    in_source_position,
    is_agent,
    is_negated,
    is_pronoun_us,
    merge_killed_and_wounded,
    owner_of_source,
    place_names_side,
    qualifies_source,
    side_source,
)
from bot.text import detect_language, raw_tokens, tokenize


def phrase(question: str, word: str) -> Phrase:
    """The vocabulary phrase holding ``word`` (as written) in ``question``, in its context."""
    tokens, raw = tokenize(question), raw_tokens(question)
    hits = MATCHER.find(tokens)
    at = raw.index(word.casefold())
    position = next(i for i, hit in enumerate(hits) if hit.start <= at < hit.end)
    following = hits[position + 1] if position + 1 < len(hits) else None
    return Phrase(hits[position], tokens, raw, following, detect_language(question))


@pytest.mark.parametrize(
    ("question", "word", "negated"),
    [
        ("not the official figure", "official", True),
        ("без учёта раненых", "раненых", True),
        ("the official figure", "official", False),
    ],
)
def test_a_negation_before_a_phrase_turns_it_away(question: str, word: str, negated: bool) -> None:
    assert is_negated(phrase(question, word)) is negated


@pytest.mark.parametrize(
    ("question", "word", "agent"),
    [
        ("soldiers killed by Russia", "Russia", True),
        ("how many Russians has Ukraine killed", "Ukraine", True),
        ("скільки росіян вбила Україна", "Україна", True),
        ("скільки росіян вбила Україна", "росіян", False),
        ("скільки вбили росіян", "росіян", False),
        ("how many Russians were killed", "Russians", False),
    ],
)
def test_the_side_that_killed_is_the_agent(question: str, word: str, agent: bool) -> None:
    assert is_agent(phrase(question, word)) is agent


def test_lower_case_us_is_a_pronoun_and_us_in_capitals_the_country() -> None:
    assert is_pronoun_us(phrase("how many of us died", "us"), "how many of us died")
    assert not is_pronoun_us(phrase("how many US troops died", "US"), "how many US troops died")


def test_a_side_right_before_a_source_describes_the_source() -> None:
    assert qualifies_source(phrase("Ukrainian Mediazona figures", "Ukrainian"))
    assert not qualifies_source(phrase("Ukrainian soldiers killed", "Ukrainian"))


def test_british_data_names_the_uk_mod_as_the_source() -> None:
    assert side_source(phrase("according to British data", "British")) == "uk-mod"
    assert side_source(phrase("British soldiers killed", "British")) is None


@pytest.mark.parametrize(
    ("question", "names_side"),
    [
        ("how many soldiers has Ukraine lost", True),
        ("Russian soldiers killed in Ukraine", False),
        ("losses of Ukraine", False),
        ("Ukraine war losses", False),
    ],
)
def test_ukraine_lost_names_the_side_in_ukraine_names_the_place(
    question: str, names_side: bool
) -> None:
    assert place_names_side(phrase(question, "Ukraine"), has_measure=True) is names_side


def test_the_side_after_a_source_in_ukrainian_or_russian_owns_it() -> None:
    assert owner_of_source(phrase("по данным Генштаба России", "Генштаба")) == "russian"
    assert owner_of_source(phrase("Mediazona Russia figures", "Mediazona")) is None


@pytest.mark.parametrize(
    ("question", "start", "end", "source"),
    [
        ("according to Kofman how many died", 2, 3, True),
        ("what did the UN say", 3, 4, True),
        ("за даними Генштабу", 2, 3, True),
        ("Ukraine says 100,000 died", 0, 1, True),
        ("how many died in Kofman", 4, 5, False),
    ],
)
def test_a_source_stands_after_according_to_or_before_says(
    question: str, start: int, end: int, source: bool
) -> None:
    assert in_source_position(tokenize(question), start, end) is source


def test_killed_and_wounded_together_ask_for_casualties() -> None:
    assert merge_killed_and_wounded({"killed", "wounded"}) == {"casualties"}
    assert merge_killed_and_wounded({"killed"}) == {"killed"}


def test_a_day_next_to_a_month_is_not_a_quoted_figure() -> None:
    tokens = tokenize("were 1,200 killed on 7 October?")
    assert figures(tokens, MATCHER.find(tokens)) == {1200}


def test_a_typo_reads_the_same_however_often_it_is_asked_and_the_memory_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    speller = Speller(frozenset({"ammunition", "shelters"}))
    assert speller.correct("amunition") == "ammunition"
    assert speller.correct("amunition") == "ammunition"  # remembered, and still right
    assert speller.correct("sheltres") == "shelters"
    monkeypatch.setattr("bot.search.reader.CORRECTIONS_KEPT", 2)
    for nonsense in ("qwzx", "zzxq", "xqzw"):
        assert speller.correct(nonsense) == nonsense
    assert len(speller._corrected) <= 2
