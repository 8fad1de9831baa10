"""Turn a question into ranked claims: constraints first, fuzzy similarity second.

Pure domain code, no Telegram imports. A question names facets (side, place, measure,
claimant, year, rate); a claim is eligible only if it is compatible with every facet the
question names. Fuzzy similarity (rapidfuzz) corrects typos and ranks the eligible claims;
it never makes an ineligible claim an answer, because a Russian figure for a question about
Ukrainian losses is the worst bug this product can have.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process, utils

from bot.constants import MAX_QUESTION_CHARS
from bot.lexicon import (
    COUNT_WORDS,
    CYRILLIC,
    MATCHER,
    NEGATIONS,
    NOT_PLACES,
    PLACE_PREPOSITIONS,
    PLACES,
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
from store.models import MEASURES, PERS, ClaimPublic

CONTENT_ONLY_SIMILARITY: Final = 60.0  # rapidfuzz score (0-100) when no concept is named
RELATIVE_FLOOR: Final = 0.5  # of the best score; weaker matches are dropped
SUGGESTION_CUTOFF: Final = 45.0  # rapidfuzz score (0-100) for a "did you mean" suggestion
TYPO_CUTOFF: Final = 84.0  # rapidfuzz ratio (0-100) for replacing an unknown word
MAX_SUGGESTIONS: Final = 3
_RELATED_REASONS: Final = frozenset(
    {"side", "place", "measure", "claimant", "year", "rate", "weak"}
)
RERANK: Final = 128  # candidates re-ranked with rapidfuzz; all of them in a smaller store
CLAIM_CACHE: Final = 4_096  # full claims kept per index, so popular answers skip the store
KTH_LEVELS: Final = 4  # distinct score levels scanned for a re-rank floor
TEXT_CACHE: Final = 16_384  # re-ranked claim texts kept per index (about 200 bytes each)

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


class UncachedError(Exception):
    """A claim to show is not in the index's cache: reading it needs the store."""


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


class ClaimRow(NamedTuple):
    """The fields of a claim that search reads; the rest is fetched only for shown claims."""

    id: int
    measure: str
    per: str | None
    who: str
    where: str | None
    period: str | None
    claimant: str
    published_by: str | None
    reported_by: str | None
    aliases: tuple[str, ...]
    date: str
    figure_low: int
    figure_high: int | None

    @classmethod
    def of(cls, claim: ClaimPublic) -> ClaimRow:
        return cls(
            claim.id, claim.measure, claim.per, claim.who, claim.where, claim.period,
            claim.claimant, claim.published_by, claim.reported_by, tuple(claim.aliases),
            claim.date, claim.figure_low, claim.figure_high,
        )  # fmt: skip


Fetch = Callable[[Sequence[int]], Sequence[ClaimPublic]]


def _concepts(hits: Iterable[Hit], kind: str) -> set[str]:
    return {hit.concept.id for hit in hits if hit.concept.kind == kind}


# Stored texts repeat a lot (the same claimant, place or period on many claims), so what is
# read from them is cached by text: building an index of 100,000 claims reads each once.
@lru_cache(maxsize=100_000)
def _find(text: str) -> tuple[Hit, ...]:
    """Concept hits in a stored text, read as every language it could be in."""
    return tuple(hit for tokens in token_variants(text) for hit in MATCHER.find(tokens))


@lru_cache(maxsize=100_000)
def _words(text: str) -> str:
    """A stored text as normalised words, in every language it could be in."""
    return " ".join(" ".join(tokens) for tokens in token_variants(text))


@lru_cache(maxsize=100_000)
def side_and_places(who: str, where: str | None) -> tuple[str | None, frozenset[str]]:
    """Whose losses (one side) and where (lexicon places), from a claim's own words."""
    sides = _concepts(_find(who), "side")
    return (min(sides) if sides else None), frozenset(_concepts(_find(where or ""), "place"))


@lru_cache(maxsize=100_000)
def _claimant_mask_in(text: str) -> int:
    """The claimants a source text names, as bits (cached: sources repeat across claims)."""
    return _bits(_concepts(_find(text), "claimant"), _CLAIMANT_BIT)


@lru_cache(maxsize=100_000)
def _subject_mask(who: str) -> int:
    return _bits(_concepts(_find(who), "subject"), _SUBJECT_BIT)


