"""The extractor's own word lists (``words.toml`` beside this module), read once and checked.

A mistake in the file stops the import with a message that names the file and the section,
like the vocabulary's.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from bot.extract.phrases import Phrases, as_written, written_set
from bot.text import normal_form
from bot.vocabulary import VocabularyError

FILE: Final = Path(__file__).resolve().parent / "words.toml"
LANGS: Final = ("en", "uk", "ru")


class _Reader:
    """The file's sections, read by name; errors name the file and the section."""

    def __init__(self, path: Path) -> None:
        self.shown = f"bot/extract/{path.name}"
        try:
            with path.open("rb") as source:
                self.document = tomllib.load(source)
        except FileNotFoundError:
            raise VocabularyError(f"{self.shown}: the file is missing") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise VocabularyError(f"{self.shown}: not valid TOML: {exc}") from None

    def error(self, section: str, message: str) -> VocabularyError:
        return VocabularyError(f"{self.shown}: [{section}] {message}")

    def table(self, section: str) -> dict[str, object]:
        table = self.document.get(section)
        if not isinstance(table, dict):
            raise self.error(section, "is missing or not a table")
        return table

    def texts(self, section: str, key: str, table: Mapping[str, object] | None = None) -> list[str]:
        value = (self.table(section) if table is None else table).get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(section, f'"{key}" must be a list of non-empty strings')
        return list(value)

    def words(self, section: str, table: Mapping[str, object] | None = None) -> list[str]:
        """Every language's words of a section (or of one table in it)."""
        return [word for lang in LANGS for word in self.texts(section, lang, table)]

    def phrases(self, section: str) -> Phrases:
        return Phrases(self.words(section))

    def written(self, section: str) -> frozenset[str]:
        return written_set(self.words(section))

    def tables(self, section: str) -> list[dict[str, object]]:
        tables = self.document.get(section)
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise VocabularyError(f"{self.shown}: [[{section}]] must be a list of tables")
        return tables

    def pairs(self, section: str, key: str) -> dict[str, float]:
        value = self.table(section).get(key)
        if not isinstance(value, list) or not all(
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], int | float)
            for pair in value
        ):
            raise self.error(section, f'"{key}" must be a list of ["word", number] pairs')
        return {str(word): float(number) for word, number in value}

    def names(self, section: str) -> Mapping[str, str]:
        table = self.table(section)
        if not all(isinstance(value, str) and value for value in table.values()):
            raise self.error(section, "must map names to non-empty strings")
        return MappingProxyType({str(key): str(value) for key, value in table.items()})


@dataclass(frozen=True)
class Qualifier:
    id: str  # as the store writes it: "more than", "up to"...
    before: Phrases
    after: Phrases


@dataclass(frozen=True)
class Caveat:
    text: str
    phrases: Phrases


@dataclass(frozen=True)
class Source:
    name: str
    phrases: Phrases


def _qualifiers(reader: _Reader) -> tuple[Qualifier, ...]:
    found = []
    for table in reader.tables("qualifier"):
        after = [w for lang in LANGS for w in reader.texts("qualifier", f"after_{lang}", table)]
        found.append(
            Qualifier(str(table["id"]), Phrases(reader.words("qualifier", table)), Phrases(after))
        )
    return tuple(found)


def _caveats(reader: _Reader) -> tuple[Caveat, ...]:
    return tuple(
        Caveat(str(table["text"]), Phrases(reader.words("caveat", table)))
        for table in reader.tables("caveat")
    )


def _sources(reader: _Reader) -> tuple[Source, ...]:
    return tuple(
        Source(str(table["name"]), Phrases(reader.words("source", table)))
        for table in reader.tables("source")
    )


def _weekdays(reader: _Reader) -> Mapping[str, Mapping[str, int]]:
    """Per language, weekday words in the form its articles' tokens hold them in -> 0 (Monday)
    to 6; kept apart by language, since a Russian stem may be a Ukrainian word ("серед")."""
    found: dict[str, dict[str, int]] = {lang: {} for lang in LANGS}
    for lang in LANGS:
        days = reader.texts("weekdays", lang)
        if len(days) != 7:
            raise reader.error("weekdays", f'"{lang}" must list the seven days, Monday first')
        for day, forms in enumerate(days):
            for form in forms.split("|"):
                norm = as_written(form)
                found[lang][normal_form(norm, lang) if lang != "en" else norm] = day
    return MappingProxyType({lang: MappingProxyType(days) for lang, days in found.items()})


