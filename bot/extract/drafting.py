"""From an article to draft claims: every casualty figure, in the order it appears.

Each sentence is read on its own (figures, the measure words that govern them, sides,
subjects, places, attributions, dates, caveats); what a sentence leaves unsaid comes from the
article so far: whose losses the last figure counted, whom a pronoun stands for, who speaks
in a quotation ("Trofimov said:" and the paragraphs quoted after it).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Final

from bot.extract import caveats as stated
from bot.extract.dates import (
    DateContext,
    draft_date,
    latest_year,
    mentions,
    relative_year,
    sentence_date,
)
from bot.extract.figures import Figure, figures
from bot.extract.meaning import (
    Subject,
    counts_equipment,
    counts_people,
    cumulative,
    figure_noun_before,
    governing,
    is_agent,
    listed_after,
    part_of_before,
    place_name,
    places,
    rate,
    sides,
    speaks,
    subject,
    subject_noun,
)
from bot.extract.model import Article, Draft
from bot.extract.sentences import Sentence, split
from bot.extract.sources import Attribution, attributions, full_names, people
from bot.extract.words import WORDS
from bot.lexicon import MATCHER, SELF_REPORTED, SIDE_HOMES, SIDE_SOURCES, SIDES, place_ancestors
from bot.text import detect_language, token_variants

CORE: Final = ("soldiers", "civilians", "people")
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RECENT: Final = 2  # sentences within which the last speaker is whom "he" means
UNSOURCED: Final = "The article gives no source for this figure."
_CLOSING: Final = '”»"'


@dataclass
class _Last:
    """The last draft made: a later sentence that names no side or source leans on it."""

    sentence: int
    paragraph: int
    measure: str
    side: str | None
    subject: str | None
    claimant: str


@dataclass
class _Reader:
    """What the article has said so far, as its sentences are read in order."""

    article: Article
    lang: str
    dates: DateContext
    default_subject: str
    default_side: str | None
    names: dict[str, str] = field(default_factory=dict)
    last_person: str | None = None  # the last person who spoke or was introduced
    last_person_at: int = -1  # ... in which sentence
    last_name: str | None = None  # the last bare name of two words ("Yaroslav Trofimov")
    last_body: str | None = None  # the last ministry, project, outlet... named
    last_any: str | None = None  # the last of either
    speaker: str | None = None  # whom the paragraph's quotation is attributed to
    pending_speaker: str | None = None  # "Trofimov said:" ends the paragraph before
    quote_open: bool = False  # the last paragraph's quotation runs on
    last: _Last | None = None
    last_date: str | None = None  # the last date a sentence gave
    unsourced: list[int] = field(default_factory=list)  # drafts of the last sentence with none

    def begin(self, sentence: Sentence) -> None:
        if not sentence.first:
            return
        if sentence.opens_quote and self.pending_speaker:
            self.speaker = self.pending_speaker
        elif not (sentence.opens_quote and self.quote_open):
            self.speaker = None
        self.pending_speaker = None

    def resolve(self, attribution: Attribution) -> str:
        """The name an attribution gives; a pronoun's is the last person named."""
        if attribution.anaphor:
            return self._antecedent(attribution.kind) or self.speaker or attribution.name
        name = attribution.name
        if " " not in name and name[:1].isupper():
            return self.names.get(attribution.key, name)  # "Trofimov": "Yaroslav Trofimov"
        return name

    def _antecedent(self, kind: str) -> str | None:
        if kind == "claim" and self.last is not None:
            return self.last.claimant  # "The estimate puts ...": the last figure's source
        if kind == "body":
            return self.last_body or self.last_any
        if kind == "person":
            return self.last_person or self.last_name or self.last_any
        return self.last_any

    def finish(self, sentence: Sentence, found: Sequence[Attribution]) -> None:
        self.names.update(full_names(sentence))
        named = [(a.at, self.resolve(a), "body" if a.anaphor else a.kind) for a in found]
        for _position, name, kind in sorted(named + people(sentence), key=lambda n: n[0]):
            if kind == "body":
                self.last_body = name
            elif kind == "person":
                self.last_person, self.last_person_at = name, sentence.number
            else:
                self.last_name = name
                if sentence.number - self.last_person_at > RECENT:
                    self.last_person = None  # a name long after the last speaker: them
            self.last_any = name
        spoken = sentence_date(sentence, len(sentence.tokens), self.dates)
        if spoken is not None:
            self.last_date = spoken
        if sentence.last:
            if sentence.ends_with(":") and found:
                self.pending_speaker = self.resolve(found[-1])
            text = sentence.text.rstrip()
            last_quote = sentence.quotes[-1] if sentence.quotes else None
            self.quote_open = bool(
                last_quote and last_quote[1] >= len(text) and text[-1:] not in _CLOSING
            )


