"""The ranker: which claims may answer a question (eligibility), then which answers best.

A claim is eligible only if it is compatible with every facet the question names: a Russian
figure for a question about Ukrainian losses is the worst bug this product can have. Eligible
claims earn points for how exactly they fit (``Weights``), and rapidfuzz similarity on the
question's remaining words breaks what the points leave open. It never makes an ineligible
claim an answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.domain import Span, rounding
from bot.lexicon import SIDE_HOMES, SIDE_SOURCES
from bot.search.claim_words import (
    CLAIMANT_BIT,
    MEASURE_CODE,
    PART_BITS,
    PER_CODE,
    PLACE_BIT,
    SIDE_CODE,
    SUBJECT_BIT,
    UKRAINE,
    bits,
    compatible_places,
)
from bot.search.columns import SPAN_CODE, Array, Columns, Keyed, Mask, lacks
from bot.search.names import Field, Names
from bot.search.result import Facets, Reason
from bot.search.select import best_levels, contenders, top
from bot.vocabulary import VOCABULARY

Scores = npt.NDArray[np.float64]
RERANK: Final = 128  # candidates re-ranked with rapidfuzz; all of them in a smaller store
MAX_SUGGESTIONS: Final = 3
PLACE_MASK: Final = (1 << len(PLACE_BIT)) - 1
SOLDIERS: Final = 1 << SUBJECT_BIT["soldiers"]


@dataclass(frozen=True)
class Weights:
    """Every number the ranking uses, named, so that ``eval`` can sweep them."""

    exact_place: float = 25.0  # the claim is about exactly the places named
    overlapping_place: float = 15.0  # ... about some of them
    default_place: float = 8.0  # no place named: the war people ask about by default
    within_default_place: float = 4.0  # ... a place inside it
    named_measure: float = 12.0  # the measure named, not only one of its family
    family_measure: float = 6.0
    default_measure: float = 4.0  # no measure named: deaths are what people mean
    named_side: float = 8.0
    dated_year: float = 10.0  # the claim was made in the year named
    covered_year: float = 5.0  # ... or its period covers it
    cumulative: float = 10.0  # "so far", "since the invasion": a running total
    early: float = 10.0  # "at the start of the war"
    named_rate: float = 15.0  # "per day": the rate named
    rate_penalty: float = -12.0  # a rate does not answer "how many"
    recency_years: float = 100.0  # a year newer is worth 1/this of a point: breaks ties
    claimant: float = 25.0  # shared out over the claimants named
    quoted_number: float = 25.0  # the claim gives the figure the question quotes
    quoted_first: float = 1_000.0  # ... and so it is shown first: "is it true that 9,861 died?"
    dated_month: float = 10.0  # the claim was made in the month named
    latest: float = 20.0  # "latest", "now": for the newest of the eligible claims
    default_subject: float = 3.0  # no subject named: a count of all people, not of a part
    part_subject: float = -12.0  # the claim counts a part not named: children, for civilians
    one_year: float = 8.0  # a year named: a figure for that year, not a total to a date in it
    running_total: float = 6.0  # no year or rate named: a total, not one year's figure
    similarity: float = 0.3  # per point of rapidfuzz similarity (0-100)
    word_lift: float = 30.0  # candidate selection: a claim holding all the question's words
    content_only_similarity: float = 60.0  # words alone, no concept named: must match closely
    relative_floor: float = 0.5  # of the best score; weaker matches are dropped
    suggestion_cutoff: float = 45.0  # rapidfuzz similarity for a related-claim suggestion


WEIGHTS: Final = Weights()


class Searchable(Protocol):
    """What the ranker reads: an index's columns, postings and claim texts."""

    @property
    def columns(self) -> Columns: ...

    @property
    def postings(self) -> Mapping[str, npt.NDArray[np.int32]]: ...

    @property
    def names(self) -> Names: ...

    @property
    def period_months(self) -> Sequence[frozenset[int]]: ...  # per profile: year * 100 + month

    @property
    def period_days(self) -> Sequence[tuple[int, int] | None]: ...  # per profile: (month, day)

    def text(self, row: int) -> str: ...


@dataclass(frozen=True)
class Failure:
    """A facet the question names, and which claims it rules out."""

    reason: Reason
    rules_out: Mask
    blocker: str | None = None  # the subject, for ``Reason.SUBJECT``


@dataclass(frozen=True)
class Ranking:
    """The best claims' ids with their scores, or why there are none."""

    scored: tuple[tuple[int, float], ...] = ()
    reason: Reason | None = None
    blocker: str | None = None
    near: tuple[int, ...] = ()  # claims that fit every facet but the one that failed


