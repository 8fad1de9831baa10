"""What a figure counts: the measure word that governs it, whose losses (the victim, not the
doer: "killed by Russia"), whom, where, over what period and at what rate.

A measure word governs a figure when it stands close to it with no other figure, clause break
or word of another kind of count between them ("9,861 Russian soldiers died", "losses have
exceeded one million", "killed 80,000"). A measure word between two figures goes to the one it
stands right next to ("killed 500 and wounded 300") or else to the one before it ("15,000
died and 35,000 were wounded"). A figure no measure word governs is no casualty figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.extract.figures import Figure, qualifier_start
from bot.extract.names import boundary
from bot.extract.sentences import Sentence
from bot.extract.words import WORDS
from bot.lexicon import (
    AGENT_VERBS,
    AGENT_WORDS,
    ATTACK_WORDS,
    CUSTODY_WORDS,
    PLACES,
    SIDE_HOMES,
    SOURCE_WORDS,
    Concept,
    Hit,
)
from bot.text import CYRILLIC, is_subject_case
from bot.vocabulary import VOCABULARY

AFTER_REACH: Final = 8  # tokens from a figure to a measure word after it
BEFORE_REACH: Final = 16  # ... and to one before it ("The number of deaths ... is 498")
FIGURE_NOUN_REACH: Final = 4  # tokens from "numbers" to the figure it stands for
ADJACENT: Final = 3  # tokens between a measure word and the figure it stands right next to
RATE_REACH: Final = 4  # tokens between a figure and its rate ("1,200 deaths a month")
VICTIM_AFTER: Final = 6  # tokens after a figure where the side it counts may still stand
KILLED_OR_WOUNDED: Final = "killed or wounded"
EXCLUDED_WORDS: Final = 5  # tokens after "excluding" read as what is left out
_CLAUSE_MARKS: Final = ";:()"


@dataclass(frozen=True)
class MeasureWord:
    measure: str
    start: int
    end: int
    weak: bool  # "lost", "fell": governs only a figure right next to it


def _merged(sentence: Sentence, first: Hit, second: Hit) -> bool:
    """ "killed or wounded", "вбитими та пораненими": one measure of both."""
    if {first.concept.id, second.concept.id} != {"killed", "wounded"}:
        return False
    between = sentence.stems[first.end : second.start]
    return not between or (len(between) == 1 and WORDS.conjunctions.at(between, 0) == 1)


def _extra_hits(sentence: Sentence, taken: Sequence[Hit]) -> list[Hit]:
    """Measure words of ``words.toml`` the vocabulary leaves out ("дістали поранення")."""
    stems = sentence.stems
    covered = {
        i for hit in taken if hit.concept.kind == "measure" for i in range(hit.start, hit.end)
    }
    found = []
    for measure, phrases in WORDS.extra_measures.items():
        index = phrases.find(stems)
        while index is not None:
            end = phrases.at(stems, index) or index + 1
            if not covered & set(range(index, end)):
                found.append(Hit(Concept("measure", measure), index, end))
            index = phrases.find(stems, end)
    return found


def measure_words(sentence: Sentence) -> list[MeasureWord]:
    """The sentence's measure words, "killed and wounded" joined into one."""
    hits = [hit for hit in sentence.hits if hit.concept.kind == "measure"]
    hits = sorted(hits + _extra_hits(sentence, sentence.hits), key=lambda hit: hit.start)
    found: list[MeasureWord] = []
    index = 0
    while index < len(hits):
        hit = hits[index]
        following = hits[index + 1] if index + 1 < len(hits) else None
        if following is not None and _merged(sentence, hit, following):
            found.append(MeasureWord(KILLED_OR_WOUNDED, hit.start, following.end, weak=False))
            index += 2
            continue
        word = sentence.tokens[hit.start].norm
        weak = hit.end - hit.start == 1 and word in WORDS.weak_measures
        found.append(MeasureWord(hit.concept.id, hit.start, hit.end, weak))
        index += 1
    return found


