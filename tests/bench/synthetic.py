"""Synthetic claims in the import format, for benchmarks at sizes the seed file cannot reach.

The figures, claims and articles are invented. The vocabulary is what real claims use (sides
and places from ``bot.lexicon``, real kinds of claimant, the contract's measures, caveats a
careful editor writes), so the search meets realistic words, lexicon hits and facet spreads
rather than random strings. The same ``n`` and ``seed`` always give the same claims::

    python tests/bench/synthetic.py 100000 /tmp/claims-100k.json --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from bot.lexicon import PLACES, SIDES

INVASION: Final = date(2022, 2, 24)
FIRST_DATE: Final = INVASION + timedelta(days=7)  # the first published figures came a week in
LAST_DATE: Final = date(2026, 6, 30)
DAYS_PER_MONTH: Final = 30.4
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Claimant:
    name: str
    kind: str  # the contract's claimant_type
    weight: int = 2  # how often it is quoted, relative to the others
    side: str | None = None  # a belligerent government: low for its own side, high for the enemy
    exact: bool = False  # publishes tallies to the unit (daily reports, name-by-name counts)
    channel: str | None = None  # where it publishes, for published_by
    aliases: tuple[str, ...] = ()
    counts: str | None = None  # the one side whose losses it counts (a name-by-name project)


_GOV: Final = "belligerent government"
_INTEL: Final = "intelligence service"
_COUNT: Final = "independent count"
_MEDIA: Final = "media"
_PERSON: Final = "individual"

CLAIMANTS: Final[tuple[Claimant, ...]] = (
    Claimant("General Staff of the Armed Forces of Ukraine", _GOV, 10, "ukrainian", True,
             "Facebook", ("Ukrainian General Staff", "Генштаб ЗСУ", "Генштаб ВСУ")),
    Claimant("Russian Ministry of Defence", _GOV, 8, "russian", True, "Telegram",
             ("Russian MoD", "Минобороны России", "Міноборони РФ")),
    Claimant("Ministry of Defence of Ukraine", _GOV, 3, "ukrainian", False, "Telegram"),
    Claimant("Volodymyr Zelensky", _GOV, 3, "ukrainian", channel="Telegram",
             aliases=("Zelensky", "Зеленський", "Зеленский")),
    Claimant("Vladimir Putin", _GOV, 2, "russian", aliases=("Putin", "Путін", "Путин")),
    Claimant("Sergei Shoigu", _GOV, 1, "russian", aliases=("Shoigu", "Шойгу")),
    Claimant("Oleksandr Syrskyi", _GOV, 2, "ukrainian", aliases=("Syrskyi", "Сирський")),
    Claimant("Coordination Headquarters for the Treatment of Prisoners of War", _GOV, 1,
             "ukrainian", True, aliases=("POW headquarters", "Координаційний штаб")),
    Claimant("Russian Ministry of Defence (leaked)", _GOV, 1, "russian", True),
    Claimant("UK Ministry of Defence", _INTEL, 6, channel="X",
             aliases=("UK MoD", "British defence intelligence", "Міноборони Британії")),
    Claimant("US intelligence", _INTEL, 4, aliases=("American intelligence", "US officials")),
    Claimant("Pentagon", _INTEL, 3, aliases=("US Department of Defense",)),
    Claimant("Main Intelligence Directorate of Ukraine (HUR)", _INTEL, 3, "ukrainian",
             aliases=("HUR", "ГУР", "ГУР МО")),
    Claimant("Western intelligence", _INTEL, 2, aliases=("Western officials",)),
    Claimant("NATO", _INTEL, 2, aliases=("Jens Stoltenberg", "Mark Rutte", "НАТО")),
    Claimant("CIA", _INTEL, 1, aliases=("William Burns",)),
    Claimant("Estonian Foreign Intelligence Service", _INTEL, 1),
    Claimant("French military intelligence", _INTEL, 1),
    Claimant("Mediazona", _COUNT, 6, exact=True, channel="Telegram", counts="russian",
             aliases=("Mediazona count", "Медиазона", "Медіазона")),
    Claimant("Mediazona and BBC News Russian", _COUNT, 4, exact=True, counts="russian",
             aliases=("BBC Russian", "Би-би-си", "BBC")),
    Claimant("Meduza and Mediazona", _COUNT, 2, counts="russian",
             aliases=("excess mortality estimate",)),
    Claimant("UALosses", _COUNT, 3, exact=True, counts="ukrainian",
             aliases=("UA Losses", "UALosses project")),
    Claimant("Oryx", _COUNT, 1, exact=True),
    Claimant("Center for Strategic and International Studies", _COUNT, 2, aliases=("CSIS",)),
    Claimant("International Institute for Strategic Studies", _COUNT, 1, aliases=("IISS",)),
    Claimant("Institute for the Study of War", _COUNT, 2, aliases=("ISW",)),
    Claimant("I Want to Live project", _COUNT, 1, exact=True, counts="russian",
             aliases=("Хочу жить",)),
    Claimant("The Economist", _MEDIA, 2, aliases=("Economist model",)),
    Claimant("The New York Times", _MEDIA, 2, aliases=("NYT",)),
    Claimant("The Wall Street Journal", _MEDIA, 2, aliases=("WSJ",)),
    Claimant("Komsomolskaya Pravda", _MEDIA, 1, aliases=("KP", "Комсомольская правда")),
    Claimant("Reuters", _MEDIA, 2),
    Claimant("The Kyiv Independent", _MEDIA, 1),
    Claimant("Novaya Gazeta Europe", _MEDIA, 1, aliases=("Новая газета",)),
    Claimant("iStories", _MEDIA, 1, aliases=("Important Stories", "Важные истории")),
    Claimant("Ukrainska Pravda", _MEDIA, 1, aliases=("Українська правда",)),
    Claimant("Igor Girkin", _PERSON, 1, channel="Telegram", aliases=("Strelkov", "Гиркин")),
    Claimant("Rybar (military blogger)", _PERSON, 1, channel="Telegram", aliases=("Rybar",)),
    Claimant("Anton Gerashchenko", _PERSON, 1, channel="X", aliases=("Gerashchenko",)),
    Claimant("Zetnik (pro-Kremlin blogger)", _PERSON, 1, channel="Telegram"),
    Claimant("Yevgeny Prigozhin", _PERSON, 1, channel="Telegram", aliases=("Prigozhin",)),
    Claimant("Unnamed Russian military blogger", _PERSON, 2, channel="Telegram",
             aliases=("milblogger", "military blogger", "блогер")),
    Claimant("Two Majors (Telegram channel)", _PERSON, 1, channel="Telegram"),
    Claimant("Michael Kofman", _PERSON, 1, channel="X", aliases=("Kofman",)),
)  # fmt: skip

# side id (a key of bot.lexicon.SIDES) -> (weight, nouns that follow its adjective, commonest
# first)
WHO: Final[dict[str, tuple[int, tuple[str, ...]]]] = {
    "russian": (70, ("troops", "soldiers", "servicemen", "forces", "military personnel")),
    "ukrainian": (22, ("soldiers", "troops", "servicemen", "defenders")),
    "north korean": (4, ("soldiers", "troops")),
    "chechen": (3, ("fighters",)),
    "belarusian": (1, ("volunteers",)),
}
# Losses a month at the war's typical pace, Russian side; others scale from it.
MONTHLY: Final[dict[str, float]] = {
    "killed": 6_000,
    "wounded": 12_000,
    "killed or wounded": 20_000,
    "casualties": 25_000,
    "missing": 900,
    "captured": 150,
}
MEASURE_WEIGHTS: Final[dict[str, int]] = {
    "killed": 45,
    "casualties": 20,
    "killed or wounded": 12,
    "wounded": 12,
    "missing": 6,
    "captured": 5,
}
SIDE_SCALE: Final[dict[str, float]] = {
    "russian": 1.0,
    "ukrainian": 0.4,
    "north korean": 0.02,
    "chechen": 0.02,
    "belarusian": 0.001,
}
# Regions read better with their kind; towns keep their name.
REGION_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "donetsk": ("Donetsk region", "Donbas", "Donetsk oblast"),
    "luhansk": ("Luhansk region", "Luhansk oblast"),
    "zaporizhzhia": ("Zaporizhzhia region", "Zaporizhzhia front"),
    "kharkiv": ("Kharkiv region", "Kharkiv"),
    "kherson": ("Kherson region", "Kherson"),
    "kyiv": ("Kyiv region", "Kyiv"),
    "crimea": ("Crimea",),
}
OUTLETS: Final = (
    "Reuters",
    "BBC News",
    "The Guardian",
    "The Kyiv Independent",
    "The Moscow Times",
    "Associated Press",
    "Newsweek",
    "CNN",
    "Ukrainska Pravda",
    "Meduza",
    "Radio Liberty",
    "Financial Times",
)
AUTHORS: Final = (
    "Anna Kovalenko",
    "Mark Ellison",
    "Olga Petrova",
    "James Whitford",
    "Iryna Sydorenko",
    "Daniel Brooks",
    "Maria Volkova",
    "Tom Hartley",
)
HEADLINES: Final = (
    "Losses among {who} near {where} pass {figure}",
    "How many {who} have died? What we know",
    "{claimant} gives new figure for {who} {measure}",
    "The war in numbers: {measure} {who}",
    "Inside the count: {who} {measure} in {where}",
)
EXCLUDED: Final = (
    "mercenaries",
    "the DPR and LPR militias",
    "soldiers listed as missing",
    "convicts recruited from prisons",
    "the National Guard (Rosgvardia)",
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _title(name: str) -> str:
    return " ".join(word.capitalize() for word in name.split())


def _chain(place: str) -> list[str]:
    chain = [place]
    parent = PLACES[place].parent
    while parent is not None:
        chain.append(parent)
        parent = PLACES[parent].parent
    return chain


# Ukrainian towns and regions: every lexicon place that lies inside Ukraine.
UKRAINIAN_PLACES: Final = tuple(p for p in PLACES if p != "ukraine" and "ukraine" in _chain(p))
TOWNS: Final = tuple(p for p in UKRAINIAN_PLACES if p not in REGION_NAMES)
# The front runs through Donetsk region: its towns turn up in far more claims.
PLACE_WEIGHTS: Final = tuple(3 if "donetsk" in _chain(p) else 1 for p in UKRAINIAN_PLACES)


def _round_sig(value: float, digits: int) -> int:
    """Round as estimates are quoted: 123,456 -> 120,000 with two significant digits."""
    if value < 10:
        return max(1, round(value))
    magnitude = int(10 ** (len(str(int(value))) - digits))
    return max(1, round(value / magnitude) * magnitude)


class _Generator:
    """One claim at a time, all randomness from one seeded ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: Sequence[str], weights: Sequence[int] | None = None) -> str:
        return self.rng.choices(options, weights=weights)[0]

    def place(self) -> tuple[str, str, float]:
        """(place id for aliases and slugs, text for ``where``, share of the war's losses)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return "ukraine", "Ukraine", 1.0
        if roll < 0.45:  # one figure for two neighbouring towns, as bloggers often give
            first, second = rng.sample(TOWNS, 2)
            return first, f"{_title(first)} and {_title(second)}", 0.12
        place = rng.choices(UKRAINIAN_PLACES, weights=PLACE_WEIGHTS)[0]
        if place in REGION_NAMES:
            return place, self.pick(REGION_NAMES[place]), 0.3
        aliases = PLACES[place].words.en[1:]
        if aliases and rng.random() < 0.1:  # a Russian or older spelling now and then
            return place, _title(self.pick(aliases)), 0.08
        return place, _title(place), 0.08

    def when(self) -> tuple[date, str]:
        """The claim date and its text at mixed precision."""
        day = FIRST_DATE + timedelta(days=self.rng.randrange((LAST_DATE - FIRST_DATE).days))
        roll = self.rng.random()
        if roll < 0.5:
            return day, day.isoformat()
        if roll < 0.85:
            return day, day.isoformat()[:7]
        return day, str(day.year)

    def period(self, day: date, precision: str, place: str, where: str) -> tuple[str | None, float]:
        """A period that ends by ``day``, and how many months of fighting it spans."""
        rng = self.rng
        since = max(1.0, (day - INVASION).days / DAYS_PER_MONTH)
        # (weight, text, months): cumulative totals dominate, as they do in the news.
        options: list[tuple[int, str | None, float]] = [
            (30, "since 24 Feb 2022", since),
            (15, None, since),
            (12, str(day.year), min(12.0, since, float(day.month))),
        ]
        if precision == "day":
            span = f"24 Feb 2022 – {day.day} {MONTHS[day.month - 1]} {day.year}"
            options.append((10, span, since))
        if day.year > 2022:
            year = rng.randrange(2022, day.year)
            options.append((10, str(year), 10.0 if year == 2022 else 12.0))
        first_month = 3 if day.year == 2022 else 1  # no month of fighting before March 2022
        if day.month > first_month and precision != "year":
            month = rng.randrange(first_month, day.month)
            options.append((8, f"{MONTHS[month - 1]} {day.year}", 1.0))
        if place != "ukraine" and " and " not in where:
            options.append((12, f"battle for {where}, {day.year}", rng.uniform(3, 9)))
            if day.year > 2022:
                options.append((5, f"{where} offensive, {day.year - 1}–{day.year}", 12.0))
        if day < date(2022, 6, 1):
            days = (day - INVASION).days
            options.append((5, f"first {days} days of the invasion", days / DAYS_PER_MONTH))
        if day >= date(2023, 11, 1) and place in ("ukraine", "zaporizhzhia"):
            options.append((3, "summer counteroffensive, 2023", 4.0))
        _, text, months = rng.choices(options, weights=[option[0] for option in options])[0]
        return text, months

    def daily_period(self, day: date, precision: str) -> str:
        if precision == "day" and self.rng.random() < 0.6:
            return "the past 24 hours"
        if precision != "year" and self.rng.random() < 0.5:
            return f"{MONTHS[day.month - 1]} {day.year} average"
        return f"{day.year} average"

    def figure(self, value: float, claimant: Claimant) -> tuple[int | list[int], str | None]:
        """The figure as the claimant would state it, with its qualifier."""
        rng = self.rng
        if claimant.exact and rng.random() < 0.85:
            exact = max(1, round(value))
            # Name-by-name counts are floors; official tallies are stated as exact.
            return exact, "at least" if claimant.kind == _COUNT else "exact"
        digits = 3 if value >= 100_000 else 2
        low = _round_sig(value, digits)
        if rng.random() < 0.12:
            high = _round_sig(low * rng.uniform(1.15, 1.6), digits)
            if high > low:
                return [low, high], "about" if rng.random() < 0.3 else None
        qualifiers = ("about", "more than", "at least", "up to", "fewer than", None)
        return low, rng.choices(qualifiers, weights=(40, 20, 10, 5, 5, 20))[0]

    def caveats(
        self, claimant: Claimant, side: str, measure: str, where: str, per_day: bool, precision: str
    ) -> list[str]:
        rng = self.rng
        options = [
            "An estimate, not a count.",
            "The claimant gives no method or source for the figure.",
            "Reported second-hand; the original statement is not linked.",
            "Rounded in the report; the underlying count is not published.",
            "Not independently verified.",
        ]
        if claimant.kind == _GOV:
            options.append("Official figure from a belligerent; not independently verified.")
            if claimant.side == side:
                options.append("A belligerent's figure for its own losses; such figures run low.")
            else:
                options.append("A belligerent's figure for its enemy's losses; they run high.")
        if claimant.kind == _COUNT:
            options.append(
                "Counts only deaths confirmed by name in public sources; the true number is higher."
            )
            options.append(f"Excludes {rng.choice(EXCLUDED)}.")
        if claimant.kind in (_MEDIA, _PERSON):
            options.append("The outlet cites unnamed officials.")
        if claimant.kind == _PERSON:
            options.append("An unverified post by a partisan channel; its sources are unknown.")
        if measure in ("casualties", "killed or wounded"):
            options.append("Killed and wounded are not counted separately.")
        if measure == "missing":
            options.append("Missing may include soldiers later confirmed killed or captured.")
        if measure == "captured":
            options.append("Prisoner numbers change with exchanges; this is a snapshot.")
        if " and " in where:
            first, second = where.split(" and ", 1)
            options.append(f"One figure for two places; it does not split {first} from {second}.")
        elif where != "Ukraine":
            options.append(f"Covers the {where} sector only, not the wider front.")
        if per_day:
            options.append("A daily rate averaged over the period; single days vary widely.")
        if precision == "month":
            options.append("Date approximate: the article gives the month, not the day.")
        if precision == "year":
            options.append("Date approximate: the year the figure covers.")
        return rng.sample(options, rng.randint(1, 3))

    def aliases(self, claimant: Claimant, place: str) -> list[str]:
        found = list(claimant.aliases)
        # Cyrillic names of the place, so uk/ru questions meet them in stored text too.
        found += PLACES[place].words.cyrillic[:1]
        if claimant.kind == _GOV:
            found.append("official figure")
        return self.rng.sample(found, min(len(found), self.rng.randint(1, 4)))

    def claim(self, number: int) -> dict[str, Any]:
        rng = self.rng
        sides = list(WHO)
        side = self.pick(sides, [WHO[s][0] for s in sides])
        nouns = WHO[side][1]
        who = f"{_title(side)} {self.pick(nouns, range(len(nouns) * 2, 0, -2))}"
        measure = self.pick(list(MEASURE_WEIGHTS), list(MEASURE_WEIGHTS.values()))
        place, where, share = self.place()
        # Governments mostly report the enemy's losses; their own are rarely admitted. A
        # name-by-name project counts one side only.
        weights = [
            0
            if c.counts not in (None, side)
            else c.weight
            if c.side != side
            else max(1, c.weight // 4)
            for c in CLAIMANTS
        ]
        claimant = rng.choices(CLAIMANTS, weights=weights)[0]
        day, date_text = self.when()
        precision = ("year", "month", "day")[date_text.count("-")]
        per_day = rng.random() < 0.04
        if per_day:
            period: str | None = self.daily_period(day, precision)
            months = 1 / DAYS_PER_MONTH
        else:
            period, months = self.period(day, precision, place, where)
        bias = rng.uniform(0.5, 1.6)
        if claimant.side is not None:
            bias *= rng.uniform(0.1, 0.3) if claimant.side == side else rng.uniform(1.0, 1.6)
        value = MONTHLY[measure] * SIDE_SCALE[side] * share * months * bias
        figure, qualifier = self.figure(value, claimant)
        key = _slug(f"syn-{number:06d}-{side}-{measure}-{place}-{date_text}")[:120].rstrip("-")
        claim: dict[str, Any] = {
            "key": key,
            "figure": figure,
            "measure": measure,
            "who": who,
            "claimant": claimant.name,
            "claimant_type": claimant.kind,
            "date": date_text,
            "caveats": self.caveats(claimant, side, measure, where, per_day, precision),
        }
        if rng.random() < 0.97:  # a few claims name no place at all
            claim["where"] = where
        if qualifier is not None:
            claim["qualifier"] = qualifier
        if per_day:
            claim["per"] = "day"
        if period is not None:
            claim["period"] = period
        if claimant.channel is not None and rng.random() < 0.3:
            claim["published_by"] = f"{claimant.name} ({claimant.channel})"
        if rng.random() < 0.35:
            claim["reported_by"] = rng.choice(OUTLETS)
        if rng.random() < 0.3:
            shown = f"{figure[0]:,}–{figure[1]:,}" if isinstance(figure, list) else f"{figure:,}"
            headline = rng.choice(HEADLINES).format(
                who=who,
                where=where,
                figure=shown,
                claimant=claimant.name,
                measure=measure,
            )
            claim["reported_in"] = f'"{headline}", {rng.choice(AUTHORS)}'
        if rng.random() < 0.2:
            outlet = _slug(claim.get("reported_by", claimant.name))
            claim["url"] = f"https://{outlet}.example/{day.year}/{day.month:02d}/{key}"
        if rng.random() < 0.15:
            claim["aliases"] = self.aliases(claimant, place)
        return claim


def generate_claims(n: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` valid claims in the JSON contract, with unique ``syn-NNNNNN-...`` keys."""
    if n < 0:
        raise ValueError("n must not be negative")
    generator = _Generator(seed)
    return [generator.claim(number) for number in range(n)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic claims as an import file.")
    parser.add_argument("n", type=int, help="how many claims")
    parser.add_argument("out", type=Path, help='where to write {"claims": [...]}')
    parser.add_argument("--seed", type=int, default=0, help="same seed, same claims")
    args = parser.parse_args(argv)
    document = {"claims": generate_claims(args.n, seed=args.seed)}
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {args.n} claims to {args.out}", file=sys.stderr)
    return 0


# The side ids must stay the lexicon's, or the generated "who" texts would name no side.
if not set(WHO) <= set(SIDES):
    raise RuntimeError(f"sides unknown to bot.lexicon: {sorted(set(WHO) - set(SIDES))}")

if __name__ == "__main__":
    sys.exit(main())