# --- eligibility ----------------------------------------------------------------------------


def failures(index: Searchable, facets: Facets) -> list[Failure]:
    """For each facet the question names, which claims it rules out."""
    columns = index.columns
    n = len(columns)
    found = [
        Failure(Reason.SUBJECT, lacks(columns.subjects, 1 << SUBJECT_BIT[s]), s)
        for s in sorted(facets.subjects)
    ]
    if facets.sides:
        # "Ukrainians killed by Russians": when one named side has no claims, none answers.
        # Only a side no claim names needs its own look at counts of its country's people.
        unnamed = facets.sides - columns.sides
        whole = any(not home_people(columns, {side}).any() for side in unnamed)
        wanted = bits(facets.sides, SIDE_CODE)
        fails = lacks(columns.side_bit, wanted) & ~home_people(columns, facets.sides)
        found.append(Failure(Reason.SIDE, np.ones(n, bool) if whole else fails))
    if facets.agents:
        # "killed by Ukrainian shelling": not a count of the doer's own people, unless the
        # claim itself names that doer ("detainees in Syrian jails").
        agents = bits(facets.agents, SIDE_CODE)
        own = ~lacks(columns.side_bit, agents) | home_people(columns, facets.agents)
        found.append(Failure(Reason.SIDE, own & lacks(columns.agents, agents)))
    if facets.unknown_places:
        found.append(Failure(Reason.PLACE, np.ones(n, bool)))
    elif facets.places:
        # Not about the places, or summed with others beside them ("Iraq and Pakistan").
        outside = ~compatible_places(facets.places) & PLACE_MASK
        fails = lacks(columns.chain, bits(facets.places, PLACE_BIT))
        found.append(Failure(Reason.PLACE, fails | ~lacks(columns.places, outside)))
    if facets.data_places:
        found.append(Failure(Reason.PLACE, ~_naming(index, Field.PLACE, facets.data_places)))
    if facets.measures:
        families = VOCABULARY.measure_families()
        allowed = set().union(*(families[m] for m in facets.measures))
        found.append(
            Failure(Reason.MEASURE, lacks(columns.measure_bit, bits(allowed, MEASURE_CODE)))
        )
    if facets.claimants or facets.excluded_claimants:
        found.append(Failure(Reason.CLAIMANT, _claimant_failures(columns, facets)))
    if facets.source_sides:
        found.append(Failure(Reason.CLAIMANT, _not_by_sides(columns, facets.source_sides)))
    if facets.unknown_sources:
        found.append(Failure(Reason.CLAIMANT, np.ones(n, bool)))
    elif facets.data_sources:
        found.append(Failure(Reason.CLAIMANT, ~_naming(index, Field.SOURCE, facets.data_sources)))
    if facets.years:
        covered = np.zeros(n, bool)
        for year in facets.years & columns.years.keys():
            covered |= columns.years[year]
        found.append(Failure(Reason.YEAR, ~covered))
    if facets.rate:
        found.append(Failure(Reason.RATE, columns.per != PER_CODE[facets.rate]))
    if facets.days:
        found.append(Failure(Reason.DATE, ~on_the_days(index, facets.days)))
    return found


def on_the_days(index: Searchable, days: frozenset[tuple[int, int]]) -> Mask:
    """The claims that are a named day's figure: their period is that day ("7 Oct 2023"), or
    they were made on it (a total as of "1 March")."""
    columns = index.columns
    dated = np.zeros(len(columns), bool)
    for month, day in days:
        dated |= columns.date % 10_000 == month * 100 + day
    that_day = np.fromiter((d in days for d in index.period_days), np.bool_)
    found: Mask = dated | that_day[columns.profile]
    return found


def home_people(columns: Columns, sides: Iterable[str]) -> Mask:
    """Claims that name no side but count people in a side's own country ("people" killed
    in southern Israel, for Israelis): they count its people too, if not only them."""
    homes = frozenset(SIDE_HOMES[side] for side in sides if side in SIDE_HOMES)
    if not homes:
        return np.zeros(len(columns), bool)
    outside = ~compatible_places(homes) & PLACE_MASK
    inside = ~lacks(columns.chain, bits(homes, PLACE_BIT)) & lacks(columns.places, outside)
    everyone = bits(("people", "civilians"), SUBJECT_BIT)
    counts_everyone = ~lacks(columns.subjects, everyone) & lacks(columns.subjects, SOLDIERS)
    found: Mask = inside & (columns.side < 0) & counts_everyone
    return found


