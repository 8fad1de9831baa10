"""The text stage: a question or a stored text becomes normalised tokens, and its numbers.

Case, compatibility forms and apostrophes are folded; Cyrillic words are brought to one form
for all their inflections (a Snowball stem for Russian, a pymorphy3 lemma for Ukrainian);
spelling keys forgive unstressed vowels and transliteration. Number words come from the
vocabulary (``bot/vocabulary/numbers.toml``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Final

import pymorphy3
import Stemmer
from anyascii import anyascii

from bot.common_words import is_common
from bot.lemmas import StartupLemmas, lemma_file
from bot.vocabulary import VOCABULARY, Number

# Words keep inner apostrophes (Ukrainian "в'єтнам"); numbers keep their separators for now.
_TOKEN_RE: Final = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’ʼ][^\W\d_]+)*", re.UNICODE)
CYRILLIC: Final = re.compile(r"[а-яёіїєґ]")
_UKRAINIAN_ONLY: Final = re.compile(r"[іїєґ]")
_STEMMER_RU: Final = Stemmer.Stemmer("russian")
_VOWEL_FOLD: Final = str.maketrans({"о": "а", "е": "и", "є": "и", "і": "и", "ї": "и", "ы": "и"})
# Transliteration variants folded together: "rossiyskih" and "rossiiskikh" meet as "rosiskih".
# fmt: off
_TRANSLIT_FOLDS: Final = (
    ("shch", "sh"), ("sch", "sh"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("ch", "c"),
    ("yu", "u"), ("ju", "u"), ("ya", "a"), ("ja", "a"), ("yo", "o"), ("ye", "e"), ("ie", "e"),
    ("iy", "i"), ("yi", "i"), ("y", "i"), ("j", "i"), ("w", "v"), ("'", ""),
    # Ukrainian Latin spelling writes г as "h" ("zahynulo"), Russian writes х as "h": fold both.
    ("h", "g"), ("x", "g"),
)
# fmt: on
_SUFFIXED_NUMBER_RE: Final = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(k|m|mln)\b", re.IGNORECASE)
YEAR_RANGE: Final = range(1900, 2101)
# Claims write months short ("24 Feb 2022"); questions often spell them out.
_MONTH_RE: Final = re.compile(
    r"\b(?:january|february|march|april|june|july|august|september|october|november|december)\b"
)
# "a quarter of a million" -> "250000"; longest first, so it goes before "quarter of a million".
_FRACTIONS: Final = tuple(
    sorted(
        (
            (phrase, str(fraction.value))
            for fraction in VOCABULARY.fractions.values()
            for phrase in fraction.words.all
        ),
        key=lambda replacement: -len(replacement[0]),
    )
)


def normalise(text: str) -> str:
    """Fold case, compatibility forms and apostrophes; keep letters and digits."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    for words, number in _FRACTIONS:
        text = text.replace(words, number)
    text = _MONTH_RE.sub(lambda month: month[0][:3], text)  # "February" reads as "Feb"
    text = re.sub(r"[’'`´]s\b", "s", text)  # "Russia's" -> "russias", like the lexicon
    text = text.replace("u.s.", "us").replace("u.k.", "uk").replace("’", "'").replace("ʼ", "'")
    return _SUFFIXED_NUMBER_RE.sub(r"\1 \2", text)  # "100k" -> "100 k"


def detect_language(text: str) -> str:
    """ "uk" if the text has Ukrainian-only letters, "ru" for other Cyrillic, else "en"."""
    lowered = text.casefold()
    if _UKRAINIAN_ONLY.search(lowered):
        return "uk"
    return "ru" if CYRILLIC.search(lowered) else "en"


@cache
def _morph(lang: str) -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang=lang)


def is_subject_case(word: str, lang: str) -> bool:
    """Whether a Ukrainian or Russian word, as written, most likely stands in the nominative
    (the doer of "вбила Україна") rather than an object case ("вбили росіян"). Unknown and
    indeclinable words ("ЗСУ") may be either: they count as nominative."""
    parse = _morph("uk" if lang == "uk" else "ru").parse(word)[0]
    return parse.tag.case in (None, "nomn")


@cache
def _morph_uk() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="uk")


def _uk_lemma(word: str) -> str:
    return str(_morph_uk().parse(word)[0].normal_form)


# Start-up's Ukrainian words come from the cache file once a start has kept them (bot.lemmas).
UK_LEMMAS: Final = StartupLemmas(lemma_file(), _uk_lemma)


@lru_cache(maxsize=100_000)
def normal_form(word: str, lang: str) -> str:
    """One form for all inflections: a Snowball stem (Russian), a pymorphy3 lemma (Ukrainian).

    Snowball has no Ukrainian stemmer, so Ukrainian uses pymorphy3's dictionary instead.
    Latin-script words are left as they are.
    """
    if not CYRILLIC.search(word):
        return word
    if lang == "uk":
        return UK_LEMMAS.lemma(word).replace("'", "")
    return str(_STEMMER_RU.stemWord(word))


