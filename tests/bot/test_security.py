"""Abuse resistance: flood limits, signed callback data, admin rights by numeric id only."""

from __future__ import annotations

import asyncio
from typing import Any

from helpers.fake_telegram import FakeTelegram, texts
from helpers.updates import (
    ADMIN_ID,
    GROUP_ID,
    USER_ID,
    callback_query,
    group_text,
    private_text,
    user,
)

from bot.limits import FloodGuard, LocalStorage
from bot.security import Verdict, callback_secret, sign_callback, verify_callback
from store import retract_claim

Send = Any
SLOW_DOWN = "Too many questions at once. I will answer again in a minute."


async def test_flood_guard_answers_warns_once_then_stays_quiet_until_the_window_passes() -> None:
    guard = FloodGuard(LocalStorage(), name="q", per_user=3, per_chat=100, window_seconds=1)
    verdicts = [await guard.check(user_id=1, chat_id=1) for _ in range(6)]
    assert verdicts == [Verdict.ANSWER] * 3 + [Verdict.WARN] + [Verdict.QUIET] * 2
    assert await guard.check(user_id=2, chat_id=2) is Verdict.ANSWER  # others are not affected
    await asyncio.sleep(1.1)
    assert await guard.check(user_id=1, chat_id=1) is Verdict.ANSWER


async def test_one_chat_is_limited_whoever_asks_in_it() -> None:
    guard = FloodGuard(LocalStorage(), name="q", per_user=100, per_chat=2, window_seconds=60)
    verdicts = [await guard.check(user_id=n, chat_id=-5) for n in range(4)]
    assert verdicts == [Verdict.ANSWER, Verdict.ANSWER, Verdict.WARN, Verdict.QUIET]


def test_callback_data_is_signed_and_fits_telegrams_limit() -> None:
    key = callback_secret("123:token")
    data = sign_callback(key, 123_456_789_012)
    assert len(data.encode()) <= 64
    assert verify_callback(key, data) == 123_456_789_012
    assert verify_callback(callback_secret("other:token"), data) is None
    claim, signature = data.rsplit(":", 1)
    assert verify_callback(key, f"claim:1:{signature}") is None  # a signature for another id
    assert verify_callback(key, f"{claim}:{'0' * 16}") is None


async def test_a_flooding_user_is_told_once_and_then_ignored(
    flood_limited_send: Send, fake_telegram: FakeTelegram
) -> None:
    for _ in range(7):
        await flood_limited_send(private_text("kp leak"))
    answers = texts(fake_telegram, USER_ID)
    assert len(answers) == 4
    assert answers[3] == SLOW_DOWN
    assert all("9,861" in answer for answer in answers[:3])


async def test_one_user_cannot_flood_a_group_through_the_bot(
    flood_limited_send: Send, fake_telegram: FakeTelegram
) -> None:
    for _ in range(10):
        await flood_limited_send(group_text("/ask kp leak"))
    assert len(texts(fake_telegram, GROUP_ID)) == 4  # 3 answers and one warning


async def test_forged_callback_data_shows_nothing(send: Send, fake_telegram: FakeTelegram) -> None:
    await send(callback_query("claim:10:0123456789abcdef"))
    (answer,) = fake_telegram.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "This button has expired. Please ask again."
    assert fake_telegram.sent_messages() == []


async def test_a_signed_button_for_a_since_retracted_claim_shows_nothing(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    deps = bot_app.bot_data["deps"]
    retract_claim(engine=deps.engine, claim_id=10, reason="withdrawn", actor="1")
    await send(callback_query(sign_callback(deps.callback_key, 10)))
    (answer,) = fake_telegram.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "That claim is no longer available."
    assert fake_telegram.sent_messages() == []


async def test_admin_rights_go_by_numeric_id_not_by_name(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    impostor = private_text("/retract 1 I am the admin", user_id=USER_ID)
    impostor["message"]["from"] = user(USER_ID) | {"username": "admin", "first_name": "Admin"}
    await send(impostor)
    assert texts(fake_telegram, USER_ID) == ["This command is for admins only."]


async def test_history_shows_who_changed_a_claim_when_and_how(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/editclaim 10 figure=~120,000", user_id=ADMIN_ID))
    await send(private_text("/history 10", user_id=ADMIN_ID))
    history = texts(fake_telegram, ADMIN_ID)[-1]
    assert "seed · seed" in history
    assert f"{ADMIN_ID} · edit: figure_low, qualifier" in history
    assert "figure_low: 100000 → 120000" in history
    assert "qualifier: more than → about" in history
    await send(private_text("/history 10", user_id=USER_ID))
    assert texts(fake_telegram, USER_ID) == ["This command is for admins only."]
