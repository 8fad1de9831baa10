"""The names of sources: which spans of a sentence can name one, and the name a claim gives.

A span names a source when it holds a proper name (a capital not owed to the sentence's start,
a vocabulary source, a rare word), a person or body ("an unnamed NATO official"), or a pronoun
or definite description ("he", "the official", "відомство") that stands for one named before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from bot.extract.sentences import Sentence
from bot.extract.tokens import Token
from bot.extract.words import WORDS
from bot.lexicon import DISOWNED, SELF_REPORTED, SIDE_SOURCES, SOURCE_WORDS, Hit
from bot.text import CYRILLIC, _morph, looks_like_name

BOUNDARY: Final = ',;:()“”«»"„—–[]'
MAX_NAME: Final = 10  # tokens in a source's name
_DEFINITE: Final = frozenset({"the", "this", "that"})
DETERMINERS: Final = _DEFINITE | {"a", "an", "his", "her", "their", "its", "these", "those"}
# Claimant phrases that say what kind of figure it is ("official", "leaked"), not who gave it.
_NOT_SOURCES: Final = SELF_REPORTED | DISOWNED | WORDS.not_source_claimants
_OPENERS: Final = '“«„"'
_CLOSERS: Final = '”»“"'
_VOCABULARY_KINDS: Final = frozenset({"side", "place", "measure", "subject", "month"})


def boundary(token: Token) -> bool:
    """Whether punctuation separates a token from the one before it."""
    return any(mark in token.sep for mark in BOUNDARY)


def claimant_hits(sentence: Sentence, start: int = 0, end: int | None = None) -> list[Hit]:
    """The vocabulary's source phrases within ``start:end`` (not "official" or "leaked")."""
    stop = len(sentence.tokens) if end is None else end
    return [
        hit
        for hit in sentence.hits
        if hit.concept.kind == "claimant"
        and start <= hit.start
        and hit.end <= stop
        and hit.concept.id not in _NOT_SOURCES
    ]


def inside(hits: Sequence[Hit], index: int) -> bool:
    return any(hit.start <= index < hit.end for hit in hits)


def name_like(sentence: Sentence, token: Token) -> bool:
    """A word rare enough in the article's language to be a name ("Trofimov", "Шойгу")."""
    lang = sentence.lang if CYRILLIC.search(token.norm) else "en"
    return looks_like_name(token.text, "uk" if lang == "uk" else lang)


def known_source(sentence: Sentence, start: int, end: int) -> tuple[str, int, int] | None:
    """A source of ``words.toml`` named within ``start:end``: its name and its span."""
    stems = sentence.stems
    best: tuple[str, int, int] | None = None
    for source in WORDS.sources:
        found = source.phrases.find(stems, start, end)
        if found is None:
            continue
        stop = source.phrases.at(stems, found) or found + 1
        if best is None or (found, best[1] - best[2]) < (best[1], found - stop):
            best = (source.name, found, stop)  # the first, and the longest there
    return best


def covered(sentence: Sentence, start: int, end: int) -> bool:
    """Whether one vocabulary source phrase is exactly the span ("Ukrainian estimates")."""
    if any((hit.start, hit.end) == (start, end) for hit in claimant_hits(sentence)):
        return True
    known = known_source(sentence, start, end)
    return known is not None and known[1:] == (start, end)


