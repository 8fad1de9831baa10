"""Comparisons: every claim that counts the same thing as a topic's best match (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Spread
from bot.search import ClaimIndex, SearchResult
from store import ClaimPublic

MAX_COMPARED = 100  # claims in one comparison; more would be unreadable anyway


@dataclass(frozen=True)
class Comparison:
    """Claims on one thing, newest first, and which of them a newer claim supersedes."""

    topic: str
    best: ClaimPublic  # the topic's best match: what the comparison is about
    claims: tuple[ClaimPublic, ...]
    superseded: dict[int, int]  # claim id -> id of the newer claim by the same claimant

    @property
    def current(self) -> list[ClaimPublic]:
        """The claims no newer claim by the same claimant replaces: the spread's basis."""
        return [claim for claim in self.claims if claim.id not in self.superseded]

    @property
    def spread(self) -> Spread:
        """Lowest to highest over the current claims (all of them, if none is current)."""
        return Spread.of(self.current or self.claims)


def compare(index: ClaimIndex, topic: str) -> tuple[SearchResult, Comparison | None]:
    """The topic's search result, and a comparison built on its best match (if any)."""
    result = index.search(topic)
    return result, comparison_of(index, result)


def comparison_of(index: ClaimIndex, result: SearchResult) -> Comparison | None:
    """Every claim on the same thing as a result's best match, or None without one."""
    if not result.answered:
        return None
    best = result.matches[0].claim
    claims = tuple(index.comparable_to(best, MAX_COMPARED))
    superseded = {claim.id: newer for claim in claims if (newer := index.superseded(claim.id))}
    return Comparison(result.question, best, claims, superseded)


def asks_to_compare(result: SearchResult) -> bool:
    """ "Compare the estimates", "порівняй оцінки": answered with the comparison view."""
    return result.answered and "compare" in result.facets.intents
