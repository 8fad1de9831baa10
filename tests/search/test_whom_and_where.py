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


# --- people of a country, doers, days, outcomes ----------------------------------------------

OCTOBER = (
    claim_dict(
        key="day-toll",
        figure=1_100,
        who="people",
        where="southern Israel",
        period="7 Oct 2023",
        date="2024-01",
    ),
    claim_dict(
        key="soldiers-year",
        figure=700,
        who="Israeli soldiers",
        where="Gaza",
        period="7 Oct 2023 – Oct 2024",
        date="2024-10-08",
    ),
    claim_dict(
        key="soldiers-wounded",
        figure=4_000,
        measure="wounded",
        who="Israeli soldiers",
        where="Gaza",
        period="7 Oct 2023 – Oct 2024",
        date="2024-10-08",
    ),
)


def test_a_count_of_people_in_a_country_answers_for_its_people() -> None:
    index = index_of(OCTOBER[0])
    assert first(index, "how many Israelis were killed") == "day-toll"


def test_a_count_naming_the_side_comes_before_one_of_all_people_in_its_country() -> None:
    index = index_of(
        claim_dict(key="all-people", figure=900, who="people", where="Israel"),
        claim_dict(key="named", figure=700, who="Israeli soldiers", where="Israel"),
    )
    assert first(index, "how many Israelis were killed") == "named"


def test_a_question_naming_a_day_gets_that_day_s_figure() -> None:
    index = index_of(*OCTOBER)
    assert first(index, "сколько израильтян убили 7 октября") == "day-toll"
    assert first(index, "how many Israelis were killed on October 7") == "day-toll"


def test_a_figure_over_a_year_is_not_a_day_s_figure() -> None:
    index = index_of(*OCTOBER)
    assert index.search("скільки поранених ізраїльтян 7 жовтня").matches == ()
    assert index.search("how many Israeli soldiers were killed on 7 October").matches == ()


def test_a_date_that_ends_a_total_is_not_a_day_asked_about() -> None:
    index = index_of(
        claim_dict(
            key="as-of",
            figure=5_000,
            who="Russian soldiers",
            period="24 Feb – 1 Mar 2022",
            date="2022-03-01",
        ),
        claim_dict(
            key="later",
            figure=9_000,
            who="Russian soldiers",
            period="24 Feb – 20 Mar 2022",
            date="2022-03-20",
        ),
    )
    assert first(index, "how many Russian soldiers had died by 1 March") == "as-of"
    assert index.search("скільки росіян загинуло станом на 20 березня").matches != ()


def test_the_side_doing_the_shelling_is_not_whose_people_died() -> None:
    index = index_of(
        claim_dict(key="siege", figure=20_000, who="civilians", where="Mariupol, Ukraine"),
    )
    assert index.search("сколько погибло мирных жителей в Донецке от обстрелов ВСУ").matches == ()
    assert first(index, "скільки мирних жителів загинуло в Маріуполі") == "siege"


def test_a_side_that_admits_a_figure_asks_for_its_own_official_one() -> None:
    index = index_of(
        claim_dict(
            key="admitted",
            figure=1_500,
            who="Russian soldiers",
            claimant="Russian Ministry of Defence",
            aliases=["official figure"],
        ),
        claim_dict(
            key="leak",
            figure=9_000,
            who="Russian soldiers",
            claimant="Russian Ministry of Defence (leaked)",
        ),
    )
    assert first(index, "скільки своїх солдатів визнала Росія загиблими") == "admitted"


def test_who_won_is_not_a_casualty_question() -> None:
    index = index_of(
        claim_dict(key="war", figure=3_000, who="Armenian soldiers", where="Nagorno-Karabakh"),
    )
    result = index.search("who won the war in nagorno-karabakh?")
    assert result.matches == ()
    assert result.why == "outcome"


def test_the_lowest_estimate_is_of_the_thing_asked_not_of_a_part_of_it() -> None:
    index = index_of(
        claim_dict(key="army", figure=40_000, who="Ukrainian soldiers", claimant="A"),
        claim_dict(
            key="army-later", figure=60_000, who="Ukrainian soldiers", claimant="B", date="2025-01"
        ),
        claim_dict(
            key="volunteers", figure=2_000, who="foreign fighters on Ukraine's side", claimant="C"
        ),
    )
    assert first(index, "what's the lowest estimate of ukrainian soldiers killed") == "army"


def test_a_leaked_figure_is_never_the_official_one() -> None:
    index = index_of(
        claim_dict(
            key="published",
            figure=1_300,
            who="Russian soldiers",
            claimant="Russian Ministry of Defence",
        ),
        claim_dict(
            key="leaked",
            figure=9_000,
            who="Russian soldiers",
            claimant="Russian Ministry of Defence (leaked)",
        ),
    )
    official = index.search("what is the official russian figure")
    assert [match.claim.key for match in official.matches] == ["published"]
    assert first(index, "what did the leak say about russian dead") == "leaked"


def test_prisoners_named_after_their_side_are_that_side_s() -> None:
    index = index_of(
        claim_dict(key="held", figure=6_000, measure="captured", who="Russian soldiers"),
    )
    assert first(index, "сколько российских пленных в Украине") == "held"
    assert index.search("сколько украинцев в российском плену").matches == ()
