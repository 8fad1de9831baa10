"""Shared limits: the moving window in every storage, flood verdicts across replicas, and the
Telegram limiter's waits, priorities and retries against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN, postgres_schema
from helpers.fake_telegram import FakeTelegram
from helpers.processes import free_port
from limits.storage import MovingWindowSupport, RedisStorage, Storage
from pydantic import SecretStr
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.config import load_settings
from bot.limits import (
    JITTER_SECONDS,
    LATENESS_SAMPLES,
    MAX_LATENESS_SECONDS,
    PRUNE_EVERY_SECONDS,
    FloodGuard,
    LocalStorage,
    SharedRateLimiter,
    SqlStorage,
    _Lateness,
    build_flood_guards,
    build_rate_limiter,
    headroom,
    shared_storage,
)
from bot.security import Verdict
from store import create_db_engine
from store.models import RateLimitHit

MakeStorage = Callable[[], Storage]
ANSWER, WARN, QUIET = Verdict.ANSWER, Verdict.WARN, Verdict.QUIET
BACKGROUND = {"background": True}
PRIVATE, GROUP = 1001, -100500
HITS = RateLimitHit.__table__  # type: ignore[attr-defined]


@pytest.fixture(params=["memory", "sqlite", "postgresql", "redis"])
def replicas(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStorage]:
    """A maker of storages over one store, each as another replica would open it: its own
    engine or Redis client (memory is one process's, so always the same)."""
    engines: list[Engine] = []

    def sql(url: str) -> MakeStorage:
        def make() -> Storage:
            engines.append(create_db_engine(url))
            return SqlStorage(engines[-1])

        return make

    if request.param == "memory":
        memory = LocalStorage()
        yield lambda: memory
    elif request.param == "sqlite":
        yield sql(f"sqlite:///{tmp_path / 'limits.db'}")
    elif request.param == "postgresql":
        with postgres_schema() as url:
            yield sql(url)
            for engine in engines:  # before the schema goes
                engine.dispose()
    else:
        url = request.getfixturevalue("redis_url")
        yield lambda: RedisStorage(url)
    for engine in engines:
        engine.dispose()  # SQLite's; again is harmless for PostgreSQL's


def windows(storage: Storage) -> MovingWindowSupport:
    assert isinstance(storage, MovingWindowSupport)
    return storage


# --- the moving window ------------------------------------------------------------------------


def test_the_moving_window_admits_exactly_the_limit_then_frees_after_it(
    replicas: MakeStorage,
) -> None:
    storage = windows(replicas())
    taken = [storage.acquire_entry("k", 3, 1) for _ in range(5)]
    assert taken == [True, True, True, False, False]
    start, count = storage.get_moving_window("k", 3, 1)
    assert count == 3
    assert time.time() - 1.5 < start <= time.time() + 0.5
    assert storage.acquire_entry("other", 3, 1)  # keys are counted apart
    time.sleep(start + 1.05 - time.time())
    assert storage.acquire_entry("k", 3, 1)
    assert not storage.acquire_entry("k", 3, 1, amount=3)  # 1 + 3 would be over
    assert storage.acquire_entry("k", 3, 1, amount=2)


def test_concurrent_acquires_from_two_replicas_never_exceed_the_limit(
    replicas: MakeStorage,
) -> None:
    stores = [windows(replicas()), windows(replicas())]  # PostgreSQL: two engines, two replicas
    taken: list[bool] = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        for _ in range(15):
            got = stores[number % 2].acquire_entry("busy", 25, 30)
            with lock:
                taken.append(got)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 90
    assert taken.count(True) == 25
    assert stores[0].get_moving_window("busy", 25, 30)[1] == 25


def test_the_sql_storage_counts_clears_and_prunes_what_no_window_needs(
    database_url: str,
) -> None:
    engine = create_db_engine(database_url)
    storage = SqlStorage(engine)
    assert storage.check()
    first_hit = time.time()
    assert [storage.incr("n", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("n") == 3
    # the oldest hit leaves the window a minute after it was counted, however slow the counting
    assert first_hit + 59.5 < storage.get_expiry("n") <= time.time() + 60.5
    storage.clear("n")
    assert storage.get("n") == 0
    with engine.begin() as connection:  # a user who asked once, two hours ago
        connection.execute(insert(HITS), [{"key": "gone", "at": time.time() - 7200}])
    assert storage.acquire_entry("fresh", 5, 60)  # the first acquire sweeps
    with engine.connect() as connection:
        keys = connection.execute(select(HITS.c.key)).scalars().all()
    assert keys == ["fresh"]
    assert storage.reset() == 1
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(HITS)).scalar_one() == 0
    engine.dispose()


def test_the_local_storage_forgets_users_whose_window_passed_and_starts_no_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    storage = LocalStorage()
    threads = threading.active_count()
    assert all(storage.acquire_entry(f"user/{n}", 5, 60) for n in range(2000))
    assert threading.active_count() == threads  # no sweeper thread per hit, as limits' has
    assert storage.get("user/7") == 1
    first_hit = time.time()
    assert [storage.incr("n", 60) for _ in range(3)] == [1, 2, 3]
    assert first_hit + 59.5 < storage.get_expiry("n") <= time.time() + 60.5
    later = time.time() + 3 * PRUNE_EVERY_SECONDS  # every user's minute has long passed
    monkeypatch.setattr(time, "time", lambda: later)
    assert storage.acquire_entry("user/new", 5, 60)  # a hit sweeps the idle keys
    assert storage.reset() == 1  # only the new user is remembered
    assert storage.get_moving_window("user/7", 5, 60) == (later, 0)


def test_the_shared_storage_is_redis_then_postgresql_then_this_process(
    database_url: str, redis_url: str
) -> None:
    engine = create_db_engine(database_url)
    settings = load_settings(bot_token=TOKEN, database_url=database_url)
    expected = SqlStorage if engine.dialect.name == "postgresql" else LocalStorage
    assert type(shared_storage(settings, engine)) is expected
    with_redis = settings.model_copy(update={"redis_url": SecretStr(redis_url)})
    assert isinstance(shared_storage(with_redis, engine), RedisStorage)
    engine.dispose()


# --- flood verdicts ---------------------------------------------------------------------------


def guard(storage: Storage, *, per_user: int = 3, per_chat: int = 100) -> FloodGuard:
    return FloodGuard(storage, name="q", per_user=per_user, per_chat=per_chat, window_seconds=1)


async def test_a_flooding_user_is_answered_warned_once_then_quiet_until_the_window_has_room(
    replicas: MakeStorage,
) -> None:
    flood = guard(replicas())
    start = time.monotonic()
    verdicts = [await flood.check(user_id=1, chat_id=1) for _ in range(6)]
    assert verdicts == [ANSWER] * 3 + [WARN] + [QUIET] * 2
    assert await flood.check(user_id=2, chat_id=2) is ANSWER  # others are not affected
    await asyncio.sleep(start + 1.1 - time.monotonic())
    assert await flood.check(user_id=1, chat_id=1) is ANSWER


async def test_two_replicas_together_allow_a_user_per_user_questions_and_warn_once(
    replicas: MakeStorage,
) -> None:
    replica_a, replica_b = guard(replicas()), guard(replicas())
    verdicts = [
        await (replica_a if n % 2 else replica_b).check(user_id=7, chat_id=7) for n in range(8)
    ]
    assert verdicts == [ANSWER] * 3 + [WARN] + [QUIET] * 4


async def test_a_question_over_the_chat_limit_uses_none_of_the_users_questions(
    replicas: MakeStorage,
) -> None:
    flood = guard(replicas(), per_user=2, per_chat=2)
    assert [await flood.check(user_id=1, chat_id=GROUP) for _ in range(2)] == [ANSWER, ANSWER]
    assert await flood.check(user_id=2, chat_id=GROUP) is WARN  # the group is full
    assert [await flood.check(user_id=2, chat_id=2) for _ in range(3)] == [ANSWER, ANSWER, WARN]


async def test_the_suggestions_guard_counts_apart_from_questions(database_url: str) -> None:
    engine = create_db_engine(database_url)
    settings = load_settings(
        bot_token=TOKEN, database_url=database_url, questions_per_user=1, suggestions_per_user=1
    )
    questions, suggestions = build_flood_guards(settings, engine)
    assert await questions.check(user_id=5, chat_id=5) is ANSWER
    assert await suggestions.check(user_id=5, chat_id=None) is ANSWER
    assert await suggestions.check(user_id=5, chat_id=None) is WARN
    assert await questions.check(user_id=5, chat_id=5) is WARN
    engine.dispose()


async def test_an_unreachable_redis_leaves_questions_answered_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flood = guard(RedisStorage(f"redis://127.0.0.1:{free_port()}/0", wrap_exceptions=True))
    with caplog.at_level(logging.WARNING):
        assert await flood.check(user_id=1, chat_id=1) is ANSWER
    assert "flood limits unavailable" in caplog.text


# --- Telegram's send limits -------------------------------------------------------------------


Bots = Callable[..., ExtBot[Any]]


@pytest.fixture
async def limited_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bots]:
    """``limited_bot(storage, per_second=29, per_group=20)``: a real ExtBot, initialised,
    with a SharedRateLimiter over ``storage``."""
    opened: list[ExtBot[Any]] = []

    def make(storage: Storage, per_second: int = 29, per_group: int = 20) -> ExtBot[Any]:
        limiter = SharedRateLimiter(
            storage, messages_per_second=per_second, group_messages_per_minute=per_group
        )
        # Connections for a whole window's sends at once, as the bot's senders have: with
        # PTB's default single connection, sends queue behind the limiter, reach Telegram up
        # to a window late, and bunch into the next second on a busy machine.
        request = HTTPXRequest(connection_pool_size=32)
        bot: ExtBot[Any] = ExtBot(
            fake_telegram.token,
            base_url=fake_telegram.base_url,
            rate_limiter=limiter,
            request=request,
        )
        opened.append(bot)
        return bot

    yield make
    for bot in opened:
        await bot.shutdown()


def statuses(fake: FakeTelegram) -> list[int]:
    return [call.status for call in fake.calls_to("sendMessage", include_failed=True)]


async def test_a_429_is_retried_after_the_wait_telegram_asks_for(
    fake_telegram: FakeTelegram, limited_bot: Bots
) -> None:
    bot = limited_bot(LocalStorage())
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    await bot.send_message(PRIVATE, "hi")
    first, second = fake_telegram.calls_to("sendMessage", include_failed=True)
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.9


async def test_server_errors_are_retried_with_growing_pauses(
    fake_telegram: FakeTelegram, limited_bot: Bots
) -> None:
    bot = limited_bot(LocalStorage())
    fake_telegram.fail_next("sendMessage", status=502, times=2)
    await bot.send_message(PRIVATE, "hi")
    calls = fake_telegram.calls_to("sendMessage", include_failed=True)
    assert statuses(fake_telegram) == [502, 502, 200]
    assert 0.45 <= calls[1].at - calls[0].at < 0.9  # 0.5 s, then twice that
    assert calls[2].at - calls[1].at >= 0.95


async def test_a_400_and_a_timeout_are_not_retried(
    fake_telegram: FakeTelegram, limited_bot: Bots
) -> None:
    bot = limited_bot(LocalStorage())
    fake_telegram.fail_next("sendMessage", status=400, description="Bad Request: nope")
    with pytest.raises(BadRequest):
        await bot.send_message(PRIVATE, "hi")
    fake_telegram.delay_next("sendMessage", 0.6)
    with pytest.raises(TimedOut):
        await bot.send_message(PRIVATE, "hi", read_timeout=0.2)
    await asyncio.sleep(0.6)  # the delayed call is recorded when the fake answers it
    assert statuses(fake_telegram) == [400, 200]


async def test_background_requests_raise_429s_and_server_errors_at_once(
    fake_telegram: FakeTelegram, limited_bot: Bots
) -> None:
    bot = limited_bot(LocalStorage())
    fake_telegram.fail_next("sendMessage", status=429, retry_after=5)
    with pytest.raises(RetryAfter):
        await bot.send_message(PRIVATE, "hi", rate_limit_args=BACKGROUND)
    fake_telegram.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError):
        await bot.send_message(PRIVATE, "hi", rate_limit_args=BACKGROUND)
    assert statuses(fake_telegram) == [429, 500]


