"""/compare tables and /chart pictures: what is plotted, how, and that it stays legible."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest
from helpers.builders import claim_dict, document, public_claims
from helpers.fake_telegram import FakeTelegram
from helpers.processes import run_cli
from helpers.updates import GROUP_ID, USER_ID, group_text, inline_query, private_text

from bot.chart import render_chart
from bot.compare import Comparison, compare
from bot.render import PLAIN, render_comparison
from bot.search import ClaimIndex

Send = Any
RUSSIAN_KILLED = {
    "ru-mod-official-killed-2022-03-02", "us-estimate-killed-2022-03", "kp-leak-killed-2022-03",
    "uk-mod-killed-2025-06", "bbc-killed-2025", "ru-official-killed-2025",
}  # fmt: skip


@pytest.fixture(scope="module")
def index() -> ClaimIndex:
    return ClaimIndex(public_claims())


def comparison(index: ClaimIndex, topic: str) -> Comparison:
    _result, found = compare(index, topic)
    assert found is not None
    return found


def test_comparison_holds_every_claim_counting_the_same_thing_newest_first(
    index: ClaimIndex,
) -> None:
    found = comparison(index, "Russian soldiers killed")
    assert {claim.key for claim in found.claims} == RUSSIAN_KILLED
    dates = [claim.date for claim in found.claims]
    assert dates == sorted(dates, reverse=True)


def test_compare_table_ends_with_the_spread_and_marks_superseded_claims(
    index: ClaimIndex,
) -> None:
    text = render_comparison(comparison(index, "Russian soldiers killed"), PLAIN)
    lines = text.splitlines()
    assert lines[0] == "Russian troops killed in Ukraine: every stored claim, newest first"
    assert "about 250,000  UK Ministry of Defence (intelligence service), Jun 2025" in lines[1]
    assert "(superseded by #17)" in text  # the 498 of 2 March 2022
    assert lines[-1] == (
        "Spread: from fewer than 6,000 (Russian Ministry of Defence, 2025) to about 250,000 "
        "(UK Ministry of Defence, Jun 2025), 42× apart."
    )


def test_chart_is_a_valid_png_sized_for_a_phone(index: ClaimIndex) -> None:
    chart = render_chart(comparison(index, "Russian soldiers killed"))
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = matplotlib.image.imread(io.BytesIO(chart.png), format="png")
    assert pixels.shape[1::-1] == chart.size == (1200, 840)
    assert 20_000 < len(chart.png) < 1_000_000


def test_chart_plots_exactly_the_matching_claims(index: ClaimIndex) -> None:
    found = comparison(index, "Russian soldiers killed")
    chart = render_chart(found)
    assert [point.claim_id for point in chart.points] == [claim.id for claim in found.claims]
    assert all(point.claim_id in chart.labels for point in chart.points)  # few: all labelled


@pytest.mark.parametrize(
    ("topic", "log_scale"), [("Russian soldiers killed", True), ("Bakhmut", False)]
)
def test_log_scale_only_when_the_spread_is_wider_than_ten_times(
    index: ClaimIndex, topic: str, log_scale: bool
) -> None:
    assert render_chart(comparison(index, topic)).log_scale is log_scale


def test_qualifiers_are_triangles_and_ranges_are_bars(index: ClaimIndex) -> None:
    chart = render_chart(comparison(index, "Bakhmut"))
    by_id = {point.claim_id: point for point in chart.points}
    assert by_id[10].marker == "^"  # more than 100,000
    assert (by_id[8].low, by_id[8].high) == (80_000, 100_000)  # a range
    low = render_chart(comparison(index, "Russian soldiers killed"))
    assert {p.claim_id: p.marker for p in low.points}[17] == "v"  # fewer than 6,000


def test_caption_sums_the_chart_up_in_one_line(index: ClaimIndex) -> None:
    caption = render_chart(comparison(index, "Russian soldiers killed")).caption
    assert "\n" not in caption
    assert caption.endswith("42× apart.")


def test_a_thirty_claim_topic_keeps_its_labels_apart() -> None:
    claimants = ["Mediazona", "Oryx", "UALosses", "Meduza", "IISS", "CSIS", "ISW", "Reuters"]
    claims = [
        claim_dict(
            key=f"crowded-{n}",
            figure=20_000 + (n * 7_919) % 180_000,
            claimant=f"{claimants[n % len(claimants)]} estimate {n}",
            claimant_type=["media", "independent count", "intelligence service"][n % 3],
            date=f"{2022 + n % 4}-{1 + (n * 5) % 12:02d}",
        )
        for n in range(30)
    ]
    index = ClaimIndex(public_claims(document(*claims)))
    chart = render_chart(comparison(index, "Russian troops killed in Ukraine"))
    assert len(chart.points) == 30
    boxes = list(chart.labels.values())
    assert len(boxes) >= 8  # still informative
    for first, second in itertools.combinations(boxes, 2):
        assert not first.overlaps(second)


def sent(fake: FakeTelegram, method: str, chat_id: int) -> list[dict[str, Any]]:
    return [call.params for call in fake.calls_to(method) if call.params["chat_id"] == chat_id]


async def test_compare_in_private_lists_every_claim(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/compare Russian soldiers killed"))
    (reply,) = sent(fake_telegram, "sendMessage", USER_ID)
    assert reply["text"].count("· #") == 6
    assert "Spread: from fewer than 6,000" in reply["text"]


async def test_compare_in_a_group_shows_five_and_links_to_the_rest(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text("/compare Russian soldiers killed"))
    (reply,) = sent(fake_telegram, "sendMessage", GROUP_ID)
    assert reply["text"].count("· #") == 5
    assert '">+1 more</a>' in reply["text"]
    assert "reply_parameters" in reply


async def test_chart_in_a_group_replies_in_the_group_with_a_picture(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    asked = group_text("/chart Russian soldiers killed")
    await send(asked)
    (photo,) = sent(fake_telegram, "sendPhoto", GROUP_ID)
    assert photo["reply_parameters"]["message_id"] == asked["message"]["message_id"]
    assert photo["photo"]["content"].startswith(b"\x89PNG")
    assert "42× apart" in photo["caption"]


async def test_chart_with_no_matching_claim_says_so_and_sends_no_picture(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/chart how many tanks has russia lost"))
    assert not fake_telegram.calls_to("sendPhoto")
    (reply,) = sent(fake_telegram, "sendMessage", USER_ID)
    assert "No stored claim answers this question." in reply["text"]


async def test_compare_without_a_topic_explains_how(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/compare"))
    (reply,) = sent(fake_telegram, "sendMessage", USER_ID)
    assert "/compare Russian soldiers killed" in reply["text"]


async def test_inline_mode_offers_a_compare_result_first(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(inline_query("russian soldiers killed"))
    (call,) = fake_telegram.calls_to("answerInlineQuery")
    first = call.params["results"][0]
    assert first["title"].startswith("Compare the claims (6)")
    assert "every stored claim, newest first" in first["input_message_content"]["message_text"]


def test_cli_chart_writes_a_png_and_refuses_to_draw_nothing(tmp_path: Path) -> None:
    done = run_cli("chart", "Russian soldiers killed", "-o", str(tmp_path / "c.png"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    nothing = run_cli("chart", "tanks", "-o", str(tmp_path / "none.png"), cwd=tmp_path)
    assert nothing.returncode == 1
    assert "No stored claim" in nothing.stdout
    assert not (tmp_path / "none.png").exists()
