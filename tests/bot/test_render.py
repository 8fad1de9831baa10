"""How claims and answers read: figures, dates, sources, escaping, disagreement, length."""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers.builders import claim_dict, document, public_claims, seed_claim

from bot.constants import MAX_MESSAGE_CHARS
from bot.i18n import EN, get_locale
from bot.render import (
    HTML,
    PLAIN,
    describe,
    disagreement,
    fit_message,
    format_figure,
    render_answer,
    render_claim,
    render_compact,
    render_no_answer,
    sources,
)
from bot.search import ClaimIndex, SearchResult
from store import ClaimPublic

NO_CLAIM = "No stored claim answers this question."
GROUPED_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+")


def claim(**overrides: Any) -> ClaimPublic:
    """One claim as the store would return it, with id 1."""
    (built,) = public_claims(document(claim_dict(**overrides)))
    return built


def claims(*dicts: dict[str, Any]) -> list[ClaimPublic]:
    return public_claims(document(*dicts))


@pytest.fixture(scope="module")
def seed_index() -> ClaimIndex:
    return ClaimIndex(public_claims())


def ask(index: ClaimIndex, question: str) -> SearchResult:
    return index.search(question)


def shown_ids(text: str) -> list[int]:
    return [int(found) for found in re.findall(r"· #(\d+)", text)]


# --- figures, dates, what and who -----------------------------------------------------------


@pytest.mark.parametrize(
    ("figure", "qualifier", "shown"),
    [
        (9861, None, "9,861"),
        (9861, "exact", "9,861"),
        (498, "exact", "498"),
        (0, None, "0"),
        (1_000_000, None, "1,000,000"),
        (9000, "about", "about 9,000"),
        (100_000, "more than", "more than 100,000"),
        (100_000, "at least", "at least 100,000"),
        (6000, "fewer than", "fewer than 6,000"),
        (700, "up to", "up to 700"),
        ([80_000, 100_000], None, "80,000–100,000"),
        ([80_000, 100_000], "about", "about 80,000–100,000"),
    ],
)
def test_figures_are_shown_in_full_digits_with_their_qualifier_in_words(
    figure: int | list[int], qualifier: str | None, shown: str
) -> None:
    assert format_figure(claim(figure=figure, qualifier=qualifier)) == shown


def test_range_is_shown_with_an_en_dash() -> None:
    shown = format_figure(seed_claim("blogger-pokrovsk-bakhmut-killed-2025"))

    assert shown == "80,000\u2013100,000"
    assert "-" not in shown


@pytest.mark.parametrize(
    ("date", "shown"),
    [
        ("2022-03-02", "2 Mar 2022"),
        ("2025-12-31", "31 Dec 2025"),
        ("2022-03", "Mar 2022"),
        ("2024-01", "Jan 2024"),
        ("2022", "2022"),
    ],
)
def test_dates_are_shown_at_their_own_precision(date: str, shown: str) -> None:
    assert EN.date(date) == shown


@pytest.mark.parametrize(
    ("overrides", "described"),
    [
        (
            {"who": "Russian troops", "where": "Bakhmut", "period": "2023"},
            "Russian troops killed in Bakhmut (2023)",
        ),
        ({"who": "Russian troops", "where": None}, "Russian troops killed"),
        ({"measure": "wounded", "where": None}, "Russian troops wounded"),
        ({"measure": "killed or wounded", "where": None}, "Russian troops killed or wounded"),
        (
            {"measure": "casualties", "where": "Ukraine"},
            "casualties among Russian troops in Ukraine",
        ),
        ({"per": "day", "where": "Pokrovsk"}, "Russian troops killed a day in Pokrovsk"),
        ({"per": "week", "where": None}, "Russian troops killed a week"),
    ],
)
def test_a_claim_says_what_its_figure_counts(overrides: dict[str, Any], described: str) -> None:
    assert describe(claim(**overrides)) == described


