"""Answer quality on the development question set, with the numbers printed."""

from __future__ import annotations

import pytest
from helpers.builders import DEV_SET, public_claims

from bot.evaluate import evaluate, load_questions
from bot.search import ClaimIndex

TOP1_BAR = 0.90
NO_ANSWER_BAR = 0.90


def test_dev_set_is_big_and_varied_enough() -> None:
    questions = load_questions(DEV_SET)
    answerable = [q for q in questions if q.expect]
    negatives = [q for q in questions if not q.expect]
    assert len(answerable) >= 60
    assert len(negatives) >= 12
    kinds = {q.kind for q in answerable}
    assert {"paraphrase", "typo", "partial", "claimant", "place"} <= kinds


def test_dev_set_answers_meet_the_quality_bars(capsys: pytest.CaptureFixture[str]) -> None:
    report = evaluate(ClaimIndex(public_claims()), load_questions(DEV_SET))
    with capsys.disabled():
        print(f"\n--- development set ({DEV_SET.name}) ---\n{report.summary()}")
        for failure in report.failures:
            print(f"  miss: {failure}")
    assert report.top1_accuracy >= TOP1_BAR
    assert report.no_answer_accuracy >= NO_ANSWER_BAR