def _naming(index: Searchable, field: Field, words: Iterable[str]) -> Mask:
    """The claims naming any of ``words`` in ``field``."""
    naming = np.zeros(len(index.columns), bool)
    for word in words:
        naming |= index.names.claims(field, word)
    return naming


def _not_by_sides(columns: Columns, sides: frozenset[str]) -> Mask:
    """The claims no source of these sides makes ("Ukraine says"): neither a source that
    speaks for the side nor the claimant its own sources stand for ("British data")."""
    by_side = ~lacks(columns.source_sides, bits(sides, SIDE_CODE))
    by_side |= ~lacks(columns.claimants, bits(_stand_for(sides), CLAIMANT_BIT))
    return ~by_side


def _stand_for(sides: Iterable[str]) -> set[str]:
    """The claimants the sides' own sources stand for: Russia's is its defence ministry."""
    return {SIDE_SOURCES[side] for side in sides if side in SIDE_SOURCES} & CLAIMANT_BIT.keys()


def _claimant_failures(columns: Columns, facets: Facets) -> Mask:
    fails = ~lacks(columns.claimants, bits(facets.excluded_claimants, CLAIMANT_BIT))
    if facets.claimants:
        fails |= lacks(columns.claimants, bits(facets.claimants, CLAIMANT_BIT))
    return fails


def eligible(columns: Columns, found: Iterable[Failure]) -> Mask:
    allowed = np.ones(len(columns), bool)
    for failure in found:
        allowed &= ~failure.rules_out
    return allowed


def nearest_failure(found: list[Failure]) -> Failure | None:
    """What kept the nearest claims out: the facet most of them fail, first seen first.

    The nearest claims are those failing the fewest facets. None: no facet ruled out any.
    """
    if not found:
        return None
    counts = np.zeros(len(found[0].rules_out), np.uint8)
    for failure in found:
        counts += failure.rules_out  # bools add as 0/1: how many facets each claim fails
    refused = counts > 0
    if not refused.any():
        return None
    nearest = refused & (counts == counts[refused].min())
    tallies = [np.count_nonzero(failure.rules_out & nearest) for failure in found]
    most = max(tallies)
    first = {
        position: (int(np.argmax(found[position].rules_out & nearest)), position)
        for position, tally in enumerate(tallies)
        if tally == most
    }
    return found[min(first, key=lambda position: first[position])]


# --- points ---------------------------------------------------------------------------------


def points(
    keyed: Keyed, facets: Facets, w: Weights = WEIGHTS, *, elsewhere: bool = False
) -> Scores:
    """Points for how exactly each combination of claim facts fits the question."""
    points = (keyed.year - 2000) / w.recency_years  # newer wins a tie
    if facets.places or not elsewhere:
        points += _place_points(keyed, facets, w)
    if facets.measures:
        named = np.uint64(bits((m for m in facets.measures if m in MEASURE_CODE), MEASURE_CODE))
        points += np.where((keyed.measure_bit & named) != 0, w.named_measure, w.family_measure)
    else:
        points += np.where(keyed.measure == MEASURE_CODE["killed"], w.default_measure, 0.0)
    if facets.sides:
        points += w.named_side
    if facets.years:
        dated = np.isin(keyed.year, list(facets.years))
        points += np.where(dated, w.dated_year, w.covered_year)
        points += np.where(keyed.span == SPAN_CODE[Span.YEAR], w.one_year, 0.0)
    elif not facets.rate:
        points += np.where(keyed.span == SPAN_CODE[Span.TOTAL], w.running_total, 0.0)
    if "cumulative" in facets.periods:
        points += np.where(keyed.since, w.cumulative, 0.0)
    if "early" in facets.periods:
        points += np.where(keyed.early, w.early, 0.0)
    if facets.rate:
        points += w.named_rate
    else:
        points += np.where(keyed.per != 0, w.rate_penalty, 0.0)
    return points


def asks_elsewhere(columns: Columns, facets: Facets) -> bool:
    """Whether the question names a side, as victim or doer, that no claim of the war asked
    about by default counts ("in Syrian prisons"): it is about another war."""
    return bool((facets.sides | facets.agents) - columns.default_sides)


def _place_points(keyed: Keyed, facets: Facets, w: Weights) -> Scores:
    if facets.places:
        wanted = np.uint64(bits(facets.places, PLACE_BIT))
        overlap = np.where((keyed.places & wanted) != 0, w.overlapping_place, 0.0)
        return np.where(keyed.places == wanted, w.exact_place, overlap)
    ukraine = np.uint64(UKRAINE)
    within = np.where((keyed.chain & ukraine) != 0, w.within_default_place, 0.0)
    return np.where((keyed.places & ukraine) != 0, w.default_place, within)


