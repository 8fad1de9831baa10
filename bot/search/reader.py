"""The question reader: a question's tokens become facets.

Typos are corrected first (``Speller``), then the vocabulary's phrases are found, and each
phrase is read in its context by one small rule: a side after "by" is the agent, not the
victim ("killed by Russia"); lower-case "us" is a pronoun; "Ukraine lost" names a side while
"in Ukraine" names a place; "British data" names a source; "not counting the wounded" is a
negation. Words that name nothing are kept for fuzzy matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from rapidfuzz import fuzz, process

from bot.constants import MAX_QUESTION_CHARS
from bot.lexicon import (
    AGENT_VERBS,
    ARTICLES,
    AUXILIARIES,
    COUNT_WORDS,
    MATCHER,
    NEGATIONS,
    NOT_PLACES,
    OUR_WORDS,
    OWN_WORDS,
    PLACE_PREPOSITIONS,
    SELF_REPORTED,
    SIDE_SOURCES,
    SOURCE_AFTER,
    SOURCE_BEFORE,
    SOURCE_WORDS,
    SPEAKER_SIDE,
    STOPWORDS,
    TOTAL_TO_WORDS,
    WAR_WORDS,
    Hit,
)
from bot.search.claim_words import concepts, marks_agent, with_broader
from bot.search.names import Field, Names
from bot.search.result import Facets
from bot.text import (
    CYRILLIC,
    cyrillic_key,
    detect_language,
    is_subject_case,
    looks_like_name,
    parse_numbers,
    parse_years,
    raw_tokens,
    tokenize,
    translit_key,
)

TYPO_CUTOFF: Final = 84.0  # rapidfuzz ratio (0-100) for replacing an unknown word
NEGATION_REACH: Final = 3  # tokens before a phrase in which a negation applies to it
_US_RE: Final = re.compile(r"\bU\.?S\.?A?\b")


CORRECTIONS_KEPT: Final = 50_000  # per index: about 10 MB at most


class Speller:
    """Corrects unknown words to known ones: a typo, or Russian/Ukrainian typed in Latin.

    Known words (the vocabulary's and the stored claims') are never corrected.
    """

    def __init__(self, claim_words: frozenset[str]) -> None:
        self.known = frozenset(claim_words | MATCHER.words | STOPWORDS | NOT_PLACES)
        self._claim_words = claim_words
        self._corrected: dict[str, str] = {}  # words recur from question to question

    @cached_property
    def _keys(self) -> _SpellingKeys:
        # Made at the first unknown word, not with the index: most questions have none, and
        # making them takes 25 ms at a start (each word's keys are cached after that).
        return _SpellingKeys.of(self._claim_words, self.known)

    def correct(self, token: str) -> str:
        """A known word for an unknown one, or the token as it is."""
        corrected = self._corrected.get(token)
        if corrected is None:
            if len(self._corrected) >= CORRECTIONS_KEPT:  # a flood of nonsense stays bounded
                self._corrected.clear()
            corrected = self._corrected[token] = self._correct(token)
        return corrected

    def _correct(self, token: str) -> str:
        if token in self.known or not token.isalpha() or len(token) < 3:
            return token
        keys = self._keys
        if CYRILLIC.search(token):
            found = _closest(cyrillic_key(token), keys.cyrillic_keys)
            return keys.cyrillic[found[0]] if found and len(token) >= 4 else token
        # An English typo or a transliteration: whichever reading is closer wins.
        english = _closest(token, keys.latin_words) if len(token) >= 4 else None
        translit = _closest(translit_key(token), keys.translit_keys)
        if translit and (english is None or translit[1] > english[1]):
            return keys.translit[translit[0]]
        return english[0] if english else token


@dataclass(frozen=True)
class _SpellingKeys:
    """The known words a typo may be corrected to, by the keys the speller compares."""

    latin_words: list[str]
    cyrillic: dict[str, str]  # a Cyrillic key -> its word
    cyrillic_keys: list[str]
    translit: dict[str, str]  # a Latin key -> its Cyrillic word
    translit_keys: list[str]

    @classmethod
    def of(cls, claim_words: frozenset[str], known: frozenset[str]) -> _SpellingKeys:
        long_words = sorted(word for word in claim_words | MATCHER.words if len(word) >= 4)
        cyrillic = {
            cyrillic_key(word): word for word in reversed(long_words) if CYRILLIC.search(word)
        }
        # Latin-script Russian and Ukrainian ("skolko pogiblo") meets its Cyrillic forms here.
        translit = {translit_key(word): word for word in sorted(known) if CYRILLIC.search(word)}
        return cls(
            latin_words=[word for word in long_words if not CYRILLIC.search(word)],
            cyrillic=cyrillic,
            cyrillic_keys=sorted(cyrillic),
            translit=translit,
            translit_keys=sorted(translit),
        )


def _closest(token: str, words: list[str]) -> tuple[str, float] | None:
    best = process.extractOne(
        token, words, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF
    )
    return (str(best[0]), float(best[1])) if best else None


@dataclass(frozen=True)
class Phrase:
    """One vocabulary phrase found in a question, with the words around it."""

    hit: Hit
    tokens: Sequence[str]
    raw: Sequence[str]  # the same tokens as written, not stemmed
    following: Hit | None  # the next phrase found, if any
    lang: str = "en"

    @property
    def before(self) -> str:
        return self.tokens[self.hit.start - 1] if self.hit.start else ""

    @property
    def after(self) -> str:
        return self.tokens[self.hit.end] if self.hit.end < len(self.tokens) else ""


# --- the rules, one per reading -----------------------------------------------------------


def is_negated(phrase: Phrase) -> bool:
    """ "not the official one", "not counting the wounded", "без учёта раненых"."""
    start = phrase.hit.start
    return bool(NEGATIONS & set(phrase.tokens[max(0, start - NEGATION_REACH) : start]))


def is_agent(phrase: Phrase) -> bool:
    """ "killed by Russia", "has Ukraine killed", "скільки росіян вбила Україна": the side
    named did the killing; it is not whose losses are asked about."""
    start, end, raw = phrase.hit.start, phrase.hit.end, phrase.raw
    before = raw[start - 1] if start else ""
    after = raw[end] if end < len(raw) else ""
    if marks_agent(phrase.before, after):
        return True  # "killed by Russia", "обстріли ЗСУ", "in Russian captivity"
    if before in AUXILIARIES and after in AGENT_VERBS:  # "has Ukraine killed"
        return True
    # Ukrainian and Russian mark the doer by case, whichever side of the verb it stands.
    beside_verb = before in AGENT_VERBS or after in AGENT_VERBS
    word = raw[start]
    return bool(CYRILLIC.search(word)) and beside_verb and is_subject_case(word, phrase.lang)


def in_source_position(tokens: Sequence[str], start: int, end: int) -> bool:
    """ "according to X", "what did the X say", "за даними X", "X says", "X заявив": the
    words at ``start:end`` name who makes a claim."""
    if end < len(tokens) and tokens[end] in SOURCE_AFTER:
        return True
    before = list(tokens[:start])
    while before and before[-1] in ARTICLES:
        before.pop()
    return any(tuple(before[-size:]) in SOURCE_BEFORE for size in (1, 2, 3) if size <= len(before))


def is_pronoun_us(phrase: Phrase, question: str) -> bool:
    """Lower-case "us" ("how many of us") is a pronoun; "US" or "U.S." is the country."""
    return phrase.tokens[phrase.hit.start] == "us" and not _US_RE.search(question)


def qualifies_source(phrase: Phrase) -> bool:
    """ "Ukraine's General Staff": the side right before a source describes the source."""
    following = phrase.following
    return (
        following is not None
        and following.start == phrase.hit.end
        and following.concept.kind == "claimant"
    )


def owner_of_source(phrase: Phrase) -> str | None:
    """ "Генштаба России", "Міноборони України": in Ukrainian and Russian the side right
    after a source says whose source it is (a genitive), and so which one is meant."""
    following = phrase.following
    if (
        phrase.lang == "en"
        or following is None
        or following.start != phrase.hit.end
        or following.concept.kind not in ("side", "place")
    ):
        return None
    if following.concept.kind == "side":
        return following.concept.id
    return "ukrainian" if following.concept.id == "ukraine" else None  # "Генштабу України"


def side_source(phrase: Phrase) -> str | None:
    """ "British data", "за британськими даними": the claimant a side's sources stand for."""
    if phrase.after not in SOURCE_WORDS:
        return None
    return SIDE_SOURCES.get(phrase.hit.concept.id, "")


