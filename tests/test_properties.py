"""Properties of what admins type and upload, and of the search, over generated inputs.

A parser either returns a valid value or refuses with an error that names the field to fix;
no input makes it raise anything else. Inputs built from well-formed parts parse back to
the values they were built from. The search never raises, never stalls, and never offers
a retracted claim.
"""

from __future__ import annotations

import json
import string
import time
from collections.abc import Callable
from datetime import date
from typing import Any, Final, TypeVar

import pytest
from helpers.builders import DEV_SET, claim_dict, document, public_claims, seed_document
from helpers.fuzzing import apply_edit, assert_claim, assert_date, assert_figure, assert_named
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from bot.parsing import parse_addclaim, parse_edit, parse_figure
from bot.search import ClaimIndex
from store import ClaimValidationError, validate_claim, validate_document
from store.claims import EDITABLE_FIELDS, MAX_IMPORT_CLAIMS
from store.models import CONTRACT_FIELDS, MAX_FIGURE, check_date, check_figure

T = TypeVar("T")

# Sizes keep the whole file near 20 s on two cores; raise max_examples locally to dig deeper.
QUICK: Final = settings(max_examples=300, deadline=None, print_blob=True)
SLOW: Final = settings(
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def attempt(call: Callable[[], T], *refusals: type[Exception]) -> T | Exception:
    """The result of ``call``, or the refusal it raised; anything else propagates."""
    try:
        return call()
    except refusals as exc:
        return exc


# --- inputs -------------------------------------------------------------------------------

# Characters that matter to the parsers, so random text hits their branches often.
FIGURE_CHARS: Final = "0123456789 ,.-–—+~<>=≥≤kmKM\u202f\u00a0\t\n"
figure_like = st.text(FIGURE_CHARS, max_size=30) | st.lists(
    st.sampled_from(["about ", "over ", "c. ", "up to ", "thousand", "million", "1", "0", "-"]),
    max_size=6,
).map("".join)
# Absurdly long numbers: past 4,300 digits int() refuses, past 308 a float overflows.
long_numbers = st.builds(
    "{}{}{}".format,
    st.integers(1, 6_000).map("9".__mul__),
    st.sampled_from(["", ".5"]),
    st.sampled_from(["", "k", " million"]),
)
any_text = st.text(max_size=80) | figure_like | long_numbers

# What each qualifier an admin may write means; written independently of bot/parsing.py.
QUALIFIERS: Final = {
    "more than ": "more than",
    "over ": "more than",
    ">": "more than",
    ">=": "at least",
    "≥": "at least",
    "at least ": "at least",
    "fewer than ": "fewer than",
    "less than ": "fewer than",
    "under ": "fewer than",
    "<": "fewer than",
    "<=": "up to",
    "≤": "up to",
    "up to ": "up to",
    "about ": "about",
    "around ": "about",
    "approximately ": "about",
    "approx ": "about",
    "~": "about",
    "c. ": "about",
}
SCALES: Final = {"k": 1_000, " thousand": 1_000, "m": 1_000_000, " million": 1_000_000}


@st.composite
def whole_numbers(draw: st.DrawFn, limit: int) -> tuple[str, int]:
    """A number up to ``limit`` as written, thousands grouped or not."""
    value = draw(st.integers(0, limit))
    separator = draw(st.sampled_from(["", ",", " ", "\u202f", "\u00a0"]))
    return (f"{value:,}".replace(",", separator) if separator else str(value)), value


@st.composite
def written_figures(draw: st.DrawFn) -> tuple[str, int | list[int], str | None]:
    """A figure as an admin writes it, with the value and qualifier it means."""
    suffix = draw(st.sampled_from(["", *SCALES]))
    scale = SCALES.get(suffix, 1)
    if suffix and draw(st.booleans()):
        whole, fraction = draw(st.integers(0, 9_999)), draw(st.integers(1, 999))
        ends = [(f"{whole}.{fraction:03d}", whole * scale + fraction * scale // 1_000)]
    else:
        text, value = draw(whole_numbers(MAX_FIGURE // scale))
        ends = [(text, value * scale)]
    if draw(st.booleans()):
        text, value = draw(whole_numbers(MAX_FIGURE // scale))
        ends.append((text, value * scale))
        ends.sort(key=lambda end: end[1])
    dash = draw(st.sampled_from(["-", "–", "—", " - ", " – "]))
    # "80-100k": a scale written once, on the high end, covers both ends.
    once = len(ends) == 2 and draw(st.booleans())
    written = [text + ("" if once and i == 0 else suffix) for i, (text, _v) in enumerate(ends)]
    body = dash.join(written)
    values = [value for _text, value in ends]
    figure: int | list[int] = values[0] if len(set(values)) == 1 else values
    prefix = draw(st.sampled_from(["", *QUALIFIERS]))
    plus = draw(st.booleans())
    qualifier = QUALIFIERS.get(prefix) or ("more than" if plus else None)
    return prefix + body + ("+" if plus else ""), figure, qualifier


@st.composite
def written_dates(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31)))
    return draw(st.sampled_from([day.isoformat(), day.isoformat()[:7], str(day.year)]))


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-1, MAX_FIGURE + 1)
    | st.floats()  # json.loads accepts NaN and Infinity too
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)


# --- figures and dates --------------------------------------------------------------------


@QUICK
@given(any_text)
def test_parse_figure_returns_a_figure_or_names_the_figure(text: str) -> None:
    result = attempt(lambda: parse_figure(text), ClaimValidationError)
    if isinstance(result, ClaimValidationError):
        assert_named(result)
        assert {error.field for error in result.errors} == {"figure"}
    else:
        assert not isinstance(result, Exception)
        assert_figure(*result)


@QUICK
@given(written_figures())
def test_written_figures_parse_to_their_value_and_qualifier(
    written: tuple[str, int | list[int], str | None],
) -> None:
    text, figure, qualifier = written
    assert parse_figure(text) == (figure, qualifier)
    assert parse_figure(f"  {text.upper()}  ") == (figure, qualifier)


@QUICK
@given(st.integers(0, MAX_FIGURE), st.integers(0, MAX_FIGURE))
def test_a_range_written_high_to_low_is_refused(low: int, high: int) -> None:
    if low == high:
        return
    low, high = sorted((low, high))
    with pytest.raises(ClaimValidationError) as caught:
        parse_figure(f"{high}-{low}")
    assert [error.field for error in caught.value.errors] == ["figure"]


@QUICK
@given(
    any_text
    | st.from_regex(r"\d{4}(-\d{2}(-\d{2})?)?", fullmatch=True)  # \d: any script's digits
    | written_dates().map(lambda text: text + "\n")
)
def test_check_date_returns_the_date_or_names_the_date(text: str) -> None:
    result = attempt(lambda: check_date(text), PydanticCustomError)
    if isinstance(result, PydanticCustomError):
        assert result.type == "date"
    else:
        assert result == text
        assert isinstance(result, str)
        assert_date(result)


@QUICK
@given(written_dates())
def test_real_dates_are_kept_as_written(text: str) -> None:
    assert check_date(text) == text


@QUICK
@given(json_values)
def test_check_figure_returns_a_figure_or_names_the_figure(value: Any) -> None:
    result = attempt(lambda: check_figure(value), PydanticCustomError)
    if isinstance(result, PydanticCustomError):
        assert result.type == "figure"
    else:
        assert not isinstance(result, Exception)
        low, high = result
        assert_figure(low if high is None else [low, high])


@QUICK
@given(st.integers(0, MAX_FIGURE), st.integers(0, MAX_FIGURE))
def test_check_figure_keeps_numbers_and_ranges(first: int, second: int) -> None:
    low, high = sorted((first, second))
    assert check_figure(first) == (first, None)
    assert check_figure([low, high]) == ((low, high) if low < high else (low, None))


# --- /addclaim and /editclaim ----------------------------------------------------------------


@QUICK
@given(any_text | st.lists(any_text, max_size=8).map(" | ".join))
def test_addclaim_returns_a_valid_claim_or_names_each_field(line: str) -> None:
    result = attempt(lambda: parse_addclaim(line), ClaimValidationError)
    if isinstance(result, ClaimValidationError):
        assert_named(result)
    else:
        assert not isinstance(result, Exception)
        assert_claim(result)


WHAT: Final = st.builds(
    "{} {}{}".format,
    st.sampled_from(["Russian troops", "Ukrainian soldiers", "civilians", "Russian forces"]),
    st.sampled_from(["killed", "wounded", "missing", "captured", "casualties", "dead or wounded"]),
    st.sampled_from(["", " in Bakhmut", " in Ukraine, 2023", " since February 2022", " per day"]),
)
# Free text for a part of the line: no separator of the line or of the caveats in it.
part_text = st.text(
    st.characters(exclude_characters="|;", exclude_categories=["Cs"]), min_size=1, max_size=60
).filter(lambda text: bool(text.split()))


@QUICK
@given(
    written_figures(),
    WHAT,
    part_text,
    written_dates(),
    st.lists(part_text, max_size=4),
    st.none() | st.from_regex(r"https://example\.org/[a-z0-9/]{0,20}", fullmatch=True),
)
def test_addclaim_lines_from_valid_parts_keep_figure_date_and_claimant(
    figure: tuple[str, int | list[int], str | None],
    what: str,
    claimant: str,
    day: str,
    caveats: list[str],
    url: str | None,
) -> None:
    figure_text, value, qualifier = figure
    parts = [figure_text, what, claimant, day, "; ".join(caveats), *([url] if url else [])]
    claim = parse_addclaim(" | ".join(parts))
    assert_claim(claim)
    assert (claim.figure, claim.qualifier) == (value, qualifier)
    assert claim.date == day
    assert claim.claimant == " ".join(claimant.split())
    assert claim.caveats == [" ".join(caveat.split()) for caveat in caveats]
    assert claim.url == url


edit_lines = st.builds(
    "{}{} {}={}".format,
    st.sampled_from(["", "#", " "]),
    st.integers(0, 10**13),
    st.sampled_from([*EDITABLE_FIELDS, "key", "id", "nonsense"]) | st.from_regex(r"[a-z_]{1,12}"),
    any_text | written_dates() | written_figures().map(lambda figure: figure[0]),
)


@QUICK
@given(any_text | edit_lines)
def test_edit_parses_to_changes_that_validate_or_names_each_field(text: str) -> None:
    result = attempt(lambda: parse_edit(text), ClaimValidationError)
    if isinstance(result, ClaimValidationError):
        assert_named(result)
        return
    assert not isinstance(result, Exception)
    claim_id, changes = result
    assert claim_id >= 0
    assert set(changes) <= set(EDITABLE_FIELDS)
    edited = attempt(lambda: apply_edit(changes), ClaimValidationError)
    if isinstance(edited, ClaimValidationError):
        assert_named(edited)
        assert {error.field for error in edited.errors} <= set(changes) | {"retraction_reason"}
    else:
        assert not isinstance(edited, Exception)
        assert_claim(edited)


@QUICK
@given(st.integers(0, 10**12 - 1), written_figures(), part_text, st.lists(part_text, max_size=4))
def test_edits_of_valid_values_keep_them(
    claim_id: int,
    figure: tuple[str, int | list[int], str | None],
    claimant: str,
    caveats: list[str],
) -> None:
    figure_text, value, qualifier = figure
    expected: dict[str, Any] = {"figure": value} | ({"qualifier": qualifier} if qualifier else {})
    assert parse_edit(f"#{claim_id} figure={figure_text}") == (claim_id, expected)
    assert parse_edit(f"{claim_id} claimant = {claimant}") == (
        claim_id,
        {"claimant": claimant.strip() or None},
    )
    assert parse_edit(f"{claim_id} caveats={'; '.join(caveats)}") == (
        claim_id,
        {"caveats": [caveat.strip() for caveat in caveats if caveat.strip()]},
    )


# --- JSON import ---------------------------------------------------------------------------


def check_import(doc: Any) -> None:
    """Valid claims, or a refusal whose every error names a field; nothing else."""
    result = attempt(lambda: validate_document(doc), ClaimValidationError)
    if isinstance(result, ClaimValidationError):
        assert_named(result)
    else:
        assert not isinstance(result, Exception)
        for claim in result:
            assert_claim(claim)


@SLOW
@given(
    json_values
    | st.lists(json_values, max_size=4).map(lambda claims: {"claims": claims})
    | st.dictionaries(st.sampled_from(["claims", "format", "version", "audit"]), json_values)
)
def test_any_json_document_validates_or_names_each_field(doc: Any) -> None:
    check_import(doc)


@SLOW
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from([*CONTRACT_FIELDS, "id", "extra"]) | st.text(max_size=6),
            json_values,
            max_size=6,
        ).map(lambda wrong: claim_dict() | wrong),
        min_size=1,
        max_size=4,
    )
)
def test_claims_with_wrong_values_validate_or_name_each_field(claims: list[Any]) -> None:
    check_import(document(*claims))


