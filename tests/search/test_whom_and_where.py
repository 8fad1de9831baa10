"""Whom a figure counts, where and when, read the same way for any claims an admin adds.

Each test stores claims of its own (built here, not the seed or the real-world sets), so a
rule proves itself on wording no question set was tuned on.
"""

from __future__ import annotations

from typing import Any

from helpers.builders import claim_dict, document, public_claims

from bot.render import shown_claims
from bot.search import ClaimIndex, Reason
from bot.search.reader import captives_who_died, people_of_a_kind


def index_of(*claims: dict[str, Any]) -> ClaimIndex:
    return ClaimIndex(public_claims(document(*claims)))


def first(index: ClaimIndex, question: str) -> str | None:
    shown = shown_claims(index.search(question))
    return shown[0].key if shown else None


# --- subjects within subjects ----------------------------------------------------------------

YEMEN = (
    claim_dict(key="yemen-civilians", figure=19_000, who="Yemeni civilians", where="Yemen"),
    claim_dict(key="yemen-children", figure=3_800, who="Yemeni children", where="Yemen"),
)


def test_a_question_about_children_gets_the_count_of_children_first() -> None:
    index = index_of(*YEMEN)
    assert first(index, "How many children were killed in Yemen?") == "yemen-children"
    assert first(index, "скільки дітей загинуло в Ємені") == "yemen-children"


def test_a_question_about_civilians_is_not_answered_first_with_the_children_alone() -> None:
    index = index_of(*YEMEN)
    assert first(index, "How many Yemeni civilians were killed?") == "yemen-civilians"


def test_children_are_not_answered_with_a_count_of_all_civilians() -> None:
    index = index_of(YEMEN[0])
    result = index.search("how many children died in Yemen")
    assert result.matches == ()
    assert result.why == "children"  # the subject no stored claim counts


def test_hostages_are_not_answered_with_prisoners_of_war() -> None:
    index = index_of(
        claim_dict(
            key="pows",
            figure=3_000,
            measure="captured",
            who="Armenian soldiers",
            where="Nagorno-Karabakh",
        ),
        claim_dict(
            key="hostages", figure=240, measure="captured", who="hostages", where="southern Israel"
        ),
    )
    assert first(index, "How many people were taken hostage?") == "hostages"
    assert first(index, "сколько заложников") == "hostages"


def test_prisoners_who_died_are_counted_as_deaths_of_prisoners() -> None:
    index = index_of(
        claim_dict(key="pows-taken", figure=5_000, measure="captured", who="Iraqi soldiers"),
        claim_dict(key="pows-died", figure=90, who="Iraqi prisoners of war"),
        claim_dict(key="soldiers-died", figure=20_000, who="Iraqi soldiers"),
    )
    assert first(index, "how many iraqi prisoners died in captivity") == "pows-died"
    assert first(index, "скільки іракських полонених померло") == "pows-died"


def test_captives_beside_a_death_name_whom_it_counts() -> None:
    assert captives_who_died({"killed", "captured"}, set()) == ({"killed"}, {"prisoners"})
    assert captives_who_died(set(), {"hostages"}) == ({"captured"}, {"hostages"})
    assert captives_who_died({"wounded"}, set()) == ({"wounded"}, set())


def test_people_is_only_the_noun_a_narrower_subject_hangs_on() -> None:
    assert people_of_a_kind({"people", "hostages"}) == {"hostages"}
    assert people_of_a_kind({"people"}) == {"people"}


# --- sides: armed groups, custody, "ours" -----------------------------------------------------


def test_an_armed_group_is_a_side_of_its_own() -> None:
    index = index_of(
        claim_dict(
            key="army", figure=60_000, who="Afghan soldiers and police", where="Afghanistan"
        ),
        claim_dict(key="insurgents", figure=50_000, who="Taliban fighters", where="Afghanistan"),
    )
    assert first(index, "how many taliban were killed") == "insurgents"
    assert first(index, "How many Afghan soldiers were killed?") == "army"


def test_the_side_holding_captives_is_not_whose_people_they_are() -> None:
    index = index_of(
        claim_dict(key="held-by-ukraine", figure=1_000, measure="captured", who="Russian soldiers"),
    )
    result = index.search("скільки українців у російському полоні")
    assert result.matches == ()
    assert result.facets.agents == frozenset({"russian"})


