"""Limits shared by every replica: flood limits on questions, and Telegram's send limits.

Counting is done by the ``limits`` library's moving window, over one storage that all replicas
see: Redis when ``REDIS_URL`` is set, else the database's ``rate_limit_hit`` table on
PostgreSQL. On SQLite there is one process, and its memory is shared enough.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, Final, TypeVar, cast

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MovingWindowSupport, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Float, Table, delete, func, insert, literal, literal_column, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot import constants as c
from bot.config import Settings
from bot.security import Verdict
from store.models import RateLimitHit

log = logging.getLogger(__name__)

_HITS: Final = cast(Table, RateLimitHit.__table__)  # type: ignore[attr-defined]
_LOCK_SPACE: Final = 0x71A7  # first half of our advisory locks' keys: "rate limit" only
PRUNE_EVERY_SECONDS: Final = 60.0  # how often one storage sweeps out every stale hit
PRUNE_AFTER_SECONDS: Final = 3600.0  # hits older than this (or the longest window) go
REDIS_TIMEOUT_SECONDS: Final = 2.0  # an unreachable Redis costs a request this much, no more

# The keys of Telegram's send limits, and their windows in seconds.
OVERALL_KEY: Final = "telegram/all"
OVERALL_WINDOW: Final = 1
GROUP_WINDOW: Final = 60
MIN_WAIT_SECONDS: Final = 0.01  # never poll a full window faster than this
JITTER_SECONDS: Final = 0.02  # how much later than its count a send may reach Telegram, at least
MAX_LATENESS_SECONDS: Final = 0.5  # the most a window is padded for slow sends
LATENESS_SAMPLES: Final = 64  # recent sends whose lateness the padding covers
RETRY_BACKOFF_SECONDS: Final = 0.5  # first pause before retrying a failed request; doubles

T = TypeVar("T")
Result = bool | dict[str, Any] | list[dict[str, Any]]


# --- a moving window over the database --------------------------------------------------------


# PostgreSQL's clock, one value for the whole statement, and that statement starts once the
# key's lock is held: replicas on hosts whose clocks differ still agree on one window.
_PG_NOW: Final = "extract(epoch FROM statement_timestamp())::float8"
# Taking entries in one statement (after the lock): the key's stale hits go, the rest are
# counted, and the new ones go in only if they fit. Every CTE sees the same snapshot.
_PG_TAKE: Final = text(
    f"""
    WITH gone AS (
        DELETE FROM rate_limit_hit WHERE key = :key AND at <= {_PG_NOW} - :expiry
    ), seen AS (
        SELECT count(*) AS n FROM rate_limit_hit WHERE key = :key AND at > {_PG_NOW} - :expiry
    ), taken AS (
        INSERT INTO rate_limit_hit (key, at)
        SELECT :key, {_PG_NOW} FROM seen, generate_series(1, :amount)
        WHERE seen.n + :amount <= :limit
        RETURNING 1
    )
    SELECT {_PG_NOW}, (SELECT count(*) FROM taken)
    """
)
_PG_LOCK: Final = text("SELECT pg_advisory_xact_lock(:space, :key)")


def _lock_key(key: str) -> int:
    """A 32-bit advisory lock for a key: two keys that share one only wait for each other."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), signed=True)


def _window_count(connection: Connection, key: str, since: float) -> int:
    query = select(func.count()).where(_HITS.c.key == key, _HITS.c.at > since)
    return int(connection.execute(query).scalar_one())


def _take_postgres(
    connection: Connection, key: str, limit: int, expiry: float, amount: int
) -> tuple[float, bool]:
    connection.execute(_PG_LOCK, {"space": _LOCK_SPACE, "key": _lock_key(key)})
    params = {"key": key, "limit": limit, "expiry": expiry, "amount": amount}
    now, taken = connection.execute(_PG_TAKE, params).one()
    return float(now), taken == amount


def _take_sqlite(
    connection: Connection, key: str, limit: int, expiry: float, amount: int
) -> tuple[float, bool]:
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite has one writer: this one, from here
    now = time.time()
    connection.execute(delete(_HITS).where(_HITS.c.key == key, _HITS.c.at <= now - expiry))
    taken = _window_count(connection, key, now - expiry) + amount <= limit
    if taken:
        connection.execute(insert(_HITS), [{"key": key, "at": now}] * amount)
    return now, taken