# --- which measure word governs which figure --------------------------------------------------


def _equipment_at(sentence: Sentence, start: int, end: int) -> bool:
    return any(
        hit.concept.kind == "subject" and hit.concept.id == "equipment" and start <= hit.start < end
        for hit in sentence.hits
    )


def _blocked(sentence: Sentence, left: int, right: int, *, colon: bool = False) -> bool:
    """Whether the tokens ``left:right`` between a figure and a measure word hold a clause
    break or a word of another kind of count ("concentrated", "tanks"). With ``colon``, a
    colon just before the figure at ``right`` introduces it ("погибшие — военные: 9 044")."""
    tokens, stems = sentence.tokens, sentence.stems
    if any(any(mark in tokens[i].sep for mark in _CLAUSE_MARKS) for i in range(left, right)):
        return True
    marks = _CLAUSE_MARKS.replace(":", "") if colon else _CLAUSE_MARKS
    if left < right < len(tokens) and any(mark in tokens[right].sep for mark in marks):
        return True
    return (
        WORDS.clause_words.find(stems, left, right) is not None
        or WORDS.not_casualty_verbs.find(stems, left, right) is not None
        or _equipment_at(sentence, left, right)
    )


def _adjacent(sentence: Sentence, left: int, right: int) -> bool:
    """Whether only a few words and no conjunction or comma lie in ``left:right``."""
    if right - left > ADJACENT:
        return False
    stems = sentence.stems
    if any(boundary(sentence.tokens[i]) for i in range(left, min(right + 1, len(stems)))):
        return False
    return WORDS.conjunctions.find(stems, left, right) is None


def _after(sentence: Sentence, figure: Figure, limit: int, words: Sequence[MeasureWord]
           ) -> MeasureWord | None:  # fmt: skip
    for word in words:
        if word.start < figure.end or word.start >= limit:
            continue
        if word.start - figure.end > AFTER_REACH or _blocked(sentence, figure.end, word.start):
            return None
        if word.weak and not _adjacent(sentence, figure.end, word.start):
            return None
        return word
    return None


def _before(sentence: Sentence, figure: Figure, limit: int, words: Sequence[MeasureWord]
            ) -> MeasureWord | None:  # fmt: skip
    for word in reversed(words):
        if word.end > figure.start or word.start < limit:
            continue
        if figure.start - word.end > BEFORE_REACH or _blocked(
            sentence, word.end, figure.start, colon=True
        ):
            return None
        if word.weak and not _adjacent(sentence, word.end, figure.start):
            return None
        return word
    return None


def governing(sentence: Sentence, figures: Sequence[Figure]) -> list[MeasureWord | None]:
    """For each figure, the measure word that governs it, or None."""
    words = measure_words(sentence)
    count = len(figures)
    after: list[MeasureWord | None] = []
    before: list[MeasureWord | None] = []
    for index, figure in enumerate(figures):
        following = figures[index + 1].start if index + 1 < count else len(sentence.tokens)
        previous = figures[index - 1].end if index else 0
        after.append(_after(sentence, figure, following, words))
        before.append(_before(sentence, figure, previous, words))
    found: list[MeasureWord | None] = []
    for index, figure in enumerate(figures):
        mine_after = after[index]
        shared = index + 1 < count and mine_after is not None and before[index + 1] is mine_after
        if shared and mine_after and _adjacent(sentence, mine_after.end, figures[index + 1].start):
            mine_after = None  # "killed 500 and wounded 300": "wounded" is 300's
        mine_before = before[index]
        taken = index > 0 and mine_before is not None and after[index - 1] is mine_before
        if taken and mine_before and not _adjacent(sentence, mine_before.end, figure.start):
            mine_before = None  # "15,000 died and 35,000 ...": "died" is 15,000's
        found.append(mine_after or mine_before)
    return found