def _extra_measures(reader: _Reader) -> Mapping[str, Phrases]:
    table = reader.table("extra_measures")
    return MappingProxyType(
        {
            str(measure): Phrases(reader.words("extra_measures", words))
            for measure, words in table.items()
            if isinstance(words, dict)
        }
    )


def _month_names(reader: _Reader) -> Mapping[str, int]:
    return MappingProxyType(
        {word: int(month) for word, month in reader.pairs("months_en", "names").items()}
    )


@dataclass(frozen=True)
class Words:
    """Every list in ``words.toml``, in the forms the extractor matches them in."""

    number_words: Mapping[str, float]
    attached_scales: frozenset[str]
    qualifiers: tuple[Qualifier, ...]
    change_words: Phrases
    range_words: frozenset[str]
    range_open: frozenset[str]
    range_close: frozenset[str]
    not_figure_after: Phrases
    not_figure_before: Phrases
    signs_before: str
    signs_after: str
    not_casualty_verbs: Phrases
    weak_measures: frozenset[str]
    figure_nouns: Phrases
    figure_noun_links: frozenset[str]
    clause_words: Phrases
    conjunctions: Phrases
    attack_nouns: Phrases
    attack_before: Phrases
    list_words: Phrases
    part_of: Phrases
    same_time: Phrases
    back_reference: Phrases
    weekdays: Mapping[str, Mapping[str, int]]
    weekday_before: frozenset[str]
    extra_measures: Mapping[str, Phrases]
    pronoun_attribution: Phrases
    citing: Phrases
    passing_on: Phrases
    bare_rate_words: frozenset[str]
    own_words: Phrases
    passive_words: frozenset[str]
    skippable: frozenset[str]
    attribution_verbs: frozenset[str]
    attribution_before: Phrases
    name_stops: frozenset[str]
    source_tails: frozenset[str]
    source_heads: frozenset[str]
    role_nouns: Phrases
    pronouns: frozenset[str]
    body_nouns: Phrases
    neutral_pronouns: frozenset[str]
    claim_nouns: Phrases
    relatives: frozenset[str]
    modifier_starts: frozenset[str]
    claimant_names: Mapping[str, str]
    not_source_claimants: frozenset[str]
    generic_source_words: frozenset[str]
    conjunction_words: frozenset[str]
    sources: tuple[Source, ...]
    months_en: Mapping[str, int]
    may_before: frozenset[str]
    year_parts: Phrases
    this_year: Phrases
    last_year: Phrases
    period_year_before: frozenset[str]
    since_words: Phrases
    since_start: Phrases
    date_labels: tuple[str, ...]
    author_labels: tuple[str, ...]
    excluding: Phrases
    caveats: tuple[Caveat, ...]
    abbreviations: frozenset[str]


def _special(r: _Reader) -> dict[str, Any]:
    """The lists that are not plain phrases or words of a section of the same name."""
    signs = r.table("not_figure_signs")
    lines = r.table("article_lines")
    return {
        "number_words": MappingProxyType(r.pairs("number_words", "values")),
        "attached_scales": frozenset(r.texts("number_words", "attached_scales")),
        "qualifiers": _qualifiers(r),
        "signs_before": "".join(r.texts("not_figure_signs", "before", signs)),
        "signs_after": "".join(r.texts("not_figure_signs", "after", signs)),
        "weekdays": _weekdays(r),
        "extra_measures": _extra_measures(r),
        "claimant_names": r.names("claimant_names"),
        "not_source_claimants": frozenset(r.texts("not_source_claimants", "ids")),
        "conjunction_words": r.written("conjunctions"),
        "sources": _sources(r),
        "months_en": _month_names(r),
        "may_before": frozenset(r.texts("months_en", "may_before")),
        "date_labels": tuple(r.texts("article_lines", "date_labels", lines)),
        "author_labels": tuple(r.texts("article_lines", "author_labels", lines)),
        "caveats": _caveats(r),
        "abbreviations": frozenset(r.texts("abbreviations", "words")),
    }


def load(path: Path = FILE) -> Words:
    """Read and check ``words.toml``; ``VocabularyError`` names what is wrong. A field of
    ``Words`` typed ``Phrases`` (or ``frozenset[str]``) is the section of its own name."""
    r = _Reader(path)
    values = _special(r)
    for item in fields(Words):
        if item.name in values:
            continue
        if item.type == "Phrases":
            values[item.name] = r.phrases(item.name)
        elif item.type == "frozenset[str]":
            values[item.name] = r.written(item.name)
        else:
            raise VocabularyError(f"{r.shown}: no reader for the list {item.name!r}")
    return Words(**values)


WORDS: Final = load()
