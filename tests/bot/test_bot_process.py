"""The real ``python -m bot run`` process, long polling against the fake Bot API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.fake_telegram import FakeTelegram
from helpers.processes import STARTUP_SECONDS, bot_env, bot_process, has, stop
from helpers.updates import ADMIN_ID, private_text

pytestmark = pytest.mark.slow
ADD_LINE = "/addclaim 12,345 | Russian troops killed in Kherson, 2022 | Test source | 2022-11 | x"


async def test_real_process_answers_and_keeps_admin_claims_across_a_restart(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    env = bot_env(fake_telegram, database_url)
    async with bot_process(env, tmp_path, log) as process:
        await fake_telegram.wait_for("setMyCommands", count=3, timeout=STARTUP_SECONDS)
        fake_telegram.push_update(private_text("How many Russian soldiers died in Bakhmut?"))
        await fake_telegram.wait_for("sendMessage", has("More than 100,000"), timeout=15)
        fake_telegram.push_update(private_text(ADD_LINE, user_id=ADMIN_ID))
        await fake_telegram.wait_for("sendMessage", has("Stored as #18"), timeout=15)
        assert await stop(process) == 0  # SIGTERM is a clean stop

    fake_telegram.clear_calls()
    async with bot_process(env, tmp_path, log) as process:
        await fake_telegram.wait_for("setMyCommands", count=3, timeout=STARTUP_SECONDS)
        fake_telegram.push_update(private_text("russian soldiers killed in kherson"))
        await fake_telegram.wait_for("sendMessage", has("12,345"), timeout=15)
        assert await stop(process) == 0

    lines = log.read_text().splitlines()
    events = [json.loads(line) for line in lines]  # structured: one JSON object per line
    assert any("running on" in event["message"] for event in events)
    assert {"DEBUG", "INFO"} <= {event["level"] for event in events}
    assert fake_telegram.token not in log.read_text()
    assert not [event for event in events if event["level"] in ("ERROR", "CRITICAL")]


async def test_polling_survives_telegram_server_errors(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    env = bot_env(fake_telegram, database_url)
    async with bot_process(env, tmp_path, tmp_path / "bot.log") as process:
        await fake_telegram.wait_for("setMyCommands", count=3, timeout=STARTUP_SECONDS)
        fake_telegram.fail_next("getUpdates", status=502, times=3)
        fake_telegram.push_update(private_text("kp leak"))
        await fake_telegram.wait_for("sendMessage", has("9,861"), timeout=30)
        assert process.returncode is None
        assert await stop(process) == 0
