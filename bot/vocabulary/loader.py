"""Reading the vocabulary files, with errors that name the file and the entry."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Final, TypeVar

from bot.vocabulary.model import (
    Claimant,
    ClaimantType,
    Measure,
    Number,
    Place,
    Side,
    Subject,
    Term,
    Vocabulary,
    VocabularyError,
    Words,
)

DIRECTORY: Final = Path(__file__).resolve().parent
_PROJECT: Final = DIRECTORY.parent.parent  # errors name files from here: "bot/vocabulary/..."
_COLOUR_RE: Final = re.compile(r"#[0-9A-Fa-f]{6}")

_T = TypeVar("_T")
_TermT = TypeVar("_TermT", bound=Term)


class _Entry:
    """One table of a file, read field by field; its errors name the file and the entry."""

    def __init__(self, where: str, table: object) -> None:
        self.where = where
        if not isinstance(table, dict):
            raise self.error("must be a table")
        self._fields: dict[str, object] = table
        self._unread = set(table)

    def error(self, message: str) -> VocabularyError:
        return VocabularyError(f"{self.where}: {message}")

    def _take(self, key: str) -> object:
        self._unread.discard(key)
        return self._fields.get(key)

    def optional_text(self, key: str) -> str | None:
        value = self._take(key)
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        raise self.error(f'"{key}" must be a non-empty string')

    def text(self, key: str) -> str:
        value = self.optional_text(key)
        if value is None:
            raise self.error(f'"{key}" is missing')
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._take(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.error(f'"{key}" must be a list of non-empty strings')
        repeated = [item for index, item in enumerate(value) if item in value[:index]]
        if repeated:
            raise self.error(f'"{key}" lists "{repeated[0]}" twice')
        return tuple(value)

    def words(self) -> Words:
        return Words(en=self.texts("en"), uk=self.texts("uk"), ru=self.texts("ru"))

    def flag(self, key: str) -> bool:
        """A true/false field; left out, false."""
        value = self._take(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        raise self.error(f'"{key}" must be true or false')

    def number(self, key: str) -> int | float:
        value = self._take(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f'"{key}" must be a number')
        return value

    def close(self) -> None:
        """Refuse fields nothing read: a misspelt "parnet" must not pass for no parent."""
        if self._unread:
            raise self.error(f'unknown field "{sorted(self._unread)[0]}"')


class _File:
    """One vocabulary file; on leaving its ``with`` block, unknown sections are refused."""

    def __init__(self, directory: Path, name: str) -> None:
        path = directory / name
        self.shown = _shown(path)
        self._document = _parse(path, self.shown)
        self._unread = set(self._document)

    def __enter__(self) -> _File:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: TracebackType | None
    ) -> None:
        if kind is None and self._unread:
            raise VocabularyError(f'{self.shown}: unknown section "{sorted(self._unread)[0]}"')

    def _take(self, section: str) -> object:
        self._unread.discard(section)
        return self._document.get(section, {})

    def tables(self, kind: str, build: Callable[[str, _Entry], _T]) -> Mapping[str, _T]:
        """Every ``[kind.<id>]`` table, built in the file's order."""
        tables = self._take(kind)
        if not isinstance(tables, dict):
            raise VocabularyError(f'{self.shown}: "{kind}" must be tables like [{kind}.<id>]')
        built = {}
        for name, table in tables.items():
            entry = _Entry(f'{self.shown}: {kind} "{name}"', table)
            built[name] = build(name, entry)
            entry.close()
        return MappingProxyType(built)

    def terms(self, kind: str, build: Callable[[str, _Entry], _TermT]) -> Mapping[str, _TermT]:
        """Like ``tables``, and no phrase may name two of them."""
        terms = self.tables(kind, build)
        _check_distinct_words(self.shown, kind, terms)
        return terms

    def words(self, section: str) -> Words:
        entry = _Entry(f"{self.shown}: [{section}]", self._take(section))
        words = entry.words()
        entry.close()
        return words


def _shown(path: Path) -> str:
    try:
        return path.relative_to(_PROJECT).as_posix()
    except ValueError:
        return str(path)


def _parse(path: Path, shown: str) -> dict[str, object]:
    try:
        with path.open("rb") as source:
            return tomllib.load(source)
    except FileNotFoundError:
        raise VocabularyError(f"{shown}: the file is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{shown}: not valid TOML: {exc}") from None


def _check_distinct_words(shown: str, kind: str, terms: Mapping[str, Term]) -> None:
    """One phrase, one concept of a kind: otherwise the file's order would decide its meaning."""
    owners: dict[str, str] = {}
    for term in terms.values():
        for phrase in dict.fromkeys(term.words.all):  # Ukrainian and Russian may share a word
            owner = owners.setdefault(phrase.casefold(), term.id)
            if owner != term.id:
                raise VocabularyError(
                    f'{shown}: {kind} "{term.id}": "{phrase}" is also a word of {kind} "{owner}"'
                )


def _term(name: str, entry: _Entry) -> Term:
    return Term(name, entry.words())


def _side(name: str, entry: _Entry) -> Side:
    label, source = entry.optional_text("label"), entry.optional_text("source")
    return Side(name, entry.words(), label, source, entry.optional_text("home"))