# --- one figure -------------------------------------------------------------------------------


def _segment(found: Sequence[Figure], index: int, length: int) -> tuple[int, int]:
    """The part of the sentence a figure owns: from the figure before to the one after."""
    start = found[index - 1].end if index else 0
    end = found[index + 1].start if index + 1 < len(found) else length
    return start, end


def _side_label(side: str) -> str:
    entry = SIDES[side]
    if entry.label:
        return entry.label
    words = entry.words.en
    return " ".join(part.capitalize() for part in (words[0] if words else side).split())


def _who(side: str | None, found: Subject | None, subject_id: str, lang: str) -> str:
    """ "Russian soldiers": the side's name and the subject's noun (as written in English)."""
    noun = subject_noun(subject_id)
    if found is not None and lang == "en" and found.id == subject_id:
        written = found.word.casefold()
        if written.endswith("s") or written in ("people", "children", "military personnel"):
            noun = written
    if side is None:
        return noun[:1].upper() + noun[1:]
    return f"{_side_label(side)} {noun}"


def _home_side(place_ids: Sequence[str]) -> str | None:
    """The side whose country a place lies in: civilians killed in Kharkiv are Ukrainian."""
    homes = {home: side for side, home in SIDE_HOMES.items()}
    for place in place_ids:
        for ancestor in place_ancestors(place):
            if ancestor in homes:
                return homes[ancestor]
    return None


@dataclass
class _InSentence:
    """What the figures before in the same sentence counted: "35,000 were wounded" after
    "15,000 Soviet troops died" counts Soviet troops too."""

    side: str | None = None
    subject: Subject | None = None
    measures: dict[int, str] = field(default_factory=dict)  # figure index -> its measure


def _places(sentence: Sentence, found: Sequence[Figure], index: int,
            spans: Sequence[tuple[int, int]]) -> tuple[str, ...]:  # fmt: skip
    """A figure's places; with none in its part, those of the next figure's part ("15,000
    died and 35,000 were wounded in Afghanistan"), then of the one before."""
    length = len(sentence.tokens)
    for other in (index, index + 1, index - 1):
        if 0 <= other < len(found):
            named = places(sentence, _segment(found, other, length), spans, frozenset())
            if named:
                return named
    return ()


def _period(sentence: Sentence, segment: tuple[int, int], year: int | None) -> str | None:
    """ "since 24 Feb 2022", "since the start of the invasion", "2024", "this year"."""
    start, end = segment
    for mention in mentions(sentence):
        if not start <= mention.start < end:
            continue
        if mention.since and mention.year:
            day = f"{mention.day} " if mention.day else ""
            month = f"{MONTHS[mention.month - 1]} " if mention.month else ""
            return f"since {day}{month}{mention.year}"
        before = sentence.tokens[mention.start - 1].norm if mention.start else ""
        if mention.month is None and before in WORDS.period_year_before | {"the"}:
            return f"{mention.year}"
    found = cumulative(sentence, segment)
    if found:
        return found
    relative = relative_year(sentence, start, end, year)
    return str(relative) if relative else None


def _figure_year(reader: _Reader) -> int | None:
    published = reader.dates.published
    return published.year if published else reader.dates.latest_year


