"""The numbers of a sentence that could be casualty figures, with their ranges and qualifiers.

Digits with any separator ("9,861", "9 861", "9.861"), words and scales ("one million",
"80–100 thousand", "1,5 млн", "half a million"), ranges ("between 40,000 and 50,000") and
qualifiers ("more than", "понад", "около", "up to"). Years, days of a month, money, shares,
units, ages, times and model names ("Su-25") are left out here; whether a figure counts
casualties at all is decided by what governs it (``bot.extract.meaning``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from bot.extract.dates import is_year, month_positions
from bot.extract.phrases import as_written
from bot.extract.sentences import Sentence
from bot.extract.tokens import Token, tail
from bot.extract.words import WORDS
from bot.text import CYRILLIC, normal_form
from bot.vocabulary import VOCABULARY

MAX_FIGURE: Final = 10**10  # the store's limit: anything larger is no count of people
DASHES: Final = frozenset({"-", "–", "—", "−"})
_ROUND: Final = 100  # a figure in digits that is not a multiple of this is taken as exact


def _forms(word: str) -> set[str]:
    """A word in every form an article's tokens may hold it in."""
    norm = as_written(word)
    if not CYRILLIC.search(norm):
        return {norm}
    return {normal_form(norm, lang) for lang in ("uk", "ru")}


def _word_values(pairs: Mapping[str, float]) -> dict[str, float]:
    return {form: value for word, value in pairs.items() for form in _forms(word)}


_SCALES: Final = _word_values(
    {word: scale.value for scale in VOCABULARY.scales.values() for word in scale.words.all}
)
# Small numbers by their written form: a stem would take "Семьям" for "семь".
_SMALL: Final = {
    as_written(word): value
    for word, value in (
        {word: n.value for n in VOCABULARY.small_numbers.values() for word in n.words.all}
        | dict(WORDS.number_words)
    ).items()
}
# "мільйон" alone is a million ("понад мільйон", "свыше миллиона"); "m" alone is not.
_BARE_MILLIONS: Final = frozenset(
    form
    for scale in VOCABULARY.scales.values()
    if scale.value >= 1_000_000
    for word in scale.words.all
    if word not in WORDS.attached_scales
    for form in _forms(word)
)
_FRACTIONS: Final = tuple(
    sorted(
        (
            (tuple(variant), fraction.value)
            for fraction in VOCABULARY.fractions.values()
            for phrase in fraction.words.all
            for variant in {
                tuple(normal_form(as_written(w), lang) for w in phrase.split())
                for lang in ("uk", "ru")
            }
        ),
        key=lambda item: -len(item[0]),
    )
)


@dataclass(frozen=True)
class Quantity:
    """A number as written: its value, its tokens and whether a scale word multiplied it."""

    value: float
    start: int
    end: int
    digits: bool
    scale: float = 1.0


@dataclass(frozen=True)
class Figure:
    """A number that may be a casualty figure: a value or a range, with its qualifier."""

    low: int
    high: int | None
    start: int  # first token ("between" included)
    end: int
    qualifier: str | None
    digits: bool

    @property
    def value(self) -> int | tuple[int, int]:
        return self.low if self.high is None else (self.low, self.high)


def _scale_allowed(token: Token) -> bool:
    """ "100k" and "5m" need the letter attached; "5 m" may be metres."""
    if token.norm in WORDS.attached_scales and token.norm != "mln":
        return token.sep == ""
    return True


def _fraction_at(stems: Sequence[str], index: int) -> tuple[float, int] | None:
    for phrase, value in _FRACTIONS:
        if tuple(stems[index : index + len(phrase)]) == phrase:
            return value, index + len(phrase)
    return None


def _word_number(tokens: Sequence[Token], index: int) -> tuple[float, int] | None:
    """ "twenty", "twenty-five", "a" (before a scale), "півтора"."""
    value = _SMALL.get(tokens[index].norm)
    if value is None:
        return None
    end = index + 1
    if value >= 20 and value % 10 == 0 and end < len(tokens):
        units = _SMALL.get(tokens[end].norm)
        if units is not None and 1 <= units < 10 and units == int(units):
            value, end = value + units, end + 1
    return value, end


def _quantity_at(tokens: Sequence[Token], stems: Sequence[str], index: int) -> Quantity | None:
    token = tokens[index]
    fraction = _fraction_at(stems, index)
    if fraction is not None:
        return Quantity(fraction[0], index, fraction[1], digits=False)
    if token.is_number:
        value, end, digits = token.value, index + 1, True
    elif token.stem in _BARE_MILLIONS:
        value, end, digits = 1.0, index, False
    else:
        word = _word_number(tokens, index)
        if word is None:
            return None
        (value, end), digits = word, False
    scale = 1.0
    while end < len(tokens) and stems[end] in _SCALES and _scale_allowed(tokens[end]):
        scale *= _SCALES[stems[end]]
        end += 1
    if not digits and ((scale == 1.0 and value < 2) or end == index):
        return None  # "a", "one", "half" alone
    return Quantity(value * scale, index, end, digits, scale)


