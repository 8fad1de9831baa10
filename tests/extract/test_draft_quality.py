"""Draft quality on the development set of articles (tests/data/articles), held to the bars."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bot.evaluate_drafts import evaluate_drafts

ARTICLES: Final = Path(__file__).parents[1] / "data" / "articles"
PRECISION: Final = 0.90
RECALL: Final = 0.85
CLAIMANT: Final = 0.80


def test_the_development_articles_are_drafted_precisely_completely_and_credited_rightly() -> None:
    texts = sorted(ARTICLES.glob("*.txt")) if ARTICLES.is_dir() else []
    assert texts, f"no development articles in {ARTICLES}: the quality bars cannot be checked"
    report = evaluate_drafts(ARTICLES)
    overall = report.overall
    assert overall.expected > 0, "the development articles expect no claims"
    shown = report.summary()
    assert overall.precision >= PRECISION, shown
    assert overall.recall >= RECALL, shown
    assert overall.accuracy("claimant") >= CLAIMANT, shown