def bonus(
    index: Searchable, facets: Facets, rows: Array, keyed_points: Scores, w: Weights = WEIGHTS
) -> Scores:
    """Points for how exactly each of the eligible ``rows`` fits the question: their
    combinations' points, and points for what claims rarely share (none is negative)."""
    columns = index.columns
    found = keyed_points[columns.key[rows]]
    if facets.claimants:
        # Naming the claimant three ways ("the blogger's video, shared by Gerashchenko")
        # favours the claim that has all three.
        claimants = columns.claimants[rows]
        named = claimants.dtype.type(bits(facets.claimants, CLAIMANT_BIT))
        shared = np.bitwise_count(claimants & named)
        found += w.claimant * shared / len(facets.claimants)
    if facets.sides:  # a claim naming the side fits better than one counting all its people
        found -= w.named_side * home_people(columns, facets.sides)[rows]
    if facets.agents:  # "in Syrian prisons": a claim naming the same doer fits best
        found += w.named_side * ~lacks(columns.agents[rows], bits(facets.agents, SIDE_CODE))
    if facets.speaking_sides:
        # "Russia admitted": its own official source first, then others that speak for it.
        official = bits(_stand_for(facets.speaking_sides), CLAIMANT_BIT)
        found += w.claimant * ~lacks(columns.claimants[rows], official)
    if facets.numbers:
        found += w.quoted_number * quotes(columns, facets, rows)
    part = PART_BITS & ~bits(facets.subjects & SUBJECT_BIT.keys(), SUBJECT_BIT)
    if part:
        found += w.part_subject * ~lacks(columns.subjects[rows], part)
    if not facets.subjects:
        everyone = columns.subjects.dtype.type(1 << SUBJECT_BIT["people"])
        found += w.default_subject * ((columns.subjects[rows] & everyone) != 0)
    if facets.months:
        dated = _dated_in(columns, facets, rows) | _spans_month(index, facets, rows)
        found += w.dated_month * dated
    if "latest" in facets.periods and len(rows):
        dates = columns.date[rows].astype(np.float64)
        span = dates.max() - dates.min()
        found += w.latest * ((dates - dates.min()) / span if span else 1.0)
    return found


def quotes(columns: Columns, facets: Facets, rows: Array) -> Mask:
    """Which of ``rows`` give a figure the question quotes (a range's end counts), as the
    question rounds it: "655 thousand" quotes 654,965."""
    low, high = columns.low[rows], columns.high[rows]
    quoted = np.zeros(len(rows), bool)
    for number in facets.numbers:
        slack = rounding(number)  # the rule of ``bot.domain.gives``, over columns
        quoted |= (np.abs(low - number) <= slack) | (np.abs(high - number) <= slack)
    return quoted


