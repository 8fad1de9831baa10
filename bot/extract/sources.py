"""Who makes a claim: the attributions of a sentence and the names they give.

The forms read: "according to X", "X said / estimates / reported", "said X" after a quotation,
"X, who estimated", "an analysis by X", "by X's count", "за даними X", "X заявив", "заявив X",
"по данным X", "за його словами", and a source phrase of the vocabulary that stands alone
("US estimates", "British data"). A pronoun or a definite description ("he", "the official",
"міністр") is marked as an anaphor: the drafting resolves it to the last source named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.extract.names import (
    MAX_NAME,
    acceptable,
    anaphor_kind,
    boundary,
    claimant_hits,
    inside,
    is_anaphor,
    known_source,
    may_be_subject,
    name_like,
    name_of,
    names_body,
    proper,
    quoted_name,
    side_source,
    strip,
    subject_name,
    vocabulary_word,
)
from bot.extract.sentences import Sentence
from bot.extract.tokens import Token
from bot.extract.words import WORDS
from bot.lexicon import SOURCE_WORDS
from bot.text import CYRILLIC

MAX_CHUNKS: Final = 3  # comma-separated phrases looked through before a verb
_QUOTE_CLOSERS: Final = '”»"'


@dataclass(frozen=True)
class Attribution:
    """One attribution: the name it gives and where it stands."""

    name: str
    at: int  # token index of its verb or marker
    start: int  # the name's tokens
    end: int
    anaphor: bool = False  # "he", "the official": someone named before
    citing: bool = False  # "citing X", "посилаючись на X": where the figure came from
    passing: bool = False  # "cited by X": who passed the figure on
    key: str = ""  # the normal form of the name's last word, for full names ("Сирського")
    kind: str = "person"  # an anaphor's: "person", "body", "claim" or "any"; a name's
    # "person" or "body"


# --- reading a name before or after a word -------------------------------------------------


def name_after(sentence: Sentence, index: int) -> tuple[int, int] | None:
    """The name that starts at token ``index`` ("according to [the UN monitors], ...")."""
    tokens = sentence.tokens
    start = index
    while start < len(tokens) and tokens[start].norm in WORDS.source_heads | WORDS.skippable:
        start += 1
    end = start
    while end < len(tokens) and end - start < MAX_NAME:
        token = tokens[end]
        if (end > start and boundary(token)) or token.is_number:
            break
        if token.norm in WORDS.name_stops or token.norm in WORDS.attribution_verbs:
            break
        end += 1
    start, end = strip(sentence, start, end)
    if (
        end < len(tokens)
        and tokens[end].norm in ("by", "from")
        and (WORDS.claim_nouns.at(sentence.stems, start) == end)
    ):
        return name_after(sentence, end + 1)  # "according to a tally by the AP"
    return (start, end) if acceptable(sentence, start, end) else None


def _chunk_start(tokens: Sequence[Token], end: int, *, whole: bool = False) -> int:
    """The first token of the phrase that ends with token ``end - 1``: back to a comma or a
    quotation mark, or (unless ``whole``) to a word that ends a name ("that", "as")."""
    start = end - 1
    while start > 0 and not boundary(tokens[start]):
        previous = tokens[start - 1]
        joined = (
            previous.norm in WORDS.conjunction_words
            and start > 1
            and (tokens[start - 2].capitalised)
        )  # "Mediazona and the BBC's Russian service"
        if not whole and (
            end - start >= MAX_NAME
            or (previous.norm in WORDS.name_stops and not joined)
            or previous.norm in WORDS.months_en
            or previous.is_number
        ):
            break
        start -= 1
    return start


def _modifier(sentence: Sentence, start: int, end: int) -> bool:
    """ "reportedly a former serviceman", "Recorded inside a vehicle", "In Kyiv": a phrase
    beside a source's name, not the name."""
    first = sentence.tokens[start].norm
    ends = first.endswith(("ly", "ed", "ing")) and not proper(sentence, start, start + 1)
    return first in WORDS.modifier_starts or ends


def _nearest_proper(sentence: Sentence, end: int) -> tuple[int, int] | None:
    """The nearest source named before ``end`` in the same clause: "Журналисты «Медиазоны»
    и Русской службы Би-би-си вместе с командой волонтеров установили"."""
    tokens = sentence.tokens
    start = end
    while start > 0 and not any(mark in tokens[start].sep for mark in ";:"):
        if tokens[start - 1].norm in WORDS.relatives:
            break
        start -= 1
    hits = claimant_hits(sentence, start, end)
    known = known_source(sentence, start, end)
    spans = [(hit.start, hit.end) for hit in hits] + ([known[1:]] if known else [])
    if spans:
        return max(spans, key=lambda span: span[1])
    for index in range(end - 1, start - 1, -1):
        token = tokens[index]
        if token.capitalised and index > 0 and not vocabulary_word(sentence, index):
            first = index
            while first > start and tokens[first - 1].capitalised and not boundary(tokens[first]):
                first -= 1
            return subject_name(sentence, first, index + 1)
    return None


