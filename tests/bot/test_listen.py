"""Writes announce themselves on PostgreSQL (NOTIFY), and every listener hears them at once.

The channel is shared by every schema of the test database, so other tests' writes are heard
too: each test first moves its own store revision to a random, far-off number, and counts
only the revisions near it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import kill_connections
from helpers.builders import SEED_FILE, claim_dict, document
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from bot.listen import ChangeListener, change_listener, libpq_dsn
from bot.service import Answerer, seed_if_empty
from store import CHANGES_CHANNEL, add_claim, create_db_engine, store_revision, validate_document
from store.claims import _bump_revision
from store.models import StoreMeta

KHERSON_QUESTION = "how many russian soldiers died in kherson"
HEAR_SECONDS = 5.0  # generous: a notification normally arrives within milliseconds
QUIET_SECONDS = 0.3  # how long to wait for a notification that must not come


def kherson(key: str = "kherson-killed-2022", figure: int = 12345) -> dict[str, Any]:
    return claim_dict(key=key, figure=figure, who="Russian troops", where="Kherson", date="2022-11")


def add(engine: Engine, key: str = "kherson-killed-2022", figure: int = 12345) -> int:
    """Store one claim in its own transaction; the store revision after it."""
    (claim,) = validate_document(document(kherson(key, figure)))
    add_claim(engine=engine, claim=claim, actor="1001")
    return store_revision(engine=engine)


def far_off_revision(engine: Engine) -> int:
    """Move this store's revision where no other test's revision will be, and return it."""
    revision = random.randrange(10**12, 10**15)
    with Session(engine) as session:
        session.execute(update(StoreMeta).values(revision=revision))
        session.commit()
    return revision


def near(heard: list[int], base: int) -> list[int]:
    """The revisions of this test's store among everything heard on the shared channel."""
    return [revision for revision in heard if base <= revision < base + 1000]


async def hear(heard: list[int], wanted: Callable[[list[int]], bool]) -> None:
    deadline = time.monotonic() + HEAR_SECONDS
    while not wanted(heard):
        assert time.monotonic() < deadline, f"never heard it; heard {heard[-5:]}"
        await asyncio.sleep(0.01)