def _claimant(name: str, entry: _Entry) -> Claimant:
    return Claimant(name, entry.words(), entry.flag("self_reported"), entry.flag("disowned"))


def _subject(name: str, entry: _Entry) -> Subject:
    return Subject(name, entry.words(), entry.optional_text("within"))


def _place(name: str, entry: _Entry) -> Place:
    return Place(name, entry.words(), entry.optional_text("parent"))


def _measure(name: str, entry: _Entry) -> Measure:
    family = entry.texts("answered_by") or (name,)  # a killed question: killed claims
    return Measure(name, entry.words(), entry.text("label"), family)


def _number(name: str, entry: _Entry) -> Number:
    return Number(name, entry.words(), entry.number("value"))


def _claimant_type(name: str, entry: _Entry) -> ClaimantType:
    colour = entry.text("colour")
    if not _COLOUR_RE.fullmatch(colour):
        raise entry.error(f'colour "{colour}" is not #rrggbb')
    return ClaimantType(name, entry.text("label"), colour)


def _read(directory: Path, name: str, read: Callable[[_File], _T]) -> _T:
    with _File(directory, name) as file:
        return read(file)


def _check_places(shown: str, places: Mapping[str, Place]) -> None:
    for place in places.values():
        if place.parent is not None and place.parent not in places:
            raise VocabularyError(
                f'{shown}: place "{place.id}": parent "{place.parent}" is not a place'
            )
    for place in places.values():
        chain, parent = [place.id], place.parent
        while parent is not None:
            if parent in chain:  # place_ancestors would never end
                loop = " -> ".join((*chain, parent))
                raise VocabularyError(f'{shown}: place "{place.id}": its parents loop: {loop}')
            chain.append(parent)
            parent = places[parent].parent


def _check_references(directory: Path, vocabulary: Vocabulary) -> None:
    """Names that point at other entries must name real ones."""
    _check_places(_shown(directory / "places.toml"), vocabulary.places)
    for measure in vocabulary.measures.values():
        for other in measure.answered_by:
            if other not in vocabulary.measures:
                raise VocabularyError(
                    f'{_shown(directory / "measures.toml")}: measure "{measure.id}": '
                    f'answered_by names "{other}", which is not a measure'
                )
    for subject in vocabulary.subjects.values():
        if subject.within is not None and subject.within not in vocabulary.subjects:
            raise VocabularyError(
                f'{_shown(directory / "subjects.toml")}: subject "{subject.id}": '
                f'within "{subject.within}" is not a subject'
            )
    for side in vocabulary.sides.values():
        if side.home is not None and side.home not in vocabulary.places:
            raise VocabularyError(
                f'{_shown(directory / "sides.toml")}: side "{side.id}": '
                f'home "{side.home}" is not a place in places.toml'
            )
        if side.source is not None and side.source not in vocabulary.claimants:
            raise VocabularyError(
                f'{_shown(directory / "sides.toml")}: side "{side.id}": '
                f'source "{side.source}" is not a claimant in claimants.toml'
            )


def load(directory: Path = DIRECTORY) -> Vocabulary:
    """Read and check the vocabulary files in ``directory``; ``VocabularyError`` if one is wrong."""
    with (
        _File(directory, "periods.toml") as periods,
        _File(directory, "words.toml") as words,
        _File(directory, "numbers.toml") as numbers,
    ):
        vocabulary = Vocabulary(
            sides=_read(directory, "sides.toml", lambda file: file.terms("side", _side)),
            places=_read(directory, "places.toml", lambda file: file.terms("place", _place)),
            measures=_read(
                directory, "measures.toml", lambda file: file.terms("measure", _measure)
            ),
            claimant_types=_read(
                directory,
                "claimant_types.toml",
                lambda file: file.tables("claimant_type", _claimant_type),
            ),
            claimants=_read(
                directory, "claimants.toml", lambda file: file.terms("claimant", _claimant)
            ),
            subjects=_read(
                directory, "subjects.toml", lambda file: file.terms("subject", _subject)
            ),
            topics=_read(directory, "topics.toml", lambda file: file.terms("topic", _term)),
            intents=_read(directory, "intents.toml", lambda file: file.terms("intent", _term)),
            periods=periods.terms("period", _term),
            rates=periods.terms("per", _term),
            months=periods.terms("month", _term),
            negations=words.words("negations"),
            source_words=words.words("source_words"),
            count_words=words.words("count_words"),
            our_words=words.words("our_words"),
            speaker_side=words.words("speaker_side"),
            own_words=words.words("own_words"),
            place_prepositions=words.words("place_prepositions"),
            not_places=words.words("not_places"),
            stopwords=words.words("stopwords"),
            articles=words.words("articles"),
            agent_words=words.words("agent_words"),
            total_to_words=words.words("total_to_words"),
            attack_words=words.words("attack_words"),
            custody_words=words.words("custody_words"),
            war_words=words.words("war_words"),
            source_before=words.words("source_before"),
            source_after=words.words("source_after"),
            agent_verbs=words.words("agent_verbs"),
            auxiliaries=words.words("auxiliaries"),
            year_words=words.words("year_words"),
            scales=numbers.terms("scale", _number),
            small_numbers=numbers.terms("small_number", _number),
            fractions=numbers.terms("fraction", _number),
        )
    _check_references(directory, vocabulary)
    return vocabulary