@SLOW
@given(st.sampled_from(CONTRACT_FIELDS), json_values)
def test_one_wrong_field_is_the_one_named(name: str, value: Any) -> None:
    doc = document(claim_dict(**{name: value}))
    result = attempt(lambda: validate_document(doc), ClaimValidationError)
    if isinstance(result, ClaimValidationError):
        assert_named(result)
        # A status can only be wrong together with its reason: the reason is named then.
        assert {error.field for error in result.errors} <= {name, "retraction_reason"}
        assert {error.index for error in result.errors} == {0}
    else:
        assert not isinstance(result, Exception), result
        assert len(result) == 1


@SLOW
@given(st.lists(st.tuples(st.sampled_from(CONTRACT_FIELDS), json_values), max_size=6))
def test_duplicate_json_keys_take_the_last_value_as_json_loads_does(
    duplicates: list[tuple[str, Any]],
) -> None:
    pairs = [*claim_dict().items(), *duplicates]
    members = ", ".join(f"{json.dumps(name)}: {json.dumps(value)}" for name, value in pairs)
    parsed = json.loads(f'{{"claims": [{{{members}}}], "claims": [{{{members}}}]}}')
    check_import(parsed)
    assert json.dumps(parsed) == json.dumps(document(dict(pairs)))  # NaN != NaN: compare text


