"""The index's columns: what search knows about every active claim, as numpy arrays.

Building only; the ranker reads them. Sides, places, claimants and subjects are bit masks in
the narrowest integer type that holds them, so a question scans little memory. Facts read from
words are computed once per distinct profile and gathered per claim.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.domain import Counted, Span, claim_date
from bot.search.claim_words import (
    CLAIMANT_BIT,
    MEASURE_CODE,
    PER_CODE,
    PLACE_BIT,
    SIDE_CODE,
    SUBJECT_BIT,
    UKRAINE,
    Profile,
    ProfileFacts,
    words,
)
from store import ClaimRow

Array = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Bits = npt.NDArray[np.unsignedinteger[Any]]
SPAN_CODE = {span: code for code, span in enumerate(Span)}
EARLY_MONTHS = 3  # "early in the war": claims made within this many months of the first


def mask_type(bits: int) -> type[np.unsignedinteger[Any]]:
    """The narrowest unsigned integer type with at least ``bits`` bits."""
    return next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(t).bits >= bits)


def lacks(column: Bits, bits: int) -> Mask:
    """Which claims have none of ``bits`` in a bit mask column."""
    lacking: Mask = (column & column.dtype.type(bits)) == 0
    return lacking


class _ProfileColumns:
    """``ProfileFacts`` of each distinct profile, as compact columns (one pass)."""

    def __init__(self, profiles: Iterable[Profile]) -> None:
        self.side, self.measure, self.per, self.since = (array("b") for _ in range(4))
        self.side_bit, self.places, self.chain, self.claimants, self.subjects = (
            array("Q") for _ in range(5)
        )
        self.source_sides, self.agents = array("Q"), array("Q")
        self.group, self.thing = array("q"), array("q")
        self.span = array("b")
        self.years: list[frozenset[int]] = []  # shared sets: periods repeat
        self.bounded = array("b")
        self.groups: dict[tuple[object, ...], int] = {}
        self._default_sides: set[str] = set()
        self.things: dict[Counted, int] = {}
        for facts in map(ProfileFacts.of, profiles):
            self._append(facts)
        self.period_years = frozenset().union(*self.years)
        self.sides = frozenset(thing.side for thing in self.things if thing.side)
        self.default_sides = frozenset(self._default_sides)

    def _append(self, facts: ProfileFacts) -> None:
        side = facts.thing.side
        if side and facts.chain_mask & UKRAINE:
            self._default_sides.add(side)
        self.side.append(SIDE_CODE[side] if side else -1)
        self.side_bit.append(1 << SIDE_CODE[side] if side else 0)
        self.places.append(facts.place_mask)
        self.chain.append(facts.chain_mask)
        self.claimants.append(facts.claimant_mask)
        self.source_sides.append(facts.source_side_mask)
        self.agents.append(facts.agent_mask)
        self.subjects.append(facts.subject_mask)
        self.measure.append(MEASURE_CODE[facts.thing.measure])
        self.per.append(PER_CODE.get(facts.thing.per or "", 0))
        self.since.append(facts.since)
        self.years.append(facts.years)
        self.bounded.append(facts.bounded)
        self.group.append(self.groups.setdefault(facts.group, len(self.groups)))
        self.thing.append(self.things.setdefault(facts.thing, len(self.things)))
        self.span.append(SPAN_CODE[facts.thing.span])


@dataclass(frozen=True)
class Keyed:
    """The columns the facet points read, per distinct combination of their values: claims
    share few combinations, so points are computed per combination, then gathered."""

    places: npt.NDArray[np.uint64]
    chain: npt.NDArray[np.uint64]
    span: npt.NDArray[np.uint64]  # ``SPAN_CODE``
    measure_bit: npt.NDArray[np.uint64]
    measure: npt.NDArray[np.uint64]
    year: Array
    since: Mask
    early: Mask
    per: npt.NDArray[np.uint64]

    @classmethod
    def of(cls, values: npt.NDArray[np.uint64]) -> Keyed:
        """From the rows ``places, chain, measure, since, early, per, span, year``."""
        places, chain, measure, since, early, per, span, year = values
        return cls(
            places=places,
            chain=chain,
            span=span,
            measure_bit=np.left_shift(np.uint64(1), measure),
            measure=measure,
            year=year.astype(np.int64),
            since=since.astype(bool),
            early=early.astype(bool),
            per=per,
        )


@dataclass(frozen=True)
class Columns:
    """One entry per active claim, in id order (so ties go to the smaller id by position)."""

    ids: Array
    date: Array  # ``ClaimDate.key``
    year: Array
    low: Array
    high: Array  # -1 for a single figure
    profile: npt.NDArray[np.int32]  # which distinct profile the claim has
    side: npt.NDArray[np.int8]
    side_bit: Bits
    places: Bits
    chain: Bits  # the places and every place containing them
    claimants: Bits
    source_sides: Bits  # the sides whose sources make the claim
    agents: Bits  # the sides its "who" names as doers: "in Syrian jails"
    subjects: Bits
    measure: npt.NDArray[np.int8]
    measure_bit: Bits
    per: npt.NDArray[np.int8]
    thing: Array  # what the claim counts, as a code into ``things``
    group: Array  # claims in one group supersede each other
    years: dict[int, Mask]  # a byte per claim and year: faster than positions
    key: npt.NDArray[np.intp]  # the claim's combination in ``keyed``
    keyed: Keyed
    things: dict[Counted, int]
    sides: frozenset[str]  # the sides some claim counts
    default_sides: frozenset[str]  # ... in the war people ask about by default

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class _Scalars:
    """The per-claim numbers of one pass over the rows, before they are put in id order."""

    ids: array[int]
    dates: array[int]
    lows: array[int]
    highs: array[int]
    profile_at: array[int]


def read_rows(rows: Iterable[ClaimRow]) -> tuple[_Scalars, list[Profile]]:
    """One pass that keeps numbers and one copy of each distinct profile, never every row at
    once: at 100,000 claims, holding the rows too would double a build's peak memory."""
    profiles: dict[Profile, int] = {}
    scalars = _Scalars(*(array("q") for _ in range(5)))
    for row in rows:
        scalars.ids.append(row.id)
        scalars.dates.append(claim_date(row.date).key)
        scalars.lows.append(row.figure_low)
        scalars.highs.append(-1 if row.figure_high is None else row.figure_high)
        scalars.profile_at.append(profiles.setdefault(Profile.of(row), len(profiles)))
    return scalars, list(profiles)


