"""The question reader: a question's tokens become facets.

Typos are corrected first (``Speller``), then the vocabulary's phrases are found, and each
phrase is read in its context by one small rule: a side after "by" is the agent, not the
victim ("killed by Russia"); lower-case "us" is a pronoun; "Ukraine lost" names a side while
"in Ukraine" names a place; "British data" names a source; "not counting the wounded" is a
negation. Words that name nothing are kept for fuzzy matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process

from bot.constants import MAX_QUESTION_CHARS
from bot.lexicon import (
    AGENT_WORDS,
    ARTICLES,
    COUNT_WORDS,
    MATCHER,
    NEGATIONS,
    NOT_PLACES,
    PLACE_PREPOSITIONS,
    SIDE_SOURCES,
    SOURCE_WORDS,
    STOPWORDS,
    WAR_WORDS,
    Hit,
)
from bot.search.claim_words import concepts
from bot.search.result import Facets
from bot.text import CYRILLIC, cyrillic_key, parse_numbers, parse_years, tokenize, translit_key

TYPO_CUTOFF: Final = 84.0  # rapidfuzz ratio (0-100) for replacing an unknown word
NEGATION_REACH: Final = 3  # tokens before a phrase in which a negation applies to it
_US_RE: Final = re.compile(r"\bU\.?S\.?A?\b")


class Speller:
    """Corrects unknown words to known ones: a typo, or Russian/Ukrainian typed in Latin.

    Known words (the vocabulary's and the stored claims') are never corrected.
    """

    def __init__(self, claim_words: frozenset[str]) -> None:
        self.known = frozenset(claim_words | MATCHER.words | STOPWORDS | NOT_PLACES)
        long_words = sorted(word for word in claim_words | MATCHER.words if len(word) >= 4)
        self._latin_words = [word for word in long_words if not CYRILLIC.search(word)]
        self._cyrillic = {
            cyrillic_key(word): word for word in reversed(long_words) if CYRILLIC.search(word)
        }
        self._cyrillic_keys = sorted(self._cyrillic)
        # Latin-script Russian and Ukrainian ("skolko pogiblo") meets its Cyrillic forms here.
        self._translit = {
            translit_key(word): word for word in sorted(self.known) if CYRILLIC.search(word)
        }
        self._translit_keys = sorted(self._translit)

    def correct(self, token: str) -> str:
        """A known word for an unknown one, or the token as it is."""
        if token in self.known or not token.isalpha() or len(token) < 3:
            return token
        if CYRILLIC.search(token):
            found = _closest(cyrillic_key(token), self._cyrillic_keys)
            return self._cyrillic[found[0]] if found and len(token) >= 4 else token
        # An English typo or a transliteration: whichever reading is closer wins.
        english = _closest(token, self._latin_words) if len(token) >= 4 else None
        translit = _closest(translit_key(token), self._translit_keys)
        if translit and (english is None or translit[1] > english[1]):
            return self._translit[translit[0]]
        return english[0] if english else token


def _closest(token: str, words: list[str]) -> tuple[str, float] | None:
    best = process.extractOne(
        token, words, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF
    )
    return (str(best[0]), float(best[1])) if best else None


@dataclass(frozen=True)
class Phrase:
    """One vocabulary phrase found in a question, with the words around it."""

    hit: Hit
    tokens: Sequence[str]
    following: Hit | None  # the next phrase found, if any

    @property
    def before(self) -> str:
        return self.tokens[self.hit.start - 1] if self.hit.start else ""

    @property
    def after(self) -> str:
        return self.tokens[self.hit.end] if self.hit.end < len(self.tokens) else ""


# --- the rules, one per reading -----------------------------------------------------------


def is_negated(phrase: Phrase) -> bool:
    """ "not the official one", "not counting the wounded", "без учёта раненых"."""
    start = phrase.hit.start
    return bool(NEGATIONS & set(phrase.tokens[max(0, start - NEGATION_REACH) : start]))


def is_agent(phrase: Phrase) -> bool:
    """ "killed by Russia", "against Ukraine": the side named did the killing."""
    return phrase.before in AGENT_WORDS


def is_pronoun_us(phrase: Phrase, question: str) -> bool:
    """Lower-case "us" ("how many of us") is a pronoun; "US" or "U.S." is the country."""
    return phrase.tokens[phrase.hit.start] == "us" and not _US_RE.search(question)


def qualifies_source(phrase: Phrase) -> bool:
    """ "Ukraine's General Staff": the side right before a source describes the source."""
    following = phrase.following
    return (
        following is not None
        and following.start == phrase.hit.end
        and following.concept.kind == "claimant"
    )


def side_source(phrase: Phrase) -> str | None:
    """ "British data", "за британськими даними": the claimant a side's sources stand for."""
    if phrase.after not in SOURCE_WORDS:
        return None
    return SIDE_SOURCES.get(phrase.hit.concept.id, "")