def _whose(reader: _Reader, sentence: Sentence, figure: Figure, segment: tuple[int, int],
           spans: Sequence[tuple[int, int]], here: _InSentence) -> str | None:  # fmt: skip
    read = sides(sentence, figure, segment, spans, reader.lang)
    if read.victim:
        return read.victim
    if read.own and read.agent:
        return read.agent  # "Russia has killed ... its own troops"
    return here.side


def _draft_one(reader: _Reader, sentence: Sentence, found: Sequence[Figure], index: int,
               measure: str, found_sources: Sequence[Attribution], here: _InSentence
               ) -> Draft:  # fmt: skip
    figure = found[index]
    segment = _segment(found, index, len(sentence.tokens))
    spans = _source_spans(sentence, found_sources)
    side = _whose(reader, sentence, figure, segment, spans, here)
    named = subject(sentence, figure, segment, spans) or here.subject
    subject_id = named.id if named else _context_subject(reader, side)
    where = _places(sentence, found, index, spans)
    if side is None and subject_id in ("civilians", "children", "people"):
        side = _home_side(where)
    side = side or _context_side(reader, sentence)
    here.side, here.subject = side, named
    claimant, claim_caveats = _claimant(reader, sentence, figure, found_sources, side)
    dates = reader.dates
    if WORDS.same_time.find(sentence.stems) is not None and reader.last_date:
        dates = replace(dates, earlier=reader.last_date)  # "Тоді він заявив ..."
    date, date_caveats = draft_date(sentence, figure.start, dates)
    caveats = (
        *stated.stated(sentence), *stated.of_measure(measure), *claim_caveats, *date_caveats,
    )  # fmt: skip
    return Draft(
        figure=figure.value,
        qualifier=figure.qualifier,
        measure=measure,
        per=rate(sentence, figure, segment),
        who=_who(side, named, subject_id, reader.lang),
        where=" and ".join(place_name(place) for place in where) or None,
        period=_period(sentence, segment, _figure_year(reader)),
        claimant=claimant,
        date=date,
        caveats=tuple(dict.fromkeys(caveats)),
        evidence=sentence.text,
    )


def _source_spans(sentence: Sentence, found: Sequence[Attribution]) -> list[tuple[int, int]]:
    spans = [(a.start, a.end) for a in found]
    return spans + [(h.start, h.end) for h in sentence.hits if h.concept.kind == "claimant"]


def _context_subject(reader: _Reader, side: str | None) -> str:
    last = reader.last
    if last is not None and last.subject and (side is None or last.side == side):
        return last.subject
    return reader.default_subject


def _context_side(reader: _Reader, sentence: Sentence) -> str | None:
    """The side of the figure just before (in this sentence or the one before), else the
    side the article speaks of most."""
    last = reader.last
    if last is not None and last.side and last.sentence >= sentence.number - RECENT:
        return last.side
    return reader.default_side


# --- who claims it ----------------------------------------------------------------------------


def _official(sentence: Sentence, side: str | None) -> str | None:
    """ "the official number of Russian deaths": the source a side's own figures come from."""
    if side is None or not any(
        hit.concept.kind == "claimant" and hit.concept.id in SELF_REPORTED for hit in sentence.hits
    ):
        return None
    return WORDS.claimant_names.get(SIDE_SOURCES.get(side, ""))


def _pick(sentence: Sentence, figure: Figure, found: Sequence[Attribution]
          ) -> tuple[Attribution | None, list[Attribution]]:  # fmt: skip
    """The innermost attribution of a figure: the nearest before it ("X says that according to
    Y, N": Y), else the nearest after it ("N, according to X"); and the others."""
    origins = [a for a in found if not a.passing] or list(found)
    before = [a for a in origins if a.at < figure.start]
    after = [a for a in origins if a.at >= figure.end]
    citing = [a for a in origins if a.citing]
    chosen = citing[-1] if citing else before[-1] if before else after[0] if after else None
    return chosen, [a for a in found if a is not chosen]


