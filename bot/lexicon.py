"""Words people use for casualty questions, mapped to the concepts the search constrains on.

Pure data plus a phrase matcher. Each concept is a kind (side, place, measure, claimant,
subject, topic) and an id; a phrase is a tuple of normalised tokens. Matching is greedy,
longest phrase first, so "british defence ministry" wins over "british".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

# --- concepts ---------------------------------------------------------------------------

SIDES: Final[Mapping[str, tuple[str, ...]]] = {
    "russian": ("russian", "russians", "russia", "rf", "putin", "putins", "kremlin"),
    "ukrainian": ("ukrainian", "ukrainians", "ukraines", "zsu", "afu"),
    "soviet": ("soviet", "soviets", "ussr", "soviet union", "red army"),
    "us": ("us", "american", "americans", "usa", "america", "united states"),
    # Sides no seed claim covers: named so that their questions get an honest "no".
    "british": ("british", "brits", "uk troops", "uk soldiers"),
    "german": ("german", "germans", "nazi", "nazis", "wehrmacht"),
    "belarusian": ("belarusian", "belarusians", "belarus"),
    "north korean": ("north korean", "north koreans", "dprk"),
    "chechen": ("chechen", "chechens", "kadyrovites"),
    "israeli": ("israeli", "israelis", "idf"),
    "palestinian": ("palestinian", "palestinians", "hamas"),
    "syrian": ("syrian", "syrians"),
    "iraqi": ("iraqi", "iraqis"),
    "afghan": ("afghan", "afghans", "taliban", "mujahideen"),
    "french": ("french",),
    "polish": ("polish", "poles"),
    "georgian": ("georgian", "georgians"),
}

# place -> (aliases, parent place); the hierarchy lets "Donbas" cover Bakhmut.
PLACES: Final[Mapping[str, tuple[tuple[str, ...], str | None]]] = {
    "ukraine": (("ukraine", "ukrainian territory"), None),
    "donetsk": (("donetsk", "donetsk region", "donetsk oblast", "donbas", "donbass"), "ukraine"),
    "bakhmut": (("bakhmut", "artemivsk", "artemovsk", "bachmut"), "donetsk"),
    "pokrovsk": (("pokrovsk", "pokrovske"), "donetsk"),
    "afghanistan": (("afghanistan",), None),
    "iraq": (("iraq",), None),
    # Places and wars no seed claim covers.
    **{
        name: ((name, *aliases), parent)
        for name, aliases, parent in (
            ("kherson", (), "ukraine"),
            ("kharkiv", ("kharkov",), "ukraine"),
            ("kyiv", ("kiev",), "ukraine"),
            ("mariupol", (), "donetsk"),
            ("avdiivka", ("avdeevka", "avdiyivka"), "donetsk"),
            ("vuhledar", ("ugledar",), "donetsk"),
            ("soledar", (), "donetsk"),
            ("chasiv yar", ("chasov yar",), "donetsk"),
            ("toretsk", (), "donetsk"),
            ("kramatorsk", (), "donetsk"),
            ("sloviansk", ("slavyansk",), "donetsk"),
            ("kostiantynivka", ("konstantinovka",), "donetsk"),
            ("myrnohrad", ("dimitrov",), "donetsk"),
            ("luhansk", ("lugansk",), "ukraine"),
            ("sievierodonetsk", ("severodonetsk",), "ukraine"),
            ("lysychansk", ("lisichansk",), "ukraine"),
            ("kupiansk", ("kupyansk",), "ukraine"),
            ("lyman", (), "ukraine"),
            ("izium", ("izyum",), "ukraine"),
            ("zaporizhzhia", ("zaporizhia", "zaporozhye", "robotyne"), "ukraine"),
            ("crimea", (), "ukraine"),
            ("odesa", ("odessa",), "ukraine"),
            ("mykolaiv", ("nikolaev",), "ukraine"),
            ("dnipro", (), "ukraine"),
            ("sumy", (), "ukraine"),
            ("chernihiv", (), "ukraine"),
            ("bucha", ("irpin", "hostomel"), "ukraine"),
            ("kursk", (), None),
            ("belgorod", (), None),
            ("moscow", (), None),
            ("syria", (), None),
            ("chechnya", ("grozny",), None),
            ("vietnam", (), None),
            ("korea", ("korean war",), None),
            ("gaza", ("israel",), None),
            ("georgia", ("south ossetia",), None),
            (
                "world war",
                (
                    "ww1",
                    "ww2",
                    "wwi",
                    "wwii",
                    "great patriotic war",
                    "stalingrad",
                    "normandy",
                    "second world war",
                    "first world war",
                ),
                None,
            ),
        )
    },
}

MEASURES: Final[Mapping[str, tuple[str, ...]]] = {
    "killed": (
        "killed",
        "kill",
        "kills",
        "died",
        "die",
        "dies",
        "dead",
        "death",
        "deaths",
        "fatalities",
        "fatality",
        "fatal",
        "kia",
        "perished",
        "lives",
        "fallen",
        "fell",
        "slain",
        "death toll",
        "body count",
        "bodies",
    ),
    "wounded": ("wounded", "wound", "wounds", "injured", "injuries", "injury", "wia", "hurt"),
    "casualties": ("casualties", "casualty", "losses", "loss", "lost", "lose", "toll", "attrition"),
    "missing": ("missing", "mia"),
    "captured": ("captured", "prisoners", "prisoner", "pows", "pow", "surrendered"),
}

# claimant id -> phrases; claims get ids from their claimant, publisher, reporter and aliases.
CLAIMANTS: Final[Mapping[str, tuple[str, ...]]] = {
    "uk-mod": (
        "uk mod",
        "ukmod",
        "uk ministry of defence",
        "uk ministry of defense",
        "uk defence",
        "british defence ministry",
        "british defense ministry",
        "british ministry of defence",
        "british mod",
        "british defence intelligence",
        "british intelligence",
        "uk intelligence",
        "uk defence intelligence",
        "british government",
        "britain",
        "london",
    ),
    "kp": ("kp", "komsomolskaya pravda", "komsomolskaya", "komsomolka", "pravda", "tabloid"),
    "ru-mod": (
        "russian mod",
        "russian ministry of defence",
        "russian ministry of defense",
        "russian defence ministry",
        "russian defense ministry",
        "ru mod",
        "moscow says",
        "russian government",
        "kremlin figure",
        "putins figure",
    ),
    "official": (
        "official",
        "officially",
        "official figure",
        "official figures",
        "admit",
        "admits",
        "admitted",
        "acknowledge",
        "acknowledges",
        "acknowledged",
    ),
    "us-intel": (
        "us intelligence",
        "us estimate",
        "us estimates",
        "american intelligence",
        "pentagon",
        "us officials",
        "american estimate",
    ),
    "western-intel": (
        "western intelligence",
        "western officials",
        "western estimate",
        "western assessment",
        "western intel",
    ),
    "bbc": ("bbc", "bbc media action", "mediazona"),
    "nato": ("nato", "stoltenberg", "jens stoltenberg"),
    "ua-general-staff": ("general staff", "genshtab", "ukrainian general staff"),
    "ua-estimates": (
        "ukrainian estimates",
        "ukrainian estimate",
        "ukrainian officials",
        "ukraine estimate",
        "ukraine estimates",
        "ukraines estimate",
        "ukraine says",
        "ukraine claims",
        "according to ukraine",
        "ukrainian side",
        "kyiv says",
        "ukrainian sources",
        "cepa",
        "centre for european policy analysis",
        "center for european policy analysis",
    ),
    "blogger": (
        "blogger",
        "bloggers",
        "milblogger",
        "military blogger",
        "video",
        "gerashchenko",
        "anton gerashchenko",
    ),
    "zetnik": ("zetnik",),
    "wsj": ("wsj", "wall street journal", "trofimov", "yaroslav trofimov"),
    "hawkins": ("hawkins", "david hawkins", "opinion piece"),
    # Claimants no seed claim has: naming one must not fall through to another's figure.
    "oryx": ("oryx",),
    "iiss": ("iiss",),
    "cia": ("cia",),
}

# Subjects other than soldiers: a question about these is not about any stored claim.
SUBJECTS: Final[Mapping[str, tuple[str, ...]]] = {
    "equipment": (
        "tank",
        "tanks",
        "armour",
        "armor",
        "armoured vehicles",
        "vehicles",
        "vehicle",
        "apc",
        "apcs",
        "ifv",
        "ifvs",
        "artillery",
        "guns",
        "aircraft",
        "planes",
        "plane",
        "jets",
        "helicopters",
        "helicopter",
        "drones",
        "drone",
        "ships",
        "ship",
        "warships",
        "boats",
        "missiles",
        "missile",
        "equipment",
        "hardware",
        "weapons",
        "weapon",
        "rocket launchers",
        "air defence",
        "air defense",
        "systems",
    ),
    "civilians": (
        "civilian",
        "civilians",
        "children",
        "child",
        "kids",
        "women",
        "noncombatants",
        "non combatants",
        "residents",
    ),
    "mercenaries": ("mercenaries", "mercenary", "wagner", "pmc", "convicts", "prisoners recruited"),
}

# Topics that are not casualty counts at all; they block an answer unless a measure is named.
TOPICS: Final[Mapping[str, tuple[str, ...]]] = {
    "population": ("population", "inhabitants", "live", "living", "people live", "populated"),
    "troop strength": (
        "stationed",
        "deployed",
        "concentrated",
        "massed",
        "amassed",
        "mobilised",
        "mobilized",
        "mobilisation",
        "mobilization",
        "strength",
        "army size",
        "size of the army",
        "recruited",
        "recruits",
        "reinforcements",
        "near",
        "fighting near",
        "serve",
        "serving",
        "size",
        "have",
        "how many",
    ),
    "off topic": (
        "weather",
        "temperature",
        "rain",
        "snow",
        "forecast",
        "cost",
        "costs",
        "money",
        "dollars",
        "euros",
        "budget",
        "spent",
        "gdp",
        "price",
        "prices",
        "refugees",
        "displaced",
        "fled",
        "territory",
        "square",
        "km",
        "kilometres",
        "kilometers",
        "miles",
        "oil",
        "gas",
        "sanctions",
        "football",
        "score",
        "joke",
        "recipe",
        "time",
        "news",
        "aid",
        "how much",
    ),
}

PER_DAY: Final = ("a day", "per day", "each day", "every day", "daily", "day")

# Periods: "so far" totals, and the first weeks of the full-scale invasion.
PERIODS: Final[Mapping[str, tuple[str, ...]]] = {
    "cumulative": (
        "since the start",
        "since the beginning",
        "so far",
        "to date",
        "in total",
        "total",
        "overall",
        "altogether",
        "since the invasion",
        "whole war",
        "entire war",
        "all together",
    ),
    "early": (
        "first weeks",
        "first week",
        "first month",
        "first months",
        "first days",
        "early days",
        "early weeks",
        "beginning of the war",
        "start of the war",
        "start of the invasion",
        "early in the war",
        "at first",
        "initially",
    ),
}
NEGATIONS: Final = frozenset({"not", "except", "excluding", "besides", "unlike", "non"})
MONTHS: Final = frozenset(
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)

# Words that may follow "in"/"at"/"near" without naming a place.
NOT_PLACES: Final = (
    frozenset(
        "total all the a an this that its it war wars battle battles fighting combat action "
        "attacks attack assault assaults campaign offensive one each every year years month "
        "months day days week weeks first last past recent order fact general particular "
        "numbers figures just so far there here question".split()
    )
    | MONTHS
)

STOPWORDS: Final = frozenset(
    "a an the of in on at to for from by with about around near how many much what who "
    "whom which when where why is are was were be been being do does did done has have "
    "had having so far since until till up over under than more less fewer least most "
    "and or but not no any some all there their they them it its this that these those i "
    "me my we our you your he she his her please tell say said says claim claims claimed "
    "according estimate estimated estimates figure figures number numbers count counted "
    "soldiers soldier troops troop men servicemen military army forces personnel "
    "fighters people person s t can could would will shall should may might show give me "
    "latest new newest recent current real actual true exact exactly roughly "
    "approximately nearly almost just only really total overall war battle fighting "
    "during within inside invasion operation special conflict year years month months "
    "day days week weeks one two three hundred thousand thousands million millions k m "
    "per each every between as if then also ever yet still already".split()
)

# --- normalisation ----------------------------------------------------------------------

_NUMBER_WORDS: Final = {
    "thousand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "m": 1_000_000,
    "mln": 1_000_000,
    "hundred": 100,
}
_SMALL_NUMBERS: Final = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "half": 0.5,
}
_TOKEN_RE: Final = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
_SUFFIXED_NUMBER_RE: Final = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(k|m|mln)\b", re.IGNORECASE)
YEAR_RANGE: Final = range(1900, 2101)


def normalise(text: str) -> str:
    """Fold case, compatibility forms and apostrophes; keep letters and digits."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[’'`´]s\b", "s", text)  # "Russia's" -> "russias", like the lexicon
    text = text.replace("u.s.", "us").replace("u.k.", "uk")
    return _SUFFIXED_NUMBER_RE.sub(r"\1 \2", text)  # "100k" -> "100 k"