def _role_before(sentence: Sentence, end: int) -> tuple[int, int] | None:
    """ "Общее число погибших ведомство называло", "журналісти разом із волонтерами
    встановили": the nearest person or body in the nominative before a verb."""
    tokens, stems = sentence.tokens, sentence.stems
    for first in range(end - 1, -1, -1):
        if any(mark in tokens[first + 1].sep for mark in ";:") and first + 1 < end:
            break
        stop = WORDS.role_nouns.at(stems, first)
        if (
            stop is not None
            and stop <= end
            and may_be_subject(tokens[stop - 1].text, sentence.lang)
        ):
            return first, stop
    return None


def name_before(sentence: Sentence, verb: int) -> tuple[int, int] | None:
    """The name of whoever a verb at ``verb`` attributes the claim to: the phrase before it,
    past adverbs ("NATO's Jens Stoltenberg previously said"), or, after a comma or "who",
    the name among the phrases before ("the man, reportedly a former serviceman, claims")."""
    tokens = sentence.tokens
    end = verb
    while end > 0 and tokens[end - 1].norm in WORDS.skippable and not boundary(tokens[end]):
        end -= 1
    relative = end > 0 and tokens[end - 1].norm in WORDS.relatives
    end -= 1 if relative else 0
    if end <= 0:
        return None
    if not relative and not boundary(tokens[end]):
        span = strip(sentence, _chunk_start(tokens, end), end)
        cyrillic = CYRILLIC.search(tokens[verb].norm) is not None
        # A Ukrainian or Russian subject is in the nominative: "командой волонтеров" is not.
        subject = not cyrillic or may_be_subject(tokens[end - 1].text, sentence.lang)
        if subject and acceptable(sentence, *span):
            return subject_name(sentence, *span)
        if not cyrillic:
            return None
        return _nearest_proper(sentence, end) or _role_before(sentence, end)
    return _aside_name(sentence, end, nearest=relative)


def _aside_name(sentence: Sentence, end: int, *, nearest: bool = False) -> tuple[int, int] | None:
    """The subject among comma-separated phrases before a verb: the first of them that can
    name a source ("Komsomolskaya Pravda, the pro-Kremlin tabloid, says"); after "who", the
    one nearest it ("pro-Kremlin figure “Zetnik,” who estimated")."""
    tokens = sentence.tokens
    found = None
    for _ in range(MAX_CHUNKS):
        start = _chunk_start(tokens, end, whole=True)
        span = strip(sentence, start, end)
        if not _modifier(sentence, start, end) and acceptable(sentence, *span):
            found = span
            if nearest or quoted_name(sentence, *span):
                break  # "Белгородский проект «Пепел» насчитал": the name in quotation marks
        if start == 0 or not boundary(tokens[start]) or _closes_quote(tokens[start]):
            break
        end = start
    return found


def _closes_quote(token: Token) -> bool:
    """ "“...,” said X", "«...», — заявила X": a verb right after a quotation closes."""
    closes = any(mark in token.sep for mark in _QUOTE_CLOSERS)
    return closes and any(mark in token.sep for mark in ",—–")


# --- the attributions of a sentence ---------------------------------------------------------


def _attribution(sentence: Sentence, at: int, span: tuple[int, int], *, genitive: bool = False,
                 citing: bool = False, passing: bool = False) -> Attribution:  # fmt: skip
    start, end = span
    anaphor = is_anaphor(sentence, start, end)
    tokens = sentence.tokens
    name = sentence.text[tokens[start].start : tokens[end - 1].end]
    if not anaphor:
        name = name_of(sentence, start, end, genitive=genitive)
    kind = (
        anaphor_kind(sentence, start, end)
        if anaphor
        else ("body" if names_body(sentence, start, end) else "person")
    )
    return Attribution(
        name, at, start, end, anaphor, citing, passing, tokens[end - 1].stem, kind
    )  # fmt: skip


