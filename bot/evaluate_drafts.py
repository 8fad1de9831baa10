"""Draft quality over a directory of articles, against the claims a careful person extracted.

Each ``NAME.txt`` (the article's text) has a ``NAME.json`` beside it: ``{"url", "title",
"published": "YYYY-MM-DD", "lang", "claims": [...]}``, the claims in the import format
without ``key``. Drafts are matched to expected claims by figure (the same value, or the same
range), the closest reading first when several share one. Reported: figure precision and
recall, and how often each field of a matched pair agrees, per language and overall.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from bot.domain import counted
from bot.extract import Article, Draft, draft_claims, read_article
from bot.extract.words import WORDS
from bot.lexicon import MATCHER, SIDE_HOMES, SIDE_SOURCES
from bot.search.claim_words import concepts, find, side_and_places
from bot.text import raw_tokens, token_variants, translit_key

FIELDS: Final = ("measure", "side", "subject", "claimant", "date", "qualifier")
LANGS: Final = ("en", "uk", "ru")
_CANONICAL: Final = frozenset(WORDS.claimant_names)  # claimants the vocabulary names as one


# --- comparing fields -------------------------------------------------------------------------


@lru_cache(maxsize=10_000)
def _source_ids(text: str) -> frozenset[str]:
    """The vocabulary sources a claimant's text names ("Russian ministry of defense" and
    "Russian Ministry of Defence (leaked)" both name ru-mod)."""
    hits = find(text)
    ids = {hit.concept.id for hit in hits if hit.concept.kind == "claimant"}
    sides = {hit.concept.id for hit in hits if hit.concept.kind == "side"}
    if not ids and len(sides) == 1:
        ids.add(SIDE_SOURCES.get(next(iter(sides)), ""))
    return frozenset(ids & _CANONICAL)


@lru_cache(maxsize=10_000)
def _name_keys(text: str) -> frozenset[str]:
    """A claimant's words as spelling-forgiving keys: "Медиазона" and "Mediazona" meet."""
    text = re.sub(r"['’]s\b", "", text).replace("defense", "defence")
    return frozenset(translit_key(token) for token in raw_tokens(text) if token.isalpha())


_GENERIC: Final = frozenset(
    translit_key(token)
    for word in WORDS.generic_source_words
    for tokens in [raw_tokens(word), *token_variants(word)]
    for token in tokens
)


@lru_cache(maxsize=10_000)
def _sides_named(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The sides a claimant's text names (a country counts as its side: "Israel" is
    Israeli), and its words that are neither a side's nor generic."""
    text = re.sub(r"['’]s\b", "", text)
    homes = {home: side for side, home in SIDE_HOMES.items()}
    spoken_for = {source: side for side, source in SIDE_SOURCES.items()}
    sides: set[str] = set()
    named: set[int] = set()
    for tokens in token_variants(text):
        for hit in MATCHER.find(tokens):
            if hit.concept.kind == "side":
                sides.add(hit.concept.id)
            elif hit.concept.kind == "claimant" and hit.concept.id in spoken_for:
                sides.add(spoken_for[hit.concept.id])  # "Ukrainian officials"
            elif hit.concept.kind == "place" and hit.concept.id in homes:
                sides.add(homes[hit.concept.id])
            else:
                continue
            named.update(range(hit.start, hit.end))
        rest = {translit_key(t) for i, t in enumerate(tokens) if i not in named and t.isalpha()}
        return frozenset(sides), frozenset(rest - _GENERIC)
    return frozenset(), frozenset()


def same_claimant(drafted: str, expected: str) -> bool:
    """Whether two claimant texts name the same source: the same vocabulary source; one
    side's officials either way ("Israel", "Israeli authorities"); or a distinctive word in
    common ("Сергей Шойгу", "Russian Ministry of Defence (Sergei Shoigu)"), with no two
    different sides named."""
    a, b = _source_ids(drafted), _source_ids(expected)
    if a and b and a & b:
        return True
    sides_a, rest_a = _sides_named(drafted)
    sides_b, rest_b = _sides_named(expected)
    if sides_a and sides_b and not sides_a & sides_b:
        return False
    if sides_a and sides_a == sides_b and not (rest_a and rest_b):
        return True  # "Українські посадовці" and "Ukrainian officials"
    if a and b:
        return False
    return bool((_name_keys(drafted) & _name_keys(expected)) - _GENERIC)


def same_date(drafted: str, expected: str) -> bool:
    """The draft's date agrees with the expected one at the expected date's precision."""
    return drafted.startswith(expected)


def _qualifier(value: str | None) -> str:
    return value or "exact"


def _side(who: str) -> str | None:
    """Whose losses: the side a "who" names, or the side whose country it names ("people in
    Sudan" are Sudanese)."""
    side, places = side_and_places(who, None)
    if side is None:
        places = frozenset(concepts(find(who), "place"))
        homes = {home: name for name, home in SIDE_HOMES.items()}
        side = next((homes[place] for place in sorted(places) if place in homes), None)
    return side


def _subject(claim: dict[str, Any]) -> str:
    return counted(claim["measure"], claim.get("per"), claim["who"], claim.get("where")).subject


def agreement(draft: dict[str, Any], expected: dict[str, Any]) -> dict[str, bool]:
    """For each field, whether a matched draft agrees with the expected claim."""
    return {
        "measure": draft["measure"] == expected["measure"],
        "side": _side(draft["who"]) == _side(expected["who"]),
        "subject": _subject(draft) == _subject(expected),
        "claimant": same_claimant(draft["claimant"], expected["claimant"]),
        "date": same_date(draft["date"], expected["date"]),
        "qualifier": _qualifier(draft.get("qualifier")) == _qualifier(expected.get("qualifier")),
    }