async def test_background_sends_leave_room_for_answers(
    fake_telegram: FakeTelegram, limited_bot: Bots
) -> None:
    bot = limited_bot(LocalStorage(), per_second=10)
    room = headroom(10)
    assert room == 9
    for n in range(room):
        await bot.send_message(PRIVATE + n, "news", rate_limit_args=BACKGROUND)
    waiting = asyncio.create_task(
        bot.send_message(PRIVATE, "more news", rate_limit_args=BACKGROUND)
    )
    await bot.send_message(PRIVATE, "an answer")  # at once: the last tenth is the answers'
    assert not waiting.done()
    await waiting
    sent = {call.params["text"]: call.at for call in fake_telegram.calls_to("sendMessage")}
    first = fake_telegram.calls_to("sendMessage")[0].at
    assert sent["an answer"] - first < 0.5
    assert sent["more news"] - first >= 0.9


async def test_a_full_group_waits_while_other_chats_are_sent_to(
    fake_telegram: FakeTelegram, limited_bot: Bots
) -> None:
    bot = limited_bot(LocalStorage(), per_group=3)
    for _ in range(3):
        await bot.send_message(GROUP, "hi")
    with pytest.raises(TimeoutError):  # the fourth waits for the group's minute
        await asyncio.wait_for(bot.send_message(GROUP, "hi"), 0.5)
    await asyncio.wait_for(bot.send_message(GROUP - 1, "hi"), 0.5)
    await asyncio.wait_for(bot.send_message(PRIVATE, "hi"), 0.5)
    assert fake_telegram.max_sends_in_window(60.0, chat_id=GROUP) == 3


