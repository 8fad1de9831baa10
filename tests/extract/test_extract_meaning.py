"""What a figure counts: measure, whose losses (the victim, not the doer), whom, where, rate."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain import counted
from bot.extract import Draft

DraftText = Callable[..., list[Draft]]  # the ``drafts`` fixture (tests/conftest.py)


def only(drafts: DraftText, text: str) -> Draft:
    (draft,) = drafts(text)
    return draft


@pytest.mark.parametrize(
    ("text", "measure"),
    [
        ("The ministry said 310 soldiers were killed.", "killed"),
        ("The ministry said 310 soldiers were wounded.", "wounded"),
        ("The ministry said 310 soldiers were killed or wounded.", "killed or wounded"),
        ("The ministry said 310 soldiers went missing in action.", "missing"),
        ("The ministry said 310 soldiers were captured.", "captured"),
        ("The ministry put Russian losses at 310 soldiers.", "casualties"),
        ("За даними міністерства, 310 військових загинули.", "killed"),
        ("За даними міністерства, 310 військових дістали поранення.", "wounded"),
        (
            "За даними міністерства, втрати склали 310 військових убитими й пораненими.",
            "killed or wounded",
        ),
        ("По данным министерства, погибли 310 военных.", "killed"),
        ("По данным министерства, ранены 310 военных.", "wounded"),
        ("По данным министерства, 310 военных попали в плен.", "captured"),
    ],
)
def test_the_measure_word_that_governs_a_figure_is_its_measure(
    drafts: DraftText, text: str, measure: str
) -> None:
    assert only(drafts, text).measure == measure


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Officials said 2,100 Russian soldiers were killed near Avdiivka.", "russian"),
        ("Officials said Russian strikes killed 41 Ukrainian civilians.", "ukrainian"),
        ("Officials said 41 civilians were killed by Russian shelling in Kharkiv.", "ukrainian"),
        ("Officials said Ukraine lost 900 soldiers in the battle.", "ukrainian"),
        ("The blogger said Russia has killed 30,000 of its own soldiers.", "russian"),
        ("За даними ООН, загинули 41 цивільний українець.", "ukrainian"),
        ("За даними Генштабу, росія втратила 1 100 військових.", "russian"),
        ("По данным ООН, российские удары убили 41 мирного жителя в Харькове.", "ukrainian"),
        ("По данным Минобороны, погибли 300 украинских военных.", "ukrainian"),
    ],
)
def test_the_side_is_whose_people_were_lost_not_who_did_it(
    drafts: DraftText, text: str, side: str
) -> None:
    draft = only(drafts, text)
    assert counted(draft.measure, draft.per, draft.who, draft.where).side == side


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Officials said 51 children were killed in the strikes.", "civilians"),
        ("Officials said 51 civilians were killed in the strikes.", "civilians"),
        ("Officials said 51 soldiers were killed in the strikes.", "soldiers"),
        ("За даними ООН, загинули 51 дитина.", "civilians"),
        ("По данным ООН, погибли 51 мирный житель.", "civilians"),
    ],
)
def test_whom_a_figure_counts_is_read_from_its_words(
    drafts: DraftText, text: str, subject: str
) -> None:
    draft = only(drafts, text)
    assert counted(draft.measure, draft.per, draft.who, draft.where).subject == subject


def test_where_comes_from_the_places_named_beside_the_figure(drafts: DraftText) -> None:
    draft = only(drafts, "Officials said 2,100 Russian soldiers were killed near Avdiivka.")
    assert draft.where == "Avdiivka"


@pytest.mark.parametrize(
    "text",
    [
        "Kyiv says Russia is losing 1,100 soldiers a day, killed or wounded.",
        "За даними Генштабу, росія щодня втрачає 1 100 військових.",
        "По данным Генштаба, Россия теряет 1 100 военных в сутки.",
    ],
)
def test_a_daily_rate_is_drafted_per_day(drafts: DraftText, text: str) -> None:
    assert only(drafts, text).per == "day"


def test_the_first_day_of_a_war_is_no_rate(drafts: DraftText) -> None:
    draft = only(drafts, "Officials said 310 soldiers were killed on the first day of fighting.")
    assert draft.per is None


def test_a_year_the_figure_covers_is_its_period(drafts: DraftText) -> None:
    draft = only(drafts, "Officials said 45,000 Russian soldiers were killed in 2024.")
    assert draft.period == "2024"


def test_a_part_of_a_figure_named_before_takes_its_measure(drafts: DraftText) -> None:
    found = drafts("The ministry said 5,100 soldiers were killed, 1,200 of them in May.")
    assert [(d.figure, d.measure) for d in found] == [(5100, "killed"), (1200, "killed")]


def test_a_list_after_including_takes_the_measure_before(drafts: DraftText) -> None:
    text = "The ministry said 3,000 foreigners were killed, including 400 Poles and 120 Britons."
    found = drafts(text)
    assert [(d.figure, d.measure) for d in found] == [
        (3000, "killed"),
        (400, "killed"),
        (120, "killed"),
    ]


def test_the_sentence_is_kept_as_evidence(drafts: DraftText) -> None:
    text = (
        "Intro without figures.\n\nOfficials said 2,100 Russian soldiers were killed near Avdiivka."
    )
    assert only(drafts, text).evidence == (
        "Officials said 2,100 Russian soldiers were killed near Avdiivka."
    )
