"""Dates in a sentence ("on 2 March", "in June", "by mid-2025", "24 лютого 2022"), resolved
against the article's own date, and the date a draft gets when its sentence names none."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from bot.extract.sentences import Sentence
from bot.extract.tokens import Token
from bot.extract.words import WORDS
from bot.text import CYRILLIC, YEAR_RANGE

_DOTTED_RE: Final = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{2,4})")


def is_year(token: Token) -> bool:
    """A year as written: four digits, no separators, within 1900-2100."""
    return token.is_number and token.text.isdigit() and int(token.text) in YEAR_RANGE


def _english_month(tokens: Sequence[Token], index: int) -> int | None:
    token = tokens[index]
    month = WORDS.months_en.get(token.norm)
    if month is None or not token.capitalised:
        return None  # "march" in lower case is the verb
    if token.norm == "may":
        before = tokens[index - 1] if index else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        beside_number = any(token is not None and token.is_number for token in (before, after))
        if (before is None or before.norm not in WORDS.may_before) and not beside_number:
            return None  # "Belarus may soon launch"
    return month


def month_positions(sentence: Sentence) -> dict[int, int]:
    """Token index -> month number, for each word that names a month."""
    # English month words are read apart: the matcher's "mar" would also take the verb.
    found = {
        hit.start: int(hit.concept.id)
        for hit in sentence.hits
        if hit.concept.kind == "month" and CYRILLIC.search(sentence.tokens[hit.start].norm)
    }
    for index in range(len(sentence.tokens)):
        month = _english_month(sentence.tokens, index)
        if month is not None:
            found[index] = month
    return found


@dataclass(frozen=True)
class Mention:
    """A date a sentence names, as precisely as it names it."""

    year: int | None
    month: int | None
    day: int | None
    start: int  # token span
    end: int
    loose: bool = False  # "mid-2025", "late 2024": roughly that year
    since: bool = False  # "since 24 February 2022": where a running total starts
    weekday: int | None = None  # "on Tuesday": 0 (Monday) to 6, the last one by the article

    def resolve(self, article: datetime.date | None, year: int | None) -> str | None:
        """The date as ``YYYY[-MM[-DD]]``; a month without a year falls in the article's year,
        or the year before when that month is still to come."""
        if self.weekday is not None:
            if article is None:
                return None
            back = (article.weekday() - self.weekday) % 7
            return (article - datetime.timedelta(days=back)).isoformat()
        found = self.year
        if found is None and self.month is not None and article is not None:
            found = article.year if self.month <= article.month else article.year - 1
        found = found if found is not None else year
        if found is None:
            return None
        if self.month is None:
            return f"{found:04d}"
        if self.day is None or self.day > calendar.monthrange(found, self.month)[1]:
            return f"{found:04d}-{self.month:02d}"
        return f"{found:04d}-{self.month:02d}-{self.day:02d}"


def _day(tokens: Sequence[Token], index: int) -> int | None:
    if 0 <= index < len(tokens) and tokens[index].text.isdigit():
        value = int(tokens[index].text)
        return value if 1 <= value <= 31 else None
    return None


def _month_mention(tokens: Sequence[Token], index: int, month: int) -> Mention:
    start, end = index, index + 1
    day = _day(tokens, index - 1)
    if day is not None:
        start -= 1
    else:
        day = _day(tokens, index + 1)
        if day is not None and not is_year(tokens[index + 1]):
            end += 1
        else:
            day = None
    year = None
    if end < len(tokens) and is_year(tokens[end]):
        year = int(tokens[end].text)
        end += 1
    return Mention(year, month, day, start, end)


def _dotted(token: Token, index: int) -> Mention | None:
    match = _DOTTED_RE.fullmatch(token.text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    year += 2000 if year < 100 else 0
    if not 1 <= month <= 12 or not 1 <= day <= 31 or year not in YEAR_RANGE:
        return None
    return Mention(year, month, day, index, index + 1)


def _year_mention(sentence: Sentence, index: int) -> Mention:
    stems = sentence.stems
    loose = WORDS.year_parts.ending_at(stems, index) is not None
    return Mention(int(sentence.tokens[index].text), None, None, index, index + 1, loose=loose)


SINCE_REACH: Final = 6  # tokens from "since the start of" to the date it starts at


def _mark_since(sentence: Sentence, mention: Mention) -> Mention:
    """ "since 24 February 2022", "від початку вторгнення у лютому 2022 року": the date a
    running total starts at, not the date of the count."""
    stems = sentence.stems
    since = WORDS.since_words.ending_at(stems, mention.start) is not None
    since = since or (
        WORDS.since_start.find(stems, max(0, mention.start - SINCE_REACH), mention.start)
        is not None
    )
    return replace(mention, since=True) if since else mention


def _weekdays(sentence: Sentence) -> list[Mention]:
    """ "on Tuesday", "said Tuesday", "у вівторок", "во вторник"."""
    days = WORDS.weekdays.get(sentence.lang, {})
    tokens = sentence.tokens
    found = []
    for index, token in enumerate(tokens):
        if token.stem not in days or token.kind != "word":
            continue
        before = tokens[index - 1].norm if index else ""
        if CYRILLIC.search(token.norm) and before not in WORDS.weekday_before:
            continue  # "Серед загиблих" is no Wednesday
        if not CYRILLIC.search(token.norm) and not token.capitalised:
            continue
        found.append(Mention(None, None, None, index, index + 1, weekday=days[token.stem]))
    return found


def mentions(sentence: Sentence) -> list[Mention]:
    """Every date the sentence names, in order."""
    tokens = sentence.tokens
    found: list[Mention] = []
    covered: set[int] = set()
    for index, month in sorted(month_positions(sentence).items()):
        mention = _month_mention(tokens, index, month)
        found.append(mention)
        covered.update(range(mention.start, mention.end))
    for index, token in enumerate(tokens):
        if index in covered:
            continue
        if token.kind == "date" and (dotted := _dotted(token, index)) is not None:
            found.append(dotted)
        elif is_year(token):
            found.append(_year_mention(sentence, index))
    found += _weekdays(sentence)
    return sorted((_mark_since(sentence, mention) for mention in found), key=lambda m: m.start)


def relative_year(sentence: Sentence, start: int, end: int, article_year: int | None) -> int | None:
    """ "this year" or "last year" within ``start:end``, as a year."""
    if article_year is None:
        return None
    stems = sentence.stems
    if WORDS.this_year.find(stems, start, end) is not None:
        return article_year
    if WORDS.last_year.find(stems, start, end) is not None:
        return article_year - 1
    return None


@dataclass(frozen=True)
class DateContext:
    """What a draft's date is resolved against."""

    published: datetime.date | None  # the article's own date
    latest_year: int | None  # the most recent year the article names
    today: datetime.date
    earlier: str | None = None  # "тоді ж": the date of the sentence before


