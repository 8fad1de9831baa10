"""Text or HTML as an ``Article``: its text, title, date, author and publisher.

HTML goes through trafilatura, which keeps the article and drops menus and adverts, and reads
the page's metadata. In plain text the first line may be the title, a line near the top may
be the date ("Published 3 November 2025", "03.11.2025") and a "By ..." line the author.
Nothing here raises on bad input: a page that cannot be read gives what text it can.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Final

from bot.extract.model import Article
from bot.extract.words import WORDS
from bot.text import detect_language

MAX_TITLE_WORDS: Final = 30
DATE_LINES: Final = 6  # lines from the top where a plain text's date is looked for
_TAG_RE: Final = re.compile(r"<[^>]*>")
_SCRIPT_RE: Final = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_NAME: Final = r"([A-ZА-ЯІЇЄҐ][\w'’-]+(?:\s+[A-ZА-ЯІЇЄҐ][\w'’.-]+){1,3})"
_PUBLISHED_BY_RE: Final = re.compile(r"\b(?:written|published)\s+by\s+" + _NAME)
_NUMERIC_DATE_RE: Final = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"
)


def _decode(raw: str | bytes, content_type: str) -> str:
    if isinstance(raw, str):
        return raw
    charset = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    for encoding in (charset.group(1) if charset else "utf-8", "utf-8"):
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace")


def _is_html(text: str, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def _parse_date(text: str | None, lang: str | None = None) -> datetime.date | None:
    """A date written in ``text`` ("2025-11-03", "3 November 2025", "3 листопада 2025")."""
    if not text:
        return None
    numeric = _NUMERIC_DATE_RE.search(text)
    try:
        if numeric and numeric.group(1):
            return datetime.date(int(numeric[1]), int(numeric[2]), int(numeric[3]))
        if numeric:
            return datetime.date(int(numeric[6]), int(numeric[5]), int(numeric[4]))
    except ValueError:
        return None
    return _dateparser_date(text, lang)


def _dateparser_date(text: str, lang: str | None) -> datetime.date | None:
    import dateparser  # type: ignore[import-untyped]  # slow to import; only plain texts need it

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}
    try:
        found = dateparser.parse(text, languages=[lang] if lang else None, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd text; no date then
        return None
    return found.date() if isinstance(found, datetime.datetime) else None


def _from_html(page: str, url: str | None) -> Article:
    import trafilatura  # 135 ms and 13 MB to import: only when a page is read, not at start

    try:
        document = trafilatura.bare_extraction(
            page, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception:  # trafilatura fails in many ways on broken pages; fall back to the tags
        document = None
    if document is None or isinstance(document, dict) or not document.text:
        return _from_text(_strip_tags(page), url, title_from_text=False)
    text = "\n\n".join(line for line in document.text.splitlines() if line.strip())
    return Article(
        text=text,
        title=document.title or None,
        published=_parse_date(document.date),
        author=document.author or None,
        publisher=document.sitename or None,
        url=url or document.url or None,
        lang=detect_language(text),
    )


def _strip_tags(page: str) -> str:
    text = _SCRIPT_RE.sub(" ", page)
    text = re.sub(r"</?(p|div|br|h\d|li|tr|article|section)\b[^>]*>", "\n\n", text, flags=re.I)
    return html.unescape(_TAG_RE.sub(" ", text))


def _title(lines: list[str]) -> str | None:
    """The first line, when it reads as a title: short, alone, with no full stop at its end."""
    if len(lines) < 2 or not lines[0].strip():
        return None
    first = lines[0].strip()
    if lines[1].strip() or len(first.split()) > MAX_TITLE_WORDS or first.endswith("."):
        return None
    return first


def _date_line(lines: list[str], lang: str) -> datetime.date | None:
    """A date near the top of a plain text, on a line of its own."""
    labels = tuple(label.casefold() for label in WORDS.date_labels)
    for line in [line.strip() for line in lines if line.strip()][:DATE_LINES]:
        if len(line.split()) > 8 or not re.search(r"\d", line):
            continue
        text = line
        if text.casefold().startswith(labels):
            text = text.split(" ", 1)[-1] if " " in text else ""
        found = _parse_date(text.strip(" :"), lang)
        if found is not None:
            return found
    return None


def _author(lines: list[str]) -> str | None:
    """ "By David Hawkins" on a line of its own, or "... published by Kathrine Frich"."""
    labels = "|".join(re.escape(label) for label in WORDS.author_labels)
    line_re = re.compile(rf"^(?:{labels})\s*:?\s+{_NAME}\s*$", re.IGNORECASE)
    for line in lines:
        match = line_re.match(line.strip())
        if match:
            return match.group(1)
    for line in reversed(lines):
        match = _PUBLISHED_BY_RE.search(line)
        if match:
            return match.group(1)
    return None


def _from_text(text: str, url: str | None, *, title_from_text: bool = True) -> Article:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    title = _title(lines) if title_from_text else None
    body = "\n".join(lines[1:]).strip() if title else text.strip()
    lang = detect_language(body)
    return Article(
        text=body,
        title=title,
        published=_date_line(lines, lang),
        author=_author(lines),
        url=url,
        lang=lang,
    )


def read_article(
    raw: str | bytes, *, content_type: str = "text/plain", url: str | None = None
) -> Article:
    """Text or HTML as an Article; never raises: bad HTML gives what text can be had."""
    try:
        text = _decode(raw, content_type)
        if _is_html(text, content_type):
            return _from_html(text, url)
        return _from_text(text, url)
    except Exception:  # the last guard: a draft of nothing beats a crash on a pasted page
        fallback = raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")
        return Article(text=_TAG_RE.sub(" ", fallback), url=url)