def test_a_per_day_claim_says_a_day() -> None:
    described = describe(seed_claim("ua-estimate-casualties-per-day-2025"))

    assert (
        described == "casualties among Russian troops a day in Pokrovsk and Donetsk region (2025)"
    )


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("us-estimate-killed-2022-03", "US intelligence (intelligence service)"),
        (
            "kp-leak-killed-2022-03",
            "Russian Ministry of Defence (leaked) (belligerent government), via Komsomolskaya "
            "Pravda and Yaroslav Trofimov (The Wall Street Journal)",
        ),
        (
            # The ministry published its own figure: it is not named twice.
            "ru-mod-official-killed-2022-03-02",
            "Russian Ministry of Defence (belligerent government), via Yaroslav Trofimov "
            "(The Wall Street Journal)",
        ),
        (
            "blogger-pokrovsk-bakhmut-killed-2025",
            "Unnamed Russian military blogger (individual), via Anton Gerashchenko (X)",
        ),
    ],
)
def test_sources_name_the_claimant_then_who_published_and_reported_it(key: str, shown: str) -> None:
    assert sources(seed_claim(key)) == shown


# --- one claim in full ----------------------------------------------------------------------


def full_claim() -> ClaimPublic:
    return claim(
        figure=9861,
        qualifier="exact",
        who="Russian soldiers",
        where="Ukraine",
        period="since 24 Feb 2022",
        claimant="Russian Ministry of Defence (leaked)",
        published_by="Komsomolskaya Pravda",
        reported_in="An article",
        date="2022-03",
        caveats=["Deleted after publication.", "Unconfirmed."],
        url="https://example.org/a?b=1&c=2",
    )


def test_a_claim_shows_figure_sources_date_and_every_caveat() -> None:
    assert render_claim(full_claim(), PLAIN) == (
        "9,861 Russian soldiers killed in Ukraine (since 24 Feb 2022)\n"
        "Claimed by: Russian Ministry of Defence (leaked), via Komsomolskaya Pravda\n"
        "Reported in: An article\n"
        "Date: Mar 2022 · #1 · source <https://example.org/a?b=1&c=2>\n"
        "Caveats:\n"
        "• Deleted after publication.\n"
        "• Unconfirmed."
    )


def test_in_html_the_figure_is_bold_and_the_source_is_a_link() -> None:
    rendered = render_claim(full_claim(), HTML)

    assert rendered.startswith("<b>9,861</b> Russian soldiers killed in Ukraine")
    assert '<a href="https://example.org/a?b=1&amp;c=2">source</a>' in rendered


def test_a_qualifier_starts_the_claim_with_a_capital() -> None:
    rendered = render_claim(claim(figure=100_000, qualifier="more than"), HTML)

    assert rendered.startswith("<b>More than 100,000</b> Russian troops killed")


def test_a_claim_without_caveats_says_so() -> None:
    bare = claim(caveats=[])

    assert render_claim(bare, HTML).endswith("<i>No caveats recorded.</i>")
    assert render_claim(bare, PLAIN).endswith("\nNo caveats recorded.")
    assert "Caveats:" not in render_claim(bare, PLAIN)


def test_a_retracted_claim_says_so_with_its_reason() -> None:
    gone = claim(status="retracted", retraction_reason="Fabricated <video> & audio.")

    html_lines = render_claim(gone, HTML).split("\n")
    plain_lines = render_claim(gone, PLAIN).split("\n")

    assert html_lines[1] == "<b>RETRACTED: Fabricated &lt;video&gt; &amp; audio.</b>"
    assert plain_lines[1] == "RETRACTED: Fabricated <video> & audio."


def test_html_escapes_everything_a_claim_says() -> None:
    hostile = claim(
        who="Russian <script>alert(1)</script> & co",
        where="A & B",
        claimant="Smith & Sons <i>",
        reported_in="<b>Headline</b>",
        caveats=["Tom & Jerry <script>"],
    )

    rendered = render_claim(hostile, HTML)

    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in rendered
    assert "in A &amp; B" in rendered
    assert "Claimed by: Smith &amp; Sons &lt;i&gt;" in rendered
    assert "Reported in: &lt;b&gt;Headline&lt;/b&gt;" in rendered
    assert "• Tom &amp; Jerry &lt;script&gt;" in rendered
    assert "<script>" not in rendered
    assert "<i>" not in rendered


def test_plain_text_shows_claim_text_unescaped() -> None:
    hostile = claim(who="Russian <script> & co", caveats=["Tom & Jerry <script>"])

    rendered = render_claim(hostile, PLAIN)

    assert "Russian <script> & co killed" in rendered
    assert "• Tom & Jerry <script>" in rendered
    assert "&amp;" not in rendered
    assert "&lt;" not in rendered