def _nearest(found: Sequence[Mention], position: int) -> Mention:
    return min(found, key=lambda mention: abs(mention.start - position))


def sentence_date(sentence: Sentence, position: int, context: DateContext) -> str | None:
    """The most precise date the sentence gives near ``position``: the day a source spoke
    ("said on Tuesday") first, then a day or month it names."""
    published = context.published
    fallback = published.year if published else context.latest_year
    found = [mention for mention in mentions(sentence) if not mention.since]
    spoken = [mention for mention in found if mention.weekday is not None]
    if spoken and published is not None:
        return _nearest(spoken, position).resolve(published, fallback)
    precise = [mention for mention in found if mention.month is not None]
    if precise:
        return _nearest(precise, position).resolve(published, fallback)
    return None


def draft_date(
    sentence: Sentence, position: int, context: DateContext
) -> tuple[str, tuple[str, ...]]:
    """The date of a figure at token ``position``, and caveats that say how it was found."""
    published = context.published
    resolved = sentence_date(sentence, position, context)
    if resolved is not None:
        return resolved, ()
    if context.earlier is not None:
        return context.earlier, ("Date taken from the sentence before, which this one follows.",)
    found = [mention for mention in mentions(sentence) if not mention.since]
    loose = [mention for mention in found if mention.loose]
    if loose:
        mention = _nearest(loose, position)
        words = " ".join(token.text for token in sentence.tokens[mention.start - 1 : mention.end])
        return f"{mention.year:04d}", (f'Date approximate: the article says "{words}".',)
    if published is not None:
        return published.isoformat(), (
            "Date approximate: the article's date, not the date of the count.",
        )
    years = [mention.year for mention in found if mention.year is not None]
    if years:
        return f"{max(years):04d}", (
            "Date approximate: the article is undated; this is the year its sentence names.",
        )
    if context.latest_year is not None:
        return f"{context.latest_year:04d}", (
            f"Date unknown: the article is undated; {context.latest_year} is the most recent "
            "year it mentions.",
        )
    return f"{context.today.year:04d}", (
        "Date unknown: the article is undated and names no year; this is the year it was read.",
    )


def latest_year(sentences: Sequence[Sentence], today: datetime.date) -> int | None:
    """The most recent year an article names (not after the current one)."""
    years = [
        int(token.text)
        for sentence in sentences
        for token in sentence.tokens
        if is_year(token) and int(token.text) <= today.year
    ]
    return max(years, default=None)
