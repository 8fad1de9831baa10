"""Parsers for what admins type: figures, dates, ``/addclaim`` lines and ``/editclaim`` edits.

Pure functions. Each either returns valid values or raises ``ClaimValidationError`` whose
``FieldError`` names the part of the line that is wrong.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Final

from bot.lexicon import MATCHER
from bot.text import tokenize
from bot.vocabulary import VOCABULARY
from store import (
    EDITABLE_FIELDS,
    ClaimCreate,
    ClaimValidationError,
    FieldError,
    check_figure,
    validate_claim,
)

_QUALIFIER_PREFIXES: Final = (
    ("more than", "more than"),
    ("over", "more than"),
    (">=", "at least"),
    ("≥", "at least"),
    (">", "more than"),
    ("at least", "at least"),
    ("fewer than", "fewer than"),
    ("less than", "fewer than"),
    ("under", "fewer than"),
    ("<=", "up to"),
    ("≤", "up to"),
    ("<", "fewer than"),
    ("up to", "up to"),
    ("about", "about"),
    ("around", "about"),
    ("approximately", "about"),
    ("approx", "about"),
    ("~", "about"),
    ("c.", "about"),
)
_NUMBER_RE: Final = re.compile(r"^\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+$|^\d+$")
_SCALES: Final = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000}
_DASHES: Final = re.compile(r"\s*[-–—]\s*")
ADDCLAIM_PARTS: Final = ("FIGURE", "WHAT", "CLAIMANT", "DATE", "CAVEATS")
_WHERE_RE: Final = re.compile(r"\b(?:in|at|near|around)\s+(.+)$", re.IGNORECASE)
_PERIOD_RE: Final = re.compile(
    r"(?:,\s*|\s+)((?:since|from|between|during)\s+.*"
    r"|(?:in\s+)?\d{4}(?:\s*[-–]\s*\d{2,4})?)$",
    re.IGNORECASE,
)
_PER_RE: Final = re.compile(r"\s*\b(a day|per day|each day|every day|daily)\b", re.IGNORECASE)
# The measures a WHAT can name, and their words, which "who" leaves out: longest first.
_NAMED_MEASURES: Final = [m.id for m in VOCABULARY.measures.values() if m.words.all]
_MEASURE_WORDS: Final = sorted(
    {word for measure in VOCABULARY.measures.values() for word in measure.words.all},
    key=lambda word: (-len(word), word),
)
_MEASURE_WORDS_RE: Final = re.compile(
    r"\b(?:" + "|".join(re.escape(word) for word in [*_MEASURE_WORDS, "and", "or"]) + r")\b",
    re.IGNORECASE,
)


def _fail(field: str, message: str) -> ClaimValidationError:
    return ClaimValidationError([FieldError(field, message)])


def _number(text: str) -> int:
    text = text.strip().lower()
    scale = 1
    for word, factor in _SCALES.items():
        if text.endswith(word) and text[: -len(word)].strip():
            text, scale = text[: -len(word)].strip(), factor
            break
    try:
        if _NUMBER_RE.match(text):
            return int(re.sub(r"\D", "", text)) * scale
        if scale > 1 and re.fullmatch(r"\d+\.\d+", text):
            return round(float(text) * scale)
    except (ValueError, OverflowError):  # int() stops at 4,300 digits; a float overflows to inf
        raise _fail("figure", f"{text[:20]}… is out of range") from None
    raise _fail("figure", f'"{text}" is not a number')


def parse_figure(text: str) -> tuple[int | list[int], str | None]:
    """``"~9,000"`` -> ``(9000, "about")``; ``"80,000–100,000"`` -> ``([80000, 100000], None)``."""
    rest = " ".join(text.split()).lower()
    if not rest:
        raise _fail("figure", "is missing")
    qualifier = None
    for prefix, meaning in _QUALIFIER_PREFIXES:
        if rest.startswith(prefix):
            qualifier, rest = meaning, rest[len(prefix) :].strip()
            break
    if rest.endswith("+"):
        qualifier, rest = qualifier or "more than", rest[:-1].strip()
    parts = _DASHES.split(rest) if not rest.startswith("-") else [rest]
    if len(parts) > 2:
        raise _fail("figure", f'"{text.strip()}" is not a number or a range')
    if len(parts) == 2:
        # "80-100k": a scale written once, on the high end, applies to both ends.
        scale = next(
            (w for w in _SCALES if parts[1].endswith(w) and parts[1][: -len(w)].strip()), ""
        )
        if scale and not any(parts[0].endswith(w) for w in _SCALES):
            parts[0] += scale
    values = [_number(part) for part in parts]
    try:
        low, high = check_figure(values if len(values) == 2 else values[0])
    except ValueError as exc:  # PydanticCustomError carries the message we want
        raise _fail("figure", str(exc)) from None
    return (low if high is None else [low, high]), qualifier


def parse_what(text: str) -> dict[str, Any]:
    """Measure, who, where, period and rate from free text like
    "Russian troops killed in Bakhmut, 2023"."""
    what = " ".join(text.split())
    hits = [hit for hit in MATCHER.find(tokenize(what)) if hit.concept.kind == "measure"]
    measures = {hit.concept.id for hit in hits}
    if {"killed", "wounded"} <= measures:
        measure = "killed or wounded"
    elif measures:
        measure = sorted(measures)[0]
    else:
        named = f"{', '.join(_NAMED_MEASURES[:-1])} or {_NAMED_MEASURES[-1]}"
        raise _fail("WHAT", f"say what is counted: {named}")
    values: dict[str, Any] = {"measure": measure}
    rest = what
    if _PER_RE.search(rest):
        values["per"] = "day"
        rest = _PER_RE.sub("", rest)
    period = _PERIOD_RE.search(rest)
    if period:
        values["period"] = period.group(1).strip(" ,")
        rest = rest[: period.start()]
    where = _WHERE_RE.search(rest)
    if where:
        values["where"] = where.group(1).strip(" ,")
        rest = rest[: where.start()]
    who = _MEASURE_WORDS_RE.sub(" ", rest)
    values["who"] = " ".join(who.split()).strip(" ,") or what
    return values


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def parse_addclaim(line: str) -> ClaimCreate:
    """``FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]`` -> a validated claim."""
    parts = [part.strip() for part in line.split("|")]
    if len(parts) < len(ADDCLAIM_PARTS) or len(parts) > len(ADDCLAIM_PARTS) + 1:
        raise _fail("format", f"expected {len(ADDCLAIM_PARTS)} or 6 parts separated by |")
    figure_text, what, claimant, date, caveats = parts[:5]
    missing = [name for name, value in zip(ADDCLAIM_PARTS, parts, strict=False) if not value]
    if missing and missing != ["CAVEATS"]:
        raise _fail("format", f"missing {', '.join(missing)}")
    errors: list[FieldError] = []
    raw: dict[str, Any] = {"claimant": claimant, "date": date}
    for parse in (lambda: parse_figure(figure_text), lambda: parse_what(what)):
        try:
            result = parse()
        except ClaimValidationError as exc:
            errors.extend(exc.errors)
            continue
        if isinstance(result, tuple):
            raw["figure"], raw["qualifier"] = result
        else:
            raw |= result
    raw["caveats"] = [caveat.strip() for caveat in caveats.split(";") if caveat.strip()]
    if len(parts) == 6 and parts[5]:
        raw["url"] = parts[5]
    raw["aliases"] = [what]  # the admin's own words are what people will search for
    digest = hashlib.sha1(line.encode()).hexdigest()[:6]
    stem = _slug(f"{claimant[:30]} {raw.get('measure', '')} {raw.get('where', '')} {date}")
    raw["key"] = f"{stem[:100].strip('-') or 'claim'}-{digest}"
    # Fields parsed out of WHAT are reported once, as WHAT, not again one by one.
    reported = {error.field for error in errors}
    if "WHAT" in reported:
        reported |= {"measure", "who", "where", "period", "per"}
    try:
        claim = validate_claim(raw)
    except ClaimValidationError as exc:
        errors.extend(error for error in exc.errors if error.field not in reported)
    if errors:
        raise ClaimValidationError(errors)
    return claim


_LIST_FIELDS: Final = frozenset({"caveats", "aliases"})


def parse_edit(text: str) -> tuple[int, dict[str, Any]]:
    """``N field=value`` -> ``(N, {field: value})``, with figures and lists parsed."""
    match = re.match(r"^\s*#?(\d{1,12})\s+([a-z_]+)\s*=\s*(.*)$", text, re.DOTALL)
    if not match:
        raise _fail("format", "expected N field=value")
    claim_id, name, value = int(match.group(1)), match.group(2), match.group(3).strip()
    if name not in EDITABLE_FIELDS:
        raise _fail(name, f"is not a field; use one of {', '.join(EDITABLE_FIELDS)}")
    changes: dict[str, Any]
    if name == "figure":
        figure, qualifier = parse_figure(value)
        changes = {"figure": figure} | ({"qualifier": qualifier} if qualifier else {})
    elif name in _LIST_FIELDS:
        changes = {name: [item.strip() for item in value.split(";") if item.strip()]}
    else:
        changes = {name: value or None}
    return claim_id, changes
