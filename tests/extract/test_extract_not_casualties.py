"""Numbers that are not casualty figures are never drafted."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.extract import Draft

DraftText = Callable[..., list[Draft]]  # the ``drafts`` fixture (tests/conftest.py)


@pytest.mark.parametrize(
    "text",
    [
        # troop strength
        "Some 45,000 soldiers are massed near the border, the ministry said.",
        "Російське командування зосередило 45 тисяч військових біля кордону.",
        "Командование сосредоточило 45 тысяч военных у границы.",
        # population
        "Shelling hit Lyman, a town of 20,000, on Monday.",
        "Обстріл влучив у місто з населенням 20 тисяч.",
        "Обстрел пришелся на город с населением 20 тысяч.",
        # years and days of the month
        "The war began in 2022 and fighting resumed on 14 May.",
        "Війна почалася 24 лютого 2022 року.",
        "Война началась 24 февраля 2022 года.",
        # views
        "The video of the burial has drawn tens of thousands of views and 4,000 comments.",
        "Відео похорону набрало 40 тисяч переглядів.",
        "Видео похорон набрало 40 тысяч просмотров.",
        # money
        "Families of the dead are paid $50,000 each.",
        "Родинам загиблих виплачують 15 мільйонів гривень.",
        "Семьям погибших выплачивают 5 миллионов рублей.",
        # equipment
        "The general staff said Russia had lost 310 tanks in the month.",
        "За добу знищено 12 танків і 40 дронів.",
        "За сутки уничтожено 12 танков и 40 дронов.",
        # ages
        "The soldier who died was 19 years old.",
        "Загинув 19-річний солдат.",
        "Погиб 19-летний солдат.",
        # percentages and distances
        "Deaths fell by 12% as the front moved 30 km east.",
        "Кількість загиблих зменшилася на 12%.",
        "Число погибших снизилось на 12%.",
        # durations
        "Soviet troops died there over 10 years of war.",
    ],
)
def test_a_number_that_counts_no_casualties_is_not_drafted(drafts: DraftText, text: str) -> None:
    assert drafts(text) == []


def test_troops_massed_beside_a_casualty_figure_are_left_out(drafts: DraftText) -> None:
    text = "The army lost 1,900 soldiers in May, while 60,000 more were deployed near Kupiansk."
    assert [draft.figure for draft in drafts(text)] == [1900]


def test_a_heading_without_a_full_stop_is_not_drafted(drafts: DraftText) -> None:
    text = "Kremlin blamed for 50,000 troop deaths\n\nThe report said 12,000 soldiers died."
    assert [draft.figure for draft in drafts(text)] == [12000]