def figure_noun_before(sentence: Sentence, figure: Figure, limit: int) -> bool:
    """ "Official Russian numbers remain below 6,000": a noun that stands for a figure named
    before governs this one, when only a few plain words stand between them."""
    start = max(limit, figure.start - FIGURE_NOUN_REACH)
    found = WORDS.figure_nouns.find(sentence.stems, start, figure.start)
    if found is None or _blocked(sentence, found + 1, figure.start):
        return False
    noun_end = WORDS.figure_nouns.at(sentence.stems, found) or found + 1
    between = sentence.tokens[noun_end : qualifier_start(sentence.stems, figure.start)]
    return all(token.norm in WORDS.figure_noun_links for token in between)


def part_of_before(sentence: Sentence, figure: Figure) -> bool:
    """ "159 тисяч з них", "more than 300 of them soldiers": part of a figure named before."""
    return WORDS.part_of.at(sentence.stems, figure.end) is not None


def listed_after(sentence: Sentence, previous: Figure, figure: Figure) -> bool:
    """ "more than 5,800, including 1,427 Poles, 466 Americans", "17 were killed in A, and
    more than 60 in B": a figure that carries on the one before it, with nothing between
    them that counts something else."""
    stems = sentence.stems
    if _blocked(sentence, previous.end, figure.start):
        return False
    if WORDS.list_words.find(stems, previous.end, figure.start) is None and not any(
        "," in sentence.tokens[i].sep for i in range(previous.end, figure.start + 1)
    ):
        return False
    stop = min(len(stems), figure.end + AFTER_REACH)
    return not _blocked(sentence, figure.end, stop) and not counts_equipment(sentence, figure)


# --- whose losses -----------------------------------------------------------------------------


def _hits(sentence: Sentence, kind: str, start: int, end: int) -> list[Hit]:
    return [h for h in sentence.hits if h.concept.kind == kind and start <= h.start < end]


def _active_verb_after(sentence: Sentence, end: int) -> bool:
    """ "Russia has effectively killed", "Russian forces killed": an active verb of killing
    after the side (past auxiliaries and the side's own soldiers)."""
    tokens = sentence.tokens
    subjects = {i for h in _hits(sentence, "subject", end, end + 3) for i in range(h.start, h.end)}
    index = end
    while index < len(tokens) and (index in subjects or tokens[index].norm in WORDS.skippable):
        index += 1
    return index < len(tokens) and tokens[index].norm in AGENT_VERBS


def is_agent(sentence: Sentence, hit: Hit, lang: str) -> bool:
    """Whether a side did the killing ("killed by Russia", "Russian strikes", "Russia has
    killed", "обстріли ЗСУ", "вбила Україна") rather than lost people."""
    tokens, stems = sentence.tokens, sentence.stems
    before = stems[hit.start - 1] if hit.start else ""
    after = tokens[hit.end].norm if hit.end < len(tokens) else ""
    if before in AGENT_WORDS or before in ATTACK_WORDS or after in CUSTODY_WORDS:
        return True
    if WORDS.attack_before.ending_at(stems, hit.start) is not None:
        return True  # "вторгнення росії"
    if WORDS.attack_nouns.at(stems, hit.end) is not None:
        return True  # "Russian strikes", "українського контрнаступу", "Hamas-led"
    if _active_verb_after(sentence, hit.end):
        return True
    word = tokens[hit.start]
    beside_verb = after in AGENT_VERBS or (hit.start and tokens[hit.start - 1].norm in AGENT_VERBS)
    return (
        bool(CYRILLIC.search(word.norm)) and bool(beside_verb) and is_subject_case(word.text, lang)
    )


def speaks(sentence: Sentence, hit: Hit, sources: Sequence[tuple[int, int]]) -> bool:
    """A side that is a source, not a victim: "US estimates", "Russia says", "Ukraine's
    General Staff", or part of an attribution's name."""
    tokens = sentence.tokens
    if any(start <= hit.start < end for start, end in sources):
        return True
    if hit.end >= len(tokens):
        return False
    after = tokens[hit.end]
    if after.stem in SOURCE_WORDS or after.norm in WORDS.attribution_verbs:
        return True
    return any(h.start == hit.end and h.concept.kind == "claimant" for h in sentence.hits)