async def test_two_replicas_limiters_keep_the_overall_rate_together(
    fake_telegram: FakeTelegram, limited_bot: Bots, replicas: MakeStorage
) -> None:
    bots = [limited_bot(replicas(), per_second=10), limited_bot(replicas(), per_second=10)]
    start = time.monotonic()
    await asyncio.gather(*(bots[n % 2].send_message(PRIVATE + n, f"m{n}") for n in range(30)))
    assert len(fake_telegram.sent_messages()) == 30
    # A stall can bunch sends up on their way, but never make one arrive before the limiter
    # let it go: by each second since the start, at most ten a second reached Telegram (a
    # budget for each replica would have let twenty through in the first).
    arrivals = [call.at - start for call in fake_telegram.calls_to("sendMessage")]
    assert sum(at < 1.0 for at in arrivals) <= 10
    assert sum(at < 2.0 for at in arrivals) <= 20
    assert time.monotonic() - start >= 1.9  # 30 at 10 a second: two full windows waited


def test_windows_are_padded_by_how_late_recent_sends_reached_telegram() -> None:
    lateness = _Lateness()
    assert lateness.padding() == JITTER_SECONDS  # nothing sent yet: the least padding
    lateness.record(0.004)
    assert lateness.padding() == JITTER_SECONDS
    lateness.record(0.12)  # a send queued for a connection on a busy host
    assert lateness.padding() == pytest.approx(0.12)
    lateness.record(30.0)  # a stuck connection does not stop every send for half a minute
    assert lateness.padding() == MAX_LATENESS_SECONDS
    for _ in range(LATENESS_SAMPLES):
        lateness.record(0.01)
    assert lateness.padding() == JITTER_SECONDS  # the slow ones have aged out


async def test_sends_go_on_while_the_shared_storage_is_unreachable(
    fake_telegram: FakeTelegram, limited_bot: Bots, caplog: pytest.LogCaptureFixture
) -> None:
    storage = RedisStorage(f"redis://127.0.0.1:{free_port()}/0", wrap_exceptions=True)
    bot = limited_bot(storage)
    with caplog.at_level(logging.WARNING):
        await bot.send_message(GROUP, "hi")
    assert len(fake_telegram.sent_messages()) == 1
    assert "send limits unavailable" in caplog.text


def test_no_limiter_when_telegram_limits_are_off(database_url: str) -> None:
    engine = create_db_engine(database_url)
    settings = load_settings(bot_token=TOKEN, database_url=database_url)
    assert isinstance(build_rate_limiter(settings, engine), SharedRateLimiter)
    off = settings.model_copy(update={"telegram_rate_limit": False})
    assert build_rate_limiter(off, engine) is None
    engine.dispose()