def _claimant(reader: _Reader, sentence: Sentence, figure: Figure,
              found: Sequence[Attribution], side: str | None) -> tuple[str, list[str]]:  # fmt: skip
    """Who makes the claim, and caveats naming who passed it on."""
    chosen, others = _pick(sentence, figure, found)
    name = _resolved(reader, chosen, found) if chosen else None
    official = _official(sentence, side)
    if official and (name is None or name in (reader.speaker, official)):
        name = official
    quoted = sentence.quoted(figure.start)
    if name is None and quoted and reader.speaker:
        name = reader.speaker
    notes: list[str] = []
    if name is None:
        name = _continued(reader, sentence)
    if name is None or name == _unsourced(reader):
        name = _unsourced(reader)
        notes.append(UNSOURCED)
    outer = [reader.resolve(a) for a in others if not a.anaphor]
    notes += [f"Reported by {other}." for other in dict.fromkeys(outer) if other != name]
    if quoted and reader.speaker and reader.speaker != name:
        notes.append(f"Quoted by {reader.speaker}.")
    return name, notes


def _resolved(reader: _Reader, chosen: Attribution, found: Sequence[Attribution]) -> str:
    """A pronoun stands for a source named earlier in the same sentence ("X named it in
    December: then he spoke of ..."), else for the last one named before."""
    if chosen.anaphor:
        earlier = [a for a in found if a.at < chosen.at and not a.anaphor]
        if earlier:
            return reader.resolve(earlier[-1])
    return reader.resolve(chosen)


def _unsourced(reader: _Reader) -> str:
    """Whom a figure no source is named for is credited to: the article's author."""
    return reader.article.author or reader.article.publisher or "Unnamed source"


def _continued(reader: _Reader, sentence: Sentence) -> str | None:
    """The claimant of the sentence before, in the same paragraph: "The UN said 500 died.
    Another 300 were wounded.\""""
    last = reader.last
    if last is None or last.paragraph != sentence.paragraph:
        return None
    return last.claimant if last.sentence >= sentence.number - 1 else None


# --- the article ------------------------------------------------------------------------------


def _measure(reader: _Reader, sentence: Sentence, found: Sequence[Figure], index: int,
             governed: str | None, here: _InSentence) -> str | None:  # fmt: skip
    """The figure's measure; a part ("159 тисяч з них"), a list item ("including 1,427
    Poles") or a figure noun ("Official Russian numbers remain below 6,000") takes the
    measure of the figure before."""
    if governed is not None:
        return governed
    figure = found[index]
    previous = here.measures.get(index - 1)
    if previous is not None and listed_after(sentence, found[index - 1], figure):
        return previous
    last = reader.last
    recent = last is not None and last.sentence >= sentence.number - 1
    earlier = previous or (last.measure if last is not None and recent else None)
    if earlier is not None and part_of_before(sentence, figure):
        return earlier
    limit = found[index - 1].end if index else 0
    if last is None or not recent:
        return None
    return last.measure if figure_noun_before(sentence, figure, limit) else None


def _read_sentence(reader: _Reader, sentence: Sentence) -> list[Draft]:
    found = [] if sentence.heading else figures(sentence)
    sources = attributions(sentence)
    drafts: list[Draft] = []
    if found:
        here = _InSentence()
        words = governing(sentence, found)
        for index, figure in enumerate(found):
            word = words[index]
            governed = word.measure if word is not None else None
            measure = _measure(reader, sentence, found, index, governed, here)
            if measure is None or counts_equipment(sentence, figure):
                continue
            here.measures[index] = measure
            draft = _draft_one(reader, sentence, found, index, measure, sources, here)
            drafts.append(draft)
            reader.last = _Last(
                sentence.number, sentence.paragraph, measure, here.side,
                here.subject.id if here.subject else None, draft.claimant,
            )  # fmt: skip
    reader.finish(sentence, sources)
    return drafts


