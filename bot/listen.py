"""Hear other replicas' writes the moment they commit: PostgreSQL LISTEN on the store's channel.

Every write announces its new store revision with NOTIFY (``store.CHANGES_CHANNEL``). Each
replica listens on a connection of its own, outside the engine's pool, and hands each
revision to its callbacks: the answerer rebuilds its index at once instead of at its next
revision poll. The poll stays, as the fallback while the listener is away and for SQLite,
which has no NOTIFY.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import aclosing
from typing import Final

from sqlalchemy.engine import URL, Engine

from store import CHANGES_CHANNEL
from store.models import StoreMeta

log = logging.getLogger(__name__)

Callback = Callable[[int], None]

FIRST_RETRY_SECONDS: Final = 0.5  # wait before the first reconnect; doubles on each failure
MAX_RETRY_SECONDS: Final = 30.0  # the longest wait between reconnects
CONNECT_TIMEOUT_SECONDS: Final = 10  # an unreachable server fails the attempt after this
# TCP keepalives, so a connection that died silently (no reset) is noticed in about a minute
# rather than never: a listening connection sends nothing of its own.
KEEPALIVES: Final = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
_REVISION_QUERY: Final = f"SELECT revision FROM {StoreMeta.__tablename__} WHERE id = 1"


def libpq_dsn(url: URL) -> str:
    """The libpq connection string of a SQLAlchemy URL, keeping its query options (search
    path, application name, SSL mode...)."""
    query = {
        name: value if isinstance(value, str) else value[-1] for name, value in url.query.items()
    }
    params = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    }
    from psycopg.conninfo import make_conninfo  # psycopg (9 MB) only where there is NOTIFY

    return make_conninfo("", **(params | KEEPALIVES | query))


def _revision(payload: str) -> int | None:
    try:
        return int(payload)
    except ValueError:
        return None


class ChangeListener:
    """Calls each callback with the store revision of every committed write, from any replica.

    Callbacks run on the event loop and must be cheap (start work elsewhere, never wait for
    it). They are also called with the current revision each time the listener connects,
    since what was announced while it was away is lost.
    """

    def __init__(self, dsn: str, callbacks: Sequence[Callback]) -> None:
        self._dsn = dsn
        self._callbacks = tuple(callbacks)
        self.listening = asyncio.Event()  # set while a connection is listening

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with backoff whenever the connection drops."""
        import psycopg  # here: SQLite never listens, and never pays for the import

        delay = FIRST_RETRY_SECONDS
        lost = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as db:
                    await db.execute(f"LISTEN {CHANGES_CHANNEL}")
                    row = await (await db.execute(_REVISION_QUERY)).fetchone()
                    if lost:
                        log.info("change listener reconnected")
                    delay, lost = FIRST_RETRY_SECONDS, False
                    self.listening.set()
                    if row is not None:
                        self._deliver(str(row[0]))
                    # Closed before the connection is: the generator holds its lock till then.
                    async with aclosing(db.notifies()) as notifications:
                        async for notification in notifications:
                            self._deliver(notification.payload)
            except (psycopg.Error, OSError) as exc:
                self.listening.clear()
                # One warning per outage, not one per failed attempt; tracebacks at DEBUG only.
                log.log(
                    logging.DEBUG if lost else logging.WARNING,
                    "change listener lost its database connection (%s); retrying in %.1fs",
                    " ".join(str(exc).split()),
                    delay,
                    exc_info=log.isEnabledFor(logging.DEBUG),
                )
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)
            finally:
                self.listening.clear()

    def _deliver(self, payload: str) -> None:
        revision = _revision(payload)
        if revision is None:
            log.debug("ignored a %s notification: %r", CHANGES_CHANNEL, payload[:40])
            return
        for callback in self._callbacks:
            try:
                callback(revision)
            except Exception:  # one broken callback must not deafen the others
                log.exception("a store change callback failed")


def change_listener(engine: Engine, callbacks: Sequence[Callback]) -> ChangeListener | None:
    """A listener on ``engine``'s database; None where there is no NOTIFY (SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    return ChangeListener(libpq_dsn(engine.url), callbacks)
