"""What a search gives back: the facets it read, the ranked matches, or why there are none."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain import Counted, claim_date
from store import ClaimPublic

MIN_FIGURE = 100  # smaller numbers in a question are rarely the figure it checks ("3 years")


class Reason(StrEnum):
    """Why no stored claim answers a question."""

    EMPTY = "empty"  # nothing to read
    CHIT_CHAT = "chit-chat"  # no casualty question at all
    SUBJECT = "subject"  # a subject no claim counts (civilians, horses): see ``blocker``
    TOPIC = "topic"  # not about casualties (equipment, troop numbers): see ``blocker``
    SIDE = "side"  # these facets: no eligible claim covers what the question names
    PLACE = "place"
    MEASURE = "measure"
    CLAIMANT = "claimant"
    YEAR = "year"
    DATE = "date"  # a day named ("on 7 October"): no claim is that day's figure
    RATE = "rate"
    WEAK = "weak"  # eligible claims exist, none close enough
    FIGURE = "figure"  # "is it true that N?": claims on the thing exist, none gives N


# A miss on one of these facets leaves related claims worth suggesting.
RELATED_REASONS = frozenset(
    {Reason.SIDE, Reason.PLACE, Reason.MEASURE, Reason.CLAIMANT, Reason.YEAR, Reason.RATE}
    | {Reason.DATE}
    | {Reason.WEAK}
)


@dataclass(frozen=True)
class Facets:
    """What a question (or a claim) is about, in vocabulary ids."""

    sides: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    unknown_places: tuple[str, ...] = ()
    measures: frozenset[str] = frozenset()
    claimants: frozenset[str] = frozenset()
    data_places: frozenset[str] = frozenset()  # words of stored claims' places ("tigray")
    data_sources: frozenset[str] = frozenset()  # words of stored claims' sources ("shoigu")
    unknown_sources: tuple[str, ...] = ()  # a name where a source goes that no claim holds
    source_sides: frozenset[str] = frozenset()  # "Ukraine says": claims by its own sources
    speaking_sides: frozenset[str] = frozenset()  # ... named as the speaker: "Russia admits"
    agents: frozenset[str] = frozenset()  # "killed by Russia", "in Syrian prisons": the doers
    subjects: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    numbers: frozenset[int] = frozenset()
    rate: str | None = None  # "day", "week", "month": a rate, not a total
    periods: frozenset[str] = frozenset()  # "cumulative", "early", "latest"
    months: frozenset[int] = frozenset()  # 1-12
    days: frozenset[tuple[int, int]] = frozenset()  # (month, day): "on 7 October"
    intents: frozenset[str] = frozenset()  # "compare", "highest", "lowest"
    excluded_claimants: frozenset[str] = frozenset()  # "not the official one"
    content: tuple[str, ...] = ()  # words that named no concept, for fuzzy matching

    @property
    def quoted(self) -> frozenset[int]:
        """The figures a fact-check asks about ("is it true that 9,861 died?")."""
        return frozenset(number for number in self.numbers if number >= MIN_FIGURE)

    @property
    def names_concept(self) -> bool:
        """Whether the question names anything the vocabulary knows (not only free words)."""
        return bool(
            self.sides
            or self.places
            or self.unknown_places
            or self.measures
            or self.claimants
            or self.data_places
            or self.data_sources
            or self.unknown_sources
            or self.source_sides
            or self.months
            or self.intents
            or self.subjects
            or self.numbers
            or self.years
            or self.rate
            or self.periods
            or self.excluded_claimants
        )


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
    reason: Reason | None = None
    blocker: str | None = None  # the subject or topic id, for ``Reason.SUBJECT``/``TOPIC``
    facets: Facets = field(default_factory=Facets)

    @property
    def answered(self) -> bool:
        return bool(self.matches)

    @property
    def quoted(self) -> frozenset[int]:
        """The figures the question quotes, as a fact-check asks about them."""
        return self.facets.quoted

    @property
    def why(self) -> str | None:
        """The no-answer message key: the subject or topic, or the reason."""
        return self.blocker or (str(self.reason) if self.reason else None)

    def comparable(self) -> list[ClaimPublic]:
        """The current claims that count the same thing as the best match, newest first.

        A claim its own claimant has since replaced is left out: its newer figure speaks.
        """
        if not self.matches:
            return []
        thing = Counted.of(self.matches[0].claim)
        same = [
            m.claim
            for m in self.matches
            if Counted.of(m.claim) == thing and m.claim.id not in self.newer
        ]
        return sorted(same, key=lambda claim: (claim_date(claim.date).key, claim.id), reverse=True)