def test_html_escapes_the_link_target() -> None:
    linked = claim(url='https://example.org/"><script>')

    rendered = render_claim(linked, HTML)

    assert '<a href="https://example.org/&quot;&gt;&lt;script&gt;">source</a>' in rendered


# --- disagreement ---------------------------------------------------------------------------


def test_sources_that_count_the_same_thing_differently_are_said_to_disagree() -> None:
    pair = [seed_claim("kp-leak-killed-2022-03"), seed_claim("us-estimate-killed-2022-03")]

    assert disagreement(pair, PLAIN) == (
        "Sources disagree: from about 9,000 (US intelligence, Mar 2022) "
        "to 9,861 (Russian Ministry of Defence (leaked), Mar 2022)."
    )


def test_disagreement_runs_from_the_lowest_to_the_highest_figure() -> None:
    three = claims(
        claim_dict(key="middle", figure=5000, claimant="Middle"),
        claim_dict(key="range", figure=[8000, 12_000], claimant="Range", date="2023"),
        claim_dict(
            key="low", figure=100, qualifier="fewer than", claimant="Low", date="2022-03-02"
        ),
    )

    assert disagreement(three, PLAIN) == (
        "Sources disagree: from fewer than 100 (Low, 2 Mar 2022) to 8,000–12,000 (Range, 2023)."
    )


@pytest.mark.parametrize(
    "pair",
    [
        pytest.param(
            [claim_dict(key="a", figure=100), claim_dict(key="b", figure=100, claimant="Other")],
            id="same-figure",
        ),
        pytest.param(
            [claim_dict(key="a", figure=100), claim_dict(key="b", figure=200, measure="wounded")],
            id="different-measure",
        ),
        pytest.param(
            [claim_dict(key="a", figure=100), claim_dict(key="b", figure=200, where="Bakhmut")],
            id="different-place",
        ),
        pytest.param(
            [
                claim_dict(key="a", figure=100),
                claim_dict(key="b", figure=200, who="Ukrainian troops"),
            ],
            id="different-side",
        ),
        pytest.param(
            [claim_dict(key="a", figure=100), claim_dict(key="b", figure=200, per="day")],
            id="rate-and-total",
        ),
    ],
)
def test_claims_that_do_not_count_the_same_thing_are_not_said_to_disagree(
    pair: list[dict[str, Any]],
) -> None:
    assert disagreement(claims(*pair), PLAIN) is None


def test_a_single_claim_never_disagrees() -> None:
    assert disagreement([seed_claim("kp-leak-killed-2022-03")], PLAIN) is None
    assert disagreement([], PLAIN) is None


def test_html_escapes_the_sources_in_a_disagreement() -> None:
    pair = claims(
        claim_dict(key="a", figure=100, claimant="Smith & Sons"),
        claim_dict(key="b", figure=200, claimant="<Anon>"),
    )

    assert disagreement(pair, HTML) == (
        "Sources disagree: from 100 (Smith &amp; Sons, May 2024) to 200 (&lt;Anon&gt;, May 2024)."
    )


# --- answers --------------------------------------------------------------------------------


def test_an_answer_where_sources_disagree_shows_three_current_claims_newest_first(
    seed_index: ClaimIndex,
) -> None:
    result = ask(seed_index, "How many Russian soldiers died?")
    assert len(result.matches) > 3

    rendered = render_answer(result, PLAIN)

    dates = [claim.date for claim in result.comparable()[:3]]
    assert dates == sorted(dates, reverse=True)
    assert shown_ids(rendered) == [claim.id for claim in result.comparable()[:3]]
    assert rendered.count("Claimed by:") == 3
    more = len(result.matches) - 3
    assert f"{more} more stored claims match; ask more precisely" in rendered


def test_an_answer_without_disagreement_shows_the_best_claims_first(
    seed_index: ClaimIndex,
) -> None:
    result = ask(seed_index, "How many Russian soldiers died in Bakhmut?")

    rendered = render_answer(result, PLAIN)

    assert shown_ids(rendered) == [match.claim.id for match in result.matches[:3]]


def test_an_answer_limited_to_one_claim_still_sums_up_the_spread(seed_index: ClaimIndex) -> None:
    result = ask(seed_index, "How many Russian soldiers died?")

    rendered = render_answer(result, PLAIN, limit=1)

    assert shown_ids(rendered) == [result.comparable()[0].id]
    assert "Sources disagree" in rendered