def place_names_side(phrase: Phrase, has_measure: bool) -> bool:
    """ "Ukraine lost ..." names the side; "in Ukraine", "of Ukraine" and "Ukraine war" name
    the place."""
    start = phrase.hit.start
    near = set(phrase.tokens[max(0, start - 2) : start])
    return (
        phrase.hit.concept.id == "ukraine"
        and has_measure
        and not near & PLACE_PREPOSITIONS
        and phrase.before != "of"
        and phrase.after not in WAR_WORDS
    )


def whose_people(tokens: Sequence[str], lang: str, named: _Named) -> tuple[set[str], set[int]]:
    """ "скільки наших загинуло": the speaker's side, as its language's speakers most often
    mean it; "скільки своїх визнала Росія": the named source's own side. Returns the sides
    and the positions of the words read."""
    sides: set[str] = set()
    read: set[int] = set()
    for position, token in enumerate(tokens):
        if token in OUR_WORDS.get(lang, ()) and SPEAKER_SIDE.get(lang):
            sides.update(SPEAKER_SIDE[lang])
            read.add(position)
        elif token in OWN_WORDS and (named.source_sides or named.agents):
            sides.update(named.source_sides | named.agents)
            read.add(position)
    return sides, read


def merge_killed_and_wounded(measures: set[str]) -> set[str]:
    """ "killed and wounded" asks for total casualties."""
    return {"casualties"} if {"killed", "wounded"} <= measures else measures


