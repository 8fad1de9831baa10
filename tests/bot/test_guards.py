"""Who may use a command and how often, as users see it through the Bot API."""

from __future__ import annotations

from typing import Any

from helpers.fake_telegram import FakeTelegram, texts
from helpers.updates import ADMIN_ID, GROUP_ID, USER_ID, group_text, private_text

Send = Any
ADMINS_ONLY_UK = "Ця команда лише для адміністраторів."
SLOW_DOWN_UK = "Забагато запитань одразу. Я відповім знову за хвилину."


async def test_a_non_admin_is_refused_in_their_language_with_one_message_only(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.clear_calls()
    await send(private_text("/history 10", language_code="uk"))
    assert [call.method for call in fake_telegram.calls] == ["sendMessage"]
    assert texts(fake_telegram, USER_ID) == [ADMINS_ONLY_UK]


async def test_a_non_admin_is_refused_in_a_group_too(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text("/claims"))
    assert texts(fake_telegram, GROUP_ID) == ["This command is for admins only."]


async def test_an_admin_reads_history_in_their_language(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/editclaim 10 figure=~120,000", user_id=ADMIN_ID))
    await send(private_text("/history 10", user_id=ADMIN_ID, language_code="uk"))
    history = texts(fake_telegram, ADMIN_ID)[-1]
    assert "<b>Історія:</b>" in history
    assert " · seed · з початкового набору" in history
    assert f" · {ADMIN_ID} · змінено: figure_low, qualifier" in history
    assert "    figure_low: 100000 → 120000" in history


async def test_an_admin_pages_through_claims_in_their_language(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/claims 2", user_id=ADMIN_ID, language_code="ru"))
    header, *rows = texts(fake_telegram, ADMIN_ID)[-1].split("\n")
    assert header == "Утверждения 11–17 из 17 (страница 2 из 2):"
    assert len(rows) == 7


async def test_a_flooding_user_is_warned_once_in_their_language_then_ignored(
    flood_limited_send: Send, fake_telegram: FakeTelegram
) -> None:
    for question in ["kp leak", "/ask kp leak", "/compare russian soldiers killed"] * 2:
        await flood_limited_send(private_text(question, language_code="uk"))
    answers = texts(fake_telegram, USER_ID)
    assert len(answers) == 4
    assert answers[3] == SLOW_DOWN_UK
    assert SLOW_DOWN_UK not in answers[:3]


async def test_an_ask_in_a_group_counts_once_against_the_limit(
    flood_limited_send: Send, fake_telegram: FakeTelegram
) -> None:
    for _ in range(3):
        await flood_limited_send(group_text("/ask kp leak"))
    answers = texts(fake_telegram, GROUP_ID)
    assert len(answers) == 3
    assert all("9,861" in answer for answer in answers)


async def test_admin_commands_are_not_flood_limited(
    flood_limited_send: Send, fake_telegram: FakeTelegram
) -> None:
    for _ in range(5):
        await flood_limited_send(private_text("/claim 3", user_id=ADMIN_ID))
    answers = texts(fake_telegram, ADMIN_ID)
    assert len(answers) == 5
    assert all("Key: <code>kp-leak-killed-2022-03</code>" in answer for answer in answers)
