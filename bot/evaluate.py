"""Answer-quality metrics over question sets (pure; used by tests and ``python -m bot eval``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
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
class Tally:
    """Counts for one language (or all of them)."""

    answerable: int = 0
    top1: int = 0
    average_precision: float = 0.0
    negatives: int = 0
    refused: int = 0

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.answerable if self.answerable else 1.0

    @property
    def map5(self) -> float:
        return self.average_precision / self.answerable if self.answerable else 1.0

    @property
    def no_answer_accuracy(self) -> float:
        return self.refused / self.negatives if self.negatives else 1.0


@dataclass
class Report:
    total: Tally = field(default_factory=Tally)
    by_lang: dict[str, Tally] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def top1_accuracy(self) -> float:
        return self.total.top1_accuracy

    @property
    def map5(self) -> float:
        return self.total.map5

    @property
    def no_answer_accuracy(self) -> float:
        return self.total.no_answer_accuracy

    def lang(self, lang: str) -> Tally:
        return self.by_lang.setdefault(lang, Tally())

    def summary(self) -> str:
        """A table: top-1, MAP@5 and no-answer accuracy, per language and overall."""
        columns = [*sorted(self.by_lang), "all"]
        tallies = [*(self.by_lang[lang] for lang in sorted(self.by_lang)), self.total]
        rows = [
            "                 " + "".join(f"{name:>16}" for name in columns),
            "top-1 accuracy   "
            + "".join(
                f"{t.top1_accuracy:>8.1%} {f'({t.top1}/{t.answerable})':>7}" for t in tallies
            ),
            "MAP@5            " + "".join(f"{t.map5:>16.3f}" for t in tallies),
            "no-answer        "
            + "".join(
                f"{t.no_answer_accuracy:>8.1%} {f'({t.refused}/{t.negatives})':>7}" for t in tallies
            ),
        ]
        return "\n".join(rows)


def load_questions(*paths: Path) -> list[Question]:
    questions: list[Question] = []
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        questions.extend(
            Question(
                item["q"], frozenset(item["expect"]), item.get("kind", ""), item.get("lang", "en")
            )
            for item in document["questions"]
        )
    return questions


def _average_precision(ranked: Sequence[str], relevant: frozenset[str], k: int = 5) -> float:
    hits, total = 0, 0.0
    for position, key in enumerate(ranked[:k], start=1):
        if key in relevant:
            hits += 1
            total += hits / position
    return total / min(len(relevant), k)


def evaluate(index: ClaimIndex, questions: Iterable[Question]) -> Report:
    """Ask every question and score the ranking against the expected keys."""
    report = Report()
    for question in questions:
        result = index.search(question.q)
        ranked = [match.claim.key for match in result.matches]
        tallies = (report.total, report.lang(question.lang))
        if question.expect:
            right = bool(ranked) and ranked[0] in question.expect
            precision = _average_precision(ranked, question.expect)
            for tally in tallies:
                tally.answerable += 1
                tally.top1 += right
                tally.average_precision += precision
            if not right:
                got = ranked[0] if ranked else f"no answer ({result.why})"
                report.failures.append(f"[{question.lang}] {question.q!r}: got {got}")
        else:
            right = not ranked
            for tally in tallies:
                tally.negatives += 1
                tally.refused += right
            if not right:
                report.failures.append(f"[{question.lang}] {question.q!r}: answered {ranked[0]}")
    return report