def captives_who_died(measures: set[str], subjects: set[str]) -> tuple[set[str], set[str]]:
    """ "prisoners who died", "полонених померло": a word for captives beside a death names
    whom the figure counts; the measure is the death. With no other measure, a question about
    captives ("how many hostages") asks how many were taken."""
    if "captured" in measures and measures - {"captured"}:
        return measures - {"captured"}, subjects | {"prisoners"}
    if not measures and "prisoners" in with_broader(subjects):
        return {"captured"}, subjects
    return measures, subjects


def people_of_a_kind(subjects: set[str]) -> set[str]:
    """ "how many people were taken hostage": "people" is only the noun a narrower subject
    hangs on, not a count of everyone."""
    return subjects - {"people"} if len(subjects) > 1 else subjects


# --- reading the phrases ------------------------------------------------------------------


@dataclass
class _Named:
    """What the phrases of a question name, as they are read one by one."""

    sides: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    claimants: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    measures: set[str] = field(default_factory=set)
    data_sources: set[str] = field(default_factory=set)  # words of stored claims' sources
    source_sides: set[str] = field(default_factory=set)
    speaking_sides: set[str] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
    agent_words: list[str] = field(default_factory=list)  # still words to match claims by


def _read_as_source(phrase: Phrase, side: str, names: Names | None, named: _Named) -> None:
    """A side that speaks ("Ukraine says", "according to Russia"): the claims of its own
    sources are asked for, not its losses. A word for a side that a stored claimant is
    called by ("what did Putin say") asks for that claimant's claims alone."""
    words = phrase.tokens[phrase.hit.start : phrase.hit.end]
    if names is not None and all(names.names_a_claimant(word) for word in words):
        named.data_sources.update(words)
    else:
        named.source_sides.add(side)
        named.speaking_sides.add(side)


def _read_side(phrase: Phrase, question: str, names: Names | None, named: _Named) -> None:
    if is_agent(phrase):
        named.agents.add(phrase.hit.concept.id)
        named.agent_words.extend(phrase.tokens[phrase.hit.start : phrase.hit.end])
        return
    if is_pronoun_us(phrase, question) or qualifies_source(phrase):
        return
    if in_source_position(phrase.tokens, phrase.hit.start, phrase.hit.end):
        _read_as_source(phrase, phrase.hit.concept.id, names, named)
        return
    source = side_source(phrase)
    if source is None:
        named.sides.add(phrase.hit.concept.id)
    elif source:
        named.claimants.add(source)


def _read_place(phrase: Phrase, has_measure: bool, names: Names | None, named: _Named) -> None:
    if is_negated(phrase):
        return  # "not only in Bakhmut"
    if place_names_side(phrase, has_measure):
        if in_source_position(phrase.tokens, phrase.hit.start, phrase.hit.end):
            _read_as_source(phrase, "ukrainian", names, named)
        elif not is_agent(phrase):
            named.sides.add("ukrainian")
        return
    if names is not None and in_source_position(phrase.tokens, phrase.hit.start, phrase.hit.end):
        words = phrase.tokens[phrase.hit.start : phrase.hit.end]
        if all(names.knows(Field.SOURCE, word) for word in words):
            named.data_sources.update(words)  # "Israel says": a country that speaks
            return
    named.places.add(phrase.hit.concept.id)


