"""Two real webhook replicas on one PostgreSQL database share their limits: a user's flood limit
holds across both, and together they stay within Telegram's send limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from helpers.fake_telegram import FakeTelegram, texts
from helpers.processes import (
    bot_process,
    free_port,
    post_update,
    stop,
    wait_healthy,
    webhook_env,
)
from helpers.updates import USER_ID, private_text

pytestmark = pytest.mark.slow
SLOW_DOWN = "Too many questions at once. I will answer again in a minute."
QUIET_SECONDS = 2.0  # long enough for a replica to have answered what it was going to
ASKERS = 90


@asynccontextmanager
async def two_replicas(
    fake: FakeTelegram, database_url: str, workdir: Path, **extra: str
) -> AsyncIterator[tuple[int, int]]:
    """Replicas A and B, healthy, on one database; their ports. Stopped cleanly at the end,
    and neither may have logged an error."""
    ports = free_port(), free_port()
    envs = [webhook_env(fake, database_url, port) | extra for port in ports]
    async with (
        bot_process(envs[0], workdir, workdir / "a.log") as replica_a,
        bot_process(envs[1], workdir, workdir / "b.log") as replica_b,
    ):
        await asyncio.gather(*(wait_healthy(port) for port in ports))
        yield ports
        assert await stop(replica_a) == 0
        assert await stop(replica_b) == 0
    for log in ("a.log", "b.log"):
        assert '"level": "ERROR"' not in (workdir / log).read_text()


async def test_a_users_flood_limit_holds_across_both_replicas(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    async with two_replicas(fake_telegram, postgres_url, tmp_path, QUESTIONS_PER_USER="3") as ports:
        for n in range(8):  # A, B, A, B...: each replica alone would allow 3 of its own 4
            assert await post_update(ports[n % 2], private_text("kp leak")) == 200
        await fake_telegram.wait_for("sendMessage", count=4, timeout=20)
        await asyncio.sleep(QUIET_SECONDS)
        answers = texts(fake_telegram, USER_ID)
    assert len(answers) == 4
    assert answers.count(SLOW_DOWN) == 1
    assert sum("9,861" in answer for answer in answers) == 3


@pytest.mark.parametrize("storage", ["postgresql", "redis"])
async def test_both_replicas_together_stay_within_telegrams_send_limits(
    fake_telegram: FakeTelegram,
    postgres_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    storage: str,
) -> None:
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if storage == "redis" else {}
    fake_telegram.enforce_send_limits(per_second=30, per_group_per_minute=20)
    async with two_replicas(fake_telegram, postgres_url, tmp_path, **extra) as ports:
        statuses = await asyncio.gather(
            *(
                post_update(ports[n % 2], private_text("kp leak", user_id=50_000 + n))
                for n in range(ASKERS)
            )
        )
        assert statuses == [200] * ASKERS
        await fake_telegram.wait_for("sendMessage", count=ASKERS, timeout=60)
    answered = {call["chat_id"] for call in fake_telegram.sent_messages()}
    assert answered == {50_000 + n for n in range(ASKERS)}
    assert fake_telegram.max_sends_in_window(1.0) <= 30
    assert fake_telegram.limit_refusals == 0