def quantities(sentence: Sentence) -> list[Quantity]:
    """Every number the sentence writes, in order, each with its scale words."""
    tokens, stems = sentence.tokens, sentence.stems
    found: list[Quantity] = []
    index = 0
    while index < len(tokens):
        quantity = _quantity_at(tokens, stems, index)
        if quantity is None:
            index += 1
            continue
        found.append(quantity)
        index = quantity.end
    return found


def _joined(sentence: Sentence, left: Quantity, right: Quantity) -> int | None:
    """Where a range of the two starts, if the words between make one: "80–100",
    "80,000 to 100,000", "between 40,000 and 50,000", "від 80 до 100"."""
    tokens = sentence.tokens
    if right.start == left.end and tokens[right.start].sep.strip() in DASHES:
        return left.start
    if right.start != left.end + 1:
        return None
    between = tokens[left.end].norm
    if between in WORDS.range_words:
        return left.start
    opener = tokens[left.start - 1].norm if left.start else ""
    if between in WORDS.range_close and opener in WORDS.range_open:
        return left.start - 1
    return None


def _range(sentence: Sentence, left: Quantity, right: Quantity) -> Figure | None:
    start = _joined(sentence, left, right)
    if start is None:
        return None
    low = left.value
    if left.scale == 1.0 and right.scale > 1.0 and low * right.scale <= right.value:
        low *= right.scale  # "80–100 thousand": the scale is both ends'
    if not low < right.value:
        return None
    return Figure(int(low), int(right.value), start, right.end, None, left.digits)


def _plain(quantity: Quantity) -> Figure:
    return Figure(int(quantity.value), None, quantity.start, quantity.end, None, quantity.digits)


def _pairs(sentence: Sentence, found: list[Quantity]) -> list[tuple[Figure, list[Quantity]]]:
    """Quantities as figures: ranges joined, each with the quantities it is made of."""
    figures: list[tuple[Figure, list[Quantity]]] = []
    index = 0
    while index < len(found):
        joined = (
            _range(sentence, found[index], found[index + 1]) if index + 1 < len(found) else None
        )
        if joined is not None:
            figures.append((joined, found[index : index + 2]))
            index += 2
        else:
            figures.append((_plain(found[index]), [found[index]]))
            index += 1
    return figures


def figures(sentence: Sentence) -> list[Figure]:
    """The numbers of the sentence that may be casualty figures, with their qualifiers."""
    months = month_positions(sentence)
    kept = []
    for figure, parts in _pairs(sentence, quantities(sentence)):
        if any(not_a_count(sentence, part, months) for part in parts):
            continue
        if not figure.digits and figure.low < _ROUND and not _names_people_next(sentence, figure):
            continue  # "in two cities": a small number in words counts people only beside them
        if not 1 <= figure.low <= MAX_FIGURE or (figure.high or 0) > MAX_FIGURE:
            continue
        kept.append(replace(figure, qualifier=qualifier(sentence, figure)))
    return kept


def _names_people_next(sentence: Sentence, figure: Figure) -> bool:
    """ "two soldiers", "five Russian troops", "two killed"."""
    return any(
        hit.concept.kind in ("subject", "measure")
        and hit.concept.id != "equipment"
        and figure.end <= hit.start <= figure.end + 1
        for hit in sentence.hits
    )


# --- numbers that are not counts of people --------------------------------------------------


def _is_year_number(sentence: Sentence, quantity: Quantity, months: Mapping[int, int]) -> bool:
    """ "in 2023", "2022–2023": a year. "2000 soldiers died" is a count (a person or a
    measure word follows and no word of time comes before)."""
    tokens = sentence.tokens
    if quantity.scale != 1.0 or not is_year(tokens[quantity.start]):
        return False
    after = quantity.end
    counted = any(
        hit.start == after and hit.concept.kind in ("subject", "measure") for hit in sentence.hits
    )
    before = tokens[quantity.start - 1].norm if quantity.start else ""
    timed = before in WORDS.period_year_before or (quantity.start - 1) in months
    return not counted or timed


def _is_day(sentence: Sentence, quantity: Quantity, months: Mapping[int, int]) -> bool:
    token = sentence.tokens[quantity.start]
    if quantity.scale != 1.0 or not token.text.isdigit() or not 1 <= int(token.text) <= 31:
        return False
    return (quantity.start - 1) in months or quantity.end in months