def _by_count(sentence: Sentence, index: int) -> tuple[int, int] | None:
    """ "by Israel's count", "by the UN's estimate": a name between "by" and a figure noun."""
    tokens = sentence.tokens
    if tokens[index].norm != "by":
        return None
    for end in range(index + 2, min(index + 2 + MAX_NAME, len(tokens))):
        if WORDS.figure_nouns.at(sentence.stems, end) is not None:
            span = strip(sentence, index + 1, end)
            return span if acceptable(sentence, *span) else None
        if boundary(tokens[end]):
            return None
    return None


def _by_marker(sentence: Sentence) -> list[Attribution]:
    """ "according to X", "an analysis by X", "за даними X", "за його словами"."""
    stems = sentence.stems
    found = []
    for index in range(len(sentence.tokens)):
        pronoun_end = WORDS.pronoun_attribution.at(stems, index)
        if pronoun_end is not None:
            kind = next((anaphor_kind(sentence, i, i + 1) for i in range(index, pronoun_end)
                         if sentence.tokens[i].norm in WORDS.pronouns), "any")  # fmt: skip
            found.append(Attribution("he", index, index, pronoun_end, anaphor=True, kind=kind))
            continue
        end = WORDS.attribution_before.at(stems, index)
        span = name_after(sentence, end) if end is not None else _by_count(sentence, index)
        if span is None and (span := _possessive_count(sentence, index)) is not None:
            kind = anaphor_kind(sentence, *span)
            found.append(Attribution("they", index, *span, anaphor=True, kind=kind))
            continue
        if span is not None:
            citing = WORDS.citing.at(stems, index) is not None
            passing = WORDS.passing_on.at(stems, index) is not None
            found.append(
                _attribution(sentence, index, span, genitive=True, citing=citing, passing=passing)
            )
    return found


def _possessive_count(sentence: Sentence, index: int) -> tuple[int, int] | None:
    """ "Their most cautious estimate is ...", "його оцінка": a pronoun's source's figure."""
    if sentence.tokens[index].norm not in WORDS.pronouns:
        return None
    for end in range(index + 1, min(index + 4, len(sentence.tokens))):
        if WORDS.figure_nouns.at(sentence.stems, end) is not None:
            return index, index + 1
        if boundary(sentence.tokens[end]):
            return None
    return None


def _by_verb(sentence: Sentence) -> list[Attribution]:
    """ "X said", "X, who estimated", "“...,” said X", "Генштаб повідомив", "заявив X"."""
    tokens = sentence.tokens
    claimants = claimant_hits(sentence)
    found = []
    for index, token in enumerate(tokens):
        if token.norm not in WORDS.attribution_verbs or inside(claimants, index):
            continue
        if _passive(tokens, index):
            continue  # "has been leaked and published": by whom, the phrase after "by" says
        inverted = _closes_quote(token)
        span = None if inverted else name_before(sentence, index)
        cyrillic = CYRILLIC.search(token.norm) is not None
        if cyrillic and span is not None and is_anaphor(sentence, *span):
            # "Такие данные привела ... Сирийская обсерватория": a name after the verb wins.
            span = _source_after(sentence, index + 1) or span
        if span is None and (inverted or cyrillic):
            span = name_after(sentence, index + 1)  # "said the official", "заявив міністр"
            if (
                span is not None
                and CYRILLIC.search(token.norm)
                and not _names_first(sentence, *span)
            ):
                span = None  # "навів як приклад контратаки ЗСУ": no name after the verb
            if span is None and CYRILLIC.search(token.norm):
                span = _source_after(sentence, index + 1)
            elif span is not None:
                span = subject_name(sentence, *span)
        if span is not None:
            found.append(_attribution(sentence, index, span))
    return found


def _names_first(sentence: Sentence, start: int, end: int) -> bool:
    """Whether a span after a verb opens with a name or a title ("міністр оборони ...")."""
    first = sentence.tokens[start]
    return first.capitalised or WORDS.role_nouns.at(sentence.stems, start) is not None


def _source_after(sentence: Sentence, index: int) -> tuple[int, int] | None:
    """ "привела базирующаяся в Лондоне Сирийская обсерватория": a source later in the
    clause after a verb that comes first."""
    tokens = sentence.tokens
    end = index
    while end < len(tokens) and not (end > index and any(m in tokens[end].sep for m in ";:,")):
        end += 1
    hits = claimant_hits(sentence, index, end)
    if hits:
        return hits[0].start, hits[0].end
    known = known_source(sentence, index, end)
    return known[1:] if known else None


def _passive(tokens: Sequence[Token], index: int) -> bool:
    before = index - 1
    while before >= 0 and tokens[before].norm in WORDS.skippable | WORDS.conjunction_words:
        before -= 1
    return before >= 0 and tokens[before].norm in WORDS.passive_words


