"""The real ``python -m bot run`` process against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN
from helpers.fake_telegram import FakeTelegram
from helpers.updates import ADMIN_ID, private_text

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 30.0  # generous: a cold interpreter on a busy CI machine
ADD_LINE = "/addclaim 12,345 | Russian troops killed in Kherson, 2022 | Test source | 2022-11 | x"


@asynccontextmanager
async def bot_process(
    fake: FakeTelegram, database_url: str, workdir: Path, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env |= {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "LOG_LEVEL": "DEBUG",  # the most verbose level must still never print the token
    }
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), timeout=20)


def has(text: str) -> Any:
    return lambda params: text in str(params.get("text", ""))


async def test_real_process_answers_and_keeps_admin_claims_across_a_restart(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    async with bot_process(fake_telegram, database_url, tmp_path, log) as process:
        await fake_telegram.wait_for("setMyCommands", count=3, timeout=STARTUP_SECONDS)
        fake_telegram.push_update(private_text("How many Russian soldiers died in Bakhmut?"))
        await fake_telegram.wait_for("sendMessage", has("More than 100,000"), timeout=15)
        fake_telegram.push_update(private_text(ADD_LINE, user_id=ADMIN_ID))
        await fake_telegram.wait_for("sendMessage", has("Stored as #18"), timeout=15)
        assert await stop(process) == 0  # SIGTERM is a clean stop

    fake_telegram.clear_calls()
    async with bot_process(fake_telegram, database_url, tmp_path, log) as process:
        await fake_telegram.wait_for("setMyCommands", count=3, timeout=STARTUP_SECONDS)
        fake_telegram.push_update(private_text("russian soldiers killed in kherson"))
        await fake_telegram.wait_for("sendMessage", has("12,345"), timeout=15)
        assert await stop(process) == 0

    output = log.read_text()
    assert "running on" in output
    assert TOKEN not in output
    assert "Traceback" not in output


async def test_polling_survives_telegram_server_errors_and_timeouts(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    async with bot_process(fake_telegram, database_url, tmp_path, tmp_path / "bot.log") as process:
        await fake_telegram.wait_for("setMyCommands", count=3, timeout=STARTUP_SECONDS)
        fake_telegram.fail_next("getUpdates", status=502, times=2)
        fake_telegram.fail_next("getUpdates", status=500)
        fake_telegram.push_update(private_text("kp leak"))
        await fake_telegram.wait_for("sendMessage", has("9,861"), timeout=30)
        assert process.returncode is None
        assert await stop(process) == 0
