"""The bot's own texts in English, Ukrainian and Russian (gettext catalogues, read with Babel).

Claim texts stay as stored; only labels, help and messages are translated. Catalogues are the
``.po`` files in ``bot/locales``; they are compiled in memory when first used, so the
repository holds no binary ``.mo`` files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from bot.domain import Precision, claim_date

LANGUAGES: Final = ("en", "uk", "ru")
DEFAULT_LANGUAGE: Final = "en"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locales"
DOMAIN: Final = "messages"
# How a claim date shows at its precision: "2025", "Mar 2022", "2 Mar 2022" (CLDR patterns).
_DATE_PATTERNS: Final = {Precision.YEAR: None, Precision.MONTH: "LLL y", Precision.DAY: "d MMM y"}


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for "translate later")
    """Mark a text for translation where it is defined; it is translated where it is used."""
    return message


def pick_language(code: str | None) -> str:
    """Our language for a Telegram ``language_code`` such as "uk", "ru-RU" or "de"."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(lang: str) -> NullTranslations:
    path = catalogue_path(lang)
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Locale:
    """Translations and number and date formats for one language."""

    lang: str

    def _(self, message: str) -> str:
        return _translations(self.lang).gettext(message)

    def number(self, value: int) -> str:
        """Full digits with this language's thousands separator: "9,861", "9 861"."""
        return _formatted_number(value, self.lang)

    def date(self, value: str) -> str:
        """A claim date at its own precision: "2 Mar 2022", "Mar 2022" or "2022"."""
        return _formatted_date(value, self.lang)


# Babel parses its locale and pattern on every call; claims repeat their figures and dates, so
# each is formatted once per language (bounded: a few thousand short strings).
@lru_cache(maxsize=8192)
def _formatted_number(value: int, lang: str) -> str:
    return format_decimal(value, locale=lang)


@lru_cache(maxsize=8192)
def _formatted_date(value: str, lang: str) -> str:
    when = claim_date(value)
    pattern = _DATE_PATTERNS[when.precision]
    return format_date(when.first_day(), pattern, locale=lang) if pattern else str(when)


@cache
def get_locale(lang: str | None) -> Locale:
    return Locale(pick_language(lang))


EN: Final = get_locale(DEFAULT_LANGUAGE)
