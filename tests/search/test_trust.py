"""Trust beyond the seed: answer what was asked, and never pass one source, side, subject or
period off as another. Every test runs over the real-world claims (tests/data/realworld), not
the seed ones, with questions of its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers.builders import ROOT, document, public_claims, seed_document

from bot.compare import compare
from bot.domain import Counted, Span
from bot.render import PLAIN, group_claim, render_answer, shown_claims
from bot.search import ClaimIndex, Reason, SearchResult

REAL: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "data" / "realworld" / "claims.json").read_text(encoding="utf-8")
)["claims"]


def real(stored: str, /, **changes: Any) -> dict[str, Any]:
    """A real-world claim by key, with some fields changed (the figure is kept)."""
    found = next(claim for claim in REAL if claim["key"] == stored)
    return {name: value for name, value in {**found, **changes}.items() if value is not None}


@pytest.fixture(scope="module")
def index() -> ClaimIndex:
    return ClaimIndex(public_claims(document(*seed_document()["claims"], *REAL)))


def first(index: ClaimIndex, question: str) -> str | None:
    shown = shown_claims(index.search(question))
    return shown[0].key if shown else None


def first_counted(index: ClaimIndex, question: str) -> Counted:
    claim = group_claim(index.search(question))
    assert claim is not None, question
    return Counted.of(claim)


# --- what is shown is what was ranked ------------------------------------------------------


def test_the_claim_a_fact_check_quotes_is_shown_first_and_named_as_its_source(
    index: ClaimIndex,
) -> None:
    result = index.search("is it true that 31,000 Ukrainian soldiers were killed?")
    claim = group_claim(result)
    assert claim is not None
    assert claim.key == "zelensky-ukrainian-killed-2024-02-25"
    assert render_answer(result, PLAIN).startswith(
        "About 31,000 is the figure given by Volodymyr Zelensky (President of Ukraine)"
    )


def test_a_quoted_figure_is_matched_as_the_question_rounds_it(index: ClaimIndex) -> None:
    assert first(index, "правда, що в Іраку загинуло 655 тисяч людей?") == (
        "lancet-iraq-excess-deaths-2006"
    )


def test_a_fact_check_of_a_figure_no_claim_gives_says_so_and_shows_the_figures_stored(
    index: ClaimIndex,
) -> None:
    result = index.search("is it true that 75,000 Ukrainian civilians have been killed?")
    assert (result.answered, result.reason) == (False, Reason.FIGURE)
    text = render_answer(result, PLAIN)
    assert "No stored claim gives 75,000." in text
    assert all(Counted.of(claim).subject == "civilians" for claim in result.suggestions)
    assert "Ukrainian civilians killed" in text


def test_a_day_next_to_a_month_is_a_date_not_a_figure(index: ClaimIndex) -> None:
    facets = index.analyse("how many Israelis were killed on 7 October")
    assert facets.numbers == frozenset()
    assert facets.months == frozenset({10})


# --- sources ---------------------------------------------------------------------------------


def test_a_claimant_an_admin_adds_is_known_by_name_in_cyrillic_and_latin() -> None:
    # Shoigu announced the September 2022 figure; here he is the claimant, with no alias.
    shoigu = real(
        "ru-mod-russian-killed-2022-09-21",
        key="shoigu-russian-killed-2022-09-21",
        claimant="Sergei Shoigu",
        published_by=None,
        aliases=[],
    )
    others = [claim for claim in REAL if "Shoigu" not in claim.get("aliases", [])]
    index = ClaimIndex(public_claims(document(*others, shoigu)))
    for question in ("что сказал Шойгу о потерях россии", "what did Shoigu say russians lost"):
        assert first(index, question) == "shoigu-russian-killed-2022-09-21", question


def test_a_source_no_claim_comes_from_gets_an_honest_no_with_its_name(index: ClaimIndex) -> None:
    for question, name in (
        ("how many Russian soldiers died according to Kofman?", "Kofman"),
        ("Що каже ISW про втрати росії?", "ISW"),
        ("сколько погибло россиян по данным Важных историй", "Важных"),
    ):
        result = index.search(question)
        assert result.reason == Reason.CLAIMANT, question
        assert f"from “{name}" in render_answer(result, PLAIN), question


def test_a_named_source_with_nothing_on_the_thing_asked_is_not_answered_by_another(
    index: ClaimIndex,
) -> None:
    # The Gaza Ministry of Health counts Palestinians, not Israeli soldiers.
    result = index.search("What does the Gaza Ministry of Health say about Israeli soldiers?")
    shown = shown_claims(result)
    assert all("Gaza Ministry of Health" in claim.claimant for claim in shown)


def test_a_side_that_speaks_is_the_source_not_whose_losses(index: ClaimIndex) -> None:
    thing = first_counted(index, "Russia says how many Ukrainian soldiers were killed")
    assert thing.side == "ukrainian"
    result = index.search("Russia says how many Ukrainian soldiers were killed")
    assert "Russian" in result.matches[0].claim.claimant


def test_the_side_after_a_source_says_whose_source_it_is(index: ClaimIndex) -> None:
    result = index.search("сколько потеряли ВСУ по данным Генштаба России")
    assert result.facets.source_sides == frozenset({"russian"})
    assert result.facets.sides == frozenset({"ukrainian"})
    assert "Russian" in result.matches[0].claim.claimant


def test_a_side_word_a_claimant_is_called_by_asks_for_that_claimants_claims(
    index: ClaimIndex,
) -> None:
    # "Putin" also names the Russian side; here he speaks, and only his claims answer.
    assert first(index, "Putin says how many Soviet people died in the Second World War") == (
        "putin-soviet-ww2-dead-2025-05"
    )
    result = index.search("according to Putin, how many Ukrainians have died?")
    assert (result.answered, result.reason) == (False, Reason.CLAIMANT)


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "how many Russians has Ukraine killed",
        "скільки росіян вбила Україна",
        "сколько россиян убили ВСУ",
    ],
)
def test_the_side_that_killed_is_not_taken_for_the_side_that_lost(
    index: ClaimIndex, question: str
) -> None:
    assert index.analyse(question).sides == frozenset({"russian"})
    assert first_counted(index, question).side == "russian"


# --- subjects --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("how many Ukrainian soldiers were killed", "soldiers"),
        ("how many Ukrainian civilians were killed", "civilians"),
        ("скільки людей загинуло в Газі", "people"),
        ("сколько российских пленных в Украине", "prisoners"),
    ],
)
def test_a_question_about_one_subject_is_answered_with_that_subject(
    index: ClaimIndex, question: str, subject: str
) -> None:
    assert first_counted(index, question).subject == subject


# --- time ------------------------------------------------------------------------------------


def test_a_month_named_prefers_the_claim_made_that_month(index: ClaimIndex) -> None:
    assert first(index, "Gaza death toll in August 2024") in {
        "gaza-moh-killed-2024-08-15",
        "gaza-moh-killed-2024-08-19",
    }


def test_early_in_a_war_means_the_first_figures_of_that_war(index: ClaimIndex) -> None:
    shown = group_claim(index.search("how many Palestinians were killed in the first weeks"))
    assert shown is not None
    assert shown.date < "2023-12"  # the war in Gaza began in October 2023


def test_latest_prefers_the_newest_claim(index: ClaimIndex) -> None:
    result = index.search("latest Gaza Ministry of Health death toll")
    claim = group_claim(result)
    assert claim is not None
    assert claim.date == max(match.claim.date for match in result.matches)


def test_a_year_named_prefers_that_years_figure_over_a_running_total(index: ClaimIndex) -> None:
    assert first_counted(index, "втрати росії у 2023 році").span == Span.YEAR


def test_an_ordinary_word_after_in_is_not_an_unknown_place(index: ClaimIndex) -> None:
    result = index.search("how many Russian soldiers died in the siege of Bakhmut?")
    assert result.answered
    assert result.facets.unknown_places == ()


def test_a_place_only_the_stored_claims_name_is_known(index: ClaimIndex) -> None:
    claim = group_claim(index.search("how many people were killed in El Fasher"))
    assert claim is not None
    assert "Fasher" in (claim.where or "")


# --- like with like --------------------------------------------------------------------------


def test_one_years_figure_does_not_count_the_same_thing_as_a_running_total() -> None:
    year, total = (
        Counted.of(claim)
        for claim in public_claims(
            document(
                real("ua-general-staff-russian-casualties-2023"),
                real("ua-general-staff-russian-casualties-2025-06-12"),
            )
        )
    )
    assert (year.span, total.span) == (Span.YEAR, Span.TOTAL)
    assert year != total


def test_no_answer_offers_the_claims_that_miss_by_one_facet(index: ClaimIndex) -> None:
    result: SearchResult = index.search("how many Russian soldiers died in Afghanistan")
    assert not result.answered
    assert Counted.of(result.suggestions[0]).side == "soviet"  # another side, the place asked


def test_the_highest_estimate_asked_for_is_shown_first(index: ClaimIndex) -> None:
    claim = group_claim(index.search("which is the highest estimate of Ukrainian soldiers killed"))
    assert claim is not None
    thing = Counted.of(claim)
    same = [other for other in index.comparable_to(claim) if Counted.of(other) == thing]
    assert claim.figure_high or claim.figure_low == max(c.figure_high or c.figure_low for c in same)


def test_compare_puts_only_like_with_like_side_by_side(index: ClaimIndex) -> None:
    _result, comparison = compare(index, "Russian casualties")
    assert comparison is not None
    spans = {Counted.of(claim).span for claim in comparison.claims}
    rates = {claim.per for claim in comparison.claims}
    assert len(spans) == 1
    assert len(rates) == 1