def _read_phrases(
    hits: Sequence[Hit],
    tokens: Sequence[str],
    raw: Sequence[str],
    question: str,
    names: Names | None,
    lang: str,
) -> _Named:
    named = _Named()
    has_measure = any(hit.concept.kind == "measure" for hit in hits)
    owned: set[int] = set()  # sides read as the owner of the source before them
    for position, hit in enumerate(hits):
        following = hits[position + 1] if position + 1 < len(hits) else None
        phrase = Phrase(hit, tokens, raw, following, lang)
        kind, concept = hit.concept.kind, hit.concept.id
        owner = owner_of_source(phrase) if kind == "claimant" else None
        if position in owned:
            continue
        if owner is not None:
            named.source_sides.add(owner)
            owned.add(position + 1)
            if concept in SELF_REPORTED:  # "визнала Росія": Russia's own official figure
                named.claimants.add(concept)
                named.speaking_sides.add(owner)
        elif kind == "claimant":
            (named.excluded if is_negated(phrase) else named.claimants).add(concept)
        elif kind == "measure" and not is_negated(phrase):
            named.measures.add(concept)
        elif kind == "side":
            _read_side(phrase, question, names, named)
        elif kind == "place":
            _read_place(phrase, has_measure, names, named)
    return named


# --- words that name nothing ---------------------------------------------------------------


@dataclass(frozen=True)
class _Leftovers:
    """The tokens no phrase covers, and what they may still say."""

    tokens: Sequence[str]
    raw: Sequence[str]
    covered: frozenset[int]
    known: frozenset[str]
    lang: str

    def free(self, index: int) -> bool:
        """An uncovered word that may name something: not a stopword, not a number."""
        token = self.tokens[index]
        return index not in self.covered and token.isalpha() and token not in STOPWORDS

    def unknown(self, index: int) -> bool:
        token = self.tokens[index]
        return (
            index not in self.covered
            and token.isalpha()
            and len(token) >= 3
            and token not in self.known
        )

    def named_in(self, index: int, field: Field, names: Names | None) -> str | None:
        """The word as a stored claim's source or place spells it: stemmed, or as written
        when stemming cut a name short ("Милли" is not "милл")."""
        if names is None:
            return None
        forms = (self.tokens[index], self.raw[index].casefold())
        return next((form for form in forms if names.knows(field, form)), None)

    def name_like(self, index: int) -> bool:
        return looks_like_name(self.raw[index], self.lang)

    def names_a_war(self, index: int) -> bool:
        """ "the Korean war", "корейской войне": the word names a war."""
        return index + 1 < len(self.tokens) and self.tokens[index + 1] in WAR_WORDS

    def follows(self, index: int, words: frozenset[str]) -> bool:
        before = [t for t in self.tokens[max(0, index - 2) : index] if t not in ARTICLES]
        return bool(before) and before[-1] in words

    def unknown_after(self, words: frozenset[str]) -> list[str]:
        return [
            self.tokens[i]
            for i in range(len(self.tokens))
            if self.unknown(i) and self.follows(i, words)
        ]


@dataclass
class _Names:
    """What the words no phrase covers name: stored claims' sources and places, or names
    no claim holds."""

    sources: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    unknown_sources: list[str] = field(default_factory=list)
    unknown_places: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)


def _read_leftover(index: int, left: _Leftovers, names: Names | None, found: _Names) -> None:
    """One uncovered word, by where it stands: a source's place in the sentence, a place's
    (after "in"), or anywhere; only a word that looks like a name names what no claim holds."""
    token = left.tokens[index]
    source = left.named_in(index, Field.SOURCE, names)
    if in_source_position(left.tokens, index, index + 1) and token not in SOURCE_WORDS:
        if source:
            found.sources.add(source)
        else:
            found.unknown_sources.append(left.raw[index])
    elif left.name_like(index) and (place := left.named_in(index, Field.PLACE, names)):
        found.places.add(place)  # "in Tigray": a place only stored claims name
    elif (
        left.follows(index, PLACE_PREPOSITIONS)
        and left.unknown(index)
        and (left.name_like(index) or left.names_a_war(index))
    ):
        found.unknown_places.append(token)
    elif left.name_like(index) and source:
        found.sources.add(source)
    else:
        found.content.append(token)


def _read_names_of_words(left: _Leftovers, names: Names, found: _Names) -> set[int]:
    """Names of several words the stored claims hold, where a source or a place goes:
    "according to the African Union envoy", "in the West Bank". Returns the indexes read."""
    read: set[int] = set()
    for index in range(len(left.tokens)):
        if index in left.covered or index in read:
            continue
        source = names.phrase_at(Field.SOURCE, left.tokens, index)
        place = names.phrase_at(Field.PLACE, left.tokens, index)
        if source and in_source_position(left.tokens, index, index + len(source.split())):
            found.sources.add(source)
            read.update(range(index, index + len(source.split())))
        elif place and left.follows(index, PLACE_PREPOSITIONS):
            found.places.add(place)
            read.update(range(index, index + len(place.split())))
    return read