def test_doers_from_another_war_move_the_answer_off_the_default_war() -> None:
    index = index_of(
        claim_dict(
            key="ukraine-pows-died",
            figure=200,
            who="Ukrainian prisoners of war",
            where="Russian captivity",
        ),
        claim_dict(key="ukraine-civilians", figure=10_000, who="Ukrainian civilians"),
        claim_dict(
            key="syria-prisons",
            figure=14_000,
            who="detainees in Syrian jails",
            where="Syria",
            claimant="Syrian Network for Human Rights",
        ),
    )
    assert first(index, "how many people died in syrian prisons") == "syria-prisons"


def test_ours_is_the_side_its_language_s_speakers_mean() -> None:
    index = index_of(
        claim_dict(key="ru-dead", figure=5_000, who="Russian soldiers"),
        claim_dict(key="ua-dead", figure=4_000, who="Ukrainian soldiers"),
    )
    assert first(index, "скільки наших загинуло") == "ua-dead"
    assert first(index, "сколько наших погибло") == "ru-dead"


def test_their_own_people_are_the_speaking_side_s() -> None:
    index = index_of(
        claim_dict(
            key="own-count",
            figure=1_500,
            who="Russian soldiers",
            claimant="Russian Ministry of Defence",
        ),
        claim_dict(
            key="tracker",
            figure=90_000,
            who="Russian soldiers",
            claimant="An independent Russian tracker",
        ),
        claim_dict(
            key="ukraine-count",
            figure=800,
            who="Ukrainian soldiers",
            claimant="Russian Ministry of Defence",
        ),
    )
    assert first(index, "сколько своих солдат признала Россия погибшими") == "own-count"


# --- places and periods -------------------------------------------------------------------------


def test_a_figure_summed_over_several_places_does_not_answer_for_one_of_them() -> None:
    index = index_of(
        claim_dict(
            key="three-countries",
            figure=300_000,
            who="people",
            where="Iraq, Afghanistan and Pakistan",
        ),
        claim_dict(key="iraq", figure=200_000, who="people", where="Iraq"),
    )
    assert first(index, "how many people died in Iraq") == "iraq"
    refused = index.search("how many people died in Pakistan")
    assert refused.matches == ()
    assert refused.why == Reason.PLACE
    assert refused.suggestions[0].key == "three-countries"  # related, not Pakistan's figure


def test_a_place_an_alias_names_makes_the_claim_an_answer_there() -> None:
    index = index_of(
        claim_dict(
            key="war-toll",
            figure=300_000,
            who="people",
            where="northern Ethiopia",
            aliases=["Tigray war"],
        ),
    )
    assert first(index, "how many people died in Tigray") == "war-toll"


def test_a_figure_for_one_year_published_later_does_not_answer_for_the_later_year() -> None:
    index = index_of(
        claim_dict(
            key="for-2022",
            figure=70_000,
            measure="casualties",
            who="Russian soldiers",
            period="2022",
            date="2024-03",
        ),
        claim_dict(
            key="for-2024",
            figure=400_000,
            measure="casualties",
            who="Russian soldiers",
            period="2024",
            date="2025-01",
        ),
    )
    assert first(index, "Russian losses in 2024") == "for-2024"
    assert first(index, "Russian losses in 2022") == "for-2022"
    assert index.search("Russian losses in 2023").matches == ()


def test_a_daily_average_is_read_as_a_rate() -> None:
    index = index_of(
        claim_dict(key="total", figure=400_000, measure="casualties", who="Russian soldiers"),
        claim_dict(
            key="daily", figure=1_100, measure="casualties", per="day", who="Russian soldiers"
        ),
    )
    assert first(index, "среднесуточные потери россиян") == "daily"
    assert first(index, "середньодобові втрати росіян") == "daily"


# --- names spelt by ear ------------------------------------------------------------------------


def test_a_source_spelt_by_ear_in_cyrillic_is_found() -> None:
    index = index_of(
        claim_dict(
            key="by-name", figure=120_000, who="Russian soldiers", claimant="Gen. Mark Milley"
        ),
        claim_dict(key="other", figure=50_000, who="Russian soldiers", claimant="Someone Else"),
    )
    assert first(index, "что сказал Милли о потерях России") == "by-name"
    assert first(index, "що казав Міллі про втрати Росії") == "by-name"


def test_the_united_nations_is_known_by_its_names_in_every_language() -> None:
    index = index_of(
        claim_dict(key="un", figure=15_000, who="people", where="Sudan", claimant="United Nations"),
        claim_dict(key="ngo", figure=60_000, who="people", where="Sudan", claimant="ACLED"),
    )
    assert first(index, "скільки загинуло в Судані за даними ООН") == "un"
    assert first(index, "how many died in Sudan according to the UN") == "un"
