"""Names the stored claims teach the reader: their sources and their places.

Every index build reads each claim's sources (claimant, publisher, reporter, aliases) and
places (``where``) into words the question reader knows, in Latin and Cyrillic spellings alike
(through transliteration keys). So "Шойгу" finds a claim by "Sergei Shoigu", and a claimant an
admin adds is known by name at the next index build, on every replica.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.lexicon import ARTICLES, STOPWORDS
from bot.search.claim_words import Profile, words
from bot.text import translit_key

NAME_CUTOFF: Final = 88.0  # rapidfuzz ratio (0-100) between transliteration keys
MIN_FUZZY_KEY: Final = 5  # shorter keys must match exactly: "un" is not "uk"
# A name spelt by ear keeps its consonants ("Трамп" for Trump, "Милли" for Milley): keys of
# this length or more with the same consonants and first letter match at a lower ratio.
MIN_SKELETON_KEY: Final = 4
SKELETON_CUTOFF: Final = 70.0
_VOWELS: Final = re.compile(r"[aeiouy]")
LOOKUP_CACHE: Final = 4_096  # fuzzy look-ups kept per index: questions repeat their words
Mask = npt.NDArray[np.bool_]
# Profile positions, sorted: a common word ("ministry") is in tens of thousands of profiles,
# which cost 4 bytes each here and about 40 in a frozenset of ints.
Positions = npt.NDArray[np.int32]
_NONE: Final[Positions] = np.empty(0, np.int32)


class Field(StrEnum):
    SOURCE = "source"
    PLACE = "place"


_NAME_SPLIT: Final = re.compile(r"[(),;]| and | і | и ")


@lru_cache(maxsize=100_000)
def name_keys(text: str) -> frozenset[str]:
    """The transliteration keys of a text's words that may name something (cached: claims
    repeat their sources and places)."""
    return frozenset(
        translit_key(word)
        for word in words(text).split()
        if word.isalpha() and len(word) >= 2 and word not in STOPWORDS
    )


@lru_cache(maxsize=100_000)
def name_phrases(text: str) -> frozenset[str]:
    """The names of two or more words a text holds ("West Bank and East Jerusalem": "west
    bank", "east jerusalem"), as normalised words, without leading articles."""
    found = set()
    for part in _NAME_SPLIT.split(text):
        tokens = words(part).split()
        while tokens and tokens[0] in ARTICLES:
            tokens.pop(0)
        if len(tokens) >= 2:
            found.add(" ".join(tokens))
    return frozenset(found)


def skeleton(key: str) -> str:
    """A transliteration key's first letter and its consonants: "trump" and "tramp" agree."""
    return key[:1] + _VOWELS.sub("", key[1:])


@dataclass(frozen=True)
class _FieldNames:
    """One field's words (by transliteration key) and names of several words, each with
    the profiles whose field holds it."""

    by_key: dict[str, Positions]
    keys: list[str]  # sorted, for fuzzy look-ups
    by_phrase: dict[str, Positions]
    longest: int  # words in the longest phrase
    by_skeleton: dict[str, tuple[str, ...]]
    _looked_up: dict[str, Positions] = field(default_factory=dict)  # fuzzy, per token

    @classmethod
    def of(cls, texts: Iterable[tuple[int, Sequence[str]]]) -> _FieldNames:
        # Lists, not sets: each profile comes once, in order, so every list is sorted already.
        found: dict[str, list[int]] = {}
        phrases: dict[str, list[int]] = {}
        for profile, parts in texts:
            for key in frozenset().union(*map(name_keys, parts)):
                found.setdefault(key, []).append(profile)
            for phrase in frozenset().union(*map(name_phrases, parts)):
                phrases.setdefault(phrase, []).append(profile)
        return cls(
            {key: np.array(p, np.int32) for key, p in found.items()},
            sorted(found),
            {phrase: np.array(p, np.int32) for phrase, p in phrases.items()},
            max((len(phrase.split()) for phrase in phrases), default=0),
            _skeletons(found),
        )

    def phrase_at(self, tokens: Sequence[str], start: int) -> str | None:
        """The longest name of several words that starts at ``tokens[start]``."""
        for size in range(min(self.longest, len(tokens) - start), 1, -1):
            phrase = " ".join(tokens[start : start + size])
            if phrase in self.by_phrase:
                return phrase
        return None

    def profiles(self, token: str) -> Positions:
        if " " in token:
            return self.by_phrase.get(token, _NONE)
        key = translit_key(token)
        exact = self.by_key.get(key)
        if exact is not None or len(key) < MIN_SKELETON_KEY:
            return _NONE if exact is None else exact
        found = self._looked_up.get(key)
        if found is None:
            if len(self._looked_up) >= LOOKUP_CACHE:
                self._looked_up.clear()
            best = (
                process.extractOne(
                    key, self.keys, scorer=fuzz.ratio, processor=None, score_cutoff=NAME_CUTOFF
                )
                if len(key) >= MIN_FUZZY_KEY
                else None
            ) or self._by_ear(key)
            found = self._looked_up[key] = self.by_key[best[0]] if best else _NONE
        return found

    def _by_ear(self, key: str) -> tuple[str, float, int] | None:
        if len(key) < MIN_SKELETON_KEY:
            return None
        alike = self.by_skeleton.get(skeleton(key), ())
        return process.extractOne(
            key, alike, scorer=fuzz.ratio, processor=None, score_cutoff=SKELETON_CUTOFF
        )


def _skeletons(keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for key in sorted(keys):
        if len(key) >= MIN_SKELETON_KEY:
            found.setdefault(skeleton(key), []).append(key)
    return {shape: tuple(alike) for shape, alike in found.items()}


class Names:
    """The sources and places the stored claims name, and which claims name each."""

    def __init__(self, profiles: Sequence[Profile], profile_of: npt.NDArray[np.int32]) -> None:
        self._profile_of = profile_of
        # Who a claimant is, before any "(President of Russia)": "Vladimir Putin".
        self._claimant_keys = frozenset().union(
            *(name_keys(profile.claimant.split("(")[0]) for profile in profiles)
        )
        self._fields = {
            Field.SOURCE: _FieldNames.of(
                (position, profile.sources) for position, profile in enumerate(profiles)
            ),
            Field.PLACE: _FieldNames.of(
                (position, (*((profile.where,) if profile.where else ()), *profile.aliases))
                for position, profile in enumerate(profiles)
            ),
        }

    def phrase_at(self, field: Field, tokens: Sequence[str], start: int) -> str | None:
        return self._fields[field].phrase_at(tokens, start)

    def names_a_claimant(self, token: str) -> bool:
        """Whether a stored claimant is called by this word ("Putin", "Zelensky"), not only
        described by it ("Russia" in "Vladimir Putin (President of Russia)")."""
        return translit_key(token) in self._claimant_keys

    def knows(self, field: Field, token: str) -> bool:
        return len(self._fields[field].profiles(token)) > 0

    def claims(self, field: Field, token: str) -> Mask:
        """Which claims name ``token`` in ``field``."""
        found: Mask = np.isin(self._profile_of, self._fields[field].profiles(token))
        return found
