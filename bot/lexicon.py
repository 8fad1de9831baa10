"""The concepts a question names, found by a phrase matcher built from the vocabulary.

Each concept is a kind (side, place, measure, claimant, subject, topic, period, rate) and an
id; a phrase is a tuple of normalised tokens. Matching is greedy, longest phrase first, so
"british defence ministry" wins over "british". The words themselves are data, in
``bot/vocabulary``; this module turns them into the matcher and the word sets the search reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from bot.text import normal_forms, token_variants
from bot.vocabulary import VOCABULARY, Term, Vocabulary, Words

SIDES: Final = VOCABULARY.sides
PLACES: Final = VOCABULARY.places  # in the order of the search index's place bits
# The claimant a side's own sources stand for: "British data" is the UK MoD's.
SIDE_SOURCES: Final = {side.id: side.source for side in SIDES.values() if side.source}
SIDE_HOMES: Final = {side.id: side.home for side in SIDES.values() if side.home}
# A side's own figure for its own losses ("official"): a kind of claim, not one source.
SELF_REPORTED: Final = frozenset(c.id for c in VOCABULARY.claimants.values() if c.self_reported)
DISOWNED: Final = frozenset(c.id for c in VOCABULARY.claimants.values() if c.disowned)


@dataclass(frozen=True)
class Concept:
    kind: str
    id: str


@dataclass(frozen=True)
class Hit:
    concept: Concept
    start: int
    end: int


class PhraseMatcher:
    """Finds concept phrases in token lists, longest first, without overlaps."""

    def __init__(self, table: Mapping[tuple[str, ...], Concept]) -> None:
        self._table = dict(table)
        self._longest = max((len(phrase) for phrase in self._table), default=1)
        self.words = frozenset(word for phrase in self._table for word in phrase)

    def concepts(self, kind: str) -> frozenset[str]:
        """Every concept id of one kind that some phrase names."""
        return frozenset(concept.id for concept in self._table.values() if concept.kind == kind)

    def find(self, tokens: list[str]) -> list[Hit]:
        hits: list[Hit] = []
        index = 0
        while index < len(tokens):
            for size in range(min(self._longest, len(tokens) - index), 0, -1):
                concept = self._table.get(tuple(tokens[index : index + size]))
                if concept is not None:
                    hits.append(Hit(concept, index, index + size))
                    index += size
                    break
            else:
                index += 1
        return hits


def _phrases(kind: str, terms: Iterable[Term]) -> dict[tuple[str, ...], Concept]:
    return {
        tuple(tokens): Concept(kind, term.id)
        for term in terms
        for phrase in term.words.all
        for tokens in token_variants(phrase)
    }


def build_matcher(vocabulary: Vocabulary = VOCABULARY) -> PhraseMatcher:
    """One matcher for every concept kind; later kinds never shadow claimant phrases."""
    kinds: tuple[tuple[str, Mapping[str, Term]], ...] = (
        ("topic", vocabulary.topics),
        ("subject", vocabulary.subjects),
        ("measure", vocabulary.measures),
        ("side", vocabulary.sides),
        ("place", vocabulary.places),
        ("per", vocabulary.rates),
        ("period", vocabulary.periods),
        ("month", vocabulary.months),
        ("intent", vocabulary.intents),
        ("claimant", vocabulary.claimants),
    )
    table: dict[tuple[str, ...], Concept] = {}
    for kind, terms in kinds:
        table |= _phrases(kind, terms.values())
    return PhraseMatcher(table)


def _uk_ru(words: Iterable[str]) -> frozenset[str]:
    return normal_forms(tuple(words))


def _word_set(words: Words) -> frozenset[str]:
    """English words as written (they are in normal form); the normal forms of the others."""
    return frozenset(words.en) | normal_forms(words.cyrillic)


NEGATIONS: Final = _word_set(VOCABULARY.negations)
SOURCE_WORDS: Final = _word_set(VOCABULARY.source_words)
STOPWORDS: Final = _word_set(VOCABULARY.stopwords)
# A Ukrainian or Russian stopword never names a place either; English has its own list.
NOT_PLACES: Final = _word_set(VOCABULARY.not_places) | normal_forms(VOCABULARY.stopwords.cyrillic)
PLACE_PREPOSITIONS: Final = _word_set(VOCABULARY.place_prepositions)
COUNT_WORDS: Final = _word_set(VOCABULARY.count_words)
OUR_WORDS: Final = {"uk": _uk_ru(VOCABULARY.our_words.uk), "ru": _uk_ru(VOCABULARY.our_words.ru)}
SPEAKER_SIDE: Final = {"uk": VOCABULARY.speaker_side.uk, "ru": VOCABULARY.speaker_side.ru}
OWN_WORDS: Final = _word_set(VOCABULARY.own_words)
ARTICLES: Final = _word_set(VOCABULARY.articles)
AGENT_WORDS: Final = _word_set(VOCABULARY.agent_words)
TOTAL_TO_WORDS: Final = _word_set(VOCABULARY.total_to_words)
ATTACK_WORDS: Final = _word_set(VOCABULARY.attack_words)
# As written too: "плену" (captivity) and "пленных" (prisoners) share a stem.
CUSTODY_WORDS: Final = frozenset(VOCABULARY.custody_words.all)
WAR_WORDS: Final = _word_set(VOCABULARY.war_words)
# Source markers are phrases: kept as token tuples, in every form they may arrive in.
SOURCE_BEFORE: Final = frozenset(
    tuple(tokens) for phrase in VOCABULARY.source_before.all for tokens in token_variants(phrase)
)
SOURCE_AFTER: Final = _word_set(VOCABULARY.source_after)
# Checked against words as written: their normal forms would merge "вбила" with "вбито".
AGENT_VERBS: Final = frozenset(VOCABULARY.agent_verbs.all)
AUXILIARIES: Final = frozenset(VOCABULARY.auxiliaries.all)
YEAR_WORDS: Final = _word_set(VOCABULARY.year_words)
MATCHER: Final = build_matcher()


def place_ancestors(place: str) -> list[str]:
    """The place and every place that contains it, innermost first."""
    chain = [place]
    parent = PLACES[place].parent
    while parent is not None:
        chain.append(parent)
        parent = PLACES[parent].parent
    return chain
