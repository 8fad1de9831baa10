"""What search reads from a claim's own words: its side, places, claimants, subjects, years.

A claim's *profile* is the part of it written in words (who, where, period, claimant...).
Claims share wording (the same claimant, place or period on many claims), so each distinct
text is read once (``lru_cache``), and each distinct profile once per index build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NamedTuple

from bot.domain import CORE_SUBJECTS, Counted, core_subject, counted, supersession_key
from bot.lexicon import (
    AGENT_WORDS,
    ATTACK_WORDS,
    CUSTODY_WORDS,
    DISOWNED,
    MATCHER,
    PLACES,
    SELF_REPORTED,
    SIDE_SOURCES,
    YEAR_WORDS,
    Hit,
    place_ancestors,
)
from bot.text import YEAR_RANGE, parse_years, raw_tokens, token_variants, tokenize
from bot.vocabulary import VOCABULARY
from store import MEASURES, PERS, ClaimRow


def concepts(hits: Iterable[Hit], kind: str) -> set[str]:
    """The ids of the concepts of one kind among ``hits``."""
    return {hit.concept.id for hit in hits if hit.concept.kind == kind}


def bits(names: Iterable[str], positions: Mapping[str, int]) -> int:
    """Names as a bit mask, each at its position."""
    mask = 0
    for name in names:
        mask |= 1 << positions[name]
    return mask


# Bit positions and codes for the index's numeric columns.
PLACE_BIT: Final = {place: bit for bit, place in enumerate(PLACES)}
CLAIMANT_BIT: Final = {name: bit for bit, name in enumerate(sorted(MATCHER.concepts("claimant")))}
SUBJECT_BIT: Final = {
    name: bit for bit, name in enumerate(sorted(MATCHER.concepts("subject") | {"other"}))
}
SIDE_CODE: Final = {name: code for code, name in enumerate(sorted(MATCHER.concepts("side")))}
MEASURE_CODE: Final = {measure: code for code, measure in enumerate(MEASURES)}
PER_CODE: Final = {per: code for code, per in enumerate(PERS, start=1)}  # 0: a total
UKRAINE: Final = 1 << PLACE_BIT["ukraine"]
# The subject each narrower one is part of ("children": "civilians"), and their bits: a claim
# counting only a part of what was asked is not its best answer.
BROADER: Final = {s.id: s.within for s in VOCABULARY.subjects.values() if s.within}
PART_BITS: Final = bits(BROADER, SUBJECT_BIT)  # the war people ask about by default


@lru_cache(maxsize=100_000)
def find(text: str) -> tuple[Hit, ...]:
    """Concept hits in a stored text, read as every language it could be in."""
    return tuple(hit for tokens in token_variants(text) for hit in MATCHER.find(tokens))


@lru_cache(maxsize=100_000)
def words(text: str) -> str:
    """A stored text as normalised words, in every language it could be in."""
    return " ".join(" ".join(tokens) for tokens in token_variants(text))


def marks_agent(before: str, after: str) -> bool:
    """Whether the words around a side make it the doer: "killed by Russia", "обстріли ЗСУ",
    "in Syrian jails" (the side holding captives). ``after`` is as written, not stemmed."""
    return before in AGENT_WORDS or before in ATTACK_WORDS or after in CUSTODY_WORDS


@lru_cache(maxsize=100_000)
def victims_and_agents(who: str) -> tuple[frozenset[str], frozenset[str]]:
    """The sides a claim's "who" counts, and those it names as the doers ("detainees in
    Syrian jails": Syria holds them; whose people they are is not said)."""
    victims: set[str] = set()
    agents: set[str] = set()
    raw = raw_tokens(who)
    for tokens in token_variants(who):
        for hit in MATCHER.find(tokens):
            if hit.concept.kind == "side":
                before = tokens[hit.start - 1] if hit.start else ""
                after = raw[hit.end] if hit.end < len(raw) else ""
                (agents if marks_agent(before, after) else victims).add(hit.concept.id)
    return frozenset(victims), frozenset(agents)


@lru_cache(maxsize=100_000)
def side_and_places(who: str, where: str | None) -> tuple[str | None, frozenset[str]]:
    """Whose losses (one side) and where (vocabulary places), from a claim's own words."""
    sides = victims_and_agents(who)[0]
    return (min(sides) if sides else None), frozenset(concepts(find(where or ""), "place"))


