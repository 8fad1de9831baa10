"""A draft's date, resolved against the article's, and the caveats its sentence states."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.extract import Draft

DraftText = Callable[..., list[Draft]]  # the ``drafts`` fixture (tests/conftest.py)


def only(drafts: DraftText, text: str, **kwargs: str | None) -> Draft:
    (draft,) = drafts(text, **kwargs)
    return draft


@pytest.mark.parametrize(
    ("text", "published", "date"),
    [
        (
            "The ministry said on 2 March that 1,351 soldiers were killed.",
            "2025-03-10",
            "2025-03-02",
        ),
        (
            "The ministry said on March 2 that 1,351 soldiers were killed.",
            "2025-03-10",
            "2025-03-02",
        ),
        ("The ministry said in November that 1,351 soldiers were killed.", "2025-03-10", "2024-11"),
        (
            "The ministry said in June 2023 that 1,351 soldiers were killed.",
            "2025-03-10",
            "2023-06",
        ),
        (
            "The ministry said on Tuesday that 1,351 soldiers were killed.",
            "2025-03-10",
            "2025-03-04",
        ),
        (
            "Міністерство 2 березня повідомило, що загинули 1 351 військовий.",
            "2025-03-10",
            "2025-03-02",
        ),
        (
            "Станом на 24 лютого загинули 1 351 військовий, за даними штабу.",
            "2025-03-10",
            "2025-02-24",
        ),
        ("Министерство 2 марта сообщило, что погибли 1 351 военный.", "2025-03-10", "2025-03-02"),
        ("Министерство в ноябре сообщило, что погибли 1 351 военный.", "2025-03-10", "2024-11"),
    ],
)
def test_a_date_in_the_sentence_is_resolved_against_the_article_s(
    drafts: DraftText, text: str, published: str, date: str
) -> None:
    assert only(drafts, text, published=published).date == date


def test_by_mid_year_dates_the_figure_in_that_year_roughly(drafts: DraftText) -> None:
    draft = only(drafts, "An analysis put Russian deaths by mid-2024 above 120,000.")
    assert draft.date == "2024"
    assert any(caveat.startswith("Date approximate") for caveat in draft.caveats)


def test_a_running_total_s_start_is_not_its_date(drafts: DraftText) -> None:
    draft = only(drafts, "Since 24 February 2022, 9,400 civilians have been killed, the UN said.")
    assert draft.date == "2025-03-10"
    assert draft.period == "since 24 Feb 2022"


def test_with_no_date_in_the_sentence_the_article_s_date_is_used_and_said_to_be_approximate(
    drafts: DraftText,
) -> None:
    draft = only(drafts, "The ministry said 1,351 soldiers were killed.")
    assert draft.date == "2025-03-10"
    assert "Date approximate: the article's date, not the date of the count." in draft.caveats


def test_an_undated_article_takes_the_year_its_sentence_names(drafts: DraftText) -> None:
    draft = only(drafts, "The ministry said 1,351 soldiers were killed in 2023.", published=None)
    assert draft.date == "2023"
    assert any(caveat.startswith("Date approximate") for caveat in draft.caveats)


def test_an_undated_article_with_no_year_in_the_sentence_takes_its_latest_year(
    drafts: DraftText,
) -> None:
    text = (
        "The war reached its third year in 2024.\n\nThe ministry said 1,351 soldiers were killed."
    )
    draft = only(drafts, text, published=None)
    assert draft.date == "2024"
    assert any(caveat.startswith("Date unknown") for caveat in draft.caveats)


def test_then_takes_the_date_of_the_sentence_before(drafts: DraftText) -> None:
    text = "The ministry last spoke on 21 September 2022. Then it said 5,937 soldiers had died."
    assert only(drafts, text).date == "2022-09-21"


@pytest.mark.parametrize(
    ("text", "caveat"),
    [
        ("The count put Russian deaths at 90,000, excluding mercenaries.", "Excludes mercenaries."),
        (
            "За даними проєкту, загинули 90 тисяч росіян, не враховуючи найманців.",
            "Excludes mercenaries.",
        ),
        (
            "По данным проекта, погибли 90 тысяч россиян, не включая наемников.",
            "Excludes mercenaries.",
        ),
        (
            "Moscow put its losses at 6,000, a figure observers dismissed as implausible.",
            "Disputed: dismissed as implausible.",
        ),
        (
            "The ministry said 90,000 soldiers died, a claim Kyiv called disinformation.",
            "Disputed: called disinformation or propaganda.",
        ),
        (
            "A leaked document said 90,000 soldiers died.",
            "A leaked figure, not an official publication.",
        ),
        ("An unverified video claims 90,000 soldiers died.", "Not independently verified."),
        ("Analysts estimate that 90,000 soldiers died.", "An estimate, not a count."),
        (
            "Volunteers have named one by one 90,000 soldiers who died.",
            "Counted one by one, by name, from public records.",
        ),
        (
            "Журналісти поіменно встановили 90 тисяч загиблих.",
            "Counted one by one, by name, from public records.",
        ),
        ("Предварительные данные: погибли 90 тысяч военных.", "A preliminary figure."),
    ],
)
def test_a_caveat_the_sentence_states_is_written_in_plain_words(
    drafts: DraftText, text: str, caveat: str
) -> None:
    assert caveat in only(drafts, text).caveats


def test_killed_and_wounded_together_is_said_to_be_so(drafts: DraftText) -> None:
    draft = only(drafts, "The ministry said 8,000 soldiers were killed or wounded.")
    assert "Killed and wounded together; the article does not split them." in draft.caveats