def strip(sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """A name without the words around it that are not part of it ("the", "numbers")."""
    tokens = sentence.tokens
    while start < end and tokens[start].norm in WORDS.source_heads | WORDS.skippable:
        start += 1
    while (
        end > start + 1
        and tokens[end - 1].norm in WORDS.source_tails
        and not covered(sentence, start, end)
    ):
        end -= 1  # "Russian ministry of defense numbers"; "the estimate" stays
    return start, end


def anaphor_kind(sentence: Sentence, start: int, end: int) -> str:
    """What an anaphor stands for: "claim" ("the estimate": the source of the figure
    before), "body" ("the ministry", "відомство"), "person" ("he", "the official")."""
    stems = sentence.stems
    if WORDS.claim_nouns.at(stems, start) == end:
        return "claim"
    if WORDS.body_nouns.find(stems, start, end) is not None:
        return "body"
    if sentence.tokens[start].norm in WORDS.neutral_pronouns:
        return "any"
    return "person"


def names_body(sentence: Sentence, start: int, end: int) -> bool:
    """Whether a name is a body's ("UK Ministry of Defence", "Mediazona"), not a person's."""
    if claimant_hits(sentence, start, end) or known_source(sentence, start, end):
        return True
    return WORDS.body_nouns.find(sentence.stems, start, end) is not None


def is_anaphor(sentence: Sentence, start: int, end: int) -> bool:
    """ "he", "they", "the man", "the official", "відомство": a source named before."""
    tokens = sentence.tokens
    if end - start == 1 and tokens[start].norm in WORDS.pronouns:
        return True
    stems = sentence.stems
    if WORDS.role_nouns.at(stems, start) != end and WORDS.claim_nouns.at(stems, start) != end:
        return False
    if any(token.capitalised and start + i > 0 for i, token in enumerate(tokens[start:end])):
        return False
    if CYRILLIC.search(tokens[start].norm):
        return True  # no articles: a bare "міністр", "ведомство" is one named before
    return start > 0 and tokens[start - 1].norm in _DEFINITE


def quoted_name(sentence: Sentence, start: int, end: int) -> bool:
    """«Пепел», “Zetnik”: a capitalised name between quotation marks."""
    tokens = sentence.tokens
    after = tokens[end].sep if end < len(tokens) else sentence.text[tokens[end - 1].end :]
    first = tokens[start]
    return (
        first.capitalised
        and any(mark in first.sep for mark in _OPENERS)
        and any(mark in after for mark in _CLOSERS)
    )


def proper(sentence: Sentence, start: int, end: int) -> bool:
    """Whether a span holds a proper name: a capital not owed to the sentence's start, a
    vocabulary source, or a rare word."""
    if claimant_hits(sentence, start, end) or known_source(sentence, start, end):
        return True
    tokens = sentence.tokens
    for index in range(start, end):
        token = tokens[index]
        if not token.capitalised:
            continue
        after = tokens[index + 1].sep if index + 1 < len(tokens) else sentence.text[token.end :]
        if any(mark in token.sep for mark in _OPENERS) and any(m in after for m in _CLOSERS):
            return True  # «Пепел», “Zetnik”: a name in quotation marks
        grammatical = index == 0 or any(mark in token.sep for mark in _OPENERS + ":—–(")
        if not grammatical or name_like(sentence, token):
            return True
    return False


def acceptable(sentence: Sentence, start: int, end: int) -> bool:
    """Whether a span can name a source: a proper name, a person or body, or a pronoun."""
    if start >= end or end - start > MAX_NAME:
        return False
    if sentence.tokens[end - 1].norm in WORDS.name_stops | DETERMINERS:
        return False
    if any(token.is_number for token in sentence.tokens[start:end]):
        return False
    measured = any(h.concept.kind == "measure" and start <= h.start < end for h in sentence.hits)
    if measured and not known_source(sentence, start, end):
        return False  # "кількість загиблих військових назвав": what was named, not who
    if is_anaphor(sentence, start, end) or proper(sentence, start, end):
        return True
    return WORDS.role_nouns.find(sentence.stems, start, end) is not None


def side_source(sentence: Sentence, start: int, end: int) -> str | None:
    """ "US", "British data", "Russia": the source a side's words stand for."""
    sides = [h for h in sentence.hits if h.concept.kind == "side" and start <= h.start < end]
    rest = [t for i, t in enumerate(sentence.tokens[start:end], start) if not inside(sides, i)]
    if len(sides) != 1 or not all(token.stem in SOURCE_WORDS for token in rest):
        return None
    source = SIDE_SOURCES.get(sides[0].concept.id)
    return WORDS.claimant_names.get(source or "")


def vocabulary_word(sentence: Sentence, index: int) -> bool:
    return any(
        hit.start <= index < hit.end and hit.concept.kind in _VOCABULARY_KINDS
        for hit in sentence.hits
    )


def person_start(sentence: Sentence, start: int, end: int) -> int:
    """Where a person's own name begins after their title: "Prime Minister [Benjamin
    Netanyahu]", "радник Офісу президента [Михайло Подоляк]"; ``start`` when no title."""
    tokens, stems = sentence.tokens, sentence.stems
    after_role = None
    for index in range(start, end):
        role_end = WORDS.role_nouns.at(stems, index)
        if role_end is not None and role_end <= end:
            after_role = role_end
    if after_role is None:
        return start
    first = after_role
    while (
        first < end
        and tokens[first].capitalised
        and (vocabulary_word(sentence, first) or (tokens[first].text.isupper() and first + 1 < end))
    ):
        first += 1  # "головнокомандувач ЗСУ Олександр Сирський", "голова ОВА Олег ..."
    if first < end and all(t.capitalised for t in tokens[first:end]):
        # One plain capitalised word after a role is part of a name: "BBC Media Action".
        single = end - first == 1 and not name_like(sentence, tokens[first])
        if not vocabulary_word(sentence, end - 1) and not single:
            return _nominative_start(sentence, first, end)
    return start


def may_be_subject(word: str, lang: str) -> bool:
    """Whether a Ukrainian or Russian word, as written, may stand in the nominative (any of
    its readings: "посадовці" is also a dative singular)."""
    if not CYRILLIC.search(word.casefold()):
        return True
    return any(
        parse.tag.case in (None, "nomn")
        for parse in _morph("uk" if lang == "uk" else "ru").parse(word)
    )


def _nominative_start(sentence: Sentence, start: int, end: int) -> int:
    """In Ukrainian and Russian, the subject's name is in the nominative: "в інтерв'ю
    журналісту Пірсу Моргану Зеленський говорив" -> "Зеленський"."""
    tokens = sentence.tokens
    while start < end - 1 and CYRILLIC.search(tokens[start].norm):
        if may_be_subject(tokens[start].text, sentence.lang):
            break
        start += 1
    return start


def subject_name(sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """The name a verb's subject gives, past the words before it: "Водночас президент
    Володимир Зеленський" -> "Володимир Зеленський"; "когда Шойгу" -> "Шойгу"."""
    if not CYRILLIC.search(sentence.tokens[start].norm):
        return start, end
    for role in range(start + 1, end):  # "У тому ж інтерв'ю генерал": the role alone
        if WORDS.role_nouns.at(sentence.stems, role) == end and not any(
            (sentence.tokens[i].capitalised and i > 0) or vocabulary_word(sentence, i)
            for i in range(start, role)
        ):
            return role, end
    person = person_start(sentence, start, end)
    if person != start:
        return person, end
    run = end
    while run > start and sentence.tokens[run - 1].capitalised:
        run -= 1
    if run < end and run > start and not vocabulary_word(sentence, end - 1):
        return _nominative_start(sentence, run, end), end
    return start, end


def name_of(sentence: Sentence, start: int, end: int, *, genitive: bool = False) -> str:
    """The name a span gives, as a claim writes it: a vocabulary source's own name, a person's
    name without their title, or the words as written (Ukrainian and Russian in the
    nominative after "за даними")."""
    known = known_source(sentence, start, end)
    if known is not None and covered(sentence, start, end):
        return known[0]
    hits = claimant_hits(sentence, start, end)
    if len(hits) == 1 and (hits[0].start, hits[0].end) == (start, end):
        canonical = WORDS.claimant_names.get(hits[0].concept.id)
        if canonical:
            return canonical
    side = side_source(sentence, start, end)
    if side:
        return side
    if known is not None and known[2] - known[1] > (end - start) // 2:
        return known[0]  # "Русской службы Би-би-си" within "журналисты Русской службы ..."
    start = person_start(sentence, start, end)
    tokens = sentence.tokens
    if genitive and CYRILLIC.search(tokens[start].norm):
        return " ".join(_nominative(token) for token in tokens[start:end])
    text = sentence.text[tokens[start].start : tokens[end - 1].end]
    return re.sub(r"['’]s$", "", text)  # "By Israel's count" -> "Israel"


def _nominative(token: Token) -> str:
    """A known Cyrillic word in the nominative, its capital kept ("Генштабу" -> "Генштаб");
    names the dictionary does not know are left as written."""
    if not CYRILLIC.search(token.norm) or token.text.isupper():
        return token.text
    parse = _morph("uk" if any(c in token.norm for c in "іїєґ") else "ru").parse(token.text)[0]
    if not parse.is_known or parse.tag.case not in ("gent", "datv", "ablt", "loct"):
        return token.text
    inflected = parse.inflect({"nomn", parse.tag.number or "sing"})
    word = str(inflected.word) if inflected is not None else token.text
    return word[:1].upper() + word[1:] if token.capitalised else word
