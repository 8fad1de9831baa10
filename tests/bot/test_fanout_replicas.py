"""Notifications from two webhook replicas on one PostgreSQL, both dispatching: each follower
gets one message per change, a replica killed mid fan-out loses nothing, and together they
stay within Telegram's send limits."""

from __future__ import annotations

import asyncio
import collections
import re
import signal
import time
from pathlib import Path

import pytest
from helpers.fake_telegram import FakeTelegram
from helpers.processes import has, post_update, stop, two_replicas
from helpers.updates import ADMIN_ID, private_text

from store import create_db_engine
from store.subscriptions import follow_topic

pytestmark = pytest.mark.slow
TOPIC = "russian soldiers killed in kherson"
ADD_LINE = "/addclaim 12,345 | Russian troops killed in Kherson, 2022 | Test source | 2022-11 | x"
FIRST_FOLLOWER = 500_000  # user ids of the followers, one private chat each


def notes(fake: FakeTelegram, text: str) -> collections.Counter[int]:
    """How many messages containing ``text`` each chat got."""
    return collections.Counter(
        int(m["chat_id"]) for m in fake.sent_messages() if text in str(m.get("text", ""))
    )


async def all_notified(fake: FakeTelegram, text: str, chats: int, within: float) -> float:
    """Wait until ``chats`` chats got a message with ``text``; the seconds it took."""
    start = time.monotonic()
    while len(notes(fake, text)) < chats:
        assert time.monotonic() - start < within, f"{len(notes(fake, text))} of {chats} notified"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def follow_directly(database_url: str, followers: int) -> None:
    """Many followers of one topic, written to the store as /follow would write them."""
    engine = create_db_engine(database_url)
    for n in range(followers):
        follow_topic(
            engine=engine,
            chat_id=FIRST_FOLLOWER + n,
            topic=TOPIC,
            language="en",
            actor=str(FIRST_FOLLOWER + n),
            limit=50,
        )
    engine.dispose()


async def stored_claim_id(fake: FakeTelegram) -> int:
    (stored,) = await fake.wait_for("sendMessage", has("Stored as #"), timeout=10)
    return int(re.search(r"Stored as #(\d+)", stored.params["text"])[1])  # type: ignore[index]


async def test_fifty_followers_get_one_message_per_change_from_two_replicas(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    async with two_replicas(fake_telegram, postgres_url, tmp_path) as replicas:
        ports, (replica_a, replica_b) = replicas.ports, replicas.processes
        for n in range(50):  # through /follow, half on each replica
            follow = private_text(f"/follow {TOPIC}", user_id=FIRST_FOLLOWER + n)
            assert await post_update(ports[n % 2], follow) == 200
        await fake_telegram.wait_for("sendMessage", has("Following #"), count=50, timeout=20)

        assert await post_update(ports[0], private_text(ADD_LINE, user_id=ADMIN_ID)) == 200
        claim_id = await stored_claim_id(fake_telegram)
        await all_notified(fake_telegram, "New estimate", 50, within=20)

        edit = private_text(f"/editclaim {claim_id} figure=13000", user_id=ADMIN_ID)
        assert await post_update(ports[1], edit) == 200
        await all_notified(fake_telegram, "Revised from 12,345 to 13,000", 50, within=20)

        retract = private_text(f"/retract {claim_id} withdrawn by its source", user_id=ADMIN_ID)
        assert await post_update(ports[0], retract) == 200
        await all_notified(fake_telegram, "Retracted: withdrawn by its source", 50, within=20)
        await asyncio.sleep(2.5)  # past both replicas' polls: any duplicate would be out now
        for text in ("New estimate", "Revised from", "Retracted:"):
            assert set(notes(fake_telegram, text).values()) == {1}, text
        assert await stop(replica_a) == 0
        assert await stop(replica_b) == 0
    for log in ("a.log", "b.log"):
        assert '"level": "ERROR"' not in (tmp_path / log).read_text()


async def test_a_replica_killed_mid_fan_out_loses_no_notification(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    followers = 1_000
    await asyncio.to_thread(follow_directly, postgres_url, followers)
    quick = {"DELIVERY_LEASE_SECONDS": "2", "TELEGRAM_RATE_LIMIT": "false", "LOG_LEVEL": "INFO"}
    fake_telegram.delay_next("sendMessage", 0.01, times=5 * followers)  # a fan-out to catch
    async with two_replicas(fake_telegram, postgres_url, tmp_path, **quick) as replicas:
        ports, (replica_a, replica_b) = replicas.ports, replicas.processes
        assert await post_update(ports[0], private_text(ADD_LINE, user_id=ADMIN_ID)) == 200
        await stored_claim_id(fake_telegram)
        await all_notified(fake_telegram, "New estimate", followers // 4, within=30)
        replica_a.send_signal(signal.SIGKILL)
        await replica_a.wait()
        killed_at = len(notes(fake_telegram, "New estimate"))
        await all_notified(fake_telegram, "New estimate", followers, within=60)
        await asyncio.sleep(2.5)  # past the lease: every stranded row has been sent by now
        got = notes(fake_telegram, "New estimate")
        duplicates = sum(count - 1 for count in got.values())
        print(f"killed after {killed_at} of {followers}; duplicates: {duplicates}")
        assert len(got) == followers  # none lost
        # A duplicate needs a death between Telegram's acceptance and the commit: at most the
        # messages replica A had in flight.
        assert duplicates <= 4
        assert await stop(replica_b) == 0


async def test_two_replicas_fanning_out_together_stay_within_telegram_s_limits(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    followers = 200
    await asyncio.to_thread(follow_directly, postgres_url, followers)
    fake_telegram.enforce_send_limits(per_second=30, per_group_per_minute=20)
    async with two_replicas(fake_telegram, postgres_url, tmp_path, LOG_LEVEL="INFO") as replicas:
        ports, (replica_a, replica_b) = replicas.ports, replicas.processes
        assert await post_update(ports[0], private_text(ADD_LINE, user_id=ADMIN_ID)) == 200
        await stored_claim_id(fake_telegram)
        seconds = await all_notified(fake_telegram, "New estimate", followers, within=60)
        rate = followers / seconds
        print(f"{followers} notifications in {seconds:.1f}s: {rate:.1f} a second")
        assert fake_telegram.limit_refusals == 0
        assert fake_telegram.max_sends_in_window(1.0) <= 30
        assert await stop(replica_a) == 0
        assert await stop(replica_b) == 0
