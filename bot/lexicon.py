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
from functools import cache, lru_cache
from typing import Final

import pymorphy3
import Stemmer
from anyascii import anyascii

from bot import lexicon_uk_ru as uk_ru

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
    "afghanistan": (("afghanistan", "afghan war", "soviet afghan war"), None),
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
        "lost their lives",
        "lost lives",
        "lives lost",
        "lost his life",
        "body count",
        "bodies",
    ),
    "wounded": ("wounded", "wound", "wounds", "injured", "injuries", "injury", "wia", "hurt"),
    "casualties": (
        "casualties",
        "casualty",
        "losses",
        "loss",
        "lost",
        "lose",
        "toll",
        "attrition",
        "out of action",
        "knocked out",
        "taken out",
        "put out of action",
        "out of the fight",
    ),
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
        "kremlins own",
        "kremlin own",
        "moscows own",
        "russias own",
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
    "blogger": ("blogger", "bloggers", "milblogger", "military blogger"),
    "video": ("video", "clip", "footage"),
    "gerashchenko": ("gerashchenko", "anton gerashchenko"),
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

PER_DAY: Final = ("a day", "per day", "each day", "every day", "every single day", "daily", "day")

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
_NEGATIONS_EN: Final = frozenset(
    {
        "not",
        "except",
        "excluding",
        "besides",
        "unlike",
        "non",
        "without",
        "isn't",
        "isnt",
        "aren't",
        "arent",
        "don't",
        "dont",
        "only",
    }
)
# Words after a side that make it a source: "British data", "Ukrainian estimates".
_SOURCE_WORDS_EN: Final = frozenset(
    "data estimates estimate intelligence officials sources assessment assessments own".split()
)
# The claimant a side's own sources stand for.
SIDE_SOURCES: Final = {
    "british": "uk-mod",
    "ukrainian": "ua-estimates",
    "russian": "ru-mod",
    "us": "us-intel",
}
MONTHS: Final = frozenset(
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)

# Words that may follow "in"/"at"/"near" without naming a place.
_NOT_PLACES_EN: Final = (
    frozenset(
        "total all the a an this that its it war wars battle battles fighting combat action "
        "attacks attack assault assaults campaign offensive one each every year years month "
        "months day days week weeks first last past recent order fact general particular "
        "numbers figures just so far there here question front frontline frontlines "
        "battlefield ground field line lines trenches spring summer autumn fall winter "
        "quarter half".split()
    )
    | MONTHS
)

_STOPWORDS_EN: Final = frozenset(
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

_NUMBER_WORDS_EN: Final = {
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
_FRACTIONS: Final = (
    ("a quarter of a million", "250000"),
    ("quarter of a million", "250000"),
    ("half a million", "500000"),
    ("чверть мільйона", "250000"),
    ("четверть миллиона", "250000"),
    ("пів мільйона", "500000"),
    ("полмиллиона", "500000"),
    ("півмільйона", "500000"),
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
def _morph_uk() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="uk")


@lru_cache(maxsize=100_000)
def normal_form(word: str, lang: str) -> str:
    """One form for all inflections: a Snowball stem (Russian), a pymorphy3 lemma (Ukrainian).

    Snowball has no Ukrainian stemmer, so Ukrainian uses pymorphy3's dictionary instead.
    Latin-script words are left as they are.
    """
    if not CYRILLIC.search(word):
        return word
    if lang == "uk":
        return str(_morph_uk().parse(word)[0].normal_form).replace("'", "")
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


def cyrillic_key(word: str) -> str:
    """A Cyrillic key that forgives unstressed-vowel spelling ("салдат", "расийских")."""
    key = word.translate(_VOWEL_FOLD)
    return re.sub(r"(.)\1+", r"\1", key)


def translit_key(word: str) -> str:
    """A Latin key on which transliterations of the same Cyrillic word agree."""
    key = anyascii(word).lower()
    for old, new in _TRANSLIT_FOLDS:
        key = key.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", key)  # "rossii" and "rosii" alike


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

    def concepts(self, kind: str) -> frozenset[str]:
        """Every concept id of one kind that some phrase names."""
        return frozenset(concept.id for concept in self._table.values() if concept.kind == kind)

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
        tuple(tokens): Concept(kind, key)
        for key, phrases in table.items()
        for phrase in phrases
        for tokens in token_variants(phrase)
    }


def _merge(*tables: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for key, phrases in table.items():
            merged[key] = (*merged.get(key, ()), *phrases)
    return merged


def _words(*groups: Iterable[str]) -> frozenset[str]:
    """Every normal form of every word in the groups, in every language."""
    return frozenset(
        token
        for group in groups
        for word in group
        for tokens in token_variants(word)
        for token in tokens
    )


def build_matcher() -> PhraseMatcher:
    """One matcher for every concept kind; later kinds never shadow claimant phrases."""
    places = {
        place: aliases + uk_ru.PLACES.get(place, ()) for place, (aliases, _) in PLACES.items()
    }
    table: dict[tuple[str, ...], Concept] = {}
    table |= _phrases("topic", _merge(TOPICS, uk_ru.TOPICS))
    table |= _phrases("subject", _merge(SUBJECTS, uk_ru.SUBJECTS))
    table |= _phrases("measure", _merge(MEASURES, uk_ru.MEASURES))
    table |= _phrases("side", _merge(SIDES, uk_ru.SIDES))
    table |= _phrases("place", places)
    table |= _phrases("per", {"day": PER_DAY + uk_ru.PER_DAY})
    table |= _phrases("period", _merge(PERIODS, uk_ru.PERIODS))
    table |= _phrases("claimant", _merge(CLAIMANTS, uk_ru.CLAIMANTS))
    return PhraseMatcher(table)


NEGATIONS: Final = _NEGATIONS_EN | _words(uk_ru.NEGATIONS)
SOURCE_WORDS: Final = _SOURCE_WORDS_EN | _words(uk_ru.SOURCE_WORDS)
NOT_PLACES: Final = _NOT_PLACES_EN | _words(uk_ru.STOPWORDS)
STOPWORDS: Final = _STOPWORDS_EN | _words(uk_ru.STOPWORDS)
PLACE_PREPOSITIONS: Final = frozenset(
    {"in", "at", "near", "around", "outside", "inside", "into", "on", "over"}
) | _words(uk_ru.PLACE_PREPOSITIONS)
COUNT_WORDS: Final = frozenset({"many"}) | _words(uk_ru.COUNT_WORDS)
_NUMBER_WORDS: Final = _NUMBER_WORDS_EN | {
    form: value for word, value in uk_ru.NUMBER_WORDS.items() for form in _words([word])
}
MATCHER: Final = build_matcher()


def place_ancestors(place: str) -> list[str]:
    """The place and every place that contains it, innermost first."""
    chain = [place]
    parent = PLACES[place][1]
    while parent is not None:
        chain.append(parent)
        parent = PLACES[parent][1]
    return chain