def _raw_tokens(text: str) -> list[str]:
    tokens = []
    for raw in _TOKEN_RE.findall(normalise(text)):
        if raw[0].isdigit():
            # "9,861" and "9.861" are thousands; "1.5" before "million" is a decimal.
            if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", raw):
                raw = re.sub(r"[,.]", "", raw)
            else:
                raw = raw.replace(",", ".")
        tokens.append(raw)
    return tokens


def raw_tokens(text: str) -> list[str]:
    """A text's tokens as written (normalised, not stemmed): one per ``tokenize`` token."""
    return _raw_tokens(text)


@lru_cache(maxsize=100_000)
def looks_like_name(word: str, lang: str) -> bool:
    """Whether a word, as written, is rare enough in its language to be a name ("Kofman",
    "Tigray") rather than an ordinary word ("siege", "облога"): it is not among the words
    wordfreq sees at least once per million (Zipf 3)."""
    return word.isalpha() and not is_common(word, lang)


def tokenize(text: str, *, lang: str | None = None) -> list[str]:
    """Normalised tokens of a question; Cyrillic words in their language's normal form."""
    lang = lang or detect_language(text)
    return [normal_form(token, lang) for token in _raw_tokens(text)]


def token_variants(text: str) -> list[list[str]]:
    """The text tokenised as Ukrainian and as Russian where it is Cyrillic (one list if not).

    Stored texts (lexicon phrases, claim aliases) are indexed both ways, because an alias
    list mixes the two languages and a question's language decides which form it arrives in.
    """
    tokens = _raw_tokens(text)
    if not any(CYRILLIC.search(token) for token in tokens):
        return [tokens]
    variants = [[normal_form(token, lang) for token in tokens] for lang in ("uk", "ru")]
    return variants if variants[0] != variants[1] else variants[:1]


def normal_forms(words: Iterable[str]) -> frozenset[str]:
    """Every token of every variant of the words: what they may arrive as in a question."""
    return frozenset(token for word in words for tokens in token_variants(word) for token in tokens)


# Both keys are made for every known word at each index build (which an admin's change starts
# on every replica), and the words are mostly the same ones: each is made once.
@lru_cache(maxsize=200_000)
def cyrillic_key(word: str) -> str:
    """A Cyrillic key that forgives unstressed-vowel spelling ("салдат", "расийских")."""
    key = word.translate(_VOWEL_FOLD)
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=200_000)
def translit_key(word: str) -> str:
    """A Latin key on which transliterations of the same Cyrillic word agree."""
    key = anyascii(word).lower()
    for old, new in _TRANSLIT_FOLDS:
        key = key.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", key)  # "rossii" and "rosii" alike


def _number_words(numbers: Mapping[str, Number]) -> dict[str, int | float]:
    """Number words as tokens: English as written (already normal), Cyrillic normalised."""
    return {
        form: number.value
        for number in numbers.values()
        for form in (*number.words.en, *normal_forms(number.words.cyrillic))
    }


_NUMBER_WORDS: Final = _number_words(VOCABULARY.scales)
_SMALL_NUMBERS: Final = _number_words(VOCABULARY.small_numbers)


def parse_numbers(tokens: list[str]) -> set[int]:
    """Numbers a question names: "100,000", "100k", "a million", "80-100 thousand"."""
    numbers: set[int] = set()
    values: list[float | None] = []
    for token in tokens:
        if re.fullmatch(r"\d{1,15}(?:\.\d+)?", token):  # longer is no casualty figure
            values.append(float(token))
        elif token in _SMALL_NUMBERS:
            values.append(float(_SMALL_NUMBERS[token]))
        elif (
            token in _NUMBER_WORDS
            and _NUMBER_WORDS[token] >= 1_000_000
            and (not values or values[-1] is None)
        ):
            values.append(float(_NUMBER_WORDS[token]))  # "мільйон втрат": a bare "million"
        elif token in _NUMBER_WORDS and values and values[-1] is not None:
            scale = _NUMBER_WORDS[token]
            # "80-100 thousand": the scale word applies to every bare number before it.
            index = len(values) - 1
            while index >= 0 and values[index] is not None and values[index] < scale:  # type: ignore[operator]
                values[index] = values[index] * scale  # type: ignore[operator]
                index -= 1
            values.append(None)
        else:
            values.append(None)
    for token, value in zip(tokens, values, strict=True):
        if value is None or (token in _SMALL_NUMBERS and value < 100):
            continue
        if value == int(value) and not (int(value) in YEAR_RANGE and value == float(token)):
            numbers.add(int(value))
    return numbers


def parse_years(tokens: list[str]) -> set[int]:
    return {int(token) for token in tokens if token.isdigit() and int(token) in YEAR_RANGE}
