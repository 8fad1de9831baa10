"""Answer-quality metrics over a development question set (pure; used by tests and the CLI)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.search import ClaimIndex


@dataclass(frozen=True)
class Question:
    q: str
    expect: frozenset[str]  # keys any of which is a correct top answer; empty = must not answer
    kind: str
    lang: str


@dataclass
class Report:
    answerable: int = 0
    top1: int = 0
    average_precision: float = 0.0
    negatives: int = 0
    refused: int = 0
    by_lang: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    failures: list[str] = field(default_factory=list)

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.answerable if self.answerable else 1.0

    @property
    def map5(self) -> float:
        return self.average_precision / self.answerable if self.answerable else 1.0

    @property
    def no_answer_accuracy(self) -> float:
        return self.refused / self.negatives if self.negatives else 1.0

    def lang_accuracy(self, lang: str) -> float:
        right, total = self.by_lang[lang]
        return right / total if total else 1.0

    def summary(self) -> str:
        lines = [
            f"top-1 accuracy     {self.top1_accuracy:7.1%}  ({self.top1}/{self.answerable})",
            f"MAP@5              {self.map5:7.3f}",
            f"no-answer accuracy {self.no_answer_accuracy:7.1%}  ({self.refused}/{self.negatives})",
        ]
        for lang in sorted(self.by_lang):
            right, total = self.by_lang[lang]
            lines.append(f"  {lang}: {right / total:7.1%}  ({right}/{total}, all questions)")
        return "\n".join(lines)


def load_questions(path: Path) -> list[Question]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return [
        Question(item["q"], frozenset(item["expect"]), item.get("kind", ""), item.get("lang", "en"))
        for item in document["questions"]
    ]


def _average_precision(ranked: Sequence[str], relevant: frozenset[str], k: int = 5) -> float:
    hits, total = 0, 0.0
    for position, key in enumerate(ranked[:k], start=1):
        if key in relevant:
            hits += 1
            total += hits / position
    return total / min(len(relevant), k)


def evaluate(index: ClaimIndex, questions: Sequence[Question]) -> Report:
    """Ask every question and score the ranking against the expected keys."""
    report = Report()
    for question in questions:
        result = index.search(question.q)
        ranked = [match.claim.key for match in result.matches]
        if question.expect:
            report.answerable += 1
            right = bool(ranked) and ranked[0] in question.expect
            report.top1 += right
            report.average_precision += _average_precision(ranked, question.expect)
            if not right:
                got = ranked[0] if ranked else f"no answer ({result.reason})"
                report.failures.append(f"[{question.lang}] {question.q!r}: got {got}")
        else:
            report.negatives += 1
            right = not ranked
            report.refused += right
            if not right:
                report.failures.append(f"[{question.lang}] {question.q!r}: answered {ranked[0]}")
        report.by_lang[question.lang][0] += right
        report.by_lang[question.lang][1] += 1
    return report
