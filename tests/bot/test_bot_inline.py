"""Inline mode: @bot QUERY in any chat."""

from __future__ import annotations

from typing import Any

from helpers.fake_telegram import FakeTelegram
from helpers.updates import inline_query

Send = Any


async def inline_answer(send: Send, fake: FakeTelegram, query: str) -> dict[str, Any]:
    await send(inline_query(query))
    (call,) = fake.calls_to("answerInlineQuery")
    return call.params


async def test_inline_query_returns_one_result_per_matching_claim(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    answer = await inline_answer(send, fake_telegram, "russian soldiers killed")
    results = answer["results"]
    assert 1 < len(results) <= 10
    assert len({result["id"] for result in results}) == len(results)
    claims = [result for result in results if result["id"].startswith("claim-")]
    first = claims[0]
    assert "killed" in first["title"]
    assert any(char.isdigit() for char in first["title"])
    assert " · " in first["description"]  # claimant · date
    assert "Claimed by:" in first["input_message_content"]["message_text"]
    assert answer["cache_time"] <= 10


async def test_inline_empty_query_lists_the_newest_claims(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    answer = await inline_answer(send, fake_telegram, "")
    results = answer["results"]
    assert len(results) == 10
    assert "Jun 2025" in results[0]["description"]


async def test_inline_no_match_returns_a_single_no_claim_result(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    answer = await inline_answer(send, fake_telegram, "ukrainian losses")
    (result,) = answer["results"]
    assert result["title"] == "No stored claim"
    assert "No stored claim answers" in result["input_message_content"]["message_text"]
