"""The claim-level ideas: a claim's date, what it counts, and the spread of several figures."""

from __future__ import annotations

from datetime import date

import pytest
from helpers.builders import claim_dict, document, public_claims

from bot.chart import render_chart
from bot.compare import compare
from bot.domain import ClaimDate, Counted, Precision, Spread
from bot.render import PLAIN, render_answer, render_comparison
from bot.search import ClaimIndex

# Three claims on one thing where a range and a qualified figure tie at the top; the range
# is newer, so a rule that let the first-listed claim win a tie would name it.
TIED_AT_THE_TOP = (
    claim_dict(key="range", figure=[80_000, 100_000], claimant="Range Institute", date="2024-02"),
    claim_dict(
        key="floor", figure=100_000, qualifier="more than", claimant="Floor Agency", date="2024-01"
    ),
    claim_dict(key="low", figure=5_000, claimant="Low Ministry", date="2024-03"),
)


@pytest.mark.parametrize(
    ("text", "precision", "midpoint"),
    [
        ("2025", Precision.YEAR, date(2025, 7, 1)),
        ("2025-06", Precision.MONTH, date(2025, 6, 15)),
        ("2025-06-03", Precision.DAY, date(2025, 6, 3)),
    ],
)
def test_a_claim_date_keeps_its_own_precision(
    text: str, precision: Precision, midpoint: date
) -> None:
    when = ClaimDate.parse(text)
    assert (when.precision, when.midpoint(), str(when)) == (precision, midpoint, text)


def test_claim_dates_sort_coarse_before_fine_within_a_period() -> None:
    texts = ["2025-06-01", "2024", "2025-06", "2025"]
    assert sorted(texts, key=lambda t: ClaimDate.parse(t).key) == [
        "2024", "2025", "2025-06", "2025-06-01",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("June 2025", "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2025\n", "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ("1066", "has an implausible year"),
        ("2025-13", "has no such month"),
        ("2023-02-29", "has no such day"),
    ],
)
def test_an_impossible_claim_date_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ClaimDate.parse(text)


def test_troops_and_soldiers_of_one_side_in_one_place_count_the_same_thing() -> None:
    troops, soldiers, civilians_elsewhere = public_claims(
        document(
            claim_dict(key="a", who="Russian troops", where="Bakhmut"),
            claim_dict(key="b", who="Russian soldiers", where="Bakhmut"),
            claim_dict(key="c", who="Ukrainian soldiers", where="Bakhmut"),
        )
    )
    assert Counted.of(troops) == Counted.of(soldiers)
    assert Counted.of(troops) != Counted.of(civilians_elsewhere)


def test_counts_in_overlapping_places_may_be_listed_together() -> None:
    bakhmut, both, kherson = (
        Counted.of(claim)
        for claim in public_claims(
            document(
                claim_dict(key="a", where="Bakhmut"),
                claim_dict(key="b", where="Bakhmut and Pokrovsk"),
                claim_dict(key="c", where="Kherson"),
            )
        )
    )
    assert bakhmut.overlaps(both)
    assert both.overlaps(bakhmut)
    assert not bakhmut.overlaps(kherson)


def test_a_floor_outranks_a_range_with_the_same_top_and_a_ceiling_is_lowest() -> None:
    up_to, exact = public_claims(
        document(
            claim_dict(key="up-to", figure=5_000, qualifier="up to"),
            claim_dict(key="exact", figure=5_000),
        )
    )
    rng, floor, low = public_claims(document(*TIED_AT_THE_TOP))
    assert Spread.of([rng, floor, low]).high.key == "floor"
    assert Spread.of([exact, up_to]).low.key == "up-to"
    assert Spread.of([rng, floor, low]).ratio == 20.0


def test_answer_compare_and_chart_name_the_same_highest_figure() -> None:
    index = ClaimIndex(public_claims(document(*TIED_AT_THE_TOP)))
    answer = render_answer(index.search("how many Russian troops were killed"), PLAIN)
    _result, comparison = compare(index, "Russian troops killed")
    assert comparison is not None
    highest = "more than 100,000 (Floor Agency, Jan 2024)"
    assert f"to {highest}" in answer
    assert f"to {highest}" in render_comparison(comparison, PLAIN)
    assert f"to {highest}" in render_chart(comparison).caption
