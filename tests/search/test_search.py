"""The search: constraints keep neighbouring figures out; fuzziness forgives typos."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from helpers.builders import claim_dict, document, public_claims, seed_document

from bot.search import ClaimIndex, UncachedError
from store import ClaimRow
from store.models import ClaimPublic


@pytest.fixture(scope="module")
def index() -> ClaimIndex:
    return ClaimIndex(public_claims())


def top_key(index: ClaimIndex, question: str) -> str | None:
    result = index.search(question)
    return result.matches[0].claim.key if result.matches else None


@pytest.mark.parametrize(
    "question",
    [
        "How many Ukrainian soldiers died?",
        "Ukraine's losses",
        "how many soldiers has Ukraine lost",
        "Ukrainian losses in Bakhmut",
        "how many ukrainians were killed by russia",
    ],
)
def test_question_about_ukrainian_losses_gets_no_russian_figure(
    index: ClaimIndex, question: str
) -> None:
    result = index.search(question)
    assert not result.answered
    assert result.reason == "side"


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("How many tanks has Russia lost?", "equipment"),
        ("How many people live in Pokrovsk?", "population"),
        ("How many soldiers are near Pokrovsk?", "troop strength"),
        ("how many civilians died in Bakhmut", "civilians"),
        ("what's the weather like in Bakhmut", "off topic"),
        ("hello", "chit-chat"),
        ("How many Russian soldiers died in Kherson?", "place"),
        ("How many Americans died in Vietnam?", "place"),
        ("Russian deaths in 2019", "year"),
        ("What does Oryx say about Russian deaths?", "claimant"),
        ("Russian missing in Bakhmut", "measure"),
        ("How many horses died on the moon?", "other"),
        ("", "empty"),
        ("   \n\t ", "empty"),
    ],
)
def test_questions_no_claim_covers_get_an_honest_no(
    index: ClaimIndex, question: str, reason: str
) -> None:
    result = index.search(question)
    assert not result.answered
    assert result.why == reason


@pytest.mark.parametrize(
    "question",
    [
        "How many Russian soldiers died in Bakhmut?",
        "how many rusian solders kiled in bakmut",
        "russian KIA artemivsk",
        "Russian fatalities at Artemovsk",
        "dead russians bakhmutt",
    ],
)
def test_bakhmut_questions_find_the_bakhmut_claim_despite_typos_and_aliases(
    index: ClaimIndex, question: str
) -> None:
    assert top_key(index, question) == "western-intel-bakhmut-killed-2023"


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("what did the British defence ministry say about Russian deaths", "uk-mod-killed-2025-06"),
        ("British defence intelligence russian casualties", "uk-mod-casualties-2025-06"),
        ("KP leak wounded", "kp-leak-wounded-2022-03"),
        ("komsomolskaya pravda russian dead", "kp-leak-killed-2022-03"),
        (
            "Donbas losses according to the general staff",
            "ua-general-staff-donetsk-killed-or-wounded-2025",
        ),
        ("russian losses per day", "ua-estimate-casualties-per-day-2025"),
        ("who said 9,861", "kp-leak-killed-2022-03"),
        ("100k dead in bakhmut", "western-intel-bakhmut-killed-2023"),
        ("one million russian casualties", "uk-mod-casualties-2025-06"),
        ("what does the kremlin admit to", "ru-official-killed-2025"),
        ("Soviet deaths in Afghanistan", "soviet-afghanistan-killed-1979-1989"),
    ],
)
def test_claimant_place_and_number_words_pick_the_right_claim(
    index: ClaimIndex, question: str, key: str
) -> None:
    assert top_key(index, question) == key


@pytest.mark.parametrize(
    "question",
    ["потери России в Украине по данным Медиазоны", "скільки росіян загинуло за даними Медіазони"],
)
def test_mediazona_named_in_cyrillic_is_read_as_the_source(
    index: ClaimIndex, question: str
) -> None:
    result = index.search(question)
    assert result.facets.claimants == {"bbc"}
    assert top_key(index, question) == "bbc-killed-2025"


@pytest.mark.parametrize("word", ["died", "killed", "dead", "deaths", "fatalities", "KIA"])
def test_death_synonyms_ask_for_the_same_thing(index: ClaimIndex, word: str) -> None:
    result = index.search(f"Russian soldiers {word} in Bakhmut")
    assert result.answered
    assert {match.claim.measure for match in result.matches} == {"killed"}


def test_wounded_question_is_never_answered_with_a_death_toll(index: ClaimIndex) -> None:
    result = index.search("how many russians were injured")
    assert result.answered
    assert {match.claim.measure for match in result.matches} == {"wounded"}


def test_negated_claimant_is_left_out(index: ClaimIndex) -> None:
    result = index.search("real number of russian dead, not the official one")
    keys = {match.claim.key for match in result.matches}
    assert result.answered
    assert not keys & {"ru-official-killed-2025", "ru-mod-official-killed-2022-03-02"}


def test_retracted_claim_is_never_an_answer() -> None:
    retracted = claim_dict(
        key="retracted-bakhmut",
        where="Bakhmut",
        status="retracted",
        retraction_reason="source withdrew it",
    )
    index = ClaimIndex(public_claims(document(retracted)))
    result = index.search("russian soldiers killed in bakhmut")
    assert not result.answered
    assert result.suggestions == ()


def test_no_match_offers_at_most_three_suggestions(index: ClaimIndex) -> None:
    result = index.search("How many Russian soldiers died in Kherson?")
    assert not result.answered
    assert 1 <= len(result.suggestions) <= 3


def test_confidence_is_between_zero_and_one(index: ClaimIndex) -> None:
    result = index.search("How many Russian soldiers died?")
    assert result.matches
    assert all(0 < match.confidence <= 1 for match in result.matches)
    scores = [match.score for match in result.matches]
    assert scores == sorted(scores, reverse=True)


def test_an_empty_store_answers_nothing_without_failing() -> None:
    result = ClaimIndex([]).search("How many Russian soldiers died?")
    assert not result.answered
    assert result.suggestions == ()


@pytest.mark.parametrize(
    "question",
    [
        "x" * 10_000,
        "bakhmut " * 2_000,
        "\x00\x01\x02 russian \u202e deaths \u200f",
        "🇺🇦🇷🇺💀💀💀",
        "Сколько погибло?" * 300,
        "%s %d {} <b> &amp; \\",
    ],
)
def test_odd_and_huge_questions_never_raise(index: ClaimIndex, question: str) -> None:
    index.search(question)


def test_newest_lists_most_recent_claims_first(index: ClaimIndex) -> None:
    dates = [claim.date for claim in index.newest(5)]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 5


def test_index_holds_every_active_seed_claim(index: ClaimIndex) -> None:
    assert len(index) == len(seed_document()["claims"])


def test_search_without_store_reads_answers_from_cached_claims_only() -> None:
    claims = {claim.id: claim for claim in public_claims()}
    reads: list[list[int]] = []

    def fetch(ids: Sequence[int]) -> list[ClaimPublic]:
        reads.append(list(ids))
        return [claims[i] for i in ids if i in claims]

    index = ClaimIndex.from_rows(map(ClaimRow.of, claims.values()), fetch)
    question = "How many Russian soldiers died in Bakhmut?"
    with pytest.raises(UncachedError):
        index.search(question, fetch=False)  # nothing cached yet: it would need the store
    assert reads == []
    answer = index.search(question)
    assert len(reads) == 1
    assert index.search(question, fetch=False) == answer
    assert len(reads) == 1  # the second answer came from the cache alone
