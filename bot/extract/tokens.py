"""A sentence's words and numbers as tokens that keep their place and the text between them.

The separators matter: "80–100" is a range, "$5" is money, "5%" a share, and a comma or a
quotation mark ends the name of a source. Words are normalised as the lexicon's phrases are
(``bot.text.raw_tokens`` and ``normal_form``), so that ``MATCHER`` finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from bot.extract.phrases import as_written
from bot.text import CYRILLIC, normal_form

_TOKEN_RE: Final = re.compile(
    r"(?P<date>(?<![\d.])\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?![\d]|[.,]\d))"
    r"|(?P<number>(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d|[.,]\d)"
    r"|\d+(?:[.,]\d+)*)"
    r"|(?P<abbr>\b(?:U\.S|U\.K|U\.N|E\.U)\.(?!\w))"
    r"|(?P<word>[^\W\d_]+(?:['’ʼ][^\W\d_]+)*)"
)
_GROUPED: Final = re.compile(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3})+")
_SPACES: Final = re.compile(r"[ \u00a0\u202f\u2009]")
CLOSING_QUOTES: Final = "”»“\"'’"


@dataclass(frozen=True, slots=True)
class Token:
    """One word, number or date of a sentence."""

    text: str  # as written
    start: int  # character offsets in the sentence
    end: int
    sep: str  # the text between the previous token (or the sentence's start) and this one
    norm: str  # lower case as the lexicon writes it; a number's digits, "." for decimals
    stem: str  # the matcher's form: a Cyrillic word's normal form
    kind: str  # "word", "number" or "date"

    @property
    def is_number(self) -> bool:
        return self.kind == "number"

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def value(self) -> float:
        return float(self.norm) if self.is_number else 0.0


def number_text(written: str) -> str:
    """A number's digits: "9,861", "9.861" and "9 861" are thousands; "1,5" is a decimal."""
    if _SPACES.search(written):
        return _SPACES.sub("", written)
    if _GROUPED.fullmatch(written):
        return re.sub(r"[.,]", "", written)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", written):  # "1,234.5"
        return written.replace(",", "")
    if re.fullmatch(r"\d+[.,]\d+", written):
        return written.replace(",", ".")
    return re.sub(r"[.,]", "", written)


@lru_cache(maxsize=100_000)
def _word_forms(text: str, lang: str) -> tuple[str, str]:
    norm = as_written(text)
    stem = normal_form(norm, lang) if CYRILLIC.search(norm) else norm
    return norm, stem


def tokenize(text: str, lang: str) -> tuple[Token, ...]:
    """The sentence's tokens, in order, each with the text before it."""
    tokens: list[Token] = []
    last = 0
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "word"
        written = match.group()
        if kind == "number":
            norm = stem = number_text(written)
        elif kind == "date":
            norm = stem = written
        else:
            norm, stem = _word_forms(written, lang)
            kind = "word"
        sep = text[last : match.start()]
        tokens.append(Token(written, match.start(), match.end(), sep, norm, stem, kind))
        last = match.end()
    return tuple(tokens)


def tail(text: str, tokens: tuple[Token, ...], index: int) -> str:
    """The text after token ``index``: the next token's separator, or the sentence's end."""
    if index + 1 < len(tokens):
        return tokens[index + 1].sep
    return text[tokens[index].end :] if tokens else text


def breaks_between(tokens: tuple[Token, ...], left: int, right: int, marks: str) -> bool:
    """Whether any separator from after token ``left`` up to token ``right`` holds a mark."""
    return any(any(mark in tokens[i].sep for mark in marks) for i in range(left + 1, right + 1))
