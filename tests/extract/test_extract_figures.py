"""Figures as written: separators, words, scales, ranges and qualifiers, in three languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.extract import Draft

DraftText = Callable[..., list[Draft]]  # the ``drafts`` fixture (tests/conftest.py)


def figures(drafts: DraftText, text: str, lang: str | None = None) -> list[object]:
    return [draft.figure for draft in drafts(text, lang=lang)]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("Officials said 12,430 soldiers were killed in the fighting.", 12430),
        ("Officials said 12 430 soldiers were killed in the fighting.", 12430),
        ("Officials said 1 250 000 soldiers were killed or wounded.", 1250000),
        ("За даними штабу, загинули 12.430 військових.", 12430),
        ("Officials said 2.5 million people had died.", 2500000),
        ("Officials said one million people had died.", 1000000),
        ("Officials said half a million people had died.", 500000),
        ("Officials said 40k soldiers had died.", 40000),
        ("За даними місії, загинули 17 тисяч цивільних.", 17000),
        ("За даними місії, загинули 17 тис. цивільних.", 17000),
        ("По данным миссии, погибли 1,2 млн человек.", 1200000),
        ("По данным миссии, погибли полмиллиона человек.", 500000),
        ("Officials said two soldiers were killed at the checkpoint.", 2),
    ],
)
def test_a_figure_is_read_whatever_its_separators_words_or_scale(
    drafts: DraftText, text: str, figure: int
) -> None:
    assert figures(drafts, text) == [figure]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("The agency said 30–40 thousand soldiers died there.", (30000, 40000)),
        ("The agency said between 3,000 and 4,500 soldiers died there.", (3000, 4500)),
        ("The agency said 3,000 to 4,500 soldiers died there.", (3000, 4500)),
        ("За оцінкою агенції, там загинули від 3 до 4,5 тисячі військових.", (3000, 4500)),
        ("По оценке агентства, там погибли 30-40 тыс. военных.", (30000, 40000)),
    ],
)
def test_a_range_is_one_figure_with_both_ends(
    drafts: DraftText, text: str, figure: tuple[int, int]
) -> None:
    assert figures(drafts, text) == [figure]


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("The ministry said more than 3,000 soldiers died.", "more than"),
        ("The ministry said over 3,000 soldiers died.", "more than"),
        ("The ministry said at least 3,000 soldiers died.", "at least"),
        ("The ministry said around 3,000 soldiers died.", "about"),
        ("The ministry said about 3,000 soldiers died.", "about"),
        ("The ministry said as many as 3,000 soldiers died.", "up to"),
        ("The ministry said up to 3,000 soldiers died.", "up to"),
        ("The ministry said fewer than 3,000 soldiers died.", "fewer than"),
        ("The ministry said 3,412 soldiers died.", "exact"),
        ("За даними міністерства, загинули понад 3 тисячі військових.", "more than"),
        ("За даними міністерства, загинули близько 3 тисяч військових.", "about"),
        ("За даними міністерства, загинули щонайменше 3 тисячі військових.", "at least"),
        ("За даними міністерства, загинули до 3 тисяч військових.", "up to"),
        ("По данным министерства, погибли свыше 3 тысяч военных.", "more than"),
        ("По данным министерства, погибли более 3 тысяч военных.", "more than"),
        ("По данным министерства, погибли около 3 тысяч военных.", "about"),
        ("По данным министерства, погибли не менее 3 тысяч военных.", "at least"),
    ],
)
def test_the_qualifier_before_a_figure_is_kept(
    drafts: DraftText, text: str, qualifier: str
) -> None:
    (draft,) = drafts(text)
    assert draft.qualifier == qualifier


def test_a_count_that_rose_to_a_figure_is_not_an_up_to_figure(drafts: DraftText) -> None:
    (draft,) = drafts("За даними ООН, кількість загиблих зросла до 412 осіб.")
    assert draft.figure == 412
    assert draft.qualifier != "up to"


def test_several_figures_in_one_sentence_are_drafted_in_order(drafts: DraftText) -> None:
    found = drafts("The army said 1,204 soldiers died and 3,310 were wounded near the river.")
    assert [(d.figure, d.measure) for d in found] == [(1204, "killed"), (3310, "wounded")]


def test_a_measure_word_between_two_figures_goes_to_the_one_it_stands_beside(
    drafts: DraftText,
) -> None:
    found = drafts("The strike killed 14 people and wounded 52, the governor said.")
    assert [(d.figure, d.measure) for d in found] == [(14, "killed"), (52, "wounded")]
