"""Webhook mode: real update JSON POSTed to the real process, answers checked at the fake."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from helpers.fake_telegram import FakeTelegram
from helpers.processes import (
    WEBHOOK_SECRET,
    bot_process,
    free_port,
    has,
    post_update,
    run_cli,
    stop,
    wait_healthy,
    webhook_env,
)
from helpers.updates import private_text

pytestmark = pytest.mark.slow


async def test_webhook_answers_updates_with_the_secret_and_refuses_the_rest(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "bot.log"
    async with bot_process(webhook_env(fake_telegram, database_url, port), tmp_path, log) as bot:
        assert await wait_healthy(port) == {"bot": "ok", "database": "ok"}
        (registered,) = fake_telegram.calls_to("setWebhook")
        assert registered.params["url"] == "https://bot.example.org/telegram"
        assert registered.params["secret_token"] == WEBHOOK_SECRET

        for wrong in (None, "", "wrong-secret", WEBHOOK_SECRET[:-1]):
            status = await post_update(port, private_text("kp leak"), secret=wrong)
            assert status == 403
        assert await post_update(port, {"not": "an update"}) == 400

        assert (
            await post_update(port, private_text("How many Russian soldiers died in Bakhmut?"))
            == 200
        )
        await fake_telegram.wait_for("sendMessage", has("More than 100,000"), timeout=15)
        assert len(fake_telegram.sent_messages()) == 1  # the refused posts were never processed
        assert await stop(bot) == 0
    output = log.read_text()
    assert "webhook request refused: wrong secret" in output
    assert WEBHOOK_SECRET not in output
    assert fake_telegram.token not in output


async def test_health_command_reports_a_running_webhook_replica(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = webhook_env(fake_telegram, database_url, port)
    async with bot_process(env, tmp_path, tmp_path / "bot.log") as bot:
        await wait_healthy(port)
        done = await asyncio.to_thread(run_cli, "health", cwd=tmp_path, env=env)
        assert (done.returncode, done.stdout.strip()) == (0, "healthy")
        assert await stop(bot) == 0
    done = await asyncio.to_thread(run_cli, "health", cwd=tmp_path, env=env)
    assert done.returncode == 1  # nothing listens any more


def test_webhook_mode_without_a_secret_fails_fast(tmp_path: Path) -> None:
    env = {
        "BOT_TOKEN": "1:x",
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    done = run_cli("run", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert "WEBHOOK_SECRET is not set" in done.stderr