def build_columns(rows: Iterable[ClaimRow]) -> tuple[Columns, list[Profile]]:
    """The columns of every row, and the distinct profiles they point into."""
    scalars, profiles = read_rows(rows)
    order = np.argsort(np.frombuffer(scalars.ids, np.int64), kind="stable")

    def ordered(values: array[int]) -> Array:
        return np.frombuffer(values, np.int64)[order]

    profile_of = ordered(scalars.profile_at).astype(np.int32)
    facts = _ProfileColumns(profiles)

    def column(values: array[int], dtype: type) -> npt.NDArray[Any]:
        return np.asarray(values, dtype)[profile_of]

    year = ordered(scalars.dates) // 10_000
    measure = column(facts.measure, np.int8)
    measure_type = mask_type(len(MEASURE_CODE))
    masks = {
        "side_bit": column(facts.side_bit, mask_type(len(SIDE_CODE))),
        "places": column(facts.places, mask_type(len(PLACE_BIT))),
        "chain": column(facts.chain, mask_type(len(PLACE_BIT))),
        "claimants": column(facts.claimants, mask_type(len(CLAIMANT_BIT))),
        "source_sides": column(facts.source_sides, mask_type(len(SIDE_CODE))),
        "agents": column(facts.agents, mask_type(len(SIDE_CODE))),
        "subjects": column(facts.subjects, mask_type(len(SUBJECT_BIT))),
    }
    per = column(facts.per, np.int8)
    thing = column(facts.thing, np.int64)
    early = _early(ordered(scalars.dates), thing)
    since = column(facts.since, np.bool_)
    span = column(facts.span, np.int8)
    read = (masks["places"], masks["chain"], measure, since, early, per, span)
    key, keyed = _combinations((*read, year))
    columns = Columns(
        ids=ordered(scalars.ids),
        date=ordered(scalars.dates),
        year=year,
        low=ordered(scalars.lows),
        high=ordered(scalars.highs),
        profile=profile_of,
        side=column(facts.side, np.int8),
        measure=measure,
        measure_bit=np.left_shift(measure_type(1), measure.astype(measure_type)),
        per=per,
        thing=thing,
        group=column(facts.group, np.int64),
        years=_year_masks(facts, profile_of, year),
        key=key,
        keyed=keyed,
        things=facts.things,
        sides=facts.sides,
        default_sides=facts.default_sides,
        **masks,
    )
    return columns, profiles


