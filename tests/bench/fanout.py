"""Benchmark section e: a claim change fanned out to many followers by the real bot process.

run.py runs it after section b (it needs the echo bot's answers per second) and prints its rows
with the others; there is no command of its own.

Followers are written straight into the store, one bulk insert of ``Subscription`` rows as
/follow writes them, every one a private chat following a question no seed claim answers. An
admin's /addclaim then stores a claim that answers it, and the bot's dispatcher fans it out.

e1. Limiter on, the bot's defaults (``MESSAGES_PER_SECOND`` 29, notifications as background
    requests), against a fake Bot API enforcing Telegram's limits (30 a second, 20 a minute
    per group): notifications a second over a steady window from one second after the first
    one, as a share of Telegram's 30; how many sends the fake refused, and its busiest second.
e2. Limiter off (``TELEGRAM_RATE_LIMIT=false``), another process: every follower's message,
    first to last, a second; against the echo bot's answers a second in the same run.
e3. In e2's process, before its fan-out: a burst of questions as section b sends them. After
    it: an /editclaim of the claim (one "revised" message each) and the same burst once that
    second fan-out is under way. p50 and p99 of the burst with and without a fan-out.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import statistics
import time
import traceback
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import psycopg
from helpers.fake_telegram import FakeTelegram
from helpers.processes import bot_env, bot_process, stop
from helpers.updates import ADMIN_ID, private_text
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bench.run import (
    M_FANOUT_FREE,
    M_FANOUT_LIMITED,
    M_FANOUT_P50,
    M_FANOUT_P99,
    M_FANOUT_REFUSED,
    M_FANOUT_SENT,
    POLL,
    QUESTIONS,
    READY_TIMEOUT,
    WARM_UP_CHATS,
    Row,
    Throughput,
    chat_of,
    cpu_seconds,
    divide,
    drive,
    error_rows,
    log,
    ms,
    num,
    ratio,
    tail,
    verdict,
    wait_for_calls,
)
from bot.config import Settings
from bot.limits import headroom
from store import create_db_engine
from store.models import Subscription

# The topic and the change, as in tests/bot/test_fanout_replicas.py: no seed claim answers the
# topic, the added claim does, and its edit gives every follower one "revised" message.
TOPIC: Final = "russian soldiers killed in kherson"
ADD_CLAIM: Final = (
    "/addclaim 12,345 | Russian troops killed in Kherson, 2022 | Test source | 2022-11 | x"
)
EDIT_CLAIM: Final = "/editclaim {claim_id} figure=13000"
NEW: Final = "New estimate"  # in the text of every message of the first fan-out
REVISED: Final = "Revised from"  # ... and of the second

# Targets (issue 15).
TELEGRAM_PER_SECOND: Final = 30
TELEGRAM_PER_GROUP_MINUTE: Final = 20
LIMITED_SHARE: Final = 0.9  # of Telegram's 30 a second, with the limiter on
P99_DURING: Final = 2.0  # answer p99 during a fan-out, at most this many times without one

# Sizes: the limiter-on run stops after its window; the limiter-off one sends to everyone.
FOLLOWERS: Final = 10_000  # at most; by default ten per question of a burst, so that the
FOLLOWERS_PER_UPDATE: Final = 10  # burst sent during a fan-out ends well before it does
STEADY_SECONDS: Final = 20.0
QUICK_STEADY_SECONDS: Final = 8.0
LIMITER_WINDOW: Final = 1.0  # seconds: the limiter's, and Telegram's, window for 30 a second
BURST_AFTER: Final = 0.05  # share of the second fan-out sent before its burst is pushed

FIRST_FOLLOWER: Final = 500_000_000  # user ids of the followers, one private chat each
ALONE_CHATS: Final = 400_000_000  # the burst's chats without a fan-out, then during one
DURING_CHATS: Final = 410_000_000
FIRST_TIMEOUT: Final = 120.0  # from the change to the first message (planning 10,000 rows)
SECONDS_PER_MESSAGE: Final = 0.05  # on top: a fan-out slower than 20 a second has failed
# The tests' server (tests/conftest.py reads the same variable).
POSTGRES_URL: Final = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class FanoutConfig:
    """What section e measures: followers of each fan-out, the steady window, the database."""

    limited_followers: int = FOLLOWERS
    free_followers: int = FOLLOWERS
    steady_seconds: float = STEADY_SECONDS
    updates: int = 1000  # questions in each burst
    database: str = "sqlite"  # or "postgresql": a fresh schema on 127.0.0.1:5432 per process

    @classmethod
    def of(cls, *, followers: int | None, quick: bool, updates: int, database: str) -> FanoutConfig:
        """From run.py's options; --quick halves the limiter-off fan-out and the window."""
        count = followers or min(FOLLOWERS, FOLLOWERS_PER_UPDATE * updates)
        return cls(
            limited_followers=count,
            free_followers=max(2, count // 2) if quick else count,
            steady_seconds=QUICK_STEADY_SECONDS if quick else STEADY_SECONDS,
            updates=updates,
            database=database,
        )

    def window(self) -> float:
        """The steady window: at most a quarter of what the whole fan-out needs at 30/s, so
        that it ends well before the queue does (and a smoke run stays short)."""
        return min(self.steady_seconds, self.limited_followers / TELEGRAM_PER_SECOND / 4)


@dataclass
class LimitedFanout:
    followers: int
    window_seconds: float
    per_second: float = math.nan  # messages over the steady window
    first_seconds: float = math.nan  # from pushing the change to the first message
    refusals: int = 0  # sends the fake refused with 429 for its limits
    busiest_second: int = 0  # the most accepted sends in any 1-second window


@dataclass
class FreeFanout:
    followers: int
    per_second: float = math.nan  # first to last message
    seconds: float = math.nan
    first_seconds: float = math.nan
    delivered: int = 0  # followers with a message
    duplicates: int = 0  # messages beyond the first to a follower
    cpu_ms_per_message: float = math.nan  # the bot's CPU, change to last message
    alone: Throughput | None = None  # the burst without a fan-out
    during: Throughput | None = None  # ... and during the second one
    second_rate: float = math.nan  # the second fan-out's messages a second, burst included
    overlapped: bool = False  # the second fan-out was still sending at the burst's last answer


@dataclass
class FanoutStats:
    config: FanoutConfig
    limited: LimitedFanout | None = None
    free: FreeFanout | None = None
    notes: list[str] = field(default_factory=list)


# --- the followers, the process, the messages ------------------------------------------


def follow_in_bulk(database_url: str, followers: int) -> None:
    """``followers`` private chats following TOPIC, in one insert of the store's rows."""
    engine = create_db_engine(database_url)  # creates the schema, as the bot would
    try:
        rows = [
            Subscription(
                chat_id=FIRST_FOLLOWER + n, topic=TOPIC, language="en", created_by=str(n)
            ).model_dump(exclude={"id"})
            for n in range(followers)
        ]
        with engine.begin() as connection:
            connection.execute(insert(Subscription), rows)
    finally:
        engine.dispose()


@contextmanager
def fresh_database(workdir: Path, name: str, kind: str) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'fanout-{name}.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@asynccontextmanager
async def polling_bot(
    fake: FakeTelegram, database_url: str, workdir: Path, name: str, **extra: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot run`` polling the fake, once it takes updates; its log tail on failure."""
    log_file = workdir / f"fanout-{name}.log"
    env = bot_env(fake, database_url, LOG_LEVEL="WARNING", **extra)
    env.pop("WEBHOOK_URL", None)
    async with bot_process(env, workdir, log_file) as child:
        try:
            await wait_for_calls(fake, child, "deleteWebhook", 1, READY_TIMEOUT)
            yield child
        except Exception:
            log(f"fan-out {name} bot log:\n{tail(log_file)}")
            raise
        try:
            code = await stop(child)
        except TimeoutError:
            code = None
        if code != 0:  # measured already: say so, but keep the numbers
            log(f"fan-out {name} bot: exit {code} on SIGTERM\n{tail(log_file)}")


class Messages:
    """The fan-out messages (those whose text holds ``marker``) the fake accepted, read from
    the new tail of its log: rescanning 10,000 calls each time would load the fake's loop."""

    def __init__(self, fake: FakeTelegram, marker: str) -> None:
        self._fake, self._marker = fake, marker
        self._scanned = len(fake.calls)
        self.times: list[float] = []  # by the fake's clock (time.monotonic()), unsorted
        self.chats: Counter[int] = Counter()

    def read(self) -> int:
        """Take in the new calls; how many followers have a message so far."""
        calls = self._fake.calls[self._scanned :]
        self._scanned += len(calls)
        for call in calls:
            if not call.ok or call.method != "sendMessage":
                continue
            chat = chat_of(call)
            if chat is None or chat < FIRST_FOLLOWER:
                continue
            if self._marker in str(call.params.get("text", "")):
                self.times.append(call.at)
                self.chats[chat] += 1
        return len(self.chats)

    def first(self) -> float:
        return min(self.times)


async def wait_until(
    done: Callable[[], bool],
    child: asyncio.subprocess.Process,
    timeout: float,  # noqa: ASYNC109 - one number, like FakeTelegram.wait_for
    what: str,
) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if child.returncode is not None:
            raise RuntimeError(f"the bot exited with {child.returncode} waiting for {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} after {timeout:.0f}s")
        await asyncio.sleep(POLL)


def change(fake: FakeTelegram, command: str) -> float:
    """Push an admin's command; when it was pushed."""
    fake.push_update(private_text(command, user_id=ADMIN_ID))
    return time.monotonic()


async def stored_claim_id(fake: FakeTelegram, child: asyncio.subprocess.Process) -> int:
    """The id the bot gave the claim /addclaim stored ("Stored as #N")."""
    found: list[int] = []

    def stored() -> bool:
        for call in fake.calls_to("sendMessage"):
            if chat_of(call) == ADMIN_ID:
                match = re.search(r"Stored as #(\d+)", str(call.params.get("text", "")))
                if match:
                    found.append(int(match[1]))
        return bool(found)

    await wait_until(stored, child, FIRST_TIMEOUT, "stored claim")
    return found[0]


# --- e1: the limiter on -------------------------------------------------------------------


def steady_rate(times: Sequence[float], start: float, window: float) -> float:
    """Messages a second over [start, start + window): the slope of their count over time.

    Not count / window: the limiter lets sends go in clumps (a window's worth as the oldest
    of the last window leave), and where a clump falls at either end would move a count by
    a whole clump, about 5% over 20 s.
    """
    inside = sorted(at for at in times if start <= at < start + window)
    if len(inside) < 2 or inside[-1] == inside[0]:
        return math.nan
    return statistics.linear_regression(inside, range(len(inside))).slope


async def measure_limited(workdir: Path, config: FanoutConfig) -> LimitedFanout:
    followers, window = config.limited_followers, config.window()
    result = LimitedFanout(followers, window)
    with fresh_database(workdir, "limited", config.database) as url:
        log(f"fan-out, limiter on: {followers:,} followers, a {window:.0f} s window")
        await asyncio.to_thread(follow_in_bulk, url, followers)
        async with FakeTelegram() as fake, polling_bot(fake, url, workdir, "limited") as child:
            fake.enforce_send_limits(TELEGRAM_PER_SECOND, TELEGRAM_PER_GROUP_MINUTE)
            messages = Messages(fake, NEW)
            pushed = change(fake, ADD_CLAIM)
            await wait_until(lambda: messages.read() > 0, child, FIRST_TIMEOUT, "first message")
            result.first_seconds = messages.first() - pushed
            # Steady: from one limiter window after the first message, which finds the window
            # empty and so may send a whole window's worth at once.
            start = messages.first() + LIMITER_WINDOW
            # A little past the window's end, so that every send inside it has been logged.
            await asyncio.sleep(max(0.0, start + window + 0.5 - time.monotonic()))
            messages.read()
            result.per_second = steady_rate(messages.times, start, window)
            result.refusals = fake.limit_refusals
            result.busiest_second = fake.max_sends_in_window(1.0)
    return result


# --- e2 and e3: the limiter off -----------------------------------------------------------


async def free_fanout(
    fake: FakeTelegram, child: asyncio.subprocess.Process, result: FreeFanout
) -> int:
    """e2: the added claim to every follower; the claim's id."""
    followers = result.followers
    messages = Messages(fake, NEW)
    cpu = cpu_seconds(child.pid)
    pushed = change(fake, ADD_CLAIM)
    timeout = FIRST_TIMEOUT + SECONDS_PER_MESSAGE * followers
    await wait_until(lambda: messages.read() >= followers, child, timeout, "every message")
    result.cpu_ms_per_message = (cpu_seconds(child.pid) - cpu) * 1000 / followers
    await asyncio.sleep(0.5)  # a duplicate sent as the last message was would be in by now
    messages.read()
    times = sorted(messages.times)
    result.first_seconds = times[0] - pushed
    result.seconds = times[-1] - times[0]
    result.per_second = divide(len(times) - 1, result.seconds)
    result.delivered = len(messages.chats)
    result.duplicates = sum(count - 1 for count in messages.chats.values())
    return await stored_claim_id(fake, child)


async def burst_during(
    fake: FakeTelegram,
    child: asyncio.subprocess.Process,
    claim_id: int,
    result: FreeFanout,
    updates: int,
) -> None:
    """e3: an edit of the claim fanned out again, and the burst once that is under way."""
    followers = result.followers
    messages = Messages(fake, REVISED)
    change(fake, EDIT_CLAIM.format(claim_id=claim_id))
    under_way = max(1, int(followers * BURST_AFTER))
    timeout = FIRST_TIMEOUT + SECONDS_PER_MESSAGE * under_way
    await wait_until(lambda: messages.read() >= under_way, child, timeout, "second fan-out")
    started = time.monotonic()
    result.during = await drive(fake, updates, DURING_CHATS)
    last_answer = started + result.during.wall_seconds
    messages.read()
    sent = sorted(messages.times)
    result.overlapped = any(at > last_answer for at in sent) or len(sent) < followers
    during = [at for at in sent if started <= at <= last_answer]
    result.second_rate = divide(len(during), last_answer - started)


async def measure_free(workdir: Path, config: FanoutConfig) -> FreeFanout:
    followers, updates = config.free_followers, config.updates
    result = FreeFanout(followers)
    with fresh_database(workdir, "free", config.database) as url:
        log(f"fan-out, limiter off: {followers:,} followers, bursts of {updates}")
        await asyncio.to_thread(follow_in_bulk, url, followers)
        async with (
            FakeTelegram() as fake,
            polling_bot(fake, url, workdir, "free", TELEGRAM_RATE_LIMIT="false") as child,
        ):
            # Warm, as section b's bots are: one round of every question first.
            await drive(fake, len(QUESTIONS), ALONE_CHATS - WARM_UP_CHATS)
            result.alone = await drive(fake, updates, ALONE_CHATS)
            claim_id = await free_fanout(fake, child, result)
            await burst_during(fake, child, claim_id, result, updates)
    return result


# --- the section and its rows -------------------------------------------------------------


async def fanout_section(workdir: Path, config: FanoutConfig) -> FanoutStats:
    """e1, then e2 and e3; a part that fails leaves its rows as errors and says why."""
    stats = FanoutStats(config)
    try:
        stats.limited = await measure_limited(workdir, config)
    except Exception as exc:
        stats.notes.append(f"fan-out with the limiter failed: {exc!r}")
        traceback.print_exc()
    try:
        stats.free = await measure_free(workdir, config)
    except Exception as exc:
        stats.notes.append(f"fan-out without the limiter failed: {exc!r}")
        traceback.print_exc()
    stats.notes.extend(fanout_notes(stats))
    return stats


def limited_rows(limited: LimitedFanout) -> list[Row]:
    size = f"{limited.followers:,}"
    share = divide(limited.per_second, TELEGRAM_PER_SECOND)
    clean = limited.refusals == 0 and limited.busiest_second <= TELEGRAM_PER_SECOND
    return [
        Row(
            M_FANOUT_LIMITED, size, num(limited.per_second), num(TELEGRAM_PER_SECOND),
            ratio(share), f">= {LIMITED_SHARE:g}x Telegram's", verdict(share >= LIMITED_SHARE),
        ),
        Row(
            M_FANOUT_REFUSED, size, f"{limited.refusals} / {limited.busiest_second}", "", "",
            f"0 / <= {TELEGRAM_PER_SECOND}", verdict(clean),
        ),
    ]  # fmt: skip


def free_rows(free: FreeFanout, echo_per_second: float) -> list[Row]:
    size = f"{free.followers:,}"
    rows = [
        Row(
            M_FANOUT_FREE, size, num(free.per_second), num(echo_per_second),
            ratio(divide(free.per_second, echo_per_second)),
        ),
        Row(
            M_FANOUT_SENT, size, f"{free.delivered:,} / {free.duplicates}", "", "",
            f"{free.followers:,} / 0",
            verdict(free.delivered == free.followers and free.duplicates == 0),
        ),
    ]  # fmt: skip
    if free.alone is None or free.during is None:
        return [*rows, *error_rows((M_FANOUT_P50, M_FANOUT_P99), size)]
    alone, during = free.alone, free.during
    p99_share = divide(during.p99_ms, alone.p99_ms)
    return [
        *rows,
        Row(
            M_FANOUT_P50, size, ms(during.p50_ms), ms(alone.p50_ms),
            ratio(divide(during.p50_ms, alone.p50_ms)),
        ),
        Row(
            M_FANOUT_P99, size, ms(during.p99_ms), ms(alone.p99_ms), ratio(p99_share),
            f"<= {P99_DURING:g}x without", verdict(p99_share <= P99_DURING and free.overlapped),
        ),
    ]  # fmt: skip


def fanout_rows(stats: FanoutStats, echo_per_second: float) -> list[Row]:
    """Section e's rows; ``echo_per_second`` is section b's baseline."""
    config = stats.config
    rows: list[Row] = []
    if stats.limited is None:
        rows.extend(
            error_rows((M_FANOUT_LIMITED, M_FANOUT_REFUSED), f"{config.limited_followers:,}")
        )
    else:
        rows.extend(limited_rows(stats.limited))
    if stats.free is None:
        metrics = (M_FANOUT_FREE, M_FANOUT_SENT, M_FANOUT_P50, M_FANOUT_P99)
        rows.extend(error_rows(metrics, f"{config.free_followers:,}"))
    else:
        rows.extend(free_rows(stats.free, echo_per_second))
    return rows


def burst_note(run: Throughput) -> str:
    return (
        f"{run.answered} answered in {run.wall_seconds:.1f} s ({num(run.per_second)}/s), "
        f"p50 {ms(run.p50_ms)} ms, p99 {ms(run.p99_ms)} ms, dropped / duplicates "
        f"{run.dropped} / {run.duplicates}"
    )


def fanout_notes(stats: FanoutStats) -> Sequence[str]:
    notes = [f"fan-out database: {stats.config.database}; seed claims plus the added one"]
    limited, free = stats.limited, stats.free
    if limited is not None:
        overall = int(Settings.model_fields["messages_per_second"].default)
        notes.append(
            f"fan-out with the limiter: first message {limited.first_seconds:.2f} s after the "
            f"change; {num(limited.per_second)}/s over {limited.window_seconds:.1f} s from 1 s "
            f"after it; notifications may use {headroom(overall)} a second of the bot's "
            f"MESSAGES_PER_SECOND={overall} (the rest stays for answers)"
        )
    if free is not None:
        notes.append(
            f"fan-out without the limiter: first message {free.first_seconds:.2f} s after the "
            f"change, all {free.delivered:,} in {free.seconds:.1f} s; bot CPU "
            f"{ms(free.cpu_ms_per_message)} ms a message (planning included)"
        )
        for name, run in (("without a fan-out", free.alone), ("during one", free.during)):
            if run is not None:
                notes.append(f"burst {name}: {burst_note(run)}")
        if free.during is not None:
            shown = num(free.second_rate)
            notes.append(f"second fan-out sent {shown}/s while the burst was answered")
            if not free.overlapped:
                notes.append("the second fan-out ended before the burst did: p99 not comparable")
    return notes