def test_an_answer_whose_sources_disagree_says_from_what_to_what(seed_index: ClaimIndex) -> None:
    result = ask(seed_index, "How many Russian soldiers died?")

    rendered = render_answer(result, PLAIN)

    assert (
        "Sources disagree: from fewer than 6,000 (Russian Ministry of Defence, 2025) "
        "to about 250,000 (UK Ministry of Defence, Jun 2025)."
    ) in rendered


def test_a_superseded_official_figure_points_to_the_newer_one(seed_index: ClaimIndex) -> None:
    result = ask(seed_index, "official russian figure for deaths")

    rendered = render_answer(result, PLAIN)

    assert "498 Russian soldiers killed" in rendered
    assert "Newer figure available: fewer than 6,000 (Russian Ministry of Defence, 2025, #17)." in (
        rendered
    )
    assert "from 498" not in rendered  # a superseded figure is not the low end of the spread


def test_claims_about_different_places_are_not_said_to_disagree(seed_index: ClaimIndex) -> None:
    result = ask(seed_index, "How many Russian soldiers died in Bakhmut and Pokrovsk?")
    keys = {match.claim.key for match in result.matches}
    assert {"western-intel-bakhmut-killed-2023", "blogger-pokrovsk-bakhmut-killed-2025"} <= keys

    rendered = render_answer(result, PLAIN)

    assert "More than 100,000" in rendered
    assert "80,000–100,000" in rendered
    assert "Sources disagree" not in rendered


def test_an_html_answer_escapes_claim_text() -> None:
    index = ClaimIndex(
        claims(
            claim_dict(key="a", figure=100, who="Russian troops <script>", claimant="A & B"),
            claim_dict(key="b", figure=200, who="Russian troops <script>", claimant="C"),
        )
    )

    rendered = render_answer(ask(index, "How many Russian troops were killed?"), HTML)

    assert rendered.count("Russian troops &lt;script&gt; killed") == 2
    assert "<script>" not in rendered
    assert "from 100 (A &amp; B, May 2024)" in rendered


def test_no_match_says_so_and_suggests_claims_without_their_figures(
    seed_index: ClaimIndex,
) -> None:
    result = ask(seed_index, "How many Russian soldiers died in Kharkiv?")
    assert not result.answered
    assert result.suggestions

    rendered = render_answer(result, HTML)

    lines = rendered.split("\n")
    assert lines[0] == f"<b>{NO_CLAIM}</b>"
    assert "We hold no figure for Kharkiv." in lines
    assert "Related stored claims:" in lines
    for suggestion in result.suggestions:
        assert f"{describe(suggestion)} — {suggestion.claimant}" in rendered
        assert format_figure(suggestion) not in rendered
    assert GROUPED_NUMBER.findall(rendered) == []
    assert "Claimed by" not in rendered


def test_no_match_lists_no_figure_of_any_stored_claim(seed_index: ClaimIndex) -> None:
    for question in (
        "How many Russian soldiers were captured?",
        "Russian soldiers killed in 2019",
        "Komsomolskaya Pravda captured",
    ):
        rendered = render_no_answer(ask(seed_index, question), PLAIN)

        assert rendered.startswith(NO_CLAIM)
        for number in ("9,861", "100,000", "9,000", "16,153", "498"):
            assert number not in rendered, question


def test_small_talk_gets_an_example_question_and_no_suggestions(seed_index: ClaimIndex) -> None:
    rendered = render_answer(ask(seed_index, "hello"), PLAIN)

    assert rendered == (
        f"{NO_CLAIM}\n"
        "Ask me about casualty figures.\n"
        "For example: How many Russian soldiers died in Bakhmut?"
    )


def test_plain_no_match_has_no_markup(seed_index: ClaimIndex) -> None:
    rendered = render_answer(ask(seed_index, "How many Ukrainian soldiers died?"), PLAIN)

    assert rendered.startswith(f"{NO_CLAIM}\nWe hold no figure for Ukrainian losses.")
    assert "<" not in rendered  # the claims missing only the side follow, unmarked


# --- group answers --------------------------------------------------------------------------


def test_a_group_answer_shows_the_best_claim_and_links_to_the_rest(
    seed_index: ClaimIndex,
) -> None:
    result = ask(seed_index, "How many Russian soldiers died?")
    link = "https://t.me/CasualtyFiguresBot?start=q1"

    rendered = render_compact(result, HTML, more_link=link)

    assert shown_ids(rendered) == [result.matches[0].claim.id]
    more = len(result.matches) - 1
    assert rendered.endswith(f'\n\n<a href="{link}">{more} more sources</a>')


