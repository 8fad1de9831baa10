"""What admins type: figures, /addclaim lines and /editclaim edits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.parsing import parse_addclaim, parse_edit, parse_figure, parse_what
from store import ClaimValidationError

README_EXAMPLE = (
    "100,000 | Russian troops killed in Bakhmut, 2023 | Western intelligence | 2023-05 | "
    "assessment, not a count"
)


def refusal_fields(text: str, parse: Any) -> list[str]:
    with pytest.raises(ClaimValidationError) as caught:
        parse(text)
    return [error.field for error in caught.value.errors]


# --- figures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figure", "qualifier"),
    [
        ("9861", 9861, None),
        ("9,861", 9861, None),
        ("9 861", 9861, None),
        ("  9,861  ", 9861, None),
        ("0", 0, None),
        ("~9000", 9000, "about"),
        ("~9,000", 9000, "about"),
        ("about 9000", 9000, "about"),
        ("approximately 9,000", 9000, "about"),
        (">100000", 100_000, "more than"),
        ("more than 100,000", 100_000, "more than"),
        ("over 100,000", 100_000, "more than"),
        ("100,000+", 100_000, "more than"),
        (">=100000", 100_000, "at least"),
        ("at least 100,000", 100_000, "at least"),
        ("<6000", 6000, "fewer than"),
        ("fewer than 6,000", 6000, "fewer than"),
        ("under 6000", 6000, "fewer than"),
        ("<=700", 700, "up to"),
        ("up to 700", 700, "up to"),
        ("80000-100000", [80_000, 100_000], None),
        ("80,000–100,000", [80_000, 100_000], None),
        ("80,000 — 100,000", [80_000, 100_000], None),
        ("~80,000-100,000", [80_000, 100_000], "about"),
        ("100k", 100_000, None),
        ("100K", 100_000, None),
        ("1.5k", 1500, None),
        ("2 million", 2_000_000, None),
        ("1.2m", 1_200_000, None),
        ("80k-100k", [80_000, 100_000], None),
        ("500-500", 500, None),
    ],
)
def test_a_figure_is_read_as_an_admin_writes_it(
    text: str, figure: int | list[int], qualifier: str | None
) -> None:
    assert parse_figure(text) == (figure, qualifier)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lots", '"lots" is not a number'),
        ("5-3", "range low 5 is above high 3"),
        ("", "is missing"),
        ("   ", "is missing"),
        ("-5", '"-5" is not a number'),
        ("9.861", '"9.861" is not a number'),
        ("1-2-3", '"1-2-3" is not a number or a range'),
        ("99999999999", "99999999999 is out of range"),
    ],
)
def test_a_figure_that_is_not_a_count_is_refused(text: str, message: str) -> None:
    with pytest.raises(ClaimValidationError) as caught:
        parse_figure(text)

    assert [(e.field, e.message) for e in caught.value.errors] == [("figure", message)]


def test_a_scale_after_a_range_applies_to_both_ends() -> None:
    assert parse_figure("80-100k") == ([80_000, 100_000], None)


# --- what a figure counts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Russian troops killed in Bakhmut, 2023",
            {"measure": "killed", "who": "Russian troops", "where": "Bakhmut", "period": "2023"},
        ),
        ("Russian soldiers wounded", {"measure": "wounded", "who": "Russian soldiers"}),
        (
            "Ukrainian soldiers killed and wounded since 2022",
            {"measure": "killed or wounded", "who": "Ukrainian soldiers", "period": "since 2022"},
        ),
        (
            "Russian troops killed a day in Pokrovsk, 2025",
            {
                "measure": "killed",
                "per": "day",
                "who": "Russian troops",
                "where": "Pokrovsk",
                "period": "2025",
            },
        ),
    ],
)
def test_what_a_figure_counts_is_read_from_free_text(text: str, expected: dict[str, Any]) -> None:
    assert parse_what(text) == expected


def test_what_without_a_measure_word_is_refused() -> None:
    assert refusal_fields("Russian troops in Bakhmut", parse_what) == ["WHAT"]


# --- /addclaim ----------------------------------------------------------------------------


def test_the_readme_addclaim_example_is_stored_as_meant() -> None:
    claim = parse_addclaim(README_EXAMPLE)

    assert claim.figure == 100_000
    assert claim.qualifier is None
    assert claim.measure == "killed"
    assert claim.who == "Russian troops"
    assert claim.where == "Bakhmut"
    assert claim.period == "2023"
    assert claim.claimant == "Western intelligence"
    assert claim.date == "2023-05"
    assert claim.caveats == ["assessment, not a count"]
    assert claim.url is None
    assert claim.status == "active"


def test_an_added_claim_can_be_found_by_the_admins_own_words() -> None:
    claim = parse_addclaim(README_EXAMPLE)

    assert claim.aliases == ["Russian troops killed in Bakhmut, 2023"]


def test_the_same_line_always_gives_the_same_key_and_different_lines_different_keys() -> None:
    other = README_EXAMPLE.replace("100,000", "90,000")

    assert parse_addclaim(README_EXAMPLE).key == parse_addclaim(README_EXAMPLE).key
    assert parse_addclaim(README_EXAMPLE).key != parse_addclaim(other).key


def test_a_qualified_range_keeps_its_qualifier() -> None:
    claim = parse_addclaim("~80,000–100,000 | Russian troops killed | Blogger | 2025 | unverified")

    assert (claim.figure, claim.qualifier) == ([80_000, 100_000], "about")


def test_a_sixth_part_is_stored_as_the_source_link() -> None:
    claim = parse_addclaim(README_EXAMPLE + " | https://example.org/article?id=1")

    assert claim.url == "https://example.org/article?id=1"


def test_a_sixth_part_that_is_not_a_link_is_refused() -> None:
    assert refusal_fields(README_EXAMPLE + " | example dot org", parse_addclaim) == ["url"]


def test_several_caveats_are_separated_by_semicolons() -> None:
    claim = parse_addclaim(
        "9861 | Russian soldiers killed | KP (leaked) | 2022-03 | deleted; unverified ;  leaked ;"
    )

    assert claim.caveats == ["deleted", "unverified", "leaked"]


def test_caveats_may_be_left_empty() -> None:
    claim = parse_addclaim("9861 | Russian soldiers killed | KP (leaked) | 2022-03 |")

    assert claim.caveats == []


@pytest.mark.parametrize(
    "line",
    [
        "",
        "100,000",
        "100,000 | Russian troops killed | Western intelligence | 2023-05",
        README_EXAMPLE + " | https://example.org | extra",
        " | Russian troops killed | Western intelligence | 2023-05 | caveat",
        "100,000 |  | Western intelligence | 2023-05 | caveat",
        "100,000 | Russian troops killed |  | 2023-05 | caveat",
        "100,000 | Russian troops killed | Western intelligence |  | caveat",
    ],
)
def test_a_line_with_missing_parts_is_refused_as_badly_formatted(line: str) -> None:
    assert refusal_fields(line, parse_addclaim) == ["format"]


def test_a_missing_part_is_named() -> None:
    with pytest.raises(ClaimValidationError, match="missing WHAT"):
        parse_addclaim("100,000 |  | Western intelligence | 2023-05 | caveat")


def test_a_bad_figure_and_a_bad_date_are_both_reported() -> None:
    with pytest.raises(ClaimValidationError) as caught:
        parse_addclaim("lots | Russian troops killed | Western intelligence | 2023-13 | caveat")

    assert [str(error) for error in caught.value.errors] == [
        'figure: "lots" is not a number',
        'date: "2023-13" has no such month',
    ]


@pytest.mark.parametrize("date", ["May 2023", "2023-02-30", "23"])
def test_a_bad_date_is_refused_by_name(date: str) -> None:
    line = f"100 | Russian troops killed | Western intelligence | {date} | caveat"

    assert refusal_fields(line, parse_addclaim) == ["date"]


def test_a_what_without_a_measure_word_is_refused_by_naming_what() -> None:
    with pytest.raises(ClaimValidationError) as caught:
        parse_addclaim("100 | Russian troops in Bakhmut | Western intelligence | 2023 | caveat")

    first = caught.value.errors[0]
    assert first.field == "WHAT"
    assert "killed, wounded, missing, captured or casualties" in first.message


def test_a_what_without_a_measure_word_is_the_only_error_reported() -> None:
    assert refusal_fields(
        "100 | Russian troops in Bakhmut | Western intelligence | 2023 | caveat", parse_addclaim
    ) == ["WHAT"]


# --- /editclaim ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "claim_id", "changes"),
    [
        ("3 figure=~9,000", 3, {"figure": 9000, "qualifier": "about"}),
        ("3 figure=80,000–100,000", 3, {"figure": [80_000, 100_000]}),
        ("3 caveats=a; b", 3, {"caveats": ["a", "b"]}),
        ("3 aliases=KP leak;leaked figure", 3, {"aliases": ["KP leak", "leaked figure"]}),
        ("#12 where=Kyiv", 12, {"where": "Kyiv"}),
        ("12   date = 2022-03-02 ", 12, {"date": "2022-03-02"}),
        ("5 who=Russian troops; Wagner", 5, {"who": "Russian troops; Wagner"}),
    ],
)
def test_an_edit_names_a_claim_and_its_new_value(
    text: str, claim_id: int, changes: dict[str, Any]
) -> None:
    assert parse_edit(text) == (claim_id, changes)


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("3 where=", {"where": None}),
        ("3 period=   ", {"period": None}),
        ("3 caveats=", {"caveats": []}),
        ("3 caveats= ; ", {"caveats": []}),
    ],
)
def test_an_empty_value_clears_the_field(text: str, changes: dict[str, Any]) -> None:
    assert parse_edit(text) == (3, changes)


@pytest.mark.parametrize("field", ["key", "bogus", "id"])
def test_editing_an_unknown_field_is_refused_by_name(field: str) -> None:
    with pytest.raises(ClaimValidationError) as caught:
        parse_edit(f"3 {field}=x")

    (error,) = caught.value.errors
    assert error.field == field
    assert "is not a field" in error.message


@pytest.mark.parametrize(
    "text", ["", "3", "3 where", "where=Kyiv", "three where=Kyiv", "3 Where=Kyiv"]
)
def test_an_edit_not_in_the_n_field_value_form_is_refused(text: str) -> None:
    assert refusal_fields(text, parse_edit) == ["format"]


def test_an_edit_to_a_bad_figure_is_refused_by_naming_the_figure() -> None:
    assert refusal_fields("3 figure=lots", parse_edit) == ["figure"]
