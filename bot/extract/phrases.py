"""Phrase lists found in token lists: at a position, ending at one, or anywhere in a span.

A phrase is kept in every form an article's words may arrive in (``token_variants``: Ukrainian
and Russian normal forms of Cyrillic words), so it is found whatever the article's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from bot.text import raw_tokens, token_variants


@lru_cache(maxsize=50_000)
def as_written(word: str) -> str:
    """A word in lower case, as the lexicon writes it ("Russia’s" -> "russias")."""
    return "".join(raw_tokens(word)) or word.casefold()


def written_set(words: Iterable[str]) -> frozenset[str]:
    """Words as written, in lower case: for lists matched by form, not by stem."""
    return frozenset(as_written(word) for word in words)


class Phrases:
    """Phrases as tuples of normal forms, indexed by their first word."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        self._by_last: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            for tokens in token_variants(phrase):
                if tokens:
                    self._by_first.setdefault(tokens[0], []).append(tuple(tokens))
                    self._by_last.setdefault(tokens[-1], []).append(tuple(tokens))
        for table in (self._by_first, self._by_last):
            for options in table.values():
                options.sort(key=len, reverse=True)  # longest first

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def at(self, stems: Sequence[str], index: int, stop: int | None = None) -> int | None:
        """The end of the longest phrase that starts at ``index`` (and ends by ``stop``)."""
        if index >= len(stems):
            return None
        limit = len(stems) if stop is None else stop
        for phrase in self._by_first.get(stems[index], ()):
            end = index + len(phrase)
            if end <= limit and tuple(stems[index:end]) == phrase:
                return end
        return None

    def ending_at(self, stems: Sequence[str], end: int) -> int | None:
        """The start of the longest phrase that ends just before ``end``, or None."""
        if end <= 0 or end > len(stems):
            return None
        for phrase in self._by_last.get(stems[end - 1], ()):
            start = end - len(phrase)
            if start >= 0 and tuple(stems[start:end]) == phrase:
                return start
        return None

    def find(self, stems: Sequence[str], start: int = 0, end: int | None = None) -> int | None:
        """The first position in ``start:end`` where a phrase starts (and ends within)."""
        stop = len(stems) if end is None else min(end, len(stems))
        for index in range(max(start, 0), stop):
            if self.at(stems, index, stop) is not None:
                return index
        return None