class _Profile(NamedTuple):
    """The parts of a claim that search reads from words (not its id, date or figure)."""

    who: str
    where: str | None
    period: str | None
    claimant: str
    published_by: str | None
    reported_by: str | None
    aliases: tuple[str, ...]
    measure: str
    per: str | None

    @classmethod
    def of(cls, row: ClaimRow) -> _Profile:
        return cls(row.who, row.where, row.period, row.claimant, row.published_by,
                   row.reported_by, row.aliases, row.measure, row.per)  # fmt: skip

    @property
    def parts(self) -> tuple[str, ...]:
        """The texts search reads words from, in the order a claim's text is written."""
        parts = (self.who, self.measure, self.where, self.period, self.claimant,
                 self.published_by, self.reported_by, *self.aliases)  # fmt: skip
        return tuple(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class _ProfileFacts:
    """What search knows about one profile: facets as bit masks, years, rate."""

    side: str | None
    place_mask: int
    chain_mask: int  # the places and every place that contains them
    claimant_mask: int
    subject_mask: int
    measure: str
    per: str | None
    years: frozenset[int]  # from the period only; the claim's own date is added per claim
    since: bool
    same: tuple[object, ...]  # claimant and what is counted: claims that supersede each other

    @classmethod
    def of(cls, p: _Profile) -> _ProfileFacts:
        side, places = side_and_places(p.who, p.where)
        claimants = 0
        for part in (p.claimant, p.published_by, p.reported_by, *p.aliases):
            if part:
                claimants |= _claimant_mask_in(part)
        place_mask, chain_mask = _place_masks(places)
        return cls(
            side=side,
            place_mask=place_mask,
            chain_mask=chain_mask,
            claimant_mask=claimants,
            subject_mask=_subject_mask(p.who),
            measure=p.measure,
            per=p.per,
            years=_period_years(p.period),
            since="since" in (p.period or "").lower(),
            same=(" ".join(p.claimant.casefold().split()), p.measure, p.per, side, places),
        )


def _profile_text(profile: _Profile) -> str:
    """A profile's searchable words, for rapidfuzz; built only for re-ranked candidates."""
    return " ".join(_words(part) for part in profile.parts)


@lru_cache(maxsize=10_000)
def _period_years(period: str | None) -> frozenset[int]:
    years = parse_years(tokenize(period or ""))
    if len(years) >= 2 and "since" not in (period or "").lower():
        years |= set(range(min(years), max(years) + 1))  # "1979–1989" covers the decade
    return frozenset(years)


def _thing(
    measure: str, per: str | None, who: str, where: str | None
) -> tuple[str, str | None, str | None, frozenset[str]]:
    """What a claim counts, in lexicon terms: measure, rate, side and places."""
    return (measure, per, *side_and_places(who, where))


def counts_same_thing(a: ClaimPublic, b: ClaimPublic) -> bool:
    """Whether two claims count the same thing, so that their figures can be compared."""
    return _thing(a.measure, a.per, a.who, a.where) == _thing(b.measure, b.per, b.who, b.where)


def _mask_type(bits: int) -> type[np.unsignedinteger[Any]]:
    """The narrowest unsigned integer type with at least ``bits`` bits."""
    return next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(t).bits >= bits)


def _lacks(column: npt.NDArray[np.unsignedinteger[Any]], bits: int) -> Mask:
    """Which claims have none of ``bits`` in a bit mask column."""
    lacking: Mask = (column & column.dtype.type(bits)) == 0
    return lacking


def _bits(names: Iterable[str], positions: Mapping[str, int]) -> int:
    mask = 0
    for name in names:
        mask |= 1 << positions[name]
    return mask


# Bit positions and codes for the index's numeric columns.
_PLACE_BIT: Final = {place: bit for bit, place in enumerate(PLACES)}
_CLAIMANT_BIT: Final = {name: bit for bit, name in enumerate(sorted(MATCHER.concepts("claimant")))}
_SUBJECT_BIT: Final = {
    name: bit for bit, name in enumerate(sorted(MATCHER.concepts("subject") | {"other"}))
}
_SIDE_CODE: Final = {name: code for code, name in enumerate(sorted(MATCHER.concepts("side")))}
_MEASURE_CODE: Final = {measure: code for code, measure in enumerate(MEASURES)}
_PER_CODE: Final = {per: code for code, per in enumerate(PERS, start=1)}  # 0: a total
_UKRAINE: Final = 1 << _PLACE_BIT["ukraine"]
Array = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