@lru_cache(maxsize=100_000)
def source_side_mask(text: str) -> int:
    """The sides a source text speaks for: "Russian Ministry of Defence" is Russia's, "General
    Staff of the Armed Forces of Ukraine" Ukraine's (a country named as a place)."""
    hits = find(text)
    sides = concepts(hits, "side") | (
        {"ukrainian"} if "ukraine" in concepts(hits, "place") else set()
    )
    return bits(sides & SIDE_CODE.keys(), SIDE_CODE)


@lru_cache(maxsize=100_000)
def claimant_mask(text: str) -> int:
    """The claimants a source text names, as bits (cached: sources repeat across claims)."""
    return bits(concepts(find(text), "claimant"), CLAIMANT_BIT)


@lru_cache(maxsize=100_000)
def subjects_of(who: str) -> frozenset[str]:
    """Whom a claim counts: its one core subject (see ``bot.domain.core_subject``) and any
    other subject its words name ("Wagner fighters": soldiers, and mercenaries)."""
    hits = find(who)
    named = with_broader(concepts(hits, "subject"))
    if "captured" in concepts(hits, "measure"):
        named.add("prisoners")  # "prisoners in government jails" counts prisoners
    return frozenset((named - CORE_SUBJECTS.keys()) | {core_subject(named)})


def narrowest_part(subjects: frozenset[str]) -> str | None:
    """The narrowest of the subjects that are part of another ("foreign fighters" rather
    than "mercenaries"), if any: what a claim counts alone."""
    parts = subjects & BROADER.keys()
    narrowest = parts - {BROADER[part] for part in parts}
    return min(narrowest, default=None)


def with_broader(subjects: Iterable[str]) -> set[str]:
    """Subjects with every subject they are part of: children are civilians too."""
    found: set[str] = set()
    for subject in subjects:
        current: str | None = subject
        while current is not None and current not in found:
            found.add(current)
            current = BROADER.get(current)
    return found


@lru_cache(maxsize=100_000)
def subject_mask(who: str) -> int:
    return bits(subjects_of(who), SUBJECT_BIT)


@lru_cache(maxsize=10_000)
def period_months(period: str | None) -> frozenset[int]:
    """The months a claim's period names, as ``year * 100 + month`` ("December 2025",
    "May – June 2024"): each month belongs to the first year after it."""
    tokens = tokenize(period or "")
    found: set[int] = set()
    for hit in MATCHER.find(tokens):
        if hit.concept.kind != "month":
            continue
        later = [int(t) for t in tokens[hit.end :] if t.isdigit() and int(t) in YEAR_RANGE]
        if later:
            found.add(later[0] * 100 + int(hit.concept.id))
    return frozenset(found)


@lru_cache(maxsize=10_000)
def period_day(period: str | None) -> tuple[int, int] | None:
    """The one day a claim's period is, as (month, day) ("7 Oct 2023"), or None."""
    tokens = tokenize(period or "")
    months = [hit for hit in MATCHER.find(tokens) if hit.concept.kind == "month"]
    if len(months) != 1:
        return None
    month = months[0]
    rest = [t for i, t in enumerate(tokens) if not month.start <= i < month.end]
    days = [int(t) for t in rest if t.isdigit() and 1 <= int(t) <= 31]
    years = [t for t in rest if t.isdigit() and int(t) in YEAR_RANGE]
    if len(days) != 1 or len(rest) != 1 + len(years):
        return None
    return int(month.concept.id), days[0]


@lru_cache(maxsize=10_000)
def period_places(period: str | None) -> frozenset[str]:
    return frozenset(concepts(find(period or ""), "place"))


@lru_cache(maxsize=10_000)
def single_year(period: str | None) -> bool:
    """Whether a claim's period is one calendar year ("2024", "in 2023"), not a span or a
    total to a date ("24 Feb – 1 Mar 2022", "since 2022")."""
    tokens = tokenize(period or "")
    years = parse_years(tokens)
    others = [token for token in tokens if not (token.isdigit() and int(token) in years)]
    return len(years) == 1 and all(token in YEAR_WORDS for token in others)


@lru_cache(maxsize=10_000)
def period_years(period: str | None) -> frozenset[int]:
    """The years a claim's period names; a span ("1979–1989") covers every year in it."""
    years = parse_years(tokenize(period or ""))
    if len(years) >= 2 and "since" not in (period or "").lower():
        years |= set(range(min(years), max(years) + 1))
    return frozenset(years)


