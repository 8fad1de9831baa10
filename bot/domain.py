"""The claim-level ideas the rest of the bot reasons with, each defined once.

- ``ClaimDate``: a claim's ``YYYY[-MM[-DD]]`` date, parsed, sorted, at its own precision.
- ``Counted``: what a claim counts. Two claims whose figures may stand side by side (the
  disagreement line, ``/compare``, ``/chart``) count the same thing; a claimant's newer
  figure supersedes its older one on the same thing.
- ``Spread``: the lowest and highest of several figures on one thing, and their ratio.

The store validates dates with ``ClaimDate``; search, render, compare and chart use the rest.
Pure code: no Telegram, no database.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from store.models import ClaimPublic

_DATE_RE: Final = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
YEARS: Final = range(1800, 2201)  # a claim dated outside is a typo, not history
# Whom a figure counts, one per claim; when its words name several, the first listed wins.
CORE_SUBJECTS: Final = {
    "prisoners": "prisoners and hostages",
    "civilians": "civilians",
    "soldiers": "soldiers",
    "people": "all people",
}
FLOOR_QUALIFIERS: Final = frozenset({"more than", "at least"})  # the figure is a minimum
CEILING_QUALIFIERS: Final = frozenset({"fewer than", "up to"})  # the figure is a maximum


class Span(StrEnum):
    """What stretch of time a figure covers: only like is compared with like."""

    TOTAL = "total"  # a running total to the claim's date, or over a war or battle
    YEAR = "year"  # one calendar year: "in 2024"
    RATE = "rate"  # per day, week, month


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class ClaimDate:
    """When a claim was made, as precisely as it is known: "2025", "2025-06", "2025-06-01"."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> ClaimDate:
        """The date ``text`` names; ``ValueError`` says what is wrong with it otherwise."""
        match = _DATE_RE.fullmatch(text)
        if not match:
            raise ValueError("is not YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None  # the pattern requires it
        if year not in YEARS:
            raise ValueError("has an implausible year")
        if month is not None and not 1 <= month <= 12:
            raise ValueError("has no such month")
        if day is not None and month is not None and day > calendar.monthrange(year, month)[1]:
            raise ValueError("has no such day")
        if day is not None and day < 1:
            raise ValueError("has no such day")
        return cls(year, month, day)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    @property
    def key(self) -> int:
        """A sortable number at the date's own precision: "2025" < "2025-06" < "2025-06-01"."""
        return self.year * 10_000 + (self.month or 0) * 100 + (self.day or 0)

    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def midpoint(self) -> date:
        """The day that stands for the date on a time axis: mid-year, mid-month, or itself."""
        if self.month is None:
            return date(self.year, 7, 1)
        return date(self.year, self.month, self.day or 15)

    def __str__(self) -> str:
        parts = [f"{self.year:04d}", *(f"{p:02d}" for p in (self.month, self.day) if p)]
        return "-".join(parts)


def core_subject(named: Iterable[str]) -> str:
    """A claim's one core subject, from the subjects its words name. Words naming none (a
    nation: "Palestinians") or both soldiers and civilians count all people."""
    core = set(named) & CORE_SUBJECTS.keys()
    if {"soldiers", "civilians"} <= core:
        return "people"
    return next((subject for subject in CORE_SUBJECTS if subject in core), "people")


@lru_cache(maxsize=4_096)
def claim_date(text: str) -> ClaimDate:
    """A stored (already valid) date string, parsed once."""
    return ClaimDate.parse(text)


@dataclass(frozen=True, slots=True)
class Counted:
    """What a claim's figure counts, in vocabulary terms: its measure, rate, side, subject
    (soldiers, civilians...) and places.

    Its wording (who, where) is read through the vocabulary, so "Russian soldiers" and
    "Russian troops" count the same thing.
    """

    measure: str
    per: str | None
    side: str | None
    subject: str
    places: frozenset[str]
    span: Span = Span.TOTAL  # a running total, one year's figure, or a rate
    part: str | None = None  # the narrower subject it counts alone: "children" of civilians

    @classmethod
    def of(cls, claim: ClaimPublic) -> Counted:
        return counted(claim.measure, claim.per, claim.who, claim.where, claim.period)

    def overlaps(self, other: Counted) -> bool:
        """The same measure, rate and side, over the same or overlapping places (Bakhmut,
        and Bakhmut with Pokrovsk): claims a comparison may list together."""
        same_places = bool(self.places & other.places) or self.places == other.places
        mine = (self.measure, self.per, self.side, self.subject, self.span, self.part)
        theirs = (other.measure, other.per, other.side, other.subject, other.span, other.part)
        return mine == theirs and same_places


@lru_cache(maxsize=100_000)
def counted(
    measure: str, per: str | None, who: str, where: str | None, period: str | None = None
) -> Counted:
    """What a claim with these fields counts (cached: claims repeat their wording)."""
    # Imported here because the store imports this module for dates, and the matcher
    # loads its dictionaries on import: the store should not pay for that.
    from bot.search.claim_words import narrowest_part, side_and_places, single_year, subjects_of

    side, places = side_and_places(who, where)
    # Whoever a figure of captures counts, they are prisoners now.
    subject = "prisoners" if measure == "captured" else core_subject(subjects_of(who))
    span = Span.RATE if per else Span.YEAR if single_year(period) else Span.TOTAL
    return Counted(measure, per, side, subject, places, span, narrowest_part(subjects_of(who)))


def gives(claim: ClaimPublic, number: int) -> bool:
    """Whether a claim gives a figure a question quotes, as the question rounds it: "655
    thousand" is 654,965; a range gives both its ends."""
    slack = rounding(number)
    return any(abs(end - number) <= slack for end in (claim.figure_low, claim.figure_high) if end)


def rounding(number: int) -> int:
    """How far a figure may be from a quoted round number and still be the one quoted: half
    its last significant digit, and never more than 5% of it."""
    zeros = len(str(number)) - len(str(number).rstrip("0")) if number else 0
    return min(int(5 * 10**zeros) // 10, number // 20)


def counts_same_thing(a: ClaimPublic, b: ClaimPublic) -> bool:
    """Whether two claims count the same thing, so that their figures can be compared."""
    return Counted.of(a) == Counted.of(b)


def supersession_key(claimant: str, thing: Counted) -> tuple[object, ...]:
    """Claims with the same key supersede each other: the newest one speaks for them all."""
    return (" ".join(claimant.casefold().split()), thing)


def figure_top(claim: ClaimPublic) -> int:
    """The highest value a claim's figure allows: a range's top, else the figure."""
    return claim.figure_high if claim.figure_high is not None else claim.figure_low


@dataclass(frozen=True)
class Spread:
    """The lowest and the highest of several figures on one thing.

    One rule breaks ties between a range and a qualified figure: "more than 100,000" is
    higher than "80,000–100,000" (its figure is a floor), and "up to 5,000" is lower than
    "5,000" (its figure is a ceiling). Among equals, the first claim given wins.
    """

    low: ClaimPublic
    high: ClaimPublic
    figures: int  # how many different figures the claims give

    @classmethod
    def of(cls, claims: Sequence[ClaimPublic]) -> Spread:
        if not claims:
            raise ValueError("a spread needs at least one claim")
        low = min(claims, key=_low_key)
        high = max(claims, key=_high_key)
        return cls(low, high, len(_figures(claims)))

    @property
    def disagrees(self) -> bool:
        """More than one figure is given: the sources disagree."""
        return self.figures >= 2

    @property
    def ratio(self) -> float | None:
        """How many times the highest figure is the lowest one (None if the lowest is 0)."""
        low = self.low.figure_low
        return figure_top(self.high) / low if low > 0 else None


def _low_key(claim: ClaimPublic) -> tuple[int, int, bool]:
    return (claim.figure_low, claim.figure_high or 0, claim.qualifier not in CEILING_QUALIFIERS)


def _high_key(claim: ClaimPublic) -> tuple[int, bool]:
    return (figure_top(claim), claim.qualifier in FLOOR_QUALIFIERS)


def _figures(claims: Iterable[ClaimPublic]) -> set[tuple[int, int | None]]:
    return {(claim.figure_low, claim.figure_high) for claim in claims}