def test_duplicate_claim_keys_are_named() -> None:
    with pytest.raises(ClaimValidationError) as caught:
        validate_document(document(claim_dict(), claim_dict(figure=5)))
    assert [(e.field, e.index, e.message) for e in caught.value.errors] == [
        ("key", 1, "duplicate of claims[0]")
    ]


@pytest.mark.parametrize("item", [claim_dict(), None, "x"])
def test_a_document_over_the_limit_is_refused_at_once(item: Any) -> None:
    doc = {"claims": [item] * (MAX_IMPORT_CLAIMS + 1)}  # one shared item: cheap to build
    started = time.perf_counter()
    with pytest.raises(ClaimValidationError) as caught:
        validate_document(doc)
    assert time.perf_counter() - started < 1.0
    [error] = caught.value.errors
    assert error.field == "document"
    assert f"{MAX_IMPORT_CLAIMS:,}" in error.message


def nested(depth: int, leaf: Any) -> Any:
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"x": leaf}
    return leaf


@pytest.mark.parametrize("depth", [50, 400])
@pytest.mark.parametrize("name", [*CONTRACT_FIELDS, "unknown"])
def test_deeply_nested_values_are_refused_by_name(name: str, depth: int) -> None:
    with pytest.raises(ClaimValidationError) as caught:
        validate_document(document(claim_dict() | {name: nested(depth, 1)}))
    assert_named(caught.value)
    assert {error.field for error in caught.value.errors} == {name}


