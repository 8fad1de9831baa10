"""The text stage: how a question's words and numbers arrive at the matcher and the search."""

from __future__ import annotations

import pytest

from bot.text import (
    cyrillic_key,
    detect_language,
    normal_form,
    normal_forms,
    normalise,
    parse_numbers,
    parse_years,
    token_variants,
    tokenize,
    translit_key,
)


def test_normalising_folds_case_apostrophes_months_and_spelled_out_fractions() -> None:
    assert normalise("Russia’s U.S. losses in February") == "russias us losses in feb"
    assert normalise("100k, a quarter of a million") == "100 k, 250000"
    assert normalise("Пів мільйона втрат") == "500000 втрат"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Скільки загинуло?", "uk"), ("Сколько погибло?", "ru"), ("How many died?", "en")],
)
def test_the_language_of_a_question_is_told_by_its_letters(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_inflected_cyrillic_words_share_one_form_and_latin_words_stay() -> None:
    assert normal_form("загинуло", "uk") == normal_form("загинули", "uk") == "загинути"
    assert normal_form("погибло", "ru") == normal_form("погибли", "ru")
    assert normal_form("bakhmut", "ru") == "bakhmut"


def test_tokens_keep_thousands_together_and_decimals_as_decimals() -> None:
    assert tokenize("9,861 killed, 1.5 million") == ["9861", "killed", "1.5", "million"]
    assert tokenize("Скільки росіян загинуло в Бахмуті?") == [
        "скільки",
        "росіянин",
        "загинути",
        "в",
        "бахмут",
    ]


def test_cyrillic_stored_text_is_tokenised_as_both_ukrainian_and_russian() -> None:
    assert token_variants("загиблих") == [["загиблий"], ["загибл"]]
    assert token_variants("soldiers died") == [["soldiers", "died"]]


def test_vocabulary_words_reach_every_form_a_question_may_bring() -> None:
    assert normal_forms(["втрати", "потери"]) == {"втрат", "втрата", "потер", "потера"}


def test_unstressed_vowel_misspellings_share_a_cyrillic_key() -> None:
    assert cyrillic_key("салдат") == cyrillic_key("солдат")
    assert cyrillic_key("расийских") == cyrillic_key("российских")


def test_transliterations_of_one_word_share_a_latin_key() -> None:
    assert translit_key("rossiyskih") == translit_key("rossiiskikh") == translit_key("российских")
    assert translit_key("zahynulo") == translit_key("загинуло")


def test_numbers_a_question_names_include_scaled_ranges_and_bare_millions() -> None:
    assert parse_numbers(tokenize("80-100 thousand or half a million in 2023")) == {
        80_000,
        100_000,
        500_000,
    }
    assert parse_numbers(tokenize("мільйон втрат")) == {1_000_000}
    assert parse_numbers(tokenize("one soldier killed")) == set()


def test_years_a_question_names_are_plausible_years_only() -> None:
    assert parse_years(tokenize("between 2022 and 2024, 1800 or 50000")) == {2022, 2024}