def _top(scores: npt.NDArray[np.float64], rows: Array, k: int) -> Array:
    """Positions of the ``k`` best scores, best first, ties to the smaller row (so to the
    smaller id: rows are in id order); a partition, then a sort of the ``k``."""
    if len(scores) > k:
        # Scores differ by at least 0.01 or not at all, so a tiny row term only breaks ties.
        keys = scores - rows * 1e-9
        part = np.argpartition(-keys, k - 1)[:k]
    else:
        part = np.arange(len(scores))
    return part[np.lexsort((rows[part], -scores[part]))]


def _contenders(scores: npt.NDArray[np.float64], k: int) -> Array:
    """Positions of the ``k`` best scores, ties to the earlier position, in no particular
    order: those above the ``k``-th best, then the first ones at it."""
    floor = _kth_best(scores, k)
    if len(scores) <= k or floor == -np.inf:
        return _top(scores, np.arange(len(scores)), k)
    above = np.flatnonzero(scores > floor)
    level = np.flatnonzero(scores == floor)[: k - len(above)]
    return np.concatenate([above, level])


def _kth_best(scores: npt.NDArray[np.float64], k: int) -> float:
    """The ``k``-th best of ``scores`` (below 0 and 1,000), if the best ``KTH_LEVELS`` distinct
    scores hold that many; else -inf. Scores come in few levels: a few linear scans."""
    for _level in range(KTH_LEVELS):
        best = float(scores.max()) if len(scores) else -np.inf
        if best < -1_000:  # nothing left: every level is taken
            break
        at_best = scores >= best
        k -= int(np.count_nonzero(at_best))
        if k <= 0:
            return best
        scores = scores - 1e6 * at_best  # taken: out of the next level's way
    return -np.inf


@lru_cache(maxsize=10_000)
def _place_masks(places: frozenset[str]) -> tuple[int, int]:
    """The places' bit mask, and that of the places with every place containing them."""
    chain = {ancestor for place in places for ancestor in place_ancestors(place)}
    return _bits(places, _PLACE_BIT), _bits(chain, _PLACE_BIT)


def _postings(
    profiles: Sequence[_Profile], profile_of: npt.NDArray[np.int32]
) -> dict[str, npt.NDArray[np.int32]]:
    """Word -> positions of the claims whose text holds it, built from distinct text parts
    (a claimant or place is read once, not once per claim) and array operations."""
    part_ids: dict[str, int] = {}
    pair_part, pair_profile = array("i"), array("i")  # (part, profile) pairs, compactly
    for position, profile in enumerate(profiles):
        for part in profile.parts:
            pair_part.append(part_ids.setdefault(part, len(part_ids)))
            pair_profile.append(position)
    by_part = np.argsort(np.frombuffer(pair_part, np.int32), kind="stable")
    holders = np.frombuffer(pair_profile, np.int32)[by_part]  # profiles, grouped by part
    bounds = np.searchsorted(
        np.frombuffer(pair_part, np.int32)[by_part], np.arange(len(part_ids) + 1)
    )
    del pair_part, pair_profile, by_part
    word_parts: dict[str, list[int]] = {}
    for part, part_id in part_ids.items():
        for word in set(_words(part).split()):
            word_parts.setdefault(word, []).append(part_id)
    members = np.argsort(profile_of, kind="stable")  # claims grouped by profile
    sizes = np.bincount(profile_of, minlength=len(profiles))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    postings: dict[str, npt.NDArray[np.int32]] = {}
    for word, parts in word_parts.items():
        owners = np.unique(
            np.concatenate([holders[bounds[part] : bounds[part + 1]] for part in parts])
        )
        repeat = sizes[owners]
        offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        found = members[np.repeat(starts[owners], repeat) + offsets]
        postings[word] = np.sort(found).astype(np.int32)  # half the memory of int64
    return postings


def _best_levels(scores: npt.NDArray[np.float64], k: int) -> Array:
    """Positions of the ``k`` best finite scores, best first, ties to the earlier position.

    Scores come in few distinct levels, so taking the best level, then the next, is a few
    linear scans; far cheaper than sorting 100,000 scores.
    """
    found: list[Array] = []
    remaining = k
    scores = scores.copy()
    while remaining > 0:
        best = scores.max() if len(scores) else -np.inf
        if not np.isfinite(best):
            break
        level = np.flatnonzero(scores == best)[:remaining]
        found.append(level)
        remaining -= len(level)
        scores[level] = -np.inf  # taken; if the level had more, ``remaining`` is now 0
    return np.concatenate(found) if found else np.array([], np.int64)


