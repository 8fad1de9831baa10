"""Turn a question into ranked claims: constraints first, fuzzy similarity second.

Pure domain code, no Telegram imports. A question names facets (side, place, measure,
claimant, year, rate); a claim is eligible only if it is compatible with every facet the
question names. Fuzzy similarity (rapidfuzz) corrects typos and ranks the eligible claims;
it never makes an ineligible claim an answer, because a Russian figure for a question about
Ukrainian losses is the worst bug this product can have.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process, utils

from bot.constants import MAX_QUESTION_CHARS
from bot.lexicon import (
    COUNT_WORDS,
    CYRILLIC,
    MATCHER,
    NEGATIONS,
    NOT_PLACES,
    PLACE_PREPOSITIONS,
    SIDE_SOURCES,
    SOURCE_WORDS,
    STOPWORDS,
    Hit,
    cyrillic_key,
    parse_numbers,
    parse_years,
    place_ancestors,
    token_variants,
    tokenize,
    translit_key,
)
from store.models import ClaimPublic

CONTENT_ONLY_SIMILARITY: Final = 60.0  # rapidfuzz score (0-100) when no concept is named
RELATIVE_FLOOR: Final = 0.5  # of the best score; weaker matches are dropped
SUGGESTION_CUTOFF: Final = 45.0  # rapidfuzz score (0-100) for a "did you mean" suggestion
TYPO_CUTOFF: Final = 84.0  # rapidfuzz ratio (0-100) for replacing an unknown word
MAX_SUGGESTIONS: Final = 3

_ARTICLES: Final = frozenset({"the", "a", "an"})
_AGENT_WORDS: Final = frozenset({"by", "against"})  # "killed by Russia": Russia is not the victim
_WAR_WORDS: Final = frozenset({"war", "invasion", "conflict", "front", "frontline", "campaign"})
_MEASURE_FAMILIES: Final = {
    "killed": {"killed"},
    "wounded": {"wounded"},
    "missing": {"missing"},
    "captured": {"captured"},
    "casualties": {"killed", "wounded", "killed or wounded", "casualties", "missing", "captured"},
}
_US_RE: Final = re.compile(r"\bU\.?S\.?A?\b")


@dataclass(frozen=True)
class Facets:
    """What a question (or a claim) is about, in lexicon ids."""

    sides: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    unknown_places: tuple[str, ...] = ()
    measures: frozenset[str] = frozenset()
    claimants: frozenset[str] = frozenset()
    subjects: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    numbers: frozenset[int] = frozenset()
    per_day: bool = False
    periods: frozenset[str] = frozenset()  # "cumulative" and/or "early"
    excluded_claimants: frozenset[str] = frozenset()  # "not the official one"
    content: tuple[str, ...] = ()  # words that named no concept, for fuzzy matching


@dataclass(frozen=True)
class Match:
    claim: ClaimPublic
    score: float

    @property
    def confidence(self) -> float:
        """0-1; how sure the search is that this claim answers the question."""
        return min(1.0, self.score / 100)


@dataclass(frozen=True)
class SearchResult:
    question: str
    matches: tuple[Match, ...] = ()
    suggestions: tuple[ClaimPublic, ...] = ()
    # For each matched claim that a newer claim by the same claimant supersedes: that claim.
    newer: dict[int, ClaimPublic] = field(default_factory=dict)
    # Why there is no answer: "empty", "chit-chat", a subject/topic id, or the facet that no
    # claim covers ("side", "place", "measure", "claimant", "year", "rate").
    reason: str | None = None
    facets: Facets = field(default_factory=Facets)

    @property
    def answered(self) -> bool:
        return bool(self.matches)

    def comparable(self) -> list[ClaimPublic]:
        """The current claims that count the same thing as the best match, newest first.

        A claim its own claimant has since replaced is left out: its newer figure speaks.
        """
        if not self.matches:
            return []
        best = self.matches[0].claim
        same = [
            m.claim
            for m in self.matches
            if counts_same_thing(best, m.claim) and m.claim.id not in self.newer
        ]
        return sorted(same, key=lambda claim: (claim.date, claim.id), reverse=True)


@dataclass(frozen=True)
class _IndexedClaim:
    claim: ClaimPublic
    side: str | None
    places: frozenset[str]
    place_chain: frozenset[str]  # the claim's places and every place containing them
    claimants: frozenset[str]
    subjects: frozenset[str]
    years: frozenset[int]
    date_year: int
    text: str


def _concepts(hits: Sequence[Hit], kind: str) -> set[str]:
    return {hit.concept.id for hit in hits if hit.concept.kind == kind}


def _claim_years(claim: ClaimPublic) -> frozenset[int]:
    years = parse_years(tokenize(claim.period or ""))
    if len(years) >= 2 and "since" not in (claim.period or "").lower():
        years |= set(range(min(years), max(years) + 1))  # "1979–1989" covers the decade
    return frozenset(years | {int(claim.date[:4])})


def _claim_text(claim: ClaimPublic) -> str:
    parts = [
        claim.who,
        claim.measure,
        claim.where,
        claim.period,
        claim.claimant,
        claim.published_by,
        claim.reported_by,
        *claim.aliases,
        claim.key.replace("-", " "),
    ]
    words = [" ".join(tokens) for part in parts if part for tokens in token_variants(part)]
    return " ".join(words)


def _find(text: str) -> list[Hit]:
    """Concept hits in a stored text, read as every language it could be in."""
    return [hit for tokens in token_variants(text) for hit in MATCHER.find(tokens)]


def index_claim(claim: ClaimPublic) -> _IndexedClaim:
    who_hits = _find(claim.who)
    sides = _concepts(who_hits, "side")
    places = frozenset(_concepts(_find(claim.where or ""), "place"))
    source_text = " ".join(
        part
        for part in (claim.claimant, claim.published_by, claim.reported_by, *claim.aliases)
        if part
    )
    return _IndexedClaim(
        claim=claim,
        side=min(sides) if sides else None,
        places=places,
        place_chain=frozenset(a for place in places for a in place_ancestors(place)),
        claimants=frozenset(_concepts(_find(source_text), "claimant")),
        subjects=frozenset(_concepts(who_hits, "subject")),
        years=_claim_years(claim),
        date_year=int(claim.date[:4]),
        text=_claim_text(claim),
    )


def _thing(claim: ClaimPublic) -> tuple[str, str | None, str | None, frozenset[str]]:
    """What a claim counts, in lexicon terms: measure, rate, side and places."""
    item = index_claim(claim)
    return (claim.measure, claim.per, item.side, item.places)


def counts_same_thing(a: ClaimPublic, b: ClaimPublic) -> bool:
    """Whether two claims count the same thing, so that their figures can be compared."""
    return _thing(a) == _thing(b)


class ClaimIndex:
    """An in-memory index of active claims; build once per store revision, query many times."""

    def __init__(self, claims: Sequence[ClaimPublic]) -> None:
        self._claims = [index_claim(claim) for claim in claims if claim.is_active]
        claim_words = {word for item in self._claims for word in item.text.split()}
        self._claim_words = frozenset(claim_words)
        # Known words are never "corrected"; unknown ones are fuzzy-matched to this vocabulary.
        self._known = frozenset(claim_words | MATCHER.words | STOPWORDS | NOT_PLACES)
        long_words = sorted(word for word in claim_words | MATCHER.words if len(word) >= 4)
        self._latin_words = [word for word in long_words if not CYRILLIC.search(word)]
        self._cyrillic = {
            cyrillic_key(word): word for word in reversed(long_words) if CYRILLIC.search(word)
        }
        self._cyrillic_keys = sorted(self._cyrillic)
        # Latin-script Russian and Ukrainian ("skolko pogiblo") meets its Cyrillic forms here.
        self._translit = {
            translit_key(word): word for word in sorted(self._known) if CYRILLIC.search(word)
        }
        self._translit_keys = sorted(self._translit)
        self._sides = frozenset(item.side for item in self._claims if item.side)
        self._newer = self._supersessions()

    def _supersessions(self) -> dict[int, ClaimPublic]:
        """Claim id -> the newest later claim by the same claimant on the same thing."""
        groups: dict[tuple[object, ...], list[ClaimPublic]] = {}
        for item in self._claims:
            claim = item.claim
            key = (" ".join(claim.claimant.casefold().split()), *_thing(claim))
            groups.setdefault(key, []).append(claim)
        newer: dict[int, ClaimPublic] = {}
        for claims in groups.values():
            newest = max(claims, key=lambda claim: (claim.date, claim.id))
            for claim in claims:
                if claim.date < newest.date:
                    newer[claim.id] = newest
        return newer

    def newer_than(self, claim: ClaimPublic) -> ClaimPublic | None:
        """A newer claim by the same claimant on the same thing, if the store has one."""
        return self._newer.get(claim.id)

    def __len__(self) -> int:
        return len(self._claims)

    @property
    def claims(self) -> list[ClaimPublic]:
        return [item.claim for item in self._claims]

    # --- question analysis ---------------------------------------------------------------

    @staticmethod
    def _closest(token: str, words: list[str]) -> tuple[str, float] | None:
        best = process.extractOne(
            token, words, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF
        )
        return (str(best[0]), float(best[1])) if best else None

    def _correct(self, token: str) -> str:
        """A known word for an unknown one: a typo, or Russian/Ukrainian typed in Latin."""
        if token in self._known or not token.isalpha() or len(token) < 3:
            return token
        if CYRILLIC.search(token):
            found = self._closest(cyrillic_key(token), self._cyrillic_keys)
            return self._cyrillic[found[0]] if found and len(token) >= 4 else token
        # An English typo or a transliteration: whichever reading is closer wins.
        english = self._closest(token, self._latin_words) if len(token) >= 4 else None
        translit = self._closest(translit_key(token), self._translit_keys)
        if translit and (english is None or translit[1] > english[1]):
            return self._translit[translit[0]]
        return english[0] if english else token

    def analyse(self, question: str) -> Facets:
        """The facets a question names, after typo correction."""
        tokens = [self._correct(token) for token in tokenize(question[:MAX_QUESTION_CHARS])]
        hits = MATCHER.find(tokens)
        sides: set[str] = set()
        places: set[str] = set()
        claimants: set[str] = set()
        excluded: set[str] = set()
        measures: set[str] = set()

        def negated(hit: Hit) -> bool:
            # "not the official one", "not counting the wounded", "без учёта раненых"
            return bool(NEGATIONS & set(tokens[max(0, hit.start - 3) : hit.start]))

        has_measure = any(hit.concept.kind == "measure" for hit in hits)
        for position, hit in enumerate(hits):
            before = tokens[hit.start - 1] if hit.start else ""
            after = tokens[hit.end] if hit.end < len(tokens) else ""
            following = hits[position + 1] if position + 1 < len(hits) else None
            kind, concept = hit.concept.kind, hit.concept.id
            if kind == "claimant":
                (excluded if negated(hit) else claimants).add(concept)
            elif kind == "measure":
                if not negated(hit):
                    measures.add(concept)
            elif kind == "side":
                if before in _AGENT_WORDS:
                    continue
                if tokens[hit.start] == "us" and not _US_RE.search(question):
                    continue  # lower-case "us" is a pronoun
                if (
                    following is not None
                    and following.start == hit.end
                    and (following.concept.kind == "claimant")
                ):
                    continue  # "Ukraine's General Staff": the side qualifies the source
                if after in SOURCE_WORDS:
                    # "British data", "за британськими даними": that side's sources speak
                    if concept in SIDE_SOURCES:
                        claimants.add(SIDE_SOURCES[concept])
                    continue
                sides.add(concept)
            elif kind == "place":
                if negated(hit):
                    continue  # "not only in Bakhmut"
                # "Ukraine lost ..." names a side; "in Ukraine" and "Ukraine war" name a place.
                near = set(tokens[max(0, hit.start - 2) : hit.start])
                if (
                    concept == "ukraine"
                    and has_measure
                    and not near & PLACE_PREPOSITIONS
                    and before != "of"
                    and after not in _WAR_WORDS
                ):
                    if before not in _AGENT_WORDS:
                        sides.add("ukrainian")
                    continue
                places.add(concept)
        covered = {index for hit in hits for index in range(hit.start, hit.end)}

        def unknown(index: int) -> bool:
            token = tokens[index]
            return (
                index not in covered
                and token.isalpha()
                and len(token) >= 3
                and token not in self._known
            )

        def follows(index: int, words: frozenset[str]) -> bool:
            before = [t for t in tokens[max(0, index - 2) : index] if t not in _ARTICLES]
            return bool(before) and before[-1] in words

        unknown_places = tuple(
            tokens[i] for i in range(len(tokens)) if unknown(i) and follows(i, PLACE_PREPOSITIONS)
        )
        # "how many horses died": an unknown word where the counted subject goes.
        unknown_subject = any(unknown(i) and follows(i, COUNT_WORDS) for i in range(len(tokens)))
        content = tuple(
            token
            for index, token in enumerate(tokens)
            if index not in covered and token not in STOPWORDS and not token.isdigit()
        )
        if {"killed", "wounded"} <= measures:
            measures = {"casualties"}  # "killed and wounded" asks for total casualties
        return Facets(
            sides=frozenset(sides),
            places=frozenset(places),
            unknown_places=unknown_places,
            measures=frozenset(measures),
            claimants=frozenset(claimants),
            excluded_claimants=frozenset(excluded),
            periods=frozenset(_concepts(hits, "period")),
            subjects=frozenset(
                _concepts(hits, "subject") | ({"other"} if unknown_subject else set())
            ),
            topics=frozenset(_concepts(hits, "topic")),
            years=frozenset(parse_years(tokens)),
            numbers=frozenset(parse_numbers(tokens)),
            per_day=bool(_concepts(hits, "per")),
            content=content,
        )

    # --- eligibility and ranking ----------------------------------------------------------

    def _refusals(self, facets: Facets, item: _IndexedClaim) -> list[str]:
        """Every facet that makes this claim no answer to the question."""
        found = sorted(facets.subjects - item.subjects)
        if facets.sides and (item.side not in facets.sides or facets.sides - self._sides):
            found.append("side")  # "Ukrainians killed by Russians": no claim answers it all
        if facets.unknown_places or (facets.places and not facets.places & item.place_chain):
            found.append("place")
        if facets.measures:
            allowed = set().union(*(_MEASURE_FAMILIES[m] for m in facets.measures))
            if item.claim.measure not in allowed:
                found.append("measure")
        if (facets.claimants and not facets.claimants & item.claimants) or (
            facets.excluded_claimants & item.claimants
        ):
            found.append("claimant")
        if facets.years and not facets.years & item.years:
            found.append("year")
        if facets.per_day and item.claim.per != "day":
            found.append("rate")
        return found

    @staticmethod
    def _bonus(facets: Facets, item: _IndexedClaim) -> float:
        claim = item.claim
        points = 0.0
        if facets.places:
            if facets.places == item.places:
                points += 25
            elif facets.places & item.places:
                points += 15
        elif "ukraine" in item.place_chain:
            points += 8 if "ukraine" in item.places else 4  # the war people ask about by default
        if facets.measures:
            points += 12 if claim.measure in facets.measures else 6
        elif claim.measure == "killed":
            points += 4
        if facets.sides:
            points += 8
        if facets.claimants:
            # Naming the claimant three ways ("the blogger's video, shared by Gerashchenko")
            # should favour the claim that has all three.
            points += 25 * len(facets.claimants & item.claimants) / len(facets.claimants)
        if facets.years:
            points += 10 if item.date_year in facets.years else 5
        if facets.numbers and facets.numbers & {claim.figure_low, claim.figure_high}:
            points += 25
        if "cumulative" in facets.periods and "since" in (claim.period or "").lower():
            points += 10
        if "early" in facets.periods and item.date_year == min(item.years):
            points += 10 if item.date_year <= 2022 else 0
        if facets.per_day:
            points += 15
        elif claim.per:
            points -= 12  # a rate does not answer "how many" unless asked for one
        return points + (item.date_year - 2000) / 100  # newer wins a tie

    def search(self, question: str, *, limit: int = 10) -> SearchResult:
        """Rank the claims that answer ``question``; or say why none does, with suggestions."""
        question = " ".join(question.split())[:MAX_QUESTION_CHARS]
        if not utils.default_process(question):
            return SearchResult(question, reason="empty")
        facets = self.analyse(question)
        blockers = facets.subjects | (facets.topics if not facets.measures else frozenset())
        by_concept = bool(
            facets.sides
            or facets.places
            or facets.unknown_places
            or facets.measures
            or facets.claimants
            or facets.subjects
            or facets.numbers
            or facets.years
            or facets.per_day
            or facets.periods
            or facets.excluded_claimants
        )
        anchored = by_concept or bool(set(facets.content) & self._claim_words)
        if not anchored or (facets.topics and not facets.measures):
            reason = min(blockers) if blockers else "chit-chat"
            return self._no_answer(question, facets, reason)
        content = " ".join(facets.content)
        matches: list[Match] = []
        nearest: list[list[str]] = []  # the refusals of the claims that came closest
        for item in self._claims:
            refusals = self._refusals(facets, item)
            if refusals:
                if not nearest or len(refusals) < len(nearest[0]):
                    nearest = [refusals]
                elif len(refusals) == len(nearest[0]):
                    nearest.append(refusals)
                continue
            similarity = fuzz.token_set_ratio(content, item.text, processor=None) if content else 0
            if not by_concept and similarity < CONTENT_ONLY_SIMILARITY:
                continue  # words alone, with no concept named, must match closely
            matches.append(Match(item.claim, self._bonus(facets, item) + 0.3 * similarity))
        matches.sort(key=lambda match: (-match.score, match.claim.id))
        if not matches:
            # What kept the nearest claims out explains the "no" best.
            counts = Counter(reason for refusals in nearest for reason in refusals)
            reason = counts.most_common(1)[0][0] if counts else "weak"
            return self._no_answer(question, facets, reason)
        # Claims far behind the best are noise next to it, not extra answers.
        floor = matches[0].score * RELATIVE_FLOOR
        kept = tuple(match for match in matches[:limit] if match.score >= floor)
        newer = {m.claim.id: self._newer[m.claim.id] for m in kept if m.claim.id in self._newer}
        return SearchResult(question, kept, newer=newer, facets=facets)

    def _no_answer(self, question: str, facets: Facets, reason: str) -> SearchResult:
        suggestions: tuple[ClaimPublic, ...] = ()
        if reason not in ("chit-chat", "empty", "off topic") and self._claims:
            texts = [item.text for item in self._claims]
            found = process.extract(
                " ".join(tokenize(question)),
                texts,
                scorer=fuzz.token_set_ratio,
                processor=None,
                score_cutoff=SUGGESTION_CUTOFF,
                limit=MAX_SUGGESTIONS,
            )
            suggestions = tuple(self._claims[index].claim for _text, _score, index in found)
        return SearchResult(question, suggestions=suggestions, reason=reason, facets=facets)

    def newest(self, limit: int = 10) -> list[ClaimPublic]:
        """The most recently dated active claims, for an empty inline query."""
        ordered = sorted(
            self._claims, key=lambda item: (item.claim.date, item.claim.id), reverse=True
        )
        return [item.claim for item in ordered[:limit]]