def _by_source_phrase(sentence: Sentence) -> list[Attribution]:
    """A vocabulary source that names itself as one: "US estimates", "British data"."""
    found = []
    for hit in sentence.hits:
        last = sentence.tokens[hit.end - 1].stem
        if hit.concept.kind == "claimant" and last in SOURCE_WORDS and hit.end - hit.start > 1:
            found.append(_attribution(sentence, hit.start, (hit.start, hit.end)))
        elif hit.concept.kind == "side" and hit.end < len(sentence.tokens):
            after = sentence.tokens[hit.end]
            if after.stem in SOURCE_WORDS and not boundary(after):
                name = side_source(sentence, hit.start, hit.end + 1)
                if name:
                    found.append(Attribution(name, hit.start, hit.start, hit.end + 1, kind="body"))
    return found


def attributions(sentence: Sentence) -> list[Attribution]:
    """Every attribution in the sentence, in order of where it stands."""
    found = _by_marker(sentence) + _by_verb(sentence) + _by_source_phrase(sentence)
    return sorted(found, key=lambda attribution: (attribution.at, attribution.start))


# --- people named, for the pronouns that follow -------------------------------------------


def _introduced(sentence: Sentence, role: int, end: int) -> str | None:
    """ "a Russian military blogger" -> "Russian military blogger"; "adviser Anton
    Gerashchenko" -> "Anton Gerashchenko"; "Проєкт UALosses" -> "UALosses"."""
    tokens = sentence.tokens
    after = end
    while after < len(tokens) and tokens[after].capitalised and not boundary(tokens[after]):
        after += 1
    if after > end:
        if not name_like(sentence, tokens[after - 1]):
            return None  # "official Russian KIA figure": no name after the role
        return sentence.text[tokens[end].start : tokens[after - 1].end]
    start = role
    while start > 0 and not boundary(tokens[start]) and tokens[start - 1].norm not in ("a", "an"):
        if tokens[start - 1].norm in WORDS.name_stops or role - start >= MAX_NAME:
            return None
        start -= 1
    if start == 0 or tokens[start - 1].norm not in ("a", "an"):
        return None
    return sentence.text[tokens[start].start : tokens[end - 1].end]


def people(sentence: Sentence) -> list[tuple[int, str, str]]:
    """People and bodies the sentence names, by position, each with its kind ("person",
    "body", or "name" for a bare name of two words): the last of a kind is whom a pronoun in
    the next sentence most likely means."""
    found = []
    for index in range(len(sentence.tokens)):
        end = WORDS.role_nouns.at(sentence.stems, index)
        if end is not None and (name := _introduced(sentence, index, end)) is not None:
            body = WORDS.body_nouns.at(sentence.stems, index) is not None
            found.append((index, name, "body" if body else "person"))
    for position, name in _name_runs(sentence):
        found.append((position, name, "name"))
    for hit in claimant_hits(sentence):
        found.append((hit.start, name_of(sentence, hit.start, hit.end), "body"))
    known = known_source(sentence, 0, len(sentence.tokens))
    if known is not None:
        found.append((known[1], known[0], "body"))
    return found


def full_names(sentence: Sentence) -> dict[str, str]:
    """People's names of two capitalised words ("Yaroslav Trofimov"), by the normal form of
    their last word (which "Trofimov" and "Сирського" are looked up by)."""
    return {sentence.tokens[position + 1].stem: name for position, name in _name_runs(sentence)}


def _name_runs(sentence: Sentence) -> list[tuple[int, str]]:
    """Where people's names of two capitalised words stand, and the names."""
    tokens = sentence.tokens
    names: list[tuple[int, str]] = []
    index = 0
    while index < len(tokens):
        end = index
        while end < len(tokens) and tokens[end].capitalised and tokens[end].kind == "word":
            if end > index and boundary(tokens[end]):
                break
            end += 1
        first = index + 1 if index == 0 and not name_like(sentence, tokens[0]) else index
        last_two = range(max(first, end - 2), end)
        if 2 <= end - first <= 4 and not any(vocabulary_word(sentence, i) for i in last_two):
            first = end - 2
            body = WORDS.body_nouns.at(sentence.stems, end) is not None  # "Axel Springer group"
            if not body and not any(tokens[i].text.isupper() or claimant_hits(sentence, i, i + 1)
                                    for i in last_two):  # fmt: skip
                names.append((first, sentence.text[tokens[first].start : tokens[end - 1].end]))
        index = max(end, index + 1)
    return names
