"""Telegram and database faults: the bot logs, apologises without a traceback, keeps going."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from conftest import kill_connections
from helpers.builders import SEED_FILE
from helpers.fake_telegram import FakeTelegram
from helpers.updates import USER_ID, private_text
from sqlalchemy import text
from telegram import Update

from bot.app import build_application, startup
from bot.config import load_settings

Send = Any
QUESTION = "How many Russian soldiers died in Bakhmut?"


def texts(fake: FakeTelegram) -> list[str]:
    return [str(call["text"]) for call in fake.sent_messages() if call["chat_id"] == USER_ID]


async def test_flood_control_429_is_retried_and_the_answer_delivered(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    await send(private_text(QUESTION))
    refused = fake_telegram.calls_to("sendMessage", include_failed=True)
    assert [call.status for call in refused] == [429, 200]
    assert refused[1].at - refused[0].at >= 0.9  # waited as told
    assert "More than 100,000" in texts(fake_telegram)[0]


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried_and_the_answer_delivered(
    send: Send, fake_telegram: FakeTelegram, status: int
) -> None:
    fake_telegram.fail_next("sendMessage", status=status, times=2)
    await send(private_text(QUESTION))
    assert "More than 100,000" in texts(fake_telegram)[0]


async def test_connection_reset_is_retried_and_the_answer_delivered(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.drop_connection_next("sendMessage")
    await send(private_text(QUESTION))
    assert "More than 100,000" in texts(fake_telegram)[0]


async def test_a_timeout_is_logged_and_the_next_question_still_answered(
    send: Send, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.delay_next("sendMessage", 3.0)  # beyond the 2 s test timeout
    with caplog.at_level(logging.ERROR):
        await send(private_text(QUESTION))
    assert "update failed" in caplog.text
    fake_telegram.clear_calls()
    await send(private_text("kp leak"))
    assert "9,861" in texts(fake_telegram)[-1]


async def test_a_broken_database_gets_an_apology_never_a_traceback(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    engine = bot_app.bot_data["deps"].engine
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE claim"))
    with caplog.at_level(logging.ERROR):
        await send(private_text("/claim 1", user_id=1001))
    (reply,) = [call["text"] for call in fake_telegram.sent_messages()]
    assert reply.startswith("Sorry, something went wrong")
    assert "Traceback" not in reply
    assert "claim" not in reply.lower().replace("sorry", "")  # no SQL detail leaks
    assert "update failed" in caplog.text


async def test_429s_beyond_the_retry_budget_are_logged_and_apologised_for(
    send: Send, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1, times=4)  # 1 + 3 retries
    with caplog.at_level(logging.ERROR):
        await send(private_text(QUESTION))
    assert "update failed" in caplog.text
    assert texts(fake_telegram) == [
        "Sorry, something went wrong while answering. Please try again in a moment."
    ]


async def test_questions_are_answered_after_the_database_drops_every_connection(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Any
) -> None:
    settings = load_settings(
        bot_token=fake_telegram.token,
        telegram_base_url=fake_telegram.base_url,
        database_url=postgres_url,
        seed_file=SEED_FILE,
        telegram_timeout=2.0,
    )
    application = build_application(settings)
    async with application:
        await startup(application)
        ask = private_text("kp leak")
        await application.process_update(Update.de_json(ask, application.bot))
        assert kill_connections(postgres_url) >= 1  # what a server restart does to the pool
        application.bot_data["deps"].answerer.invalidate()  # make the next answer hit the DB
        again = private_text("How many Russian soldiers died in Bakhmut?")
        await application.process_update(Update.de_json(again, application.bot))
    application.bot_data["deps"].engine.dispose()
    answers = texts(fake_telegram)
    assert "9,861" in answers[0]
    assert "More than 100,000" in answers[1]