@pytest.mark.parametrize("depth", [50, 400])
def test_deeply_nested_documents_are_refused(depth: int) -> None:
    for doc in (nested(depth, None), {"claims": nested(depth, [])}, document(nested(depth, 1))):
        with pytest.raises(ClaimValidationError) as caught:
            validate_document(json.loads(json.dumps(doc)))
        assert_named(caught.value)


# --- search --------------------------------------------------------------------------------

# Copies of real claims, retracted: the search would find them if it looked at them at all.
RETRACTED: Final = [
    claim | {"key": f"retracted-{i}", "status": "retracted", "retraction_reason": "Withdrawn."}
    for i, claim in enumerate(seed_document()["claims"][:4])
]


@pytest.fixture(scope="module")
def index() -> ClaimIndex:
    return ClaimIndex(public_claims(document(*seed_document()["claims"], *RETRACTED)))


def _question_words() -> list[str]:
    questions = json.loads(DEV_SET.read_text(encoding="utf-8"))["questions"]
    texts = [q["q"] for q in questions] + [
        f"{c['who']} {c.get('where', '')} {c['claimant']} {c['measure']}" for c in RETRACTED
    ]
    return sorted({word for text in texts for word in text.split()})


ODD: Final = (
    "\u200f\u200e\u202b\u202e\u2066\u2067\u2068\u2069"  # bidirectional marks and isolates
    "\u200b\u200d\ufeff\u0301\u00ad"  # zero-width, combining, soft hyphen
    "\x00\x07\x1b\x7f\x85\u2028\t\n\r"  # control characters and line separators
    "🙂👍🏽🇺🇦🧟‍♂️"  # emoji, with modifiers and joiners
    "убитыхВСУ٣٠٠" + string.punctuation
)
odd_text = st.text(st.sampled_from(ODD), max_size=40)
questions = (
    st.text(max_size=200)
    | odd_text
    | st.lists(st.sampled_from(_question_words()) | odd_text, max_size=25).map(" ".join)
    # Up to 10,000 characters, built by repetition: cheap to generate, costly to search.
    | st.tuples(st.text(min_size=1, max_size=30), st.integers(1, 10_000)).map(
        lambda repeat: (repeat[0] * repeat[1])[:10_000]
    )
    | st.tuples(st.sampled_from(_question_words()), st.integers(1, 2_000)).map(
        lambda repeat: " ".join([repeat[0]] * repeat[1])[:10_000]
    )
)


@SLOW
@given(questions)
def test_search_answers_any_text_quickly_and_never_with_a_retracted_claim(
    index: ClaimIndex, question: str
) -> None:
    started = time.perf_counter()
    result = index.search(question)
    assert time.perf_counter() - started < 1.0  # a generous bound: a property, not a benchmark
    shown = [m.claim for m in result.matches] + list(result.suggestions)
    shown += list(result.newer.values()) + result.comparable()
    assert all(claim.is_active for claim in shown), [c.key for c in shown if not c.is_active]
    assert not {claim.key for claim in shown} & {claim["key"] for claim in RETRACTED}


def test_the_retracted_copies_are_in_the_index_input() -> None:
    # Guards the property above: the retracted claims were valid and reached ClaimIndex.
    claims = public_claims(document(*seed_document()["claims"], *RETRACTED))
    assert [c.key for c in claims if not c.is_active] == [c["key"] for c in RETRACTED]
    assert validate_claim(RETRACTED[0]).status == "retracted"
