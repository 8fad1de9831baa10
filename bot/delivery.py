"""Following topics: which subscriptions a claim change answers, and delivering what each is
owed, once, from any number of replicas.

The test of "answers" is the search a follower's question gets: a change reaches a
subscription when its claim is among the claims that answer the topic (so every rule of
the search applies: another side, war, place or period is not an answer). A retracted
claim is tested as it stood before the retraction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any, Final

from sqlalchemy.engine import Engine
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.config import Settings
from bot.i18n import get_locale
from bot.limits import retry_after_seconds
from bot.render import HTML
from bot.render_follow import render_notification
from bot.search import ClaimIndex
from bot.service import Answerer
from store import ClaimPublic, ClaimRow, active_claim_rows, get_claims
from store.models import utcnow
from store.outbox import (
    DeliveryPublic,
    PendingChange,
    Planned,
    expand_changes,
    mark_failed,
    mark_sent,
    retry_later,
    take_deliveries,
)
from store.subscriptions import (
    SubscriptionPublic,
    active_subscriptions,
    get_subscriptions,
    move_chat,
    pause_chat,
)

log = logging.getLogger(__name__)

MATCH_LIMIT: Final = 100  # claims of a topic's answer that count as answering it
BATCH: Final = 20  # deliveries one replica leases at a time: a death strands few
SENDS_AT_ONCE: Final = 4  # messages in flight per replica
MAX_BACKOFF_SECONDS: Final = 300.0


# --- which subscriptions a change answers ----------------------------------------------


class Planner:
    """Turns claim changes into the deliveries they call for, with the live index."""

    def __init__(self, *, engine: Engine, answerer: Answerer) -> None:
        self._engine = engine
        self._answerer = answerer

    def __call__(self, changes: Sequence[PendingChange]) -> list[Planned]:
        followers = active_subscriptions(engine=self._engine)
        if not followers:
            return []
        by_topic: dict[str, list[SubscriptionPublic]] = defaultdict(list)
        for follower in followers:
            by_topic[follower.topic.casefold()].append(follower)
        index = self._answerer.index_at_least(max(change.revision for change in changes))
        retracted = [change for change in changes if change.kind == "retract"]
        as_they_stood = self._with_claims([c.claim_id for c in retracted]) if retracted else index
        planned: list[Planned] = []
        for topic_followers in by_topic.values():
            topic = topic_followers[0].topic
            planned.extend(self._plan_topic(topic, topic_followers, changes, index, as_they_stood))
        return planned

    def _plan_topic(
        self,
        topic: str,
        followers: Sequence[SubscriptionPublic],
        changes: Sequence[PendingChange],
        index: ClaimIndex,
        as_they_stood: ClaimIndex,
    ) -> Iterable[Planned]:
        answering = _answering(index, topic)
        answered_before = _answering(as_they_stood, topic) if as_they_stood is not index else set()
        for change in changes:
            retract = change.kind == "retract"
            if change.claim_id not in (answered_before if retract else answering):
                continue
            previous = (as_they_stood if retract else index).previous_of(change.claim_id)
            for follower in followers:
                if not _followed_before(follower, change):
                    continue  # a chat hears of what changes after it follows, not before
                yield Planned(
                    follower.id, follower.chat_id, change, previous.id if previous else None
                )

    def _with_claims(self, claim_ids: Sequence[int]) -> ClaimIndex:
        """The index as it stood with these (since retracted) claims still active."""
        revived = {
            claim.id: claim.model_copy(update={"status": "active", "retraction_reason": None})
            for claim in get_claims(engine=self._engine, ids=claim_ids)
        }
        rows = [
            *(row for row in active_claim_rows(engine=self._engine) if row.id not in revived),
            *(ClaimRow.of(claim) for claim in revived.values()),
        ]

        def fetch(ids: Sequence[int]) -> Sequence[ClaimPublic]:
            stored = {c.id: c for c in get_claims(engine=self._engine, ids=ids)}
            return [revived.get(i) or stored[i] for i in ids if i in revived or i in stored]

        return ClaimIndex.from_rows(sorted(rows, key=lambda row: row.id), fetch)


def _followed_before(follower: SubscriptionPublic, change: PendingChange) -> bool:
    """Whether the chat already followed the topic when the change was made (a change still
    waiting to be fanned out when the chat began to follow is not news to it)."""
    made, since = change.made_at, follower.created_at
    if made is None:
        return True
    if made.tzinfo is None:  # SQLite returns naive UTC
        made = made.replace(tzinfo=UTC)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since <= made


def _answering(index: ClaimIndex, topic: str) -> set[int]:
    result = index.search(topic, limit=MATCH_LIMIT)
    return {match.claim.id for match in result.matches}


# --- sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery, for the log and the counters."""

    sent: bool = False
    wait: float = 0.0  # seconds Telegram asked every sender to pause (a 429)