@dataclass(frozen=True)
class Sides:
    """The sides a figure's part of the sentence names, read."""

    victim: str | None
    agent: str | None
    own: bool  # "its own troops": the victims are the doer's own


def sides(
    sentence: Sentence,
    figure: Figure,
    segment: tuple[int, int],
    sources: Sequence[tuple[int, int]],
    lang: str,
) -> Sides:
    """Whose losses a figure counts: the side in its noun phrase ("9,861 Russian soldiers"),
    else the nearest before it, else the nearest after it, in its part of the sentence."""
    start, end = segment
    victims: list[Hit] = []
    agent = None
    for hit in _hits(sentence, "side", start, end):
        if hit.concept.id == "us" and sentence.tokens[hit.start].text == "us":
            continue  # the pronoun
        if speaks(sentence, hit, sources):
            continue
        right_after = figure.end <= hit.start <= figure.end + 2
        if not right_after and is_agent(sentence, hit, lang):
            agent = agent or hit.concept.id
        elif right_after or counts_people(sentence, hit):
            victims.append(hit)
    victims += _countries_that_lost(sentence, start, end, sources)
    victims.sort(key=lambda hit: hit.start)
    own = WORDS.own_words.find(sentence.stems, figure.end, min(end, figure.end + 4)) is not None
    return Sides(_nearest_victim(victims, figure), agent, own)


def _countries_that_lost(sentence: Sentence, start: int, end: int,
                         sources: Sequence[tuple[int, int]]) -> list[Hit]:  # fmt: skip
    """ "Ukraine lost 900 soldiers": a country right before a measure word is its side."""
    homes = {home: side for side, home in SIDE_HOMES.items()}
    tokens = sentence.tokens
    found = []
    for hit in _hits(sentence, "place", start, end):
        if hit.concept.id not in homes or any(low <= hit.start < high for low, high in sources):
            continue
        after = hit.end
        while after < len(tokens) and tokens[after].norm in WORDS.skippable:
            after += 1
        if any(h.start == after for h in _hits(sentence, "measure", after, after + 1)):
            found.append(Hit(Concept("side", homes[hit.concept.id]), hit.start, hit.end))
    return found


def counts_people(sentence: Sentence, hit: Hit) -> bool:
    """A side that says whose people are counted: next to a subject or a measure word
    ("Russian soldiers", "Russian deaths", "втрати росії", "Russia has lost"), not to some
    other noun ("британському журналісту", "a Russian state media outlet")."""
    tokens = sentence.tokens
    after = hit.end
    while after < len(tokens) and tokens[after].norm in WORDS.skippable:
        after += 1
    near = {hit.start - 1, after}
    kinds = ("subject", "measure")
    if any(h.start in near or h.end - 1 in near for h in sentence.hits if h.concept.kind in kinds):
        return True
    return any(h.start in near for h in _extra_hits(sentence, ()))


def _nearest_victim(victims: Sequence[Hit], figure: Figure) -> str | None:
    close = [h for h in victims if figure.end <= h.start <= figure.end + 2]
    before = [h for h in victims if h.end <= figure.start]
    after = [h for h in victims if figure.end <= h.start <= figure.end + VICTIM_AFTER]
    pick = close[:1] or before[-1:] or after[:1]
    return pick[0].concept.id if pick else None


# --- whom, where, when, how often ------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    id: str
    word: str  # as written


