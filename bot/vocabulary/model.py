"""The vocabulary's concepts as typed, frozen values; ``bot.vocabulary.loader`` reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class VocabularyError(ValueError):
    """A vocabulary file is missing or wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Words:
    """A concept's words and phrases as people type them, in each language."""

    en: tuple[str, ...] = ()
    uk: tuple[str, ...] = ()
    ru: tuple[str, ...] = ()

    @property
    def cyrillic(self) -> tuple[str, ...]:
        return (*self.uk, *self.ru)

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.en, *self.uk, *self.ru)


@dataclass(frozen=True)
class Term:
    """A concept that questions name: its id and its words."""

    id: str
    words: Words


@dataclass(frozen=True)
class Side(Term):
    label: str | None  # message id; a side without one is described in the claim's own words
    source: str | None  # the claimant that a side's own sources stand for: "British data"
    home: str | None  # its country, as a place: a count of "people" there counts its people


@dataclass(frozen=True)
class Claimant(Term):
    self_reported: bool  # a kind of claim, not a source: a side's own figure for its own losses
    disowned: bool  # a figure its source never published (a leak): never its official one


@dataclass(frozen=True)
class Subject(Term):
    within: str | None  # the subject it is part of: children are civilians


@dataclass(frozen=True)
class Place(Term):
    parent: str | None  # the place that contains it: Bakhmut lies in Donetsk region


@dataclass(frozen=True)
class Measure(Term):
    label: str  # message id
    answered_by: tuple[str, ...]  # the measures whose claims answer a question about this one


@dataclass(frozen=True)
class Number(Term):
    value: int | float


@dataclass(frozen=True)
class ClaimantType:
    id: str
    label: str  # message id
    colour: str  # "#rrggbb", its points on charts


@dataclass(frozen=True)
class Vocabulary:
    """Every vocabulary file, read; mappings keep the files' order."""

    sides: Mapping[str, Side]
    places: Mapping[str, Place]
    measures: Mapping[str, Measure]
    claimant_types: Mapping[str, ClaimantType]
    claimants: Mapping[str, Claimant]
    subjects: Mapping[str, Subject]
    topics: Mapping[str, Term]
    intents: Mapping[str, Term]  # "compare", "highest", "lowest"
    periods: Mapping[str, Term]
    rates: Mapping[str, Term]  # "per day"
    months: Mapping[str, Term]  # ids "1" to "12"
    negations: Words
    source_words: Words
    count_words: Words
    our_words: Words  # "наших": the speaker's people
    speaker_side: Words  # per language, the side its speakers mean by "ours"
    own_words: Words  # "своїх": the named source's own people
    place_prepositions: Words
    not_places: Words
    stopwords: Words
    articles: Words  # skipped when looking for the word before a place: "in the Donbas"
    agent_words: Words  # before a side that did the killing: "killed by Russia"
    total_to_words: Words  # before a date that ends a running total: "by 1 March"
    attack_words: Words  # before a side that attacks: "обстріли ЗСУ"
    custody_words: Words  # after a side that holds captives: "in Russian captivity"
    war_words: Words  # after a country that names its war, not its side: "Ukraine war"
    source_before: Words  # just before a source's name: "according to", "за даними"
    source_after: Words  # just after a source's name: "says", "заявив"
    agent_verbs: Words  # active verbs of killing, as written: "вбила Україна"
    auxiliaries: Words  # "has Ukraine killed"
    year_words: Words  # the words a one-year period may hold besides its year: "in 2024"
    scales: Mapping[str, Number]
    small_numbers: Mapping[str, Number]
    fractions: Mapping[str, Number]

    def measure_families(self) -> dict[str, frozenset[str]]:
        """For each measure a question can name, the measures whose claims answer it."""
        return {
            measure.id: frozenset(measure.answered_by)
            for measure in self.measures.values()
            if measure.words.all
        }

    def labels(self) -> frozenset[str]:
        """The message id of every label: each catalogue must translate them all."""
        return frozenset(
            (
                *(side.label for side in self.sides.values() if side.label),
                *(measure.label for measure in self.measures.values()),
                *(kind.label for kind in self.claimant_types.values()),
            )
        )