def replica_name() -> str:
    """Who holds a lease: host and process, so an operator can tell replicas apart."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class Dispatcher:
    """Fans out claim changes and sends what is due, until cancelled.

    Wakes when told of a change (``wake``: this process's writes, or another replica's
    through LISTEN/NOTIFY), else every ``delivery_poll_seconds``. Sends go through the shared
    rate limiter as background requests, which leave room for answers to questions.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        bot: Bot,
        answerer: Answerer,
        settings: Settings,
        busy: Callable[[], bool] = lambda: False,
    ) -> None:
        self._engine = engine
        self._bot = bot
        self._busy = busy  # whether questions are being answered: then one send at a time
        self._narrow = asyncio.Lock()
        self._settings = settings
        self._planner = Planner(engine=engine, answerer=answerer)
        self._owner = replica_name()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._paused_until = 0.0
        self.sent = 0  # messages Telegram accepted from this process

    def wake(self, _revision: int | None = None) -> None:
        """A change was written: look now rather than at the next poll. Safe from any
        thread (store writes run in worker threads)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        """Deliver until cancelled; the bot must be initialised (start-up does it)."""
        self._loop = asyncio.get_running_loop()
        try:
            await self._loop_forever()
        finally:
            self._loop = None

    async def close(self) -> None:
        """Release the delivery bot's connections, once the worker has stopped."""
        await self._bot.shutdown()

    async def _loop_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            await asyncio.to_thread(expand_changes, engine=self._engine, plan=self._planner)
            pause = self._paused_until - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            if await self._send_due():
                continue  # there may be more due right away
            # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a cancel
            # that arrives as the wake-up does, and the worker would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.delivery_poll_seconds):
                    await self._wake.wait()

    async def _send_due(self) -> bool:
        """Lease and send one batch; whether there was anything to send."""
        batch = await asyncio.to_thread(
            take_deliveries,
            engine=self._engine,
            owner=self._owner,
            limit=BATCH,
            lease_seconds=self._settings.delivery_lease_seconds,
        )
        if not batch:
            return False
        ids = {d.subscription_id for d in batch}
        subscriptions = await asyncio.to_thread(
            get_subscriptions, engine=self._engine, ids=sorted(ids)
        )
        claim_ids = {d.claim_id for d in batch} | {
            d.previous_claim_id for d in batch if d.previous_claim_id is not None
        }
        claims = await asyncio.to_thread(get_claims, engine=self._engine, ids=sorted(claim_ids))
        found = {claim.id: claim for claim in claims}
        slots = asyncio.Semaphore(SENDS_AT_ONCE)

        async def one(delivery: DeliveryPublic) -> None:
            async with slots:
                if self._paused_until > asyncio.get_running_loop().time():
                    await self._put_back(delivery, 0.0)
                    return
                if self._busy():  # answers first: the event loop is theirs while they wait
                    async with self._narrow:
                        outcome = await self._deliver(delivery, subscriptions, found)
                else:
                    outcome = await self._deliver(delivery, subscriptions, found)
                if outcome.wait:
                    loop_time = asyncio.get_running_loop().time()
                    self._paused_until = max(self._paused_until, loop_time + outcome.wait)

        await asyncio.gather(*(one(delivery) for delivery in batch))
        return True

    async def _deliver(
        self,
        delivery: DeliveryPublic,
        subscriptions: dict[int, SubscriptionPublic],
        claims: dict[int, ClaimPublic],
    ) -> Outcome:
        subscription = subscriptions.get(delivery.subscription_id)
        claim = claims.get(delivery.claim_id)
        if subscription is None or subscription.status != "active" or claim is None:
            await asyncio.to_thread(
                mark_failed, engine=self._engine, delivery_id=delivery.id, error="not followed"
            )
            return Outcome()
        previous = claims.get(delivery.previous_claim_id or 0)
        text = render_notification(
            delivery, claim, subscription, HTML, get_locale(subscription.language), previous
        )
        return await self._send(delivery, text)

    async def _send(self, delivery: DeliveryPublic, text: str) -> Outcome:
        engine, chat_id = self._engine, delivery.chat_id
        # Background: the shared limiter leaves answers their share of Telegram's rate.
        limited = isinstance(self._bot, ExtBot) and self._bot.rate_limiter is not None
        args: dict[str, Any] = {"rate_limit_args": {"background": True}} if limited else {}
        try:
            await self._bot.send_message(chat_id, text, **args)
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            log.warning("delivery %s: Telegram asks to wait %.0fs", delivery.id, wait)
            await self._put_back(delivery, wait, "429", attempt=False)
            return Outcome(wait=wait)
        except ChatMigrated as exc:
            log.info("chat %s became %s; its subscriptions follow it", chat_id, exc.new_chat_id)
            await asyncio.to_thread(
                move_chat, engine=engine, old_chat_id=chat_id, new_chat_id=exc.new_chat_id
            )
            await self._put_back(delivery, 0.0, "chat migrated", attempt=False)
            return Outcome()
        except Forbidden as exc:
            log.info("chat %s refuses messages (%s): its subscriptions are paused", chat_id, exc)
            await asyncio.to_thread(pause_chat, engine=engine, chat_id=chat_id, reason=str(exc))
            return Outcome()
        except BadRequest as exc:  # the same request would be refused again
            log.warning("delivery %s refused: %s", delivery.id, exc)
            await asyncio.to_thread(
                mark_failed, engine=engine, delivery_id=delivery.id, error=str(exc)
            )
            return Outcome()
        except (NetworkError, TelegramError) as exc:  # 5xx, timeouts, lost connections
            await self._retry_or_fail(delivery, exc)
            return Outcome()
        await asyncio.to_thread(mark_sent, engine=engine, delivery_id=delivery.id)
        self.sent += 1
        return Outcome(sent=True)

    async def _retry_or_fail(self, delivery: DeliveryPublic, exc: TelegramError) -> None:
        if delivery.attempts + 1 >= self._settings.delivery_attempts:
            log.warning("delivery %s failed for good after %s tries: %s", delivery.id,
                        delivery.attempts + 1, exc)  # fmt: skip
            await asyncio.to_thread(
                mark_failed, engine=self._engine, delivery_id=delivery.id, error=str(exc)
            )
            return
        wait = backoff_seconds(delivery.attempts)
        log.warning("delivery %s failed (%s); retrying in %.0fs", delivery.id, exc, wait)
        await self._put_back(delivery, wait, str(exc), attempt=True)

    async def _put_back(
        self, delivery: DeliveryPublic, wait: float, error: str = "", *, attempt: bool = False
    ) -> None:
        await asyncio.to_thread(
            retry_later,
            engine=self._engine,
            delivery_id=delivery.id,
            at=utcnow() + timedelta(seconds=wait),
            error=error,
            attempt=attempt,
        )


def backoff_seconds(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones: 1, 2, 4 ... up to 5 min."""
    return float(min(2.0**attempts, MAX_BACKOFF_SECONDS))