def subject(sentence: Sentence, figure: Figure, segment: tuple[int, int],
            sources: Sequence[tuple[int, int]]) -> Subject | None:  # fmt: skip
    """Whom a figure counts: the subject word right after it ("9,861 Russian soldiers"), else
    the nearest before it, else the nearest after it, in its part of the sentence."""
    start, end = segment
    left_out = excluded_spans(sentence)
    found = [
        hit
        for hit in _hits(sentence, "subject", start, end)
        if not any(low <= hit.start < high for low, high in (*sources, *left_out))
    ]
    if not found:
        return None
    close = [h for h in found if figure.end <= h.start <= figure.end + 4]
    before = [h for h in found if h.end <= figure.start]
    pick = close[0] if close else before[-1] if before else found[0]
    text = sentence.text[sentence.tokens[pick.start].start : sentence.tokens[pick.end - 1].end]
    return Subject(pick.concept.id, text)


def excluded_spans(sentence: Sentence) -> list[tuple[int, int]]:
    """The words after "excluding", "не враховуючи": what a figure leaves out."""
    stems = sentence.stems
    spans = []
    index = WORDS.excluding.find(stems)
    while index is not None:
        end = WORDS.excluding.at(stems, index) or index + 1
        stop = end
        while (
            stop < len(stems)
            and stop - end < EXCLUDED_WORDS
            and not (stop > end and boundary(sentence.tokens[stop]))
        ):
            stop += 1
        spans.append((end, stop))
        index = WORDS.excluding.find(stems, stop)
    return spans


def counts_equipment(sentence: Sentence, figure: Figure) -> bool:
    """ "300 tanks", "1,000 Russian drones": the figure counts things, not people."""
    return _equipment_at(sentence, figure.end, figure.end + 3)


def places(sentence: Sentence, segment: tuple[int, int], sources: Sequence[tuple[int, int]],
           taken: frozenset[str]) -> tuple[str, ...]:  # fmt: skip
    """The vocabulary places in a figure's part of the sentence, not inside a source's name
    ("General Staff of the Armed Forces of Ukraine") and not read as a side."""
    found: list[str] = []
    for hit in _hits(sentence, "place", *segment):
        if any(low <= hit.start < high for low, high in sources) or hit.concept.id in taken:
            continue
        if hit.concept.id not in found:
            found.append(hit.concept.id)
    return tuple(found)


def place_name(place: str) -> str:
    """A place as claims write it: its first English word, capitalised ("Chasiv Yar")."""
    words = PLACES[place].words.en
    return " ".join(part.capitalize() for part in (words[0] if words else place).split())


def rate(sentence: Sentence, figure: Figure, segment: tuple[int, int]) -> str | None:
    """ "a day", "each day", "daily", "щодня", "в сутки": the rate a figure is given at."""
    start, end = segment
    window = (max(start, figure.start - RATE_REACH - 2), min(end, figure.end + RATE_REACH + 2))
    for hit in _hits(sentence, "per", *window):
        single = hit.end - hit.start == 1
        if single and sentence.tokens[hit.start].norm in WORDS.bare_rate_words:
            continue  # "the first day" is no rate
        return hit.concept.id
    return None


def cumulative(sentence: Sentence, segment: tuple[int, int]) -> str | None:
    """ "since the start of the invasion", "so far", "загалом": the period as written."""
    tokens = sentence.tokens
    for hit in sorted(_hits(sentence, "period", *segment), key=lambda h: h.start - h.end):
        if hit.concept.id != "cumulative" or hit.end - hit.start < 2:
            continue  # "total" alone says nothing a claim's period needs
        end = hit.end
        while end < len(tokens) and end - hit.end < 4 and tokens[end].norm in _PERIOD_TAIL:
            end += 1
        while end > hit.end and tokens[end - 1].norm in ("of", "the"):
            end -= 1
        return sentence.text[tokens[hit.start].start : tokens[end - 1].end]
    return None


_PERIOD_TAIL: Final = frozenset({"of", "the", "full", "scale", "war", "invasion", "conflict"})


def subject_noun(subject_id: str) -> str:
    """The English noun a claim's "who" uses for a subject ("soldiers", "civilians")."""
    words = VOCABULARY.subjects[subject_id].words.en
    plural = [word for word in words if word.endswith("s") or word in ("people", "children")]
    return (plural or list(words) or [subject_id])[0]