def test_a_group_answer_without_a_link_names_the_other_sources_in_words(
    seed_index: ClaimIndex,
) -> None:
    result = ask(seed_index, "How many Russian soldiers died in Bakhmut and Pokrovsk?")
    assert len(result.matches) == 3

    rendered = render_compact(result, HTML, more_link=None)

    assert rendered.endswith("\n\n2 more sources")
    assert "<a " not in rendered


def test_a_group_answer_shows_at_most_two_caveats() -> None:
    many = claim(caveats=["First caveat.", "Second caveat.", "Third caveat."])
    result = ClaimIndex([many]).search("How many Russian troops were killed?")

    rendered = render_compact(result, PLAIN, more_link=None)

    assert rendered.endswith("Caveats:\n• First caveat.\n• Second caveat.")


def test_a_group_answer_to_an_unanswerable_question_says_no_stored_claim(
    seed_index: ClaimIndex,
) -> None:
    rendered = render_compact(
        ask(seed_index, "How many tanks did Russia lose?"), PLAIN, more_link="x"
    )

    assert rendered.startswith(NO_CLAIM)
    assert GROUPED_NUMBER.findall(rendered) == []


# --- message length -------------------------------------------------------------------------


def test_a_short_message_is_left_alone() -> None:
    text = "line one\n\nline two"

    assert fit_message(text) == text
    assert fit_message("x" * MAX_MESSAGE_CHARS) == "x" * MAX_MESSAGE_CHARS


def test_a_long_message_is_cut_at_a_paragraph_break_within_the_limit() -> None:
    paragraphs = [f"Paragraph {n}.\n" + " ".join(["word"] * 80) for n in range(40)]
    text = "\n\n".join(paragraphs)

    fitted = fit_message(text)

    assert len(fitted) <= MAX_MESSAGE_CHARS
    assert fitted.endswith("\n…")
    kept = fitted.removesuffix("\n…")
    assert text.startswith(kept)
    assert text[len(kept) :].startswith("\n\n")


def test_a_long_message_without_paragraphs_is_cut_at_a_line_break() -> None:
    text = "\n".join(f"line {n} " + "x" * 60 for n in range(200))

    fitted = fit_message(text)

    assert len(fitted) <= MAX_MESSAGE_CHARS
    kept = fitted.removesuffix("\n…")
    assert text.startswith(kept)
    assert text[len(kept)] == "\n"


def test_a_message_is_cut_to_a_smaller_limit_when_asked() -> None:
    assert fit_message("aaa\nbbb\nccc", limit=9) == "aaa\n…"


def test_an_answer_of_many_long_claims_stays_within_telegrams_limit() -> None:
    long_caveats = [f"Caveat {n} & <more>: " + "detail " * 60 for n in range(30)]
    index = ClaimIndex(
        claims(
            *(
                claim_dict(key=f"long-{n}", figure=1000 * (n + 1), caveats=long_caveats)
                for n in range(5)
            )
        )
    )
    result = index.search("How many Russian troops were killed?")
    assert len(result.matches) == 5

    for rendered in (render_answer(result, HTML), render_answer(result, PLAIN)):
        assert len(rendered) <= MAX_MESSAGE_CHARS
        assert rendered.endswith("\n…")
    html = render_answer(result, HTML)
    # Cut at a line break, so every tag that opens also closes.
    for tag in ("b", "i", "a"):
        assert html.count(f"<{tag}>") + html.count(f"<{tag} ") == html.count(f"</{tag}>")


def test_a_claim_shown_again_reads_the_same_and_a_changed_one_shows_its_change() -> None:
    shown = claim(figure=9861, caveats=["Counted by name."])
    first = render_claim(shown, HTML, EN)
    assert render_claim(shown, HTML, EN) == first  # the second answer reuses the first render
    assert "Джерело" in render_claim(shown, HTML, get_locale("uk"))  # its own language
    edited = shown.model_copy(update={"figure_low": 10_000, "caveats": ["Revised."]})
    again = render_claim(edited, HTML, EN)
    assert "10,000" in again
    assert "Revised." in again
    assert "9,861" not in again
    assert render_claim(shown, PLAIN, EN) != first  # no HTML for the terminal