def place_names_side(phrase: Phrase, has_measure: bool) -> bool:
    """ "Ukraine lost ..." names the side; "in Ukraine", "of Ukraine" and "Ukraine war" name
    the place."""
    start = phrase.hit.start
    near = set(phrase.tokens[max(0, start - 2) : start])
    return (
        phrase.hit.concept.id == "ukraine"
        and has_measure
        and not near & PLACE_PREPOSITIONS
        and phrase.before != "of"
        and phrase.after not in WAR_WORDS
    )


def merge_killed_and_wounded(measures: set[str]) -> set[str]:
    """ "killed and wounded" asks for total casualties."""
    return {"casualties"} if {"killed", "wounded"} <= measures else measures


# --- reading the phrases ------------------------------------------------------------------


@dataclass
class _Named:
    """What the phrases of a question name, as they are read one by one."""

    sides: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    claimants: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    measures: set[str] = field(default_factory=set)


def _read_side(phrase: Phrase, question: str, named: _Named) -> None:
    if is_agent(phrase) or is_pronoun_us(phrase, question) or qualifies_source(phrase):
        return
    source = side_source(phrase)
    if source is None:
        named.sides.add(phrase.hit.concept.id)
    elif source:
        named.claimants.add(source)


def _read_place(phrase: Phrase, has_measure: bool, named: _Named) -> None:
    if is_negated(phrase):
        return  # "not only in Bakhmut"
    if place_names_side(phrase, has_measure):
        if not is_agent(phrase):
            named.sides.add("ukrainian")
        return
    named.places.add(phrase.hit.concept.id)


def _read_phrases(hits: Sequence[Hit], tokens: Sequence[str], question: str) -> _Named:
    named = _Named()
    has_measure = any(hit.concept.kind == "measure" for hit in hits)
    for position, hit in enumerate(hits):
        following = hits[position + 1] if position + 1 < len(hits) else None
        phrase = Phrase(hit, tokens, following)
        kind, concept = hit.concept.kind, hit.concept.id
        if kind == "claimant":
            (named.excluded if is_negated(phrase) else named.claimants).add(concept)
        elif kind == "measure" and not is_negated(phrase):
            named.measures.add(concept)
        elif kind == "side":
            _read_side(phrase, question, named)
        elif kind == "place":
            _read_place(phrase, has_measure, named)
    return named


# --- words that name nothing ---------------------------------------------------------------


@dataclass(frozen=True)
class _Leftovers:
    """The tokens no phrase covers, and what they may still say."""

    tokens: Sequence[str]
    covered: frozenset[int]
    known: frozenset[str]

    def unknown(self, index: int) -> bool:
        token = self.tokens[index]
        return (
            index not in self.covered
            and token.isalpha()
            and len(token) >= 3
            and token not in self.known
        )

    def follows(self, index: int, words: frozenset[str]) -> bool:
        before = [t for t in self.tokens[max(0, index - 2) : index] if t not in ARTICLES]
        return bool(before) and before[-1] in words

    def unknown_after(self, words: frozenset[str]) -> list[str]:
        return [
            self.tokens[i]
            for i in range(len(self.tokens))
            if self.unknown(i) and self.follows(i, words)
        ]

    def content(self) -> tuple[str, ...]:
        return tuple(
            token
            for index, token in enumerate(self.tokens)
            if index not in self.covered and token not in STOPWORDS and not token.isdigit()
        )


def unknown_places(leftovers: _Leftovers) -> tuple[str, ...]:
    """ "in Narnia": an unknown word where a place goes names a place no claim covers."""
    return tuple(leftovers.unknown_after(PLACE_PREPOSITIONS))


def asks_unknown_subject(leftovers: _Leftovers) -> bool:
    """ "how many horses died": an unknown word where the counted subject goes."""
    return bool(leftovers.unknown_after(COUNT_WORDS))


def _covered(hits: Iterable[Hit]) -> frozenset[int]:
    return frozenset(index for hit in hits for index in range(hit.start, hit.end))


def read_question(question: str, speller: Speller) -> Facets:
    """The facets a question names, after typo correction."""
    tokens = [speller.correct(token) for token in tokenize(question[:MAX_QUESTION_CHARS])]
    hits = MATCHER.find(tokens)
    named = _read_phrases(hits, tokens, question)
    leftovers = _Leftovers(tokens, _covered(hits), speller.known)
    subjects = concepts(hits, "subject") | ({"other"} if asks_unknown_subject(leftovers) else set())
    return Facets(
        sides=frozenset(named.sides),
        places=frozenset(named.places),
        unknown_places=unknown_places(leftovers),
        measures=frozenset(merge_killed_and_wounded(named.measures)),
        claimants=frozenset(named.claimants),
        excluded_claimants=frozenset(named.excluded),
        periods=frozenset(concepts(hits, "period")),
        subjects=frozenset(subjects),
        topics=frozenset(concepts(hits, "topic")),
        years=frozenset(parse_years(tokens)),
        numbers=frozenset(parse_numbers(tokens)),
        per_day=bool(concepts(hits, "per")),
        content=leftovers.content(),
    )