def _early(dates: Array, thing: Array) -> Mask:
    """Claims made early in their war: within ``EARLY_MONTHS`` of the first claim on the same
    thing, where later claims on it follow (the first figures of a war come in its first
    weeks; a claim alone on its thing is neither early nor late)."""
    months = (dates // 10_000) * 12 + (dates // 100) % 100
    size = int(thing.max()) + 1 if len(thing) else 0
    first = np.full(size, np.iinfo(np.int64).max)
    last = np.full(size, np.iinfo(np.int64).min)
    np.minimum.at(first, thing, months)
    np.maximum.at(last, thing, months)
    early: Mask = (months - first[thing] <= EARLY_MONTHS) & (
        last[thing] - first[thing] > EARLY_MONTHS
    )
    return early


def _year_masks(
    facts: _ProfileColumns, profile_of: npt.NDArray[np.int32], year: Array
) -> dict[int, Mask]:
    """For each year some claim covers, which claims cover it: by their period, or by their
    date when the period has no end ("since 2022") or names no year. A figure for 2023
    published in 2025 is not a figure for 2025."""
    found: dict[int, Mask] = {}
    open_ended = ~np.asarray(facts.bounded, np.bool_)[profile_of]
    for each in sorted({*facts.period_years, *np.unique(year).tolist()}):
        in_period = np.fromiter((each in f for f in facts.years), np.bool_, len(facts.years))
        found[each] = in_period[profile_of] | ((year == each) & open_ended)
    return found


def _combinations(
    parts: Sequence[npt.NDArray[Any]],
) -> tuple[npt.NDArray[np.intp], Keyed]:
    """Each claim's distinct combination of ``parts``, and the combinations themselves."""
    combinations, key = np.unique(
        np.stack([part.astype(np.uint64) for part in parts], axis=1),
        axis=0,
        return_inverse=True,
    )
    return key.reshape(-1).astype(np.intp), Keyed.of(combinations.T)


def postings(
    profiles: Sequence[Profile], profile_of: npt.NDArray[np.int32]
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
        for word in set(words(part).split()):
            word_parts.setdefault(word, []).append(part_id)
    members = np.argsort(profile_of, kind="stable")  # claims grouped by profile
    sizes = np.bincount(profile_of, minlength=len(profiles))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    found: dict[str, npt.NDArray[np.int32]] = {}
    for word, parts in word_parts.items():
        owners = np.unique(
            np.concatenate([holders[bounds[part] : bounds[part + 1]] for part in parts])
        )
        repeat = sizes[owners]
        offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        holding = members[np.repeat(starts[owners], repeat) + offsets]
        found[word] = np.sort(holding).astype(np.int32)  # half the memory of int64
    return found


def supersession(columns: Columns) -> tuple[Array, Array]:
    """The claims a later claim in their group replaces (sorted ids), and for each, that
    group's newest claim's id."""
    n = len(columns)
    if not n:
        return np.array([], np.int64), np.array([], np.int64)
    group_of = columns.group
    order = np.lexsort((columns.ids, columns.date, group_of))  # each group's newest last
    last = np.r_[group_of[order][1:] != group_of[order][:-1], True]
    newest = np.empty(n, np.int64)
    newest[order] = np.repeat(order[last], np.diff(np.r_[-1, np.flatnonzero(last)]))
    older = columns.date < columns.date[newest]
    return columns.ids[older], columns.ids[newest[older]]


def earlier_in_group(columns: Columns, claim_id: int) -> int | None:
    """The latest claim dated before this one in its group (the claimant's previous figure on
    the same thing), by id."""
    rows = np.flatnonzero(columns.ids == claim_id)
    if not len(rows):
        return None
    row = int(rows[0])
    earlier = np.flatnonzero(
        (columns.group == columns.group[row]) & (columns.date < columns.date[row])
    )
    if not len(earlier):
        return None
    latest = earlier[np.lexsort((columns.ids[earlier], columns.date[earlier]))[-1]]
    return int(columns.ids[latest])