def _date_key(date: str) -> int:
    """Dates as sortable numbers at their own precision: "2025" < "2025-06" < "2025-06-01"."""
    parts = [int(part) for part in date.split("-")] + [0, 0]
    return parts[0] * 10_000 + parts[1] * 100 + parts[2]


class _FactColumns:
    """What search knows about each distinct profile, as compact columns (one pass)."""

    def __init__(self) -> None:
        self.side, self.measure, self.per, self.since = (array("b") for _ in range(4))
        self.side_bit, self.places, self.chain, self.claimants, self.subjects = (
            array("Q") for _ in range(5)
        )
        self.first_year, self.group = array("q"), array("q")
        self.years: list[frozenset[int]] = []  # shared sets: periods repeat
        self.period_years: set[int] = set()
        self.sides: frozenset[str] = frozenset()

    @classmethod
    def of(cls, profiles: Iterable[_Profile]) -> _FactColumns:
        columns = cls()
        groups: dict[tuple[object, ...], int] = {}
        sides: set[str] = set()
        for facts in map(_ProfileFacts.of, profiles):
            columns.side.append(_SIDE_CODE[facts.side] if facts.side else -1)
            columns.side_bit.append(1 << _SIDE_CODE[facts.side] if facts.side else 0)
            columns.places.append(facts.place_mask)
            columns.chain.append(facts.chain_mask)
            columns.claimants.append(facts.claimant_mask)
            columns.subjects.append(facts.subject_mask)
            columns.measure.append(_MEASURE_CODE[facts.measure])
            columns.per.append(_PER_CODE.get(facts.per or "", 0))
            columns.since.append(facts.since)
            columns.years.append(facts.years)
            columns.period_years |= facts.years
            columns.first_year.append(min(facts.years, default=9999))
            columns.group.append(groups.setdefault(facts.same, len(groups)))
            if facts.side:
                sides.add(facts.side)
        columns.sides = frozenset(sides)
        return columns


@dataclass(frozen=True)
class _Keyed:
    """The columns the facet points read, per distinct combination of their values."""

    places: npt.NDArray[np.uint64]
    measure_bit: npt.NDArray[np.uint64]
    year: Array
    since: Mask
    early: Mask
    # Points earned whatever the question names.
    default_place: npt.NDArray[np.float64]  # the war people ask about by default
    killed: npt.NDArray[np.float64]
    rate_penalty: npt.NDArray[np.float64]  # a rate does not answer "how many"
    recency: npt.NDArray[np.float64]  # newer wins a tie

    @classmethod
    def of(cls, values: npt.NDArray[np.uint64]) -> _Keyed:
        """From the rows ``places, chain, measure, since, early, per, year``."""
        places, chain, measure, since, early, per, year = values
        ukraine = np.uint64(_UKRAINE)
        year = year.astype(np.int64)
        return cls(
            places=places,
            measure_bit=np.left_shift(np.uint64(1), measure),
            year=year,
            since=since.astype(bool),
            early=early.astype(bool),
            default_place=np.where(
                (places & ukraine) != 0, 8.0, np.where((chain & ukraine) != 0, 4.0, 0.0)
            ),
            killed=np.where(measure == _MEASURE_CODE["killed"], 4.0, 0.0),
            rate_penalty=np.where(per != 0, -12.0, 0.0),
            recency=(year - 2000) / 100,
        )


