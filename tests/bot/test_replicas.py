"""Two stateless webhook replicas sharing one PostgreSQL database agree within seconds."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from helpers.fake_telegram import FakeTelegram
from helpers.processes import (
    bot_process,
    free_port,
    has,
    post_update,
    stop,
    wait_healthy,
    webhook_env,
)
from helpers.updates import ADMIN_ID, USER_ID, private_text

pytestmark = pytest.mark.slow
AGREE_SECONDS = 5.0  # a change made through one replica must be answered by the other by then
ADD_LINE = "/addclaim 12,345 | Russian troops killed in Kherson, 2022 | Test source | 2022-11 | x"
QUESTION = "russian soldiers killed in kherson"


async def ask_until(fake: FakeTelegram, port: int, wanted: str, deadline: float) -> float:
    """Ask one replica again and again until its answer contains ``wanted``; seconds taken."""
    start = time.monotonic()
    while True:
        before = len(fake.sent_messages())
        assert await post_update(port, private_text(QUESTION)) == 200
        await fake.wait_for("sendMessage", count=before + 1, timeout=10)
        answer = [m for m in fake.sent_messages() if m["chat_id"] == USER_ID][-1]["text"]
        if wanted in answer:
            return time.monotonic() - start
        assert time.monotonic() - start < deadline, f"still answering {answer[:80]!r}"
        await asyncio.sleep(0.2)


async def test_a_claim_added_or_retracted_on_one_replica_is_answered_by_the_other(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    port_a, port_b = free_port(), free_port()
    env_a = webhook_env(fake_telegram, postgres_url, port_a)
    env_b = webhook_env(fake_telegram, postgres_url, port_b)
    async with (
        bot_process(env_a, tmp_path, tmp_path / "a.log") as replica_a,
        bot_process(env_b, tmp_path, tmp_path / "b.log") as replica_b,
    ):
        await asyncio.gather(wait_healthy(port_a), wait_healthy(port_b))  # both seed at once

        assert await post_update(port_b, private_text(QUESTION)) == 200
        await fake_telegram.wait_for("sendMessage", has("No stored claim"), timeout=10)

        assert await post_update(port_a, private_text(ADD_LINE, user_id=ADMIN_ID)) == 200
        (stored,) = await fake_telegram.wait_for("sendMessage", has("Stored as #"), timeout=10)
        claim_id = re.search(r"Stored as #(\d+)", stored.params["text"])[1]  # type: ignore[index]
        added = await ask_until(fake_telegram, port_b, "12,345", AGREE_SECONDS)

        retract = private_text(f"/retract {claim_id} test source withdrew it", user_id=ADMIN_ID)
        assert await post_update(port_b, retract) == 200
        await fake_telegram.wait_for("sendMessage", has(f"Retracted #{claim_id}"), timeout=10)
        retracted = await ask_until(fake_telegram, port_a, "No stored claim", AGREE_SECONDS)

        assert max(added, retracted) < AGREE_SECONDS
        assert await stop(replica_a) == 0
        assert await stop(replica_b) == 0
    for log in ("a.log", "b.log"):
        assert '"level": "ERROR"' not in (tmp_path / log).read_text()
