"""An article as the extractor reads it, and a draft claim as it proposes one."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Final

MAX_TEXT: Final = 500  # characters in a claim's short fields (the store's limit)
_URL_RE: Final = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """An article's text and what is known about it."""

    text: str  # plain text, paragraphs separated by blank lines
    title: str | None = None
    published: datetime.date | None = None  # the article's own date
    author: str | None = None  # -> reported_by
    publisher: str | None = None  # -> published_by
    url: str | None = None
    lang: str | None = None  # "en", "uk" or "ru"; detected from the text when None


def _clip(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text[: MAX_TEXT - 1] + "…" if len(text) > MAX_TEXT else (text or None)


@dataclass(frozen=True)
class Draft:
    """One casualty figure of an article, as a claim to be reviewed."""

    figure: int | tuple[int, int]  # a range as (low, high)
    qualifier: str | None  # one the store accepts, or None
    measure: str  # one of store.MEASURES
    per: str | None  # one of store.PERS, or None
    who: str  # whom it counts, in words ("Russian soldiers")
    where: str | None
    period: str | None
    claimant: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD
    caveats: tuple[str, ...]
    evidence: str  # the sentence it came from, as written

    def as_claim(self, article: Article, *, key: str) -> dict[str, Any]:
        """This draft in the import format: ``url``, ``reported_in`` (the title),
        ``reported_by`` (the author) and ``published_by`` (the publisher) from the article."""
        figure: int | list[int] = (
            list(self.figure) if isinstance(self.figure, tuple) else self.figure
        )
        claim: dict[str, Any] = {
            "key": key,
            "figure": figure,
            "qualifier": self.qualifier,
            "measure": self.measure,
            "per": self.per,
            "who": _clip(self.who),
            "where": _clip(self.where),
            "period": _clip(self.period),
            "claimant": _clip(self.claimant),
            "published_by": _clip(article.publisher),
            "reported_by": _clip(article.author),
            "reported_in": _clip(article.title),
            "date": self.date,
            "caveats": [c for c in (_clip(c) for c in self.caveats[:30]) if c],
            "url": article.url if article.url and _URL_RE.match(article.url) else None,
        }
        return {name: value for name, value in claim.items() if value is not None}
