"""The fast path (vectorised facets, re-rank of the best candidates) answers as the exhaustive
search does: same claims, same order, same scores, same reasons and suggestions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bench.synthetic import generate_claims
from helpers.builders import ROOT, document, public_claims
from hypothesis import given
from hypothesis import strategies as st

from bot.evaluate import load_questions
from bot.search import RERANK, ClaimIndex, SearchResult
from bot.search.select import contenders, top

QUESTION_SETS = sorted((ROOT / "tests" / "data").glob("*questions*.json"))
BROAD_QUESTIONS = (
    "russian losses",
    "How many Russian soldiers died?",
    "russian soldiers killed mediazona",
    "what did the general staff say about russian losses near pokrovsk",
    "kp leak",
    "втрати росії",
    "сколько погибло россиян по данным Медиазоны",
    "oryx",
)


def outcome(result: SearchResult, shown: int = 10) -> tuple[object, ...]:
    return (
        [(match.claim.key, round(match.score, 9)) for match in result.matches[:shown]],
        result.why,
        [claim.key for claim in result.suggestions],
        sorted(i for i in result.newer if i in {m.claim.id for m in result.matches[:shown]}),
    )


@pytest.fixture(scope="module")
def seed_index() -> ClaimIndex:
    return ClaimIndex(public_claims())


@pytest.mark.parametrize("path", QUESTION_SETS, ids=lambda path: Path(path).stem)
def test_fast_path_answers_every_development_question_as_the_exhaustive_search(
    seed_index: ClaimIndex, path: Path
) -> None:
    for question in load_questions(path):
        fast = seed_index.search(question.q)
        full = seed_index.search(question.q, exhaustive=True)
        assert outcome(fast) == outcome(full), question.q


def test_fast_path_agrees_with_the_exhaustive_search_over_a_large_store() -> None:
    index = ClaimIndex(public_claims(document(*generate_claims(16 * RERANK, seed=7))))
    assert len(index) == 16 * RERANK  # far more claims than the re-rank window
    questions = [*BROAD_QUESTIONS, *(q.q for path in QUESTION_SETS for q in load_questions(path))]
    for question in questions:
        fast = index.search(question)
        full = index.search(question, exhaustive=True)
        # What a user sees: the three claims shown, the reason for a "no", the suggestions.
        assert outcome(fast, shown=3) == outcome(full, shown=3), question


@given(
    levels=st.lists(st.integers(0, 6), min_size=1, max_size=400),
    boosts=st.lists(st.integers(0, 3), max_size=400),
    k=st.integers(1, 40),
)
def test_re_rank_candidates_are_the_best_by_points_and_the_claims_holding_words(
    levels: list[int], boosts: list[int], k: int
) -> None:
    # Scores as search makes them: few levels of points, some claims lifted by their words.
    points = np.array(levels, np.float64) * 4.5
    lift = np.zeros(len(points))
    lift[: len(boosts)] = np.array(boosts[: len(points)], np.float64) * 7.5
    rows = np.arange(len(points))
    weighed = np.union1d(contenders(points, k), np.flatnonzero(lift))
    picked = weighed[top(points[weighed] + lift[weighed], weighed, k)]
    assert picked.tolist() == top(points + lift, rows, k).tolist()
