"""Who makes the claim: each attribution form, in English, Ukrainian and Russian."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.extract import Draft

DraftText = Callable[..., list[Draft]]  # the ``drafts`` fixture (tests/conftest.py)


def claimant(drafts: DraftText, text: str) -> str:
    (draft,) = drafts(text)
    return draft.claimant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "According to the Kharkiv regional prosecutor, 23 civilians were killed.",
            "Kharkiv regional prosecutor",
        ),
        ("Regional governor Oleh Synehubov said 23 civilians were killed.", "Oleh Synehubov"),
        ("23 civilians were killed, Oleh Synehubov said.", "Oleh Synehubov"),
        (
            "The Institute for the Study of War estimates that 1,300 Russian troops died.",
            "Institute for the Study of War",
        ),
        ("Mediazona has put the toll at 1,300 Russian soldiers killed.", "Mediazona"),
        ("An analysis by the Oryx team counted 1,300 Russian soldiers killed.", "Oryx team"),
        ("Oleh Synehubov, the regional governor, said 23 civilians were killed.", "Oleh Synehubov"),
        ("“Twenty-three civilians were killed,” said Oleh Synehubov.", "Oleh Synehubov"),
        (
            "За даними Генштабу ЗСУ, загинули 1 300 російських військових.",
            "General Staff of the Armed Forces of Ukraine",
        ),
        ("Голова ОВА Олег Синєгубов заявив, що загинули 23 цивільні.", "Олег Синєгубов"),
        ("Загинули 23 цивільні, повідомив голова ОВА Олег Синєгубов.", "Олег Синєгубов"),
        ("По данным «Медиазоны», погибли 1 300 российских военных.", "Mediazona"),
        ("Губернатор Вячеслав Гладков заявил, что погибли 23 мирных жителя.", "Вячеслав Гладков"),
        ("Погибли 23 мирных жителя, сообщил губернатор Вячеслав Гладков.", "Вячеслав Гладков"),
    ],
)
def test_the_claimant_comes_from_the_attribution(
    drafts: DraftText, text: str, expected: str
) -> None:
    assert claimant(drafts, text) == expected


def test_the_innermost_source_is_the_claimant_and_the_outer_one_a_caveat(
    drafts: DraftText,
) -> None:
    text = (
        "The Moscow Times says that according to the Russian defence ministry, "
        "4,120 Russian soldiers died."
    )
    (draft,) = drafts(text)
    assert draft.claimant == "Russian Ministry of Defence"
    assert "Reported by Moscow Times." in draft.caveats


def test_a_figure_the_article_gives_after_according_to_keeps_the_nearer_source(
    drafts: DraftText,
) -> None:
    text = (
        "Ukrainian officials estimate that 900 Russian troops are lost every day, "
        "according to the Institute for the Study of War."
    )
    (draft,) = drafts(text)
    assert draft.claimant == "Ukrainian officials"
    assert "Reported by Institute for the Study of War." in draft.caveats


def test_a_pronoun_stands_for_the_person_named_before(drafts: DraftText) -> None:
    text = (
        "Oleh Synehubov, the governor of Kharkiv region, spoke on Sunday.\n\n"
        "He said 23 civilians were killed in the city."
    )
    assert claimant(drafts, text) == "Oleh Synehubov"


def test_a_quotation_is_credited_to_whoever_the_paragraph_before_introduces(
    drafts: DraftText,
) -> None:
    text = "Natalia Humeniuk wrote:\n\n“In the past week 37 civilians were killed in the south.”"
    assert claimant(drafts, text) == "Natalia Humeniuk"


def test_a_sentence_that_names_the_source_after_the_figure_credits_it(drafts: DraftText) -> None:
    text = "За минулу добу загинули 11 мирних жителів. Про це повідомив голова ОВА Іван Федоров."
    assert claimant(drafts, text) == "Іван Федоров"


def test_an_official_figure_is_credited_to_the_side_s_own_source(drafts: DraftText) -> None:
    assert claimant(drafts, "The official Russian toll stands at 1,351 soldiers killed.") == (
        "Russian Ministry of Defence"
    )


def test_with_no_source_the_author_is_the_claimant_and_a_caveat_says_so(
    drafts: DraftText,
) -> None:
    (draft,) = drafts("At least 40 soldiers died in the battle for the bridge.")
    assert draft.claimant == "Test Author"
    assert "The article gives no source for this figure." in draft.caveats


def test_a_tally_by_someone_is_credited_to_them(drafts: DraftText) -> None:
    text = "The fighting has killed 5,210 soldiers, according to a tally by the Associated Press."
    assert claimant(drafts, text) == "Associated Press"


def test_a_source_named_after_a_closing_comma_is_the_claimant(drafts: DraftText) -> None:
    assert claimant(drafts, "A strike on a bus killed 12 people, police said.") == "police"


def test_a_source_citing_another_is_credited_to_the_one_cited(drafts: DraftText) -> None:
    text = "The newspaper, citing Pentagon officials, wrote that 70,000 soldiers had died."
    assert claimant(drafts, text) == "Pentagon officials"