def _defaults(sentences: Sequence[Sentence], lang: str) -> tuple[str, str | None]:
    """The subject and the side an article speaks of most: for figures that name neither."""
    subjects: Counter[str] = Counter()
    victims: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    for sentence in sentences:
        for hit in sentence.hits:
            if hit.concept.kind == "subject" and hit.concept.id in CORE:
                subjects[hit.concept.id] += 1
            elif (
                hit.concept.kind == "side"
                and counts_people(sentence, hit)
                and not speaks(sentence, hit, ())
                and not is_agent(sentence, hit, lang)
            ):
                victims[hit.concept.id] += 1
            elif hit.concept.kind == "place" and (home := _home_side([hit.concept.id])):
                countries[home] += 1  # "Харкова": Ukraine's, when no side is named
    subject_id = subjects.most_common(1)[0][0] if subjects else "people"
    counts = victims or countries
    side = counts.most_common(1)[0][0] if counts else None
    return subject_id, side


def _key(draft: Draft) -> tuple[object, ...]:
    return (draft.figure, draft.measure, _counted(draft.who))


@lru_cache(maxsize=4_096)
def _counted(who: str) -> tuple[frozenset[str], frozenset[str]]:
    """The sides and subjects a "who" names: "Russian troops" and "Russian soldiers" alike."""
    hits = [hit for tokens in token_variants(who) for hit in MATCHER.find(tokens)]
    return (
        frozenset(h.concept.id for h in hits if h.concept.kind == "side"),
        frozenset(h.concept.id for h in hits if h.concept.kind == "subject"),
    )


def _approximate(draft: Draft) -> bool:
    return any(caveat.startswith(("Date approximate", "Date unknown")) for caveat in draft.caveats)


def _deduplicated(drafts: Sequence[Draft]) -> list[Draft]:
    """A figure the article repeats is one draft; the repeat may date it ("on March 2")."""
    kept: dict[tuple[object, ...], Draft] = {}
    for draft in drafts:
        first = kept.get(_key(draft))
        if first is None:
            kept[_key(draft)] = draft
        elif _approximate(first) and not _approximate(draft):
            dated = tuple(c for c in first.caveats if not c.startswith(("Date approx", "Date unk")))
            kept[_key(draft)] = replace(first, date=draft.date, caveats=dated)
    return list(kept.values())


def draft_claims(article: Article, *, today: datetime.date | None = None) -> list[Draft]:
    """Every casualty figure in the article as a draft, in the order they appear."""
    lang = article.lang or detect_language(article.text)
    skip = frozenset({article.title.casefold()}) if article.title else frozenset()
    sentences = split(article.text, lang, skip=skip)
    today = today or datetime.date.today()
    dates = DateContext(article.published, latest_year(sentences, today), today)
    default_subject, default_side = _defaults(sentences, lang)
    reader = _Reader(article, lang, dates, default_subject, default_side)
    drafts: list[Draft] = []
    before: list[Draft] = []  # the drafts of the last sentence that had any
    for sentence in sentences:
        reader.begin(sentence)
        found = _read_sentence(reader, sentence)
        named = _named_back(reader, sentence)
        if named and before:
            credited = _credit(before, named)
            drafts[len(drafts) - len(before) :] = credited
        drafts.extend(found)
        before = found
    return _deduplicated(drafts)


def _named_back(reader: _Reader, sentence: Sentence) -> str | None:
    """ "Об этом заявил министр обороны Сергей Шойгу": the source of the sentence before."""
    start = WORDS.back_reference.find(sentence.stems, 0, 2)
    if start is None:
        return None
    found = [a for a in attributions(sentence) if a.at >= start]
    return reader.resolve(found[0]) if found else None


def _credit(drafts: Sequence[Draft], name: str) -> list[Draft]:
    """Drafts that had no source, credited to the one a later sentence names."""
    return [
        replace(draft, claimant=name, caveats=tuple(c for c in draft.caveats if c != UNSOURCED))
        if UNSOURCED in draft.caveats
        else draft
        for draft in drafts
    ]