def _dated_in(columns: Columns, facets: Facets, rows: Array) -> Mask:
    """Which of ``rows`` were claimed in a month the question names (of a year it names)."""
    date = columns.date[rows]
    dated = np.isin((date // 100) % 100, list(facets.months))
    if facets.years:
        dated &= np.isin(date // 10_000, list(facets.years))
    return dated


def _spans_month(index: Searchable, facets: Facets, rows: Array) -> Mask:
    """Which of ``rows`` have a period naming a month the question names ("December 2025")."""
    years = facets.years or {month // 100 for months in index.period_months for month in months}
    wanted = {year * 100 + month for year in years for month in facets.months}
    named = np.fromiter((bool(m & wanted) for m in index.period_months), np.bool_)
    spans: Mask = named[index.columns.profile[rows]]
    return spans


def overlap(index: Searchable, words: Iterable[str]) -> Scores:
    """How many of the words each claim contains: a cheap stand-in for rapidfuzz."""
    counts = np.zeros(len(index.columns))
    for word in set(words):
        if word in index.postings:
            counts[index.postings[word]] += 1
    return counts


# --- ranking --------------------------------------------------------------------------------


def rank(
    index: Searchable,
    facets: Facets,
    *,
    limit: int,
    exhaustive: bool = False,
    w: Weights = WEIGHTS,
) -> Ranking:
    """The eligible claims' best ``limit``, by points then similarity; or why none is."""
    columns = index.columns
    found = failures(index, facets)
    rows = np.flatnonzero(eligible(columns, found))
    if not len(rows):
        return _refusal(index, facets, found, w)
    keyed_points = points(columns.keyed, facets, w, elsewhere=asks_elsewhere(columns, facets))
    scores = bonus(index, facets, rows, keyed_points, w)
    # Words no claim contains cannot tell claims apart; left in, they only add noise.
    words = [word for word in facets.content if word in index.postings]
    first = w.quoted_first * quotes(columns, facets, rows) if facets.numbers else 0.0
    if not words:
        positions = best_levels(scores + first, limit)  # in id order: ties go to the first
        scored = [(int(columns.ids[rows[p]]), float(scores[p])) for p in positions]
    else:
        if len(rows) > RERANK and not exhaustive:
            rows, scores = _candidates(index, facets, rows, scores + first, words, keyed_points, w)
        similarity = process.cdist(
            [" ".join(words)],
            [index.text(row) for row in rows.tolist()],
            scorer=fuzz.token_set_ratio,
            processor=None,
            dtype=np.float64,
        )[0]
        if not facets.names_concept:  # words alone, with no concept named, must match closely
            close = similarity >= w.content_only_similarity
            rows, scores, similarity = rows[close], scores[close], similarity[close]
        if not len(rows):
            return _refusal(index, facets, found, w)
        scores = scores + w.similarity * similarity
        first = w.quoted_first * quotes(columns, facets, rows) if facets.numbers else 0.0
        order = top(scores + first, rows, limit)
        scored = [(int(columns.ids[rows[o]]), float(scores[o])) for o in order]
    return Ranking(_above_floor(scored, w))


def _above_floor(scored: list[tuple[int, float]], w: Weights) -> tuple[tuple[int, float], ...]:
    """Claims far behind the best are noise next to it, not extra answers; the first one,
    which may be first for quoting the question's figure, always stays."""
    floor = max(score for _id, score in scored) * w.relative_floor
    return (scored[0], *((i, score) for i, score in scored[1:] if score >= floor))


def _candidates(
    index: Searchable,
    facets: Facets,
    rows: Array,
    scores: Scores,
    words: list[str],
    keyed_points: Scores,
    w: Weights,
) -> tuple[Array, Scores]:
    """The ``RERANK`` eligible claims worth re-ranking with rapidfuzz, with their points.

    Claims holding the question's other words first; rapidfuzz decides among them. A guess is
    a claim's points, lifted for each of the words it holds. Claims holding none compete on
    points alone: only the ``RERANK`` best of them can make the cut, so they and the claims
    holding a word are all that is weighed.
    """
    columns = index.columns
    held = overlap(index, words)
    weighed = np.zeros(len(columns), bool)
    weighed[rows] = held[rows] > 0
    weighed[rows[contenders(scores, RERANK)]] = True
    rows = np.flatnonzero(weighed)
    scores = bonus(index, facets, rows, keyed_points, w)
    guess = scores + w.word_lift * held[rows] / len(words)
    if facets.numbers:
        guess += w.quoted_first * quotes(columns, facets, rows)
    keep = top(guess, rows, RERANK)
    return rows[keep], scores[keep]


def _refusal(index: Searchable, facets: Facets, found: list[Failure], w: Weights) -> Ranking:
    failure = nearest_failure(found)
    if failure is None:
        return Ranking(reason=Reason.WEAK)
    near = near_misses(index, facets, found, w)
    return Ranking(reason=failure.reason, blocker=failure.blocker, near=near)


def near_misses(
    index: Searchable, facets: Facets, found: list[Failure], w: Weights
) -> tuple[int, ...]:
    """The claims that fit every facet named but one, best fitting first: what is related
    ("Soviet troops killed in Afghanistan" for Russians there) when nothing answers."""
    columns = index.columns
    missed = np.zeros(len(columns), np.uint8)
    for failure in found:
        missed += failure.rules_out
    rows = np.flatnonzero(missed == 1)
    if not len(rows):
        return ()
    keyed = points(columns.keyed, facets, w, elsewhere=asks_elsewhere(columns, facets))
    scores = bonus(index, facets, rows, keyed, w)
    return tuple(int(columns.ids[rows[p]]) for p in top(scores, rows, MAX_SUGGESTIONS))


def related(index: Searchable, words: list[str], *, w: Weights = WEIGHTS) -> list[int]:
    """Ids of the claims closest to the question's words, for a "related claims" list."""
    columns = index.columns
    rows = np.arange(len(columns))
    if len(rows) > RERANK:
        # The claims sharing the most of its words, in id order (as over the whole store,
        # where rapidfuzz breaks ties by position).
        rows = np.sort(best_levels(overlap(index, words), RERANK))
    found = process.extract(
        " ".join(words),
        [index.text(row) for row in rows.tolist()],
        scorer=fuzz.token_set_ratio,
        processor=None,
        score_cutoff=w.suggestion_cutoff,
        limit=MAX_SUGGESTIONS,
    )
    return [int(columns.ids[rows[position]]) for _text, _score, position in found]