def _attached(sentence: Sentence, quantity: Quantity) -> bool:
    """ "93rd", "1990s", "10km", "Su-25", "T-90": letters on the number make it no count."""
    tokens = sentence.tokens
    first = tokens[quantity.start]
    if quantity.start and first.sep in DASHES | {""} and tokens[quantity.start - 1].kind == "word":
        previous = tokens[quantity.start - 1]
        if first.sep == "" or previous.text[:1].isupper():
            return True
    end = quantity.end
    return end < len(tokens) and tokens[end].sep == "" and tokens[end].kind == "word"


def _age(sentence: Sentence, quantity: Quantity) -> bool:
    """ "Aslan Mukhtarov, 29, had been killed": a number between commas after a name."""
    tokens = sentence.tokens
    if quantity.start == 0 or quantity.end >= len(tokens) or quantity.value >= 130:
        return False
    name = tokens[quantity.start - 1]
    return (
        "," in tokens[quantity.start].sep
        and "," in tokens[quantity.end].sep
        and name.capitalised
        and name.kind == "word"
    )


def _hyphened_word(sentence: Sentence, quantity: Quantity) -> bool:
    """ "85-річна", "21-й", "20-year-old", "5-day": a number joined to a word by a hyphen."""
    tokens = sentence.tokens
    end = quantity.end
    return (
        end < len(tokens)
        and tokens[end].kind == "word"
        and tokens[end].sep in DASHES
        and tokens[end].stem not in _SCALES
    )


def _signed(sentence: Sentence, quantity: Quantity) -> bool:
    """ "$5", "5%", "10:30", "№ 3"."""
    before = sentence.tokens[quantity.start].sep[-2:]
    after = tail(sentence.text, sentence.tokens, quantity.end - 1)
    if any(sign in before for sign in WORDS.signs_before):
        return True
    if after[:2].strip()[:1] in set(WORDS.signs_after):
        return True
    following = sentence.tokens[quantity.end] if quantity.end < len(sentence.tokens) else None
    return after == ":" and following is not None and following.is_number


def _unit_words(sentence: Sentence, quantity: Quantity) -> bool:
    """ "20 years", "10 km", "tens of thousands of views", "a town of 60,000", "aged 19"."""
    stems = sentence.stems
    after = quantity.end
    if WORDS.not_figure_after.at(stems, after) is not None:
        return True
    if after < len(stems) and stems[after] == "of" and WORDS.not_figure_after.at(stems, after + 1):
        return True
    before = qualifier_start(stems, quantity.start)
    return WORDS.not_figure_before.ending_at(stems, before) is not None


def not_a_count(sentence: Sentence, quantity: Quantity, months: Mapping[int, int]) -> bool:
    """Whether a number is plainly something else than a count of people."""
    if quantity.digits and quantity.scale == 1.0 and quantity.value != int(quantity.value):
        return True  # "3.5" alone: a rate or a measurement
    return (
        _is_year_number(sentence, quantity, months)
        or _is_day(sentence, quantity, months)
        or _attached(sentence, quantity)
        or _hyphened_word(sentence, quantity)
        or _age(sentence, quantity)
        or _signed(sentence, quantity)
        or _unit_words(sentence, quantity)
    )


# --- qualifiers -----------------------------------------------------------------------------


def qualifier(sentence: Sentence, figure: Figure) -> str | None:
    """ "more than", "about", "up to"... from the words around the figure; "exact" for a
    figure in digits that is not round; None for a round or a ranged one."""
    stems = sentence.stems
    if figure.high is not None and sentence.tokens[figure.start].is_number is False:
        return None  # "between 40,000 and 50,000": the range says it all
    for option in WORDS.qualifiers:
        start = option.before.ending_at(stems, figure.start)
        if start is not None and not _changes_to(sentence, start, option.id):
            return option.id
        if option.after.at(stems, figure.end) is not None:
            return option.id
    if tail(sentence.text, sentence.tokens, figure.end - 1).startswith("+"):
        return "at least"
    if figure.high is None and figure.digits and figure.low % _ROUND:
        return "exact"
    return None


def _changes_to(sentence: Sentence, start: int, found: str) -> bool:
    """ "зросла до 500": "до" after a verb of change says where a count went, not "up to"."""
    return found == "up to" and WORDS.change_words.ending_at(sentence.stems, start) is not None


def qualifier_start(stems: Sequence[str], start: int) -> int:
    """Where the qualifier before token ``start`` begins ("a town of some 60,000"), or
    ``start`` itself when there is none."""
    for option in WORDS.qualifiers:
        found = option.before.ending_at(stems, start)
        if found is not None:
            return found
    return start