def _figure(value: Any) -> tuple[int, int]:
    if isinstance(value, list | tuple):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def match(drafts: Sequence[dict[str, Any]], expected: Sequence[dict[str, Any]]
          ) -> list[tuple[int, int]]:  # fmt: skip
    """Pairs (draft index, expected index) with the same figure, the most fields agreeing
    first; each draft and each expected claim in one pair at most."""
    options = []
    for i, draft in enumerate(drafts):
        for j, claim in enumerate(expected):
            if _figure(draft["figure"]) == _figure(claim["figure"]):
                options.append((sum(agreement(draft, claim).values()), i, j))
    pairs: list[tuple[int, int]] = []
    used_drafts: set[int] = set()
    used_expected: set[int] = set()
    for _score, i, j in sorted(options, key=lambda option: (-option[0], option[1], option[2])):
        if i not in used_drafts and j not in used_expected:
            pairs.append((i, j))
            used_drafts.add(i)
            used_expected.add(j)
    return sorted(pairs)


# --- the report -------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts for one language, or for all of them."""

    articles: int = 0
    expected: int = 0
    drafted: int = 0
    matched: int = 0
    right: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.matched / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.matched if self.matched else 1.0

    def add(self, other: Tally) -> None:
        self.articles += other.articles
        self.expected += other.expected
        self.drafted += other.drafted
        self.matched += other.matched
        self.right.update(other.right)


@dataclass(frozen=True)
class Problem:
    """A draft or an expected claim that did not pair up, or a field that disagreed."""

    article: str
    kind: str  # "missed", "extra", or a field's name
    expected: str
    drafted: str

    def __str__(self) -> str:
        return f"{self.article}: {self.kind}: expected {self.expected!r}, drafted {self.drafted!r}"


@dataclass
class DraftReport:
    """Draft quality per language and overall, with every problem found."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        total = Tally()
        for tally in self.tallies.values():
            total.add(tally)
        return total

    def summary(self) -> str:
        """The numbers as a table: one row per language and one for all."""
        columns = ("articles", "expected", "drafted", "precision", "recall", *FIELDS)
        rows: list[tuple[str, ...]] = [("", *columns)]
        named = [(lang, self.tallies[lang]) for lang in LANGS if lang in self.tallies]
        for lang, tally in [*named, ("all", self.overall)]:
            shares = [tally.precision, tally.recall, *(tally.accuracy(name) for name in FIELDS)]
            counts = [str(tally.articles), str(tally.expected), str(tally.drafted)]
            rows.append((lang, *counts, *(f"{share:.1%}" for share in shares)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
            for row in rows
        )


def _shown(claim: dict[str, Any]) -> str:
    figure = claim["figure"]
    shown = f"{figure[0]}-{figure[1]}" if isinstance(figure, list | tuple) else str(figure)
    return f"{shown} {claim['measure']} {claim['who']} ({claim['claimant']}, {claim['date']})"


def _field_value(claim: dict[str, Any], name: str) -> str:
    if name == "side":
        return str(_side(claim["who"]))
    if name == "subject":
        return _subject(claim)
    return str(claim.get(name))


def _score(name: str, drafts: Sequence[dict[str, Any]], expected: Sequence[dict[str, Any]]
           ) -> tuple[Tally, list[Problem]]:  # fmt: skip
    tally = Tally(articles=1, expected=len(expected), drafted=len(drafts))
    problems = []
    pairs = match(drafts, expected)
    tally.matched = len(pairs)
    for i, j in pairs:
        for field_name, agrees in agreement(drafts[i], expected[j]).items():
            if agrees:
                tally.right[field_name] += 1
            else:
                problems.append(Problem(name, field_name, _field_value(expected[j], field_name),
                                        _field_value(drafts[i], field_name)))  # fmt: skip
    matched_drafts = {i for i, _ in pairs}
    matched_expected = {j for _, j in pairs}
    problems += [Problem(name, "missed", _shown(c), "") for j, c in enumerate(expected)
                 if j not in matched_expected]  # fmt: skip
    problems += [Problem(name, "extra", "", _shown(d)) for i, d in enumerate(drafts)
                 if i not in matched_drafts]  # fmt: skip
    return tally, problems


def load_article(text_file: Path) -> tuple[Article, list[dict[str, Any]]]:
    """An article of the set and the claims expected from it."""
    meta: dict[str, Any] = json.loads(text_file.with_suffix(".json").read_text(encoding="utf-8"))
    article = read_article(text_file.read_text(encoding="utf-8"), url=meta.get("url"))
    published = meta.get("published")
    article = replace(
        article,
        title=meta.get("title") or article.title,
        published=datetime.date.fromisoformat(published) if published else article.published,
        lang=meta.get("lang") or article.lang,
    )
    return article, list(meta.get("claims", []))


def drafted_claims(article: Article, drafts: Iterable[Draft]) -> list[dict[str, Any]]:
    return [draft.as_claim(article, key=f"draft-{n}") for n, draft in enumerate(drafts, 1)]


def evaluate_drafts(directory: Path) -> DraftReport:
    """Draft every ``NAME.txt`` in ``directory`` and score the drafts against ``NAME.json``."""
    report = DraftReport()
    for text_file in sorted(directory.glob("*.txt")):
        if not text_file.with_suffix(".json").exists():
            continue
        article, expected = load_article(text_file)
        drafts = drafted_claims(article, draft_claims(article, today=article.published))
        tally, problems = _score(text_file.stem, drafts, expected)
        lang = article.lang or "en"
        report.tallies.setdefault(lang, Tally()).add(tally)
        report.problems.extend(problems)
    return report
