"""The claim index: built once per store revision, then asked many questions.

``search`` runs the stages in order: the question is normalised, read into facets
(``reader``), ranked over the columns (``ranker``), and the shown claims are fetched into a
``SearchResult``. Full claims come from the store (in production) only for what an answer
shows, and stay cached for the index's lifetime: it is per revision, so never staler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import utils

from bot.constants import MAX_QUESTION_CHARS
from bot.domain import CORE_SUBJECTS, Counted, Spread, gives
from bot.search.claim_words import Profile, period_day, period_months
from bot.search.columns import (
    Array,
    Columns,
    build_columns,
    earlier_in_group,
    postings,
    supersession,
)
from bot.search.names import Names
from bot.search.ranker import WEIGHTS, Weights, rank, related
from bot.search.reader import Speller, read_question
from bot.search.result import RELATED_REASONS, Facets, Match, Reason, SearchResult, UncachedError
from bot.text import tokenize
from store import ClaimPublic, ClaimRow

CLAIM_CACHE: Final = 4_096  # full claims kept per index, so popular answers skip the store
MAX_FIGURE_SUGGESTIONS: Final = 3  # stored claims shown when none gives a quoted figure
TEXT_CACHE: Final = 16_384  # re-ranked claim texts kept per index (about 200 bytes each)

Fetch = Callable[[Sequence[int]], Sequence[ClaimPublic]]


def gives_none_quoted(best: ClaimPublic, facets: Facets) -> bool:
    """A fact-check ("is it true that 75,000 died?") whose best claim, which would be one
    giving the figure if any did, gives none of the figures it quotes."""
    return bool(facets.quoted) and not any(gives(best, number) for number in facets.quoted)


def off_subject(facets: Facets, claim_words: frozenset[str]) -> tuple[Reason, str | None] | None:
    """A question no claim can answer whatever is stored: chit-chat, or one about a
    topic (equipment, troop numbers) rather than a casualty measure."""
    # "Are you a bot or a person?": a word for whom a figure counts names no casualty question.
    whom_only = (
        facets.subjects <= CORE_SUBJECTS.keys()
        and not replace(facets, subjects=frozenset()).names_concept
    )
    anchored = (facets.names_concept and not whom_only) or bool(set(facets.content) & claim_words)
    if anchored and not (facets.topics and not facets.measures):
        return None
    if facets.topics and not facets.measures:
        return Reason.TOPIC, min(facets.topics)
    blockers = facets.subjects - CORE_SUBJECTS.keys()  # "equipment": no claim counts it
    return (Reason.SUBJECT, min(blockers)) if blockers else (Reason.CHIT_CHAT, None)


class ClaimIndex:
    """An in-memory index of active claims: columns, postings, supersession, claim cache."""

    columns: Columns
    postings: dict[str, npt.NDArray[np.int32]]

    def __init__(self, claims: Sequence[ClaimPublic], *, weights: Weights = WEIGHTS) -> None:
        active = {claim.id: claim for claim in claims if claim.is_active}
        rows = [ClaimRow.of(claim) for claim in active.values()]
        self._build(rows, lambda ids: [active[i] for i in ids if i in active], weights)

    @classmethod
    def from_rows(
        cls, rows: Iterable[ClaimRow], fetch: Fetch, *, weights: Weights = WEIGHTS
    ) -> ClaimIndex:
        """An index over active claims' rows, read once (they may stream from the store);
        ``fetch`` returns full active claims by id."""
        index = cls.__new__(cls)
        index._build(rows, fetch, weights)
        return index

    def _build(self, rows: Iterable[ClaimRow], fetch: Fetch, weights: Weights) -> None:
        self._fetch = fetch
        self._weights = weights
        self._cache: dict[int, ClaimPublic] = {}
        self._texts: dict[int, str] = {}  # profile -> its words, for the re-ranked candidates
        self.columns, self._profiles = build_columns(rows)
        self.postings = postings(self._profiles, self.columns.profile)
        self._superseded, self._superseding = supersession(self.columns)
        columns = self.columns
        self._newest_first = np.lexsort((-columns.ids, -columns.date))
        self._claim_words = frozenset(word for word in self.postings if word.isalpha())
        self.speller = Speller(self._claim_words)
        self.names = Names(self._profiles, columns.profile)
        self.period_months = [period_months(profile.period) for profile in self._profiles]
        self.period_days = [period_day(profile.period) for profile in self._profiles]

    def __len__(self) -> int:
        return len(self.columns)

    # --- claims by id -----------------------------------------------------------------------

    def _claims(self, ids: Iterable[int], *, fetch: bool = True) -> dict[int, ClaimPublic]:
        """Full claims by id, from the cache or fetched. Without ``fetch``, a claim missing
        from the cache raises ``UncachedError``."""
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

    def _in_order(self, ids: Sequence[int]) -> list[ClaimPublic]:
        found = self._claims(ids)
        return [found[i] for i in ids if i in found]

    def text(self, row: int) -> str:
        """A claim's words for rapidfuzz, kept per profile for the next question."""
        profile = int(self.columns.profile[row])
        text = self._texts.get(profile)
        if text is None:
            if len(self._texts) >= TEXT_CACHE:
                self._texts.clear()
            text = self._texts[profile] = Profile.text(self._profiles[profile])
        return text

    # --- claims on the same thing -----------------------------------------------------------

    def superseded(self, claim_id: int) -> int | None:
        """The id of a newer claim by the same claimant on the same thing, if any."""
        at = int(np.searchsorted(self._superseded, claim_id))
        if at < len(self._superseded) and self._superseded[at] == claim_id:
            return int(self._superseding[at])
        return None

    def newer_than(self, claim: ClaimPublic) -> ClaimPublic | None:
        """A newer claim by the same claimant on the same thing, if the store has one."""
        newer = self.superseded(claim.id)
        return self._claims([newer]).get(newer) if newer is not None else None

    def previous_of(self, claim_id: int) -> ClaimPublic | None:
        """The same claimant's latest earlier figure on the same thing, if the index has one."""
        previous = earlier_in_group(self.columns, claim_id)
        return self._claims([previous]).get(previous) if previous is not None else None

    def comparable_to(self, claim: ClaimPublic, limit: int = 100) -> list[ClaimPublic]:
        """Every active claim whose count overlaps ``claim``'s (``Counted.overlaps``), newest
        first."""
        thing = Counted.of(claim)
        codes = [code for other, code in self.columns.things.items() if thing.overlaps(other)]
        rows = np.flatnonzero(np.isin(self.columns.thing, codes))
        return self._newest(rows, limit)

    def newest(self, limit: int = 10) -> list[ClaimPublic]:
        """The most recently dated active claims, for an empty inline query."""
        return self._in_order([int(i) for i in self.columns.ids[self._newest_first[:limit]]])

    def _newest(self, rows: Array, limit: int) -> list[ClaimPublic]:
        ids, dates = self.columns.ids[rows], self.columns.date[rows]
        ordered = rows[np.lexsort((-ids, -dates))][:limit]
        return self._in_order([int(i) for i in self.columns.ids[ordered]])

    # --- questions --------------------------------------------------------------------------

    def analyse(self, question: str) -> Facets:
        """The facets a question names, after typo correction."""
        return read_question(question, self.speller, self.names)

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
            return SearchResult(question, reason=Reason.EMPTY)
        facets = self.analyse(question)
        refused = off_subject(facets, self._claim_words)
        if refused is not None:
            return self._no_answer(question, facets, *refused, fetch=fetch)
        ranking = rank(self, facets, limit=limit, exhaustive=exhaustive, w=self._weights)
        if ranking.reason is not None:
            return self._no_answer(
                question, facets, ranking.reason, ranking.blocker, near=ranking.near, fetch=fetch
            )
        picked = ranking.scored
        quoted = facets.quoted
        best = self._claims([picked[0][0]], fetch=fetch).get(picked[0][0]) if quoted else None
        if best is not None and gives_none_quoted(best, facets):
            return self._figure_not_given(question, facets, picked, fetch=fetch)
        newer_ids = {i: n for i, _score in picked if (n := self.superseded(i)) is not None}
        found = self._claims([*(i for i, _s in picked), *newer_ids.values()], fetch=fetch)
        matches = self._extreme_first(
            tuple(Match(found[i], score) for i, score in picked if i in found), facets
        )
        newer = {i: found[n] for i, n in newer_ids.items() if n in found}
        return SearchResult(question, matches, newer=newer, facets=facets)

    def _extreme_first(self, matches: tuple[Match, ...], facets: Facets) -> tuple[Match, ...]:
        """ "Which estimate is highest?": the highest (or lowest) of every claim on the best
        match's thing goes first."""
        wanted = facets.intents & {"highest", "lowest"}
        if not wanted or not matches:
            return matches
        best = matches[0]
        thing = Counted.of(best.claim)
        same = [c for c in self.comparable_to(best.claim) if Counted.of(c) == thing]
        spread = Spread.of(same or [best.claim])
        extreme = spread.high if "highest" in wanted else spread.low
        rest = tuple(match for match in matches if match.claim.id != extreme.id)
        return (Match(extreme, best.score), *rest)

    def _figure_not_given(
        self, question: str, facets: Facets, picked: Sequence[tuple[int, float]], *, fetch: bool
    ) -> SearchResult:
        """No stored claim gives the figure: say so, and show the claims on the thing."""
        ids = [claim_id for claim_id, _score in picked[:MAX_FIGURE_SUGGESTIONS]]
        claims = self._claims(ids, fetch=fetch)
        suggestions = tuple(claims[i] for i in ids if i in claims)
        return SearchResult(question, suggestions=suggestions, reason=Reason.FIGURE, facets=facets)

    def _no_answer(
        self,
        question: str,
        facets: Facets,
        reason: Reason,
        blocker: str | None = None,
        *,
        near: Sequence[int] = (),
        fetch: bool,
    ) -> SearchResult:
        suggestions: tuple[ClaimPublic, ...] = ()
        # Related claims help when a facet missed (another side, place, year...); for a
        # question about tanks, civilians or troop numbers, soldiers' figures are not related.
        if reason in RELATED_REASONS and len(self):
            # Claims missing only that facet are related; else those sharing the most words.
            ids = list(near) or related(self, tokenize(question), w=self._weights)
            claims = self._claims(ids, fetch=fetch)
            suggestions = tuple(claims[i] for i in ids if i in claims)
        return SearchResult(
            question, suggestions=suggestions, reason=reason, blocker=blocker, facets=facets
        )