@pytest.fixture
def engines(postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one PostgreSQL schema, as two replicas have."""
    writer, reader = create_db_engine(postgres_url), create_db_engine(postgres_url)
    yield writer, reader
    writer.dispose()
    reader.dispose()


@asynccontextmanager
async def listening(engine: Engine, *callbacks: Callable[[int], None]) -> AsyncIterator[None]:
    """A running listener on ``engine``'s database, cancelled at the end."""
    listener = change_listener(engine, callbacks)
    assert isinstance(listener, ChangeListener)
    task = asyncio.create_task(listener.run())
    await asyncio.wait_for(listener.listening.wait(), HEAR_SECONDS)
    try:
        yield
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_write_through_one_engine_reaches_a_listener_on_another(
    engines: tuple[Engine, Engine],
) -> None:
    writer, reader = engines
    base = far_off_revision(writer)
    heard: list[int] = []
    async with listening(reader, heard.append):
        revision = add(writer)
        await hear(heard, lambda heard: revision in heard)
    assert revision == base + 1
    assert near(heard, base) == [base, base + 1]  # the revision at connect time, then the write


async def test_a_rolled_back_write_announces_nothing(engines: tuple[Engine, Engine]) -> None:
    writer, reader = engines
    base = far_off_revision(writer)
    heard: list[int] = []
    async with listening(reader, heard.append):
        with Session(writer) as session:
            _bump_revision(session)
            session.rollback()
        await asyncio.sleep(QUIET_SECONDS)
        assert near(heard, base) == [base]
        add(writer)  # the revision the rolled-back write had taken, now committed
        await hear(heard, lambda heard: base + 1 in heard)
    assert near(heard, base) == [base, base + 1]


async def test_the_listener_hears_writes_again_after_its_connection_is_killed(
    engines: tuple[Engine, Engine], postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.listen")
    writer, reader = engines
    base = far_off_revision(writer)
    heard: list[int] = []
    async with listening(reader, heard.append):
        assert kill_connections(postgres_url) >= 1
        # On reconnecting it reports the revision, since what it missed meanwhile is lost.
        await hear(heard, lambda heard: near(heard, base) == [base, base])
        revision = add(writer)
        await hear(heard, lambda heard: revision in heard)
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "lost its database connection" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert not warnings[0].exc_info  # tracebacks only at DEBUG


async def test_a_listener_that_cannot_connect_keeps_trying(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.listen")
    # A port nothing listens on: every attempt fails at once.
    listener = ChangeListener("host=127.0.0.1 port=9 connect_timeout=1", [])
    task = asyncio.create_task(listener.run())
    await asyncio.sleep(1.0)  # attempts at 0 s and 0.5 s
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    failures = [record for record in caplog.records if "lost" in record.getMessage()]
    assert len(failures) >= 2
    # One warning for the outage; later attempts are logged at DEBUG only.
    assert [record.levelno for record in failures][:2] == [logging.WARNING, logging.DEBUG]


async def test_a_payload_that_is_not_a_revision_is_ignored(
    engines: tuple[Engine, Engine], postgres_url: str
) -> None:
    writer, reader = engines
    base = far_off_revision(writer)
    heard: list[int] = []
    async with listening(reader, heard.append):
        dsn = libpq_dsn(make_url(postgres_url))
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as db:
            await db.execute("SELECT pg_notify(%s, 'not a revision')", (CHANGES_CHANNEL,))
        revision = add(writer)
        await hear(heard, lambda heard: revision in heard)
    assert all(isinstance(revision, int) for revision in heard)
    assert near(heard, base) == [base, base + 1]


async def test_a_failing_callback_does_not_deafen_the_others(
    engines: tuple[Engine, Engine],
) -> None:
    writer, reader = engines
    far_off_revision(writer)
    heard: list[int] = []

    def broken(revision: int) -> None:
        raise RuntimeError(f"cannot handle {revision}")

    async with listening(reader, broken, heard.append):
        revision = add(writer)
        await hear(heard, lambda heard: revision in heard)


async def test_a_notified_answerer_answers_another_replicas_claim_at_once(
    engines: tuple[Engine, Engine],
) -> None:
    writer, reader = engines
    seed_if_empty(engine=writer, seed_file=SEED_FILE)
    answerer = Answerer(reader, refresh_seconds=3600)  # no poll within the test
    assert not answerer.index().search(KHERSON_QUESTION).answered
    async with listening(reader, answerer.changed):
        add(writer)
        started = time.monotonic()
        while not answerer.index().search(KHERSON_QUESTION).answered:
            assert time.monotonic() - started < 1.0, "the notified index was never rebuilt"
            await asyncio.sleep(0.005)


def test_there_is_no_listener_on_sqlite(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'claims.db'}")
    assert change_listener(engine, []) is None


def test_the_listeners_connection_keeps_the_urls_options() -> None:
    url = make_url(
        "postgresql+psycopg://bot:s3cret@db.example.org:5433/claims"
        "?options=-csearch_path%3Dt_1&application_name=t_1&sslmode=require"
    )
    params = conninfo_to_dict(libpq_dsn(url))
    assert params["host"] == "db.example.org"
    assert params["port"] == "5433"
    assert params["user"] == "bot"
    assert params["password"] == "s3cret"
    assert params["dbname"] == "claims"
    assert params["options"] == "-csearch_path=t_1"
    assert params["application_name"] == "t_1"
    assert params["sslmode"] == "require"


# --- the answerer, told of a change --------------------------------------------------------


@pytest.fixture
def answerer(engine: Engine) -> Answerer:
    seed_if_empty(engine=engine, seed_file=SEED_FILE)
    # An hour between store checks: only a notification makes it re-read the store here.
    answerer = Answerer(engine, refresh_seconds=3600)
    answerer.index()
    return answerer


def answered_within(answerer: Answerer, figures: set[int], seconds: float) -> float:
    """Ask until the answer holds every one of ``figures``; the seconds it took."""
    started = time.monotonic()
    while True:
        matches = answerer.index().search(KHERSON_QUESTION).matches
        if figures <= {match.claim.figure_low for match in matches}:
            return time.monotonic() - started
        assert time.monotonic() - started < seconds, f"still answering {len(matches)} claims"
        time.sleep(0.002)


def test_a_change_told_to_the_answerer_is_answered_without_waiting_for_the_next_check(
    engine: Engine, answerer: Answerer
) -> None:
    revision = add(engine)
    assert not answerer.ask(KHERSON_QUESTION).answered  # the next store check is an hour away
    answerer.changed(revision)
    assert answered_within(answerer, {12345}, 1.0) < 1.0


def test_changes_told_while_a_rebuild_runs_are_all_caught_up(
    engine: Engine, answerer: Answerer
) -> None:
    answerer.changed(add(engine, "kherson-1", 11111))
    answerer.changed(add(engine, "kherson-2", 22222))  # most likely while the first rebuilds
    answered_within(answerer, {11111, 22222}, 2.0)


def test_a_revision_the_index_already_holds_changes_nothing(
    engine: Engine, answerer: Answerer
) -> None:
    index = answerer.fresh()
    assert index is not None
    answerer.changed(store_revision(engine=engine))
    assert answerer.fresh() is index  # no store check due, no rebuild started