def read_leftovers(left: _Leftovers, names: Names | None) -> _Names:
    found = _Names()
    read = _read_names_of_words(left, names, found) if names is not None else set()
    for index in range(len(left.tokens)):
        if index in read:
            continue
        if left.free(index):
            _read_leftover(index, left, names, found)
        elif index not in left.covered and _plain_word(left.tokens[index]):
            found.content.append(left.tokens[index])
    return found


def _plain_word(token: str) -> bool:
    return not token.isdigit() and token not in STOPWORDS


def asks_unknown_subject(leftovers: _Leftovers) -> bool:
    """ "how many horses died": an unknown word where the counted subject goes."""
    return bool(leftovers.unknown_after(COUNT_WORDS))


def named_days(tokens: Sequence[str], hits: Sequence[Hit]) -> set[tuple[int, int]]:
    """The days a question names, as (month, day): a day next to a month ("7 October",
    "24 лютого", "October 7")."""
    return {
        (int(hit.concept.id), int(tokens[index]))
        for hit in hits
        if hit.concept.kind == "month"
        for index in (hit.start - 1, hit.end)
        if 0 <= index < len(tokens) and tokens[index].isdigit() and 1 <= int(tokens[index]) <= 31
    }


def on_the_day(tokens: Sequence[str], hits: Sequence[Hit]) -> set[tuple[int, int]]:
    """The days a question asks about as such ("killed on 7 October"), not a date that ends a
    running total ("by 1 March", "since 24 February", "до 1 березня")."""
    if "cumulative" in concepts(hits, "period"):
        return set()
    months = {hit.start: hit for hit in hits if hit.concept.kind == "month"}
    days = named_days(tokens, hits)
    for start, hit in months.items():
        # The word before "7 October" (or before "October 7").
        first = start - 1 if start and tokens[start - 1].isdigit() else start
        if first and tokens[first - 1] in TOTAL_TO_WORDS:
            days = {(month, day) for month, day in days if month != int(hit.concept.id)}
    return days


def figures(tokens: Sequence[str], hits: Sequence[Hit]) -> set[int]:
    """The figures a question quotes: its numbers, but not a day of a month."""
    return parse_numbers(list(tokens)) - {day for _month, day in named_days(tokens, hits)}


def _as_written(word: str, question: str) -> str:
    """A word as the question wrote it ("ISW", not "isw"), to name it back."""
    return next((w for w in re.findall(r"[^\W\d_]+", question) if w.casefold() == word), word)


def _covered(hits: Iterable[Hit]) -> frozenset[int]:
    return frozenset(index for hit in hits for index in range(hit.start, hit.end))


def read_question(question: str, speller: Speller, names: Names | None = None) -> Facets:
    """The facets a question names, after typo correction."""
    text = question[:MAX_QUESTION_CHARS]
    lang = detect_language(text)
    raw = raw_tokens(text)
    tokens = [speller.correct(token) for token in tokenize(text, lang=lang)]
    hits = MATCHER.find(tokens)
    named = _read_phrases(hits, tokens, raw, question, names, lang)
    ours, read = whose_people(tokens, lang, named)
    named.sides |= ours
    leftovers = _Leftovers(tokens, raw, _covered(hits) | read, speller.known, lang)
    found = read_leftovers(leftovers, names)
    subjects = concepts(hits, "subject") | ({"other"} if asks_unknown_subject(leftovers) else set())
    measures, subjects = captives_who_died(merge_killed_and_wounded(named.measures), subjects)
    return Facets(
        sides=frozenset(named.sides),
        places=frozenset(named.places),
        unknown_places=tuple(found.unknown_places),
        data_places=frozenset(found.places),
        measures=frozenset(measures),
        claimants=frozenset(named.claimants),
        data_sources=frozenset(named.data_sources | found.sources),
        unknown_sources=tuple(_as_written(word, question) for word in found.unknown_sources),
        source_sides=frozenset(named.source_sides),
        speaking_sides=frozenset(named.speaking_sides),
        agents=frozenset(named.agents),
        excluded_claimants=frozenset(named.excluded),
        periods=frozenset(concepts(hits, "period")),
        months=frozenset(int(month) for month in concepts(hits, "month")),
        days=frozenset(on_the_day(tokens, hits)),
        intents=frozenset(concepts(hits, "intent")),
        subjects=frozenset(people_of_a_kind(subjects)),
        topics=frozenset(concepts(hits, "topic")),
        years=frozenset(parse_years(tokens)),
        numbers=frozenset(figures(tokens, hits)),
        rate=min(concepts(hits, "per"), default=None),
        content=(*found.content, *named.agent_words),
    )