class ClaimIndex:
    """An in-memory index of active claims; build once per store revision, query many times.

    Numeric columns (sides, places and claimants as bit masks, measures, years, figures)
    make eligibility and the facet score a few numpy operations over every claim; rapidfuzz
    then re-ranks the best ``RERANK`` candidates on the question's remaining words. Full
    claims are fetched (from the store, in production) only for what an answer shows.
    """

    def __init__(self, claims: Sequence[ClaimPublic]) -> None:
        active = {claim.id: claim for claim in claims if claim.is_active}
        rows = [ClaimRow.of(claim) for claim in active.values()]
        self._build(rows, lambda ids: [active[i] for i in ids if i in active])

    @classmethod
    def from_rows(cls, rows: Iterable[ClaimRow], fetch: Fetch) -> ClaimIndex:
        """An index over active claims' rows, read once (they may stream from the store);
        ``fetch`` returns full active claims by id."""
        index = cls.__new__(cls)
        index._build(rows, fetch)
        return index

    def _build(self, rows: Iterable[ClaimRow], fetch: Fetch) -> None:
        self._fetch = fetch
        self._cache: dict[int, ClaimPublic] = {}
        self._texts: dict[int, str] = {}  # profile -> its words, for the re-ranked candidates
        # One pass that keeps numbers and one copy of each distinct profile (claims share
        # wording: claimant, place, period...), never every row at once: at 100,000 claims,
        # holding the rows as well would double the peak memory of a build.
        profiles: dict[_Profile, int] = {}
        ids, dates, lows, highs, profile_at = (array("q") for _ in range(5))
        for row in rows:
            ids.append(row.id)
            dates.append(_date_key(row.date))
            lows.append(row.figure_low)
            highs.append(-1 if row.figure_high is None else row.figure_high)
            profile_at.append(profiles.setdefault(_Profile.of(row), len(profiles)))
        # Id order, so that ties go to the smaller id by position.
        order = np.argsort(np.frombuffer(ids, np.int64), kind="stable")

        def ordered(values: array[int]) -> Array:
            return np.frombuffer(values, np.int64)[order]

        self._ids: Array = ordered(ids)
        self._date: Array = ordered(dates)
        self._year: Array = self._date // 10_000
        self._low: Array = ordered(lows)
        self._high: Array = ordered(highs)
        profile_of = ordered(profile_at).astype(np.int32)
        del ids, dates, lows, highs, profile_at
        self._profile = profile_of
        self._profiles = list(profiles)
        del profiles
        facts = _FactColumns.of(self._profiles)
        self._sides = facts.sides
        n = len(self._ids)

        def column(values: array[int], dtype: type) -> npt.NDArray[Any]:
            return np.asarray(values, dtype)[profile_of]

        self._side = column(facts.side, np.int8)
        # Bit masks in the narrowest type that holds them: a question scans less memory.
        self._side_bit = column(facts.side_bit, _mask_type(len(_SIDE_CODE)))
        self._places = column(facts.places, _mask_type(len(_PLACE_BIT)))
        self._chain = column(facts.chain, _mask_type(len(_PLACE_BIT)))
        self._claimants = column(facts.claimants, _mask_type(len(_CLAIMANT_BIT)))
        self._subjects = column(facts.subjects, _mask_type(len(_SUBJECT_BIT)))
        self._measure = column(facts.measure, np.int8)
        measure_type = _mask_type(len(_MEASURE_CODE))
        self._measure_bit = np.left_shift(measure_type(1), self._measure.astype(measure_type))
        self._per = column(facts.per, np.int8)
        since = column(facts.since, np.bool_)
        # A claim's years: its period's, and its own date's.
        self._years: dict[int, Mask] = {}  # a byte per claim and year: faster than positions
        for year in sorted({*facts.period_years, *np.unique(self._year).tolist()}):
            in_period = np.fromiter((year in f for f in facts.years), np.bool_, len(facts.years))
            self._years[year] = in_period[profile_of] | (self._year == year)
        first_year = column(facts.first_year, np.int64)
        early = (self._year <= np.minimum(first_year, 2022)) & (self._year <= 2022)
        # What the facet points read, per distinct combination: claims share few of them, so a
        # question's points are computed per combination and then looked up for each claim.
        read = (self._places, self._chain, self._measure, since, early, self._per, self._year)
        combinations, key = np.unique(
            np.stack([part.astype(np.uint64) for part in read], axis=1),
            axis=0,
            return_inverse=True,
        )
        self._key = key.reshape(-1).astype(np.intp)  # gathers convert any other type
        self._keyed = _Keyed.of(combinations.T)
        self._postings = _postings(self._profiles, profile_of)
        # Supersession: the claims that a later claim by the same claimant on the same thing
        # replaces (sorted ids), and that newest claim's id for each.
        group_of = column(facts.group, np.int64)
        self._superseded: Array = np.array([], np.int64)
        self._superseding: Array = np.array([], np.int64)
        if n:
            order = np.lexsort((self._ids, self._date, group_of))  # each group's newest last
            last = np.r_[group_of[order][1:] != group_of[order][:-1], True]
            newest = np.empty(n, np.int64)
            newest[order] = np.repeat(order[last], np.diff(np.r_[-1, np.flatnonzero(last)]))
            older = self._date < self._date[newest]
            self._superseded, self._superseding = self._ids[older], self._ids[newest[older]]
        self._newest_first = np.lexsort((-self._ids, -self._date))
        claim_words = {word for word in self._postings if word.isalpha()}
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

    def __len__(self) -> int:
        return len(self._ids)

    def _claims(self, ids: Iterable[int], *, fetch: bool = True) -> dict[int, ClaimPublic]:
        """Full claims by id: from this index's cache, else fetched (the index is per revision,
        so a cached claim is never staler than the index itself). Without ``fetch``, a claim
        missing from the cache raises ``UncachedError``."""
        found = {i: self._cache.get(i) for i in ids}  # one read each: other threads may clear
        missing = [i for i, claim in found.items() if claim is None]
        if missing:
            if not fetch:
                raise UncachedError(missing)
            fetched = {claim.id: claim for claim in self._fetch(missing)}
            if len(self._cache) + len(fetched) > CLAIM_CACHE:
                self._cache.clear()
            self._cache.update(fetched)
            found.update(fetched)
        return {i: claim for i, claim in found.items() if claim is not None and claim.is_active}

    def newer_than(self, claim: ClaimPublic) -> ClaimPublic | None:
        """A newer claim by the same claimant on the same thing, if the store has one."""
        newer = self.superseded(claim.id)
        return self._claims([newer]).get(newer) if newer is not None else None

    def comparable_to(self, claim: ClaimPublic, limit: int = 100) -> list[ClaimPublic]:
        """Every active claim on the same measure, rate and side as ``claim``, about the same
        places or overlapping ones (Bakhmut alone, and Bakhmut with Pokrovsk), newest first."""
        measure, per, side, places = _thing(claim.measure, claim.per, claim.who, claim.where)
        same_places = (
            ~_lacks(self._places, _bits(places, _PLACE_BIT)) if places else self._places == 0
        )
        same = (
            (self._measure == _MEASURE_CODE[measure])
            & (self._per == _PER_CODE.get(per or "", 0))
            & (self._side == (_SIDE_CODE[side] if side else -1))
            & same_places
        )
        rows = np.flatnonzero(same)
        rows = rows[np.lexsort((-self._ids[rows], -self._date[rows]))][:limit]
        ids = [int(i) for i in self._ids[rows]]
        found = self._claims(ids)
        return [found[i] for i in ids if i in found]

    def superseded(self, claim_id: int) -> int | None:
        """The id of a newer claim by the same claimant on the same thing, if any."""
        at = int(np.searchsorted(self._superseded, claim_id))
        if at < len(self._superseded) and self._superseded[at] == claim_id:
            return int(self._superseding[at])
        return None

    def _text(self, row: int) -> str:
        """A claim's words for rapidfuzz, kept per profile for the next question."""
        profile = int(self._profile[row])
        text = self._texts.get(profile)
        if text is None:
            if len(self._texts) >= TEXT_CACHE:
                self._texts.clear()
            text = self._texts[profile] = _profile_text(self._profiles[profile])
        return text

    def newest(self, limit: int = 10) -> list[ClaimPublic]:
        """The most recently dated active claims, for an empty inline query."""
        ids = [int(i) for i in self._ids[self._newest_first[:limit]]]
        found = self._claims(ids)
        return [found[i] for i in ids if i in found]

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

    def _failures(self, facets: Facets) -> list[tuple[str, Mask]]:
        """For each facet the question names, which claims it rules out."""
        n = len(self._ids)
        found: list[tuple[str, Mask]] = []
        for subject in sorted(facets.subjects):
            found.append((subject, _lacks(self._subjects, 1 << _SUBJECT_BIT[subject])))
        if facets.sides:
            # "Ukrainians killed by Russians": when one named side has no claims, none answers.
            whole = bool(facets.sides - self._sides)
            wanted = _bits(facets.sides, _SIDE_CODE)
            found.append(("side", np.ones(n, bool) if whole else _lacks(self._side_bit, wanted)))
        if facets.unknown_places or facets.places:
            if facets.unknown_places:
                found.append(("place", np.ones(n, bool)))
            else:
                found.append(("place", _lacks(self._chain, _bits(facets.places, _PLACE_BIT))))
        if facets.measures:
            allowed = set().union(*(_MEASURE_FAMILIES[m] for m in facets.measures))
            found.append(("measure", _lacks(self._measure_bit, _bits(allowed, _MEASURE_CODE))))
        if facets.claimants or facets.excluded_claimants:
            fails = ~_lacks(self._claimants, _bits(facets.excluded_claimants, _CLAIMANT_BIT))
            if facets.claimants:
                fails |= _lacks(self._claimants, _bits(facets.claimants, _CLAIMANT_BIT))
            found.append(("claimant", fails))
        if facets.years:
            covered = np.zeros(n, bool)
            for year in facets.years:
                if year in self._years:
                    covered |= self._years[year]
            found.append(("year", ~covered))
        if facets.per_day:
            found.append(("rate", self._per != _PER_CODE["day"]))
        return found

    @staticmethod
    def _reason(failures: list[tuple[str, Mask]]) -> str:
        """What kept the nearest claims out: the facet most of them fail, first seen first."""
        if not failures:
            return "weak"
        counts = np.zeros(len(failures[0][1]), np.uint8)
        for _name, fails in failures:
            counts += fails  # bools add as 0/1: how many facets each claim fails
        refused = counts > 0
        if not refused.any():
            return "weak"
        nearest = refused & (counts == counts[refused].min())
        tallies = [np.count_nonzero(fails & nearest) for _name, fails in failures]
        best = max(tallies)
        first = {
            position: (int(np.argmax(failures[position][1] & nearest)), position)
            for position, tally in enumerate(tallies)
            if tally == best
        }
        return failures[min(first, key=lambda position: first[position])][0]

    def _points(self, facets: Facets) -> npt.NDArray[np.float64]:
        """Points for how exactly each combination of claim facts fits the question."""
        keyed = self._keyed
        points = keyed.recency.copy()
        if facets.places:
            wanted = np.uint64(_bits(facets.places, _PLACE_BIT))
            overlap = np.where((keyed.places & wanted) != 0, 15.0, 0.0)
            points += np.where(keyed.places == wanted, 25.0, overlap)
        else:
            points += keyed.default_place
        if facets.measures:
            named = np.uint64(
                _bits((m for m in facets.measures if m in _MEASURE_CODE), _MEASURE_CODE)
            )
            points += np.where((keyed.measure_bit & named) != 0, 12.0, 6.0)
        else:
            points += keyed.killed
        if facets.sides:
            points += 8
        if facets.years:
            dated = np.zeros(len(points), bool)
            for year in facets.years:
                dated |= keyed.year == year
            points += np.where(dated, 10.0, 5.0)
        if "cumulative" in facets.periods:
            points += np.where(keyed.since, 10.0, 0.0)
        if "early" in facets.periods:
            points += np.where(keyed.early, 10.0, 0.0)
        if facets.per_day:
            points += 15
        else:
            points += keyed.rate_penalty
        return points

    def _bonus(
        self, facets: Facets, rows: Array, points: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """Points for how exactly each of the eligible ``rows`` fits the question: their
        combinations' ``points``, and points for what claims rarely share (none is negative)."""
        bonus = points[self._key[rows]]
        if facets.claimants:
            # Naming the claimant three ways ("the blogger's video, shared by Gerashchenko")
            # favours the claim that has all three.
            claimants = self._claimants[rows]
            named = claimants.dtype.type(_bits(facets.claimants, _CLAIMANT_BIT))
            shared = np.bitwise_count(claimants & named)
            bonus += 25 * shared / len(facets.claimants)
        if facets.numbers:
            low, high = self._low[rows], self._high[rows]
            quoted = np.zeros(len(rows), bool)
            for number in facets.numbers:
                quoted |= (low == number) | (high == number)
            bonus += 25.0 * quoted
        return bonus

    def _overlap(self, words: Iterable[str]) -> npt.NDArray[np.float64]:
        """How many of the words each claim contains: a cheap stand-in for rapidfuzz."""
        counts = np.zeros(len(self._ids))
        for word in set(words):
            if word in self._postings:
                counts[self._postings[word]] += 1
        return counts

    def search(
        self, question: str, *, limit: int = 10, exhaustive: bool = False, fetch: bool = True
    ) -> SearchResult:
        """Rank the claims that answer ``question``; or say why none does, with suggestions.

        ``exhaustive`` re-ranks every eligible claim with rapidfuzz instead of the best
        ``RERANK``; the answers are the same (a test checks it), only slower. Without
        ``fetch`` the store is never read: ``UncachedError`` is raised if it would have to be.
        """
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
            return self._no_answer(question, facets, reason, fetch=fetch)
        failures = self._failures(facets)
        eligible = np.ones(len(self._ids), bool)
        for _name, fails in failures:
            eligible &= ~fails
        rows = np.flatnonzero(eligible)
        if not len(rows):
            return self._no_answer(question, facets, self._reason(failures), fetch=fetch)
        points = self._points(facets)
        bonus = self._bonus(facets, rows, points)
        # Words no claim contains cannot tell claims apart; left in, they only add noise.
        words = [word for word in facets.content if word in self._postings]
        content = " ".join(words)
        if not content:
            positions = _best_levels(bonus, limit)  # rows are in id order: ties go to the first
            scored = [(int(self._ids[rows[p]]), float(bonus[p])) for p in positions]
        else:
            if len(rows) > RERANK and not exhaustive:
                # Claims holding the question's other words first; rapidfuzz decides among them.
                # A guess is a claim's points, lifted for each of the words it holds. Claims
                # holding none compete on points alone: only the RERANK best of them can
                # make the cut, so they and the claims holding a word are all that is weighed.
                overlap = self._overlap(words)
                weighed = (overlap > 0) & eligible
                weighed[rows[_contenders(bonus, RERANK)]] = True
                rows = np.flatnonzero(weighed)
                bonus = self._bonus(facets, rows, points)
                keep = _top(bonus + 30 * overlap[rows] / len(words), rows, RERANK)
                rows, bonus = rows[keep], bonus[keep]
            texts = [self._text(row) for row in rows.tolist()]
            similarity = process.cdist(
                [content], texts, scorer=fuzz.token_set_ratio, processor=None, dtype=np.float64
            )[0]
            if not by_concept:  # words alone, with no concept named, must match closely
                close = similarity >= CONTENT_ONLY_SIMILARITY
                rows, bonus, similarity = rows[close], bonus[close], similarity[close]
            if not len(rows):
                return self._no_answer(question, facets, self._reason(failures), fetch=fetch)
            scores = bonus + 0.3 * similarity
            order = _top(scores, rows, limit)
            scored = [(int(self._ids[rows[o]]), float(scores[o])) for o in order]
        # Claims far behind the best are noise next to it, not extra answers.
        floor = scored[0][1] * RELATIVE_FLOOR
        picked = [(claim_id, score) for claim_id, score in scored if score >= floor]
        newer_ids = {i: n for i, _score in picked if (n := self.superseded(i)) is not None}
        found = self._claims([*(i for i, _s in picked), *newer_ids.values()], fetch=fetch)
        matches = tuple(Match(found[i], score) for i, score in picked if i in found)
        newer = {i: found[n] for i, n in newer_ids.items() if n in found}
        return SearchResult(question, matches, newer=newer, facets=facets)

    def _no_answer(
        self, question: str, facets: Facets, reason: str, *, fetch: bool
    ) -> SearchResult:
        suggestions: tuple[ClaimPublic, ...] = ()
        # Related claims help when a facet missed (another side, place, year...); for a
        # question about tanks, civilians or troop numbers, soldiers' figures are not related.
        if reason in _RELATED_REASONS and len(self._ids):
            words = tokenize(question)
            rows = np.arange(len(self._ids))
            if len(rows) > RERANK:
                # The claims sharing the most of its words, in id order (as over the whole
                # store, where rapidfuzz breaks ties by position).
                rows = np.sort(_best_levels(self._overlap(words), RERANK))
            found = process.extract(
                " ".join(words), [self._text(row) for row in rows.tolist()],
                scorer=fuzz.token_set_ratio,
                processor=None, score_cutoff=SUGGESTION_CUTOFF, limit=MAX_SUGGESTIONS,
            )  # fmt: skip
            ids = [int(self._ids[rows[position]]) for _text, _score, position in found]
            claims = self._claims(ids, fetch=fetch)
            suggestions = tuple(claims[i] for i in ids if i in claims)
        return SearchResult(question, suggestions=suggestions, reason=reason, facets=facets)