class SqlStorage(Storage, MovingWindowSupport):
    """A ``limits`` storage in the ``rate_limit_hit`` table: one row per hit, so that
    replicas on one PostgreSQL database share their counts.

    Taking an entry is atomic across processes: on PostgreSQL a transaction-scoped advisory
    lock on the key, on SQLite the write lock taken first. PostgreSQL's clock is used, so that
    replicas on hosts whose clocks differ still agree on one window.
    """

    STORAGE_SCHEME = None  # built from an Engine, never from a URI

    def __init__(self, engine: Engine, *, wrap_exceptions: bool = False) -> None:
        super().__init__(None, wrap_exceptions=wrap_exceptions)
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._offset = 0.0  # the database's clock minus ours, as last read
        self._expiries: dict[str, int] = {}  # each key's window, for get() and get_expiry()
        self._longest = 0
        self._pruned_at = 0.0  # so a new process sweeps at its first hit
        self._prune_lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def clock(self) -> float:
        """Now, by the clock the stored hits are stamped with."""
        return time.time() + self._offset

    def _seen_clock(self, now: float) -> float:
        if self._postgres:
            self._offset = now - time.time()
        return now

    def _now(self) -> ColumnElement[float]:
        """Now, in SQL: the database's clock on PostgreSQL, ours on SQLite (one host)."""
        if self._postgres:
            return literal_column(_PG_NOW, Float)
        return literal(time.time(), Float)

    def _read_clock(self, connection: Connection) -> float:
        return self._seen_clock(float(connection.execute(select(self._now())).scalar_one()))

    def _remember(self, key: str, expiry: int) -> None:
        self._expiries[key] = expiry
        self._longest = max(self._longest, expiry)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take ``amount`` entries if the key's window stays within ``limit``; the key's own
        stale hits go as it is used, everyone else's now and then (``_prune``)."""
        if amount > limit:
            return False
        self._remember(key, expiry)
        take = _take_postgres if self._postgres else _take_sqlite
        with self._engine.connect() as connection:
            now, taken = take(connection, key, limit, expiry, amount)
            connection.commit()
        self._prune(self._seen_clock(now))
        return taken

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """When the window of the key's ``limit`` newest hits began, and how many there are:
        the oldest of them is the one whose leaving makes room, as in the Redis storage."""
        now = self._now()
        newest = (
            select(_HITS.c.at)
            .where(_HITS.c.key == key, _HITS.c.at > now - expiry)
            .order_by(_HITS.c.at.desc())
            .limit(limit)
            .subquery()
        )
        query = select(now, func.min(newest.c.at), func.count()).select_from(newest)
        with self._engine.connect() as connection:
            at, oldest, count = connection.execute(query).one()
        at = self._seen_clock(float(at))
        return (at if oldest is None else float(oldest)), int(count)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` more hits; the key's count over its window."""
        self._remember(key, expiry)
        with self._engine.connect() as connection:
            if self._postgres:
                connection.execute(_PG_LOCK, {"space": _LOCK_SPACE, "key": _lock_key(key)})
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            now = self._read_clock(connection)
            connection.execute(insert(_HITS), [{"key": key, "at": now}] * amount)
            count = _window_count(connection, key, now - expiry)
            connection.commit()
        return count

    def get(self, key: str) -> int:
        with self._engine.connect() as connection:
            now = self._read_clock(connection)
            return _window_count(connection, key, now - self._window(key))

    def get_expiry(self, key: str) -> float:
        """When the key's oldest hit in its window leaves it (now, for a key with none)."""
        with self._engine.connect() as connection:
            now = self._read_clock(connection)
            window = self._window(key)
            oldest = connection.execute(
                select(func.min(_HITS.c.at)).where(_HITS.c.key == key, _HITS.c.at > now - window)
            ).scalar_one()
        return now if oldest is None else float(oldest) + window

    def _window(self, key: str) -> int:
        return self._expiries.get(key, int(PRUNE_AFTER_SECONDS))

    def clear(self, key: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(_HITS).where(_HITS.c.key == key))

    def reset(self) -> int | None:
        with self._engine.begin() as connection:
            return connection.execute(delete(_HITS)).rowcount

    def check(self) -> bool:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def _prune(self, now: float) -> None:
        """Now and then, every key's hits older than any window still counting them."""
        with self._prune_lock:
            if now - self._pruned_at < PRUNE_EVERY_SECONDS:
                return
            self._pruned_at = now
        horizon = max(PRUNE_AFTER_SECONDS, self._longest)
        with self._engine.begin() as connection:
            gone = connection.execute(delete(_HITS).where(_HITS.c.at < now - horizon)).rowcount
        log.debug("rate limits: pruned %s stale hits", gone)


# --- a moving window in this process ----------------------------------------------------------


class LocalStorage(Storage, MovingWindowSupport):
    """A ``limits`` moving window in this process's memory, for SQLite (one process answers).

    The library's own MemoryStorage sweeps every key from a new thread every 10 ms while hits
    arrive; with a key per user that sweep cost more CPU than answering did. Here a key's
    stale hits go as the key is used, and every idle key now and then, as in ``SqlStorage``.
    """

    STORAGE_SCHEME = None  # built directly, never from a URI

    def __init__(self) -> None:
        super().__init__(None)
        self._hits: dict[str, deque[float]] = {}  # per key, oldest first
        self._windows: dict[str, int] = {}  # each key's window, for get() and get_expiry()
        self._counters: dict[str, tuple[int, float]] = {}  # incr()'s: count, when it expires
        self._lock = threading.Lock()  # the limiter may be called from worker threads
        self._pruned_at = time.time()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError  # nothing here does I/O

    def _fresh(self, key: str, window: int, now: float) -> deque[float]:
        """The key's hits inside its window (stored, so that a new hit can join them)."""
        self._windows[key] = window
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        return hits

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._lock:
            hits = self._fresh(key, expiry, now)
            taken = len(hits) + amount <= limit
            if taken:
                hits.extend([now] * amount)
            self._prune(now)
        return taken

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """When the window of the key's ``limit`` newest hits began, and how many there are."""
        now = time.time()
        with self._lock:
            hits = self._fresh(key, expiry, now)
            count = min(limit, len(hits))
            return (hits[-count] if count else now), count

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            count, expires = self._counters.get(key, (0, now + expiry))
            if expires <= now:
                count, expires = 0, now + expiry
            self._counters[key] = (count + amount, expires)
            return count + amount

    def get(self, key: str) -> int:
        now = time.time()
        with self._lock:
            if key in self._hits:
                return len(self._fresh(key, self._windows[key], now))
            count, expires = self._counters.get(key, (0, now))
            return count if expires > now else 0

    def get_expiry(self, key: str) -> float:
        """When the key's oldest hit in its window leaves it (now, for a key with none)."""
        now = time.time()
        with self._lock:
            if key in self._hits:
                hits = self._fresh(key, self._windows[key], now)
                return hits[0] + self._windows[key] if hits else now
            return self._counters.get(key, (0, now))[1]

    def check(self) -> bool:
        return True

    def clear(self, key: str) -> None:
        with self._lock:
            for keyed in (self._hits, self._windows, self._counters):
                keyed.pop(key, None)

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._hits) + len(self._counters)
            for keyed in (self._hits, self._windows, self._counters):
                keyed.clear()
        return count

    def _prune(self, now: float) -> None:
        """Now and then, the keys whose every hit has left its window (the lock is held)."""
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self._windows[k]
        ]:
            del self._hits[key], self._windows[key]
        for key in [k for k, (_, expires) in self._counters.items() if expires <= now]:
            del self._counters[key]


def shared_storage(settings: Settings, engine: Engine) -> Storage:
    """Where the replicas count together: Redis if set, else PostgreSQL, else this process."""
    if settings.redis_url is not None:
        bot_id = settings.token().split(":", 1)[0]  # Telegram's limits are per bot
        return RedisStorage(
            settings.redis_url.get_secret_value(),
            key_prefix=f"casualty-bot/{bot_id}",
            wrap_exceptions=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    if engine.dialect.name == "postgresql":
        return SqlStorage(engine, wrap_exceptions=True)
    return LocalStorage()  # SQLite: one process answers


async def _run(storage: Storage, call: Callable[[], T]) -> T:
    """A storage call: off the event loop when it does I/O, directly in memory."""
    if isinstance(storage, LocalStorage):
        return call()
    return await asyncio.to_thread(call)


def _now(storage: Storage) -> float:
    return storage.clock() if isinstance(storage, SqlStorage) else time.time()


def _seconds(window_seconds: float) -> int:
    # The library counts windows in whole seconds; rounding up never allows more.
    return max(1, math.ceil(window_seconds))


# --- flood limits on questions ----------------------------------------------------------------


class FloodGuard:
    """Moving-window limits on questions per user and per chat, shared by all replicas.

    Over a limit, the sender is told once (WARN) and then ignored (QUIET) until the window has
    room again, so one user cannot make the bot flood a group. Whether the sender was told is
    shared too, as a second key allowing one warning a window: two replicas warn once.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        name: str,
        per_user: int,
        per_chat: int,
        window_seconds: float,
    ) -> None:
        window = _seconds(window_seconds)
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._items = {
            "user": RateLimitItemPerSecond(per_user, window, namespace=f"flood/{name}"),
            "chat": RateLimitItemPerSecond(per_chat, window, namespace=f"flood/{name}"),
        }
        self._warned = RateLimitItemPerSecond(1, window, namespace=f"flood/{name}/warned")

    async def check(self, *, user_id: int | None, chat_id: int | None) -> Verdict:
        """Record one question and say whether to answer it."""
        return await _run(self._storage, lambda: self._check(user_id, chat_id))

    def _check(self, user_id: int | None, chat_id: int | None) -> Verdict:
        if chat_id == user_id and self._items["chat"].amount >= self._items["user"].amount:
            chat_id = None  # a private chat's questions are all its user's: one count will do
        keys = [
            (kind, str(ident), self._items[kind])
            for kind, ident in (("user", user_id), ("chat", chat_id))
            if ident is not None
        ]
        try:
            # A full chat is seen before the user's slot is taken, so an unanswered question
            # costs nothing (unless another replica fills the chat between the two, rarely).
            for kind, ident, item in keys[1:]:
                if not self._limiter.test(item, kind, ident):
                    return self._over(kind, ident)
            for kind, ident, item in keys:
                if not self._limiter.hit(item, kind, ident):
                    return self._over(kind, ident)
        except StorageError as exc:
            # Better an unlimited bot than a silent one while the shared storage is away.
            log.warning("flood limits unavailable, answering anyway: %s", exc)
        return Verdict.ANSWER

    def _over(self, kind: str, ident: str) -> Verdict:
        first = self._limiter.hit(self._warned, kind, ident)
        return Verdict.WARN if first else Verdict.QUIET


def build_flood_guards(settings: Settings, engine: Engine) -> tuple[FloodGuard, FloodGuard]:
    """The flood guards for questions and for /suggest, over the shared storage."""
    storage = shared_storage(settings, engine)
    questions = FloodGuard(
        storage,
        name="questions",
        per_user=settings.questions_per_user,
        per_chat=settings.questions_per_chat,
        window_seconds=settings.question_window_seconds,
    )
    suggestions = FloodGuard(
        storage,
        name="suggestions",
        per_user=settings.suggestions_per_user,
        per_chat=settings.suggestions_per_user,  # /suggest is counted per user only
        window_seconds=settings.suggestion_window_seconds,
    )
    return questions, suggestions


# --- Telegram's send limits -------------------------------------------------------------------


def headroom(limit: int) -> int:
    """What background sends may use of a limit: about 5% stays for other replicas' answers
    (this replica's own answers go first anyway)."""
    return max(1, limit - max(1, limit // 20))


def _group_of(chat_id: Any) -> str | None:
    """The group a request goes to, as PTB's limiter tells: a negative id or a @username."""
    try:
        number = int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id) if isinstance(chat_id, str) else None
    return str(number) if number < 0 else None


class _Lateness:
    """How late sends reach Telegram after their entry is taken: at most the time from the
    entry to the reply (a queue for a connection, the request itself). Windows are padded by
    the longest of the recent sends, so that sends counted a window apart also arrive a window
    apart, on a busy host or a slow network as on a quiet one."""

    def __init__(self) -> None:
        self._recent: deque[float] = deque(maxlen=LATENESS_SAMPLES)

    def record(self, seconds: float) -> None:
        self._recent.append(seconds)

    def padding(self) -> float:
        longest = max(self._recent, default=0.0)
        return min(MAX_LATENESS_SECONDS, max(JITTER_SECONDS, longest))


class _Turns:
    """One waiter per key at a time in this process, so that a full window is polled by one
    request per replica, not by every request waiting for it; later ones queue in order."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, bool], tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, key: str, background: bool) -> AsyncIterator[None]:
        name = (key, background)  # background requests never hold up answers
        lock, users = self._locks.get(name, (asyncio.Lock(), 0))
        self._locks[name] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[name]
            if users == 1:
                del self._locks[name]
            else:
                self._locks[name] = (lock, users - 1)

    def answers_waiting(self, key: str) -> bool:
        """Whether an answer (a request that is not background) waits for room under key."""
        return (key, False) in self._locks


class SharedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Telegram's send limits over all replicas, and retries of 429s, 5xx and lost connections.

    Every request to a chat counts against one overall key (``messages_per_second`` a second)
    and, for a group, against the group's key (``group_messages_per_minute`` a minute); when a
    key is full the request waits until its window frees. A request sent with
    ``rate_limit_args={"background": True}`` (the notification fan-out) may only use what leaves
    about 10% for answers, and is never retried here: its error goes to the caller, who
    reschedules it. Other requests are retried as Telegram asks (429) or with backoff (5xx, a
    dropped connection). A timed-out request is not retried: Telegram may have delivered it, and
    a question must be answered once, not twice. Nor is a 400: it would be refused again.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        messages_per_second: int,
        group_messages_per_minute: int,
        max_retries: int = c.RATE_LIMIT_RETRIES,
    ) -> None:
        if not isinstance(storage, MovingWindowSupport):
            raise TypeError(f"{type(storage).__name__} has no moving window")
        self._storage = storage
        self._windows = cast(MovingWindowSupport, storage)
        self._overall = messages_per_second
        self._group = group_messages_per_minute
        self._max_retries = max_retries
        self._turns = _Turns()
        self._lateness = _Lateness()
        self._paused_until = 0.0  # loop time; after a 429, this process sends nothing until then

    async def initialize(self) -> None:
        """Nothing to open: the storage connects on first use."""

    async def shutdown(self) -> None:
        """Nothing to close: the engine or Redis pool belongs to the process."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> Result:
        background = bool(rate_limit_args and rate_limit_args.get("background"))
        if background:
            since = await self._admit(data, background=True)
            return await self._timed(callback(*args, **kwargs), since)
        delay, rate_limited, failed = RETRY_BACKOFF_SECONDS, 0, 0
        while True:
            since = await self._admit(data, background=False)
            try:
                return await self._timed(callback(*args, **kwargs), since)
            except RetryAfter as exc:
                if rate_limited == self._max_retries:
                    raise
                rate_limited += 1
                await self._pause(retry_after_seconds(exc) + 0.1, endpoint)
            except (TimedOut, BadRequest):
                raise  # a timeout may have been delivered; a 400 will fail again as it did
            except NetworkError as exc:
                if failed == c.RATE_LIMIT_RETRIES or endpoint == "getUpdates":
                    raise
                failed += 1
                log.warning("%s failed (%s); retry %s in %.1fs", endpoint, exc, failed, delay)
                await asyncio.sleep(delay)
                delay *= 2

    async def _timed(self, request: Coroutine[Any, Any, Result], since: float | None) -> Result:
        """Run a request that was just admitted; for a send the limits counted (``since`` its
        entry was taken), learn how late it may have reached Telegram."""
        try:
            return await request
        finally:
            if since is not None:
                self._lateness.record(time.monotonic() - since)

    async def _pause(self, seconds: float, endpoint: str) -> None:
        log.info("%s: Telegram asks to wait; retrying after %.1fs", endpoint, seconds)
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)
        await asyncio.sleep(seconds)

    async def _admit(self, data: dict[str, Any], *, background: bool) -> float | None:
        """Wait for a pause to end and for room under every limit the request counts against;
        for a send to a chat, when (monotonic) its first entry began to be taken."""
        loop = asyncio.get_running_loop()
        paused = self._paused_until - loop.time()
        if paused > 0:  # another request here was told to wait: so is this one
            await asyncio.sleep(paused)
        chat_id = data.get("chat_id")
        if chat_id is None:
            return None  # not a send to a chat: getUpdates, answerCallbackQuery, setMyCommands...
        group = _group_of(chat_id)
        taken: list[float] = []
        try:
            # The group first: a slot taken there is used as soon as the overall key has room.
            if group is not None:
                limit = headroom(self._group) if background else self._group
                key = f"telegram/group/{group}"
                taken.append(await self._take(key, limit, GROUP_WINDOW, background))
            limit = headroom(self._overall) if background else self._overall
            taken.append(await self._take(OVERALL_KEY, limit, OVERALL_WINDOW, background))
        except StorageError as exc:
            # Telegram's 429s are still retried; silence would be worse than going over.
            log.warning("send limits unavailable, sending anyway: %s", exc)
        return min(taken, default=time.monotonic())

    async def _take(self, key: str, limit: int, window: int, background: bool) -> float:
        """One entry under ``key``, waiting for the window to free when it is full; when
        (monotonic) the attempt that took it began, since the entry is stamped after that.

        Room is looked for over a window a little longer than Telegram's: a send counts from
        when its entry is taken, but reaches Telegram later (the event loop, a connection), and
        the one that replaces it may be quicker. Measured: with 1 s exactly, the fake Bot API
        saw 30 sends of a limit of 29 in some second; with a fixed 20 ms more, 12 of 10 on a
        busy machine. So the padding is the lateness of recent sends (``_Lateness``).
        """
        async with self._turns.turn(key, background):
            while True:
                if background and self._turns.answers_waiting(key):
                    await asyncio.sleep(MIN_WAIT_SECONDS)  # this replica's answers go first
                    continue
                padded: Any = window + self._lateness.padding()  # the storages read a float
                tried = time.monotonic()
                taken, start, count = await self._try(key, limit, window, padded)
                if taken:
                    return tried
                wait = start + padded - _now(self._storage) if count >= limit else 0.0
                await asyncio.sleep(min(max(wait, MIN_WAIT_SECONDS), window))

    async def _try(self, key: str, limit: int, window: int, padded: Any) -> tuple[bool, float, int]:
        """Whether an entry was taken; if not, the padded window's start and count."""
        windows, storage = self._windows, self._storage
        if isinstance(storage, RedisStorage):
            # Its keys expire after the window in whole seconds: look over the padded window,
            # then take the entry over Telegram's.
            start, count = await _run(
                storage, lambda: windows.get_moving_window(key, limit, padded)
            )
            if count >= limit:
                return False, start, count
            return await _run(storage, lambda: windows.acquire_entry(key, limit, window)), start, 0
        if await _run(storage, lambda: windows.acquire_entry(key, limit, padded)):
            return True, 0.0, 0
        start, count = await _run(storage, lambda: windows.get_moving_window(key, limit, padded))
        return False, start, count


def retry_after_seconds(exc: RetryAfter) -> float:
    # The private timedelta, as PTB's own limiter reads it: the public one warns in PTB 22.
    return exc._retry_after.total_seconds()


def build_rate_limiter(settings: Settings, engine: Engine) -> SharedRateLimiter | None:
    """Telegram's send limits over all replicas; None when they are off (a local Bot API)."""
    if not settings.telegram_rate_limit:
        return None
    return SharedRateLimiter(
        shared_storage(settings, engine),
        messages_per_second=settings.messages_per_second,
        group_messages_per_minute=settings.group_messages_per_minute,
    )
