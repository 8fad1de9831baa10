"""An article's text as paragraphs and sentences, with the spans that stand in quotation marks.

Paragraphs are separated by blank lines. A sentence ends at ".", "!", "?" or "…" before a
capital, a digit or a quotation mark, unless the word before the stop is an abbreviation
("Feb. 24", "тис.") or an initial. A paragraph's quotation left open runs to its end: news
writing opens each paragraph of a long quotation again and closes only the last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from bot.extract.tokens import Token, tokenize
from bot.extract.words import WORDS
from bot.lexicon import MATCHER, Hit

_PARAGRAPH_RE: Final = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_STOP_RE: Final = re.compile(r"[.!?…]+[”»\"’')\]]*\s+(?=[\"“«„(\[]?[A-ZА-ЯІЇЄҐ0-9])")
_WORD_BEFORE_RE: Final = re.compile(r"([^\W\d_][\w.-]*)$")
_ENDS_LIKE_PROSE: Final = re.compile(r"[.!?…:;”»\"’')\]]\s*$")
_OPENING: Final = "“„«‹"
_CLOSING: Final = {"“": "”", "„": "“", "«": "»", "‹": "›"}
HEADING_WORDS: Final = 20  # a line without a full stop and no longer than this is a heading


@dataclass(frozen=True)
class Sentence:
    """One sentence, its tokens and the vocabulary's phrases in it."""

    text: str
    tokens: tuple[Token, ...]
    hits: tuple[Hit, ...]
    paragraph: int  # index of its paragraph in the article
    number: int  # index of the sentence in the article
    first: bool  # the first sentence of its paragraph
    last: bool  # the last one
    quotes: tuple[tuple[int, int], ...]  # character spans inside quotation marks
    opens_quote: bool  # its paragraph starts with a quotation mark
    heading: bool  # its paragraph is a heading or a caption, not prose
    lang: str = "en"  # the article's language

    @property
    def stems(self) -> list[str]:
        return [token.stem for token in self.tokens]

    def quoted(self, index: int) -> bool:
        """Whether token ``index`` stands inside a quotation."""
        start = self.tokens[index].start
        return any(low <= start < high for low, high in self.quotes)

    def ends_with(self, mark: str) -> bool:
        return self.text.rstrip(' ”»"’').endswith(mark)


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans inside quotation marks; one left open runs to the text's end."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    closing = ""
    for position, char in enumerate(text):
        if opened is None and (char in _OPENING or char == '"'):
            opened, closing = position, _CLOSING.get(char, '"')
        elif opened is not None and (char == closing or (closing == "”" and char == '"')):
            spans.append((opened, position + 1))
            opened = None
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def _is_abbreviation(before: str) -> bool:
    match = _WORD_BEFORE_RE.search(before)
    if match is None:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith"
    return word.casefold().rstrip(".") in WORDS.abbreviations


def sentence_spans(paragraph: str) -> Iterator[tuple[int, int]]:
    """Where each sentence of a paragraph starts and ends."""
    start = 0
    for match in _STOP_RE.finditer(paragraph):
        stop = match.start()
        if paragraph[stop] == "." and _is_abbreviation(paragraph[start:stop]):
            continue
        end = match.end()
        yield start, len(paragraph[:end].rstrip())
        start = end
    if paragraph[start:].strip():
        yield start, len(paragraph.rstrip())


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, each on one line."""
    found = (" ".join(part.split()) for part in _PARAGRAPH_RE.split(text.strip()))
    return [paragraph for paragraph in found if paragraph]


def is_heading(paragraph: str) -> bool:
    """A heading, a caption or a menu line: short, and no full stop at its end."""
    return not _ENDS_LIKE_PROSE.search(paragraph) and len(paragraph.split()) <= HEADING_WORDS


def split(text: str, lang: str, *, skip: frozenset[str] = frozenset()) -> list[Sentence]:
    """The article's sentences, in order; paragraphs equal to one in ``skip`` (the title) are
    left out."""
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs(text)):
        if paragraph.casefold() in skip:
            continue
        spans = quote_spans(paragraph)
        heading = is_heading(paragraph)
        opens = paragraph[:1] in _OPENING or paragraph[:1] == '"'
        parts = list(sentence_spans(paragraph))
        for index, (start, end) in enumerate(parts):
            sentence = paragraph[start:end]
            tokens = tokenize(sentence, lang)
            quotes = tuple(
                (max(low - start, 0), min(high - start, end - start))
                for low, high in spans
                if low < end and high > start
            )
            sentences.append(
                Sentence(
                    text=sentence,
                    tokens=tokens,
                    hits=tuple(MATCHER.find([token.stem for token in tokens])),
                    paragraph=number,
                    number=len(sentences),
                    first=index == 0,
                    last=index == len(parts) - 1,
                    quotes=quotes,
                    opens_quote=opens,
                    heading=heading,
                    lang=lang,
                )
            )
    return sentences
