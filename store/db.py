"""The database engine: SQLite by default, PostgreSQL through ``DATABASE_URL``."""

from __future__ import annotations

import logging
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from store.claims import ensure_meta
from store.migrate import upgrade

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL: Final = "sqlite:///casualties.db"
SQLITE_BUSY_TIMEOUT_MS: Final = 5_000  # how long a writer waits for another writer's lock


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets questions read while an admin writes; the busy timeout queues writers.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str = DEFAULT_DATABASE_URL, *, migrate: bool = True) -> Engine:
    """Build an engine for ``url`` and bring its schema up to date (first use creates it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        # pre-ping: a pooled connection that died with a server restart is replaced, not used.
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    if migrate:
        upgrade(engine)
        ensure_meta(engine=engine)
    return engine


def describe_database(engine: Engine) -> str:
    """The database's URL with any password hidden, for log lines."""
    return engine.url.render_as_string(hide_password=True)