def tokenize(text: str) -> list[str]:
    """Normalised word and number tokens; thousands separators are dropped from numbers."""
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


def parse_numbers(tokens: list[str]) -> set[int]:
    """Numbers a question names: "100,000", "100k", "a million", "80-100 thousand"."""
    numbers: set[int] = set()
    values: list[float | None] = []
    for token in tokens:
        if re.fullmatch(r"\d+(?:\.\d+)?", token):
            values.append(float(token))
        elif token in _SMALL_NUMBERS:
            values.append(float(_SMALL_NUMBERS[token]))
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


# --- phrase matching --------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    kind: str
    id: str


@dataclass(frozen=True)
class Hit:
    concept: Concept
    start: int
    end: int


class PhraseMatcher:
    """Finds concept phrases in token lists, longest first, without overlaps."""

    def __init__(self, table: Mapping[tuple[str, ...], Concept]) -> None:
        self._table = dict(table)
        self._longest = max((len(phrase) for phrase in self._table), default=1)
        self.words = frozenset(word for phrase in self._table for word in phrase)

    def find(self, tokens: list[str]) -> list[Hit]:
        hits: list[Hit] = []
        index = 0
        while index < len(tokens):
            for size in range(min(self._longest, len(tokens) - index), 0, -1):
                concept = self._table.get(tuple(tokens[index : index + size]))
                if concept is not None:
                    hits.append(Hit(concept, index, index + size))
                    index += size
                    break
            else:
                index += 1
        return hits


def _phrases(kind: str, table: Mapping[str, Iterable[str]]) -> dict[tuple[str, ...], Concept]:
    return {
        tuple(tokenize(phrase)): Concept(kind, key)
        for key, phrases in table.items()
        for phrase in phrases
    }


def build_matcher() -> PhraseMatcher:
    """One matcher for every concept kind; later kinds never shadow claimant phrases."""
    table: dict[tuple[str, ...], Concept] = {}
    table |= _phrases("topic", TOPICS)
    table |= _phrases("subject", SUBJECTS)
    table |= _phrases("measure", MEASURES)
    table |= _phrases("side", SIDES)
    table |= _phrases("place", {place: aliases for place, (aliases, _) in PLACES.items()})
    table |= _phrases("per", {"day": PER_DAY})
    table |= _phrases("period", PERIODS)
    table |= _phrases("claimant", CLAIMANTS)
    return PhraseMatcher(table)


MATCHER: Final = build_matcher()


def place_ancestors(place: str) -> list[str]:
    """The place and every place that contains it, innermost first."""
    chain = [place]
    parent = PLACES[place][1]
    while parent is not None:
        chain.append(parent)
        parent = PLACES[parent][1]
    return chain