@lru_cache(maxsize=1_024)
def compatible_places(asked: frozenset[str]) -> int:
    """The bits of every place a claim may name and still be about the places asked: those
    within them, and those containing them ("Mariupol, Ukraine" for Mariupol). A claim that
    also names a place beside them ("Gaza, Israel and Lebanon") sums more than was asked."""
    allowed = {ancestor for place in asked for ancestor in place_ancestors(place)}
    allowed |= {place for place in PLACES if asked & set(place_ancestors(place))}
    return bits(allowed, PLACE_BIT)


@lru_cache(maxsize=10_000)
def place_masks(places: frozenset[str]) -> tuple[int, int]:
    """The places' bit mask, and that of the places with every place containing them."""
    chain = {ancestor for place in places for ancestor in place_ancestors(place)}
    return bits(places, PLACE_BIT), bits(chain, PLACE_BIT)


class Profile(NamedTuple):
    """The parts of a claim that search reads from words (not its id, date or figure)."""

    who: str
    where: str | None
    period: str | None
    claimant: str
    published_by: str | None
    reported_by: str | None
    aliases: tuple[str, ...]
    measure: str
    per: str | None

    @classmethod
    def of(cls, row: ClaimRow) -> Profile:
        return cls(row.who, row.where, row.period, row.claimant, row.published_by,
                   row.reported_by, row.aliases, row.measure, row.per)  # fmt: skip

    @property
    def parts(self) -> tuple[str, ...]:
        """The texts search reads words from, in the order a claim's text is written."""
        parts = (self.who, self.measure, self.where, self.period, self.claimant,
                 self.published_by, self.reported_by, *self.aliases)  # fmt: skip
        return tuple(part for part in parts if part)

    @property
    def sources(self) -> tuple[str, ...]:
        """The texts that name who makes the claim."""
        return tuple(p for p in (self.claimant, self.published_by, self.reported_by) if p) + (
            self.aliases
        )

    def text(self) -> str:
        """The profile's searchable words, for rapidfuzz; built only for re-ranked claims."""
        return " ".join(words(part) for part in self.parts)


@dataclass(frozen=True, slots=True)
class ProfileFacts:
    """What search knows about one profile: facets as bit masks, years, rate."""

    thing: Counted
    place_mask: int
    chain_mask: int  # the places and every place that contains them
    claimant_mask: int
    source_side_mask: int
    agent_mask: int  # the sides its "who" names as doers
    subject_mask: int
    years: frozenset[int]  # from the period only; the claim's own date is added per claim
    since: bool
    bounded: bool  # the period names its years and has an end: "2023", "Feb – Aug 2022"
    group: tuple[object, ...]  # claims with the same group supersede each other

    @classmethod
    def of(cls, p: Profile) -> ProfileFacts:
        thing = counted(p.measure, p.per, p.who, p.where, p.period)
        claimants = source_sides = 0
        for part in p.sources:
            claimants |= claimant_mask(part)
            source_sides |= source_side_mask(part)
        # A place the period names ("World War II") is where the claim is; one an alias names
        # ("Tigray war") makes it an answer there too, if not an exact one.
        own = SIDE_SOURCES.get(thing.side or "")
        leaked = claimants & bits(DISOWNED, CLAIMANT_BIT)
        if own in CLAIMANT_BIT and claimants & (1 << CLAIMANT_BIT[own]) and not leaked:
            claimants |= bits(SELF_REPORTED, CLAIMANT_BIT)  # its own count of its own losses
        place_mask, chain_mask = place_masks(thing.places | period_places(p.period))
        chain_mask |= place_masks(frozenset().union(*map(period_places, p.aliases)))[1]
        years = period_years(p.period)
        since = "since" in (p.period or "").lower()
        return cls(
            thing=thing,
            place_mask=place_mask,
            chain_mask=chain_mask,
            claimant_mask=claimants,
            source_side_mask=source_sides,
            agent_mask=bits(victims_and_agents(p.who)[1], SIDE_CODE),
            subject_mask=subject_mask(p.who),
            years=years,
            since=since,
            bounded=bool(years) and not since,
            group=supersession_key(p.claimant, thing),
        )
