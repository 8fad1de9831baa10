"""Answer quality over question sets, scored on what the user sees (pure).

Each question is answered as the bot answers it, and the *rendered* answer is scored: the first
claim a private answer shows, the one claim a group answer shows, and whether the bot refused
when it should. Three counts of the worst mistakes are kept apart: the first claim shown is
another source's than the one the question names, another side's, or another subject's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain import Counted
from bot.lexicon import SIDES
from bot.render import group_claim, shown_claims
from bot.search import ClaimIndex
from store import ClaimPublic


@dataclass(frozen=True)
class Question:
    q: str
    expect: frozenset[str]  # keys any of which is a right first claim; empty = must not answer
    kind: str
    lang: str
    side: str | None = None  # whose losses it asks about, when the set says
    subject: str | None = None  # soldiers, civilians, all people, prisoners
    source: str | None = None  # the source it names


@dataclass
class Tally:
    """Counts for one language (or all of them)."""

    answerable: int = 0
    first_right: int = 0
    group_right: int = 0
    average_precision: float = 0.0
    negatives: int = 0
    refused: int = 0
    wrong_attribution: int = 0
    wrong_side: int = 0
    wrong_subject: int = 0

    @property
    def first_shown_accuracy(self) -> float:
        return self.first_right / self.answerable if self.answerable else 1.0

    @property
    def group_accuracy(self) -> float:
        return self.group_right / self.answerable if self.answerable else 1.0

    @property
    def map5(self) -> float:
        return self.average_precision / self.answerable if self.answerable else 1.0

    @property
    def no_answer_accuracy(self) -> float:
        return self.refused / self.negatives if self.negatives else 1.0


_ROWS: tuple[tuple[str, Callable[[Tally], str]], ...] = (
    ("first shown", lambda t: _share(t.first_shown_accuracy, t.first_right, t.answerable)),
    ("group answer", lambda t: _share(t.group_accuracy, t.group_right, t.answerable)),
    ("MAP@5 (ranking)", lambda t: f"{t.map5:>16.3f}"),
    ("no-answer", lambda t: _share(t.no_answer_accuracy, t.refused, t.negatives)),
    ("wrong attribution", lambda t: f"{t.wrong_attribution:>16}"),
    ("wrong side", lambda t: f"{t.wrong_side:>16}"),
    ("wrong subject", lambda t: f"{t.wrong_subject:>16}"),
)


def _share(rate: float, count: int, total: int) -> str:
    return f"{rate:>8.1%} {f'({count}/{total})':>7}"


@dataclass
class Report:
    total: Tally = field(default_factory=Tally)
    by_lang: dict[str, Tally] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def lang(self, lang: str) -> Tally:
        return self.by_lang.setdefault(lang, Tally())

    def summary(self) -> str:
        """A table of every metric, per language and overall."""
        tallies = [*(self.by_lang[lang] for lang in sorted(self.by_lang)), self.total]
        header = " " * 19 + "".join(f"{name:>16}" for name in [*sorted(self.by_lang), "all"])
        rows = [f"{label:<19}" + "".join(cell(t) for t in tallies) for label, cell in _ROWS]
        return "\n".join([header, *rows])


def load_questions(*paths: Path) -> list[Question]:
    questions: list[Question] = []
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        questions.extend(
            Question(
                item["q"],
                frozenset(item["expect"]),
                item.get("kind", ""),
                item.get("lang", "en"),
                item.get("side"),
                item.get("subject"),
                item.get("source"),
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


@dataclass(frozen=True)
class _Expected:
    """What a right answer to a question is about: from the set's labels, else from the
    claims it expects (when they agree)."""

    sides: frozenset[str]  # empty: any side will do
    subjects: frozenset[str]
    claimants: frozenset[str] | None  # None: the question names no source

    @classmethod
    def of(cls, question: Question, claims: dict[str, ClaimPublic]) -> _Expected:
        expected = [Counted.of(claims[key]) for key in question.expect if key in claims]
        sides = {thing.side for thing in expected if thing.side}
        subjects = {thing.subject for thing in expected}
        if question.side:
            sides.add(_side_id(question.side))
        if question.subject:
            subjects.add(_SUBJECTS.get(question.subject, question.subject))
        names_source = question.source is not None or question.kind in ("claimant", "source")
        return cls(
            sides=frozenset(sides),
            subjects=frozenset(subjects),
            claimants=frozenset(_name(claims[key].claimant) for key in question.expect)
            if names_source
            else None,
        )

    def wrong_attribution(self, shown: ClaimPublic) -> bool:
        return self.claimants is not None and _name(shown.claimant) not in self.claimants

    def wrong_side(self, shown: ClaimPublic) -> bool:
        """The claim counts another side's losses (one that counts everyone in a place, with
        no side, is not another side's)."""
        side = Counted.of(shown).side
        return bool(self.sides) and side is not None and side not in self.sides

    def wrong_subject(self, shown: ClaimPublic) -> bool:
        return bool(self.subjects) and Counted.of(shown).subject not in self.subjects


_SUBJECTS = {"all people": "people"}  # question sets' labels, as ``Counted.subject``


def _side_id(label: str) -> str:
    """A question set's side label as a vocabulary side id: "american" is "us"."""
    label = label.casefold()
    return next((s.id for s in SIDES.values() if label == s.id or label in s.words.en), label)


def _name(claimant: str) -> str:
    return " ".join(claimant.casefold().split())


def evaluate(index: ClaimIndex, questions: Iterable[Question]) -> Report:
    """Ask every question, render the answer as users see it, and score what it shows."""
    report = Report()
    claims = {claim.key: claim for claim in index.newest(len(index))}
    for question in questions:
        result = index.search(question.q)
        shown = shown_claims(result)
        first = shown[0] if shown else None
        group = group_claim(result)
        tallies = (report.total, report.lang(question.lang))
        expected = _Expected.of(question, claims)
        for tally in tallies:
            if first is not None:
                tally.wrong_attribution += expected.wrong_attribution(first)
                tally.wrong_side += expected.wrong_side(first)
                tally.wrong_subject += expected.wrong_subject(first)
            if question.expect:
                tally.answerable += 1
                tally.first_right += first is not None and first.key in question.expect
                tally.group_right += group is not None and group.key in question.expect
                ranked = [match.claim.key for match in result.matches]
                tally.average_precision += _average_precision(ranked, question.expect)
            else:
                tally.negatives += 1
                tally.refused += first is None
        if (first.key if first else None) not in question.expect and (first or question.expect):
            got = first.key if first else f"no answer ({result.why})"
            report.failures.append(f"[{question.lang}] {question.q!r}: got {got}")
    return report
