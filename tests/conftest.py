"""Shared fixtures: a fresh database per test (SQLite and PostgreSQL), the fake Bot API, the bot."""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import psycopg
import pytest
from helpers.builders import SEED_FILE
from helpers.fake_telegram import FakeTelegram
from helpers.updates import ADMIN_ID, BOT_ID, BOT_USERNAME
from sqlalchemy.engine import Engine, make_url
from telegram import Update
from telegram.ext import Application

from bot.app import build_application, startup, stop_background
from bot.config import Settings, load_settings
from bot.extract import Article, Draft, draft_claims
from store import create_db_engine

POSTGRES_URL: Final = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TOKEN: Final = f"{BOT_ID}:TEST-token-that-must-never-be-logged"

BotApp = Application[Any, Any, Any, Any, Any, Any]


def _postgres_dsn() -> str:
    return make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def _require_postgres() -> None:
    try:
        with psycopg.connect(_postgres_dsn(), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI requires it)")
        pytest.skip(message)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, as a URL whose connections are named after it."""
    _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_postgres_dsn(), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        # application_name lets a test find (and kill) exactly this test's connections.
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with psycopg.connect(_postgres_dsn(), autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (schema,),
            )
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def kill_connections(database_url: str) -> int:
    """Terminate every server connection of this test's schema, as a server restart would."""
    name = make_url(database_url).query["application_name"]
    with psycopg.connect(_postgres_dsn(), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (name,),
        ).fetchall()
    return len(rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of its own: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'claims.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def another_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'another.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL schema, for behaviour that only a shared server has."""
    with postgres_schema() as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username=BOT_USERNAME, bot_id=BOT_ID) as fake:
        yield fake


@pytest.fixture
def settings(fake_telegram: FakeTelegram, database_url: str) -> Settings:
    return load_settings(
        bot_token=TOKEN,
        telegram_base_url=fake_telegram.base_url,
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID}),
        seed_file=SEED_FILE,
        telegram_timeout=2.0,
    )


@pytest.fixture
async def bot_app(settings: Settings) -> AsyncIterator[BotApp]:
    """The real Application, initialised and started up against the fake Bot API."""
    application = build_application(settings)
    await application.initialize()
    await startup(application)
    yield application
    await stop_background(application)
    await application.shutdown()
    application.bot_data["deps"].engine.dispose()


@pytest.fixture
async def flood_limited_send(settings: Settings) -> AsyncIterator[Any]:
    """The bot with three questions per user and five per chat in each window."""
    limited = settings.model_copy(update={"questions_per_user": 3, "questions_per_chat": 5})
    application = build_application(limited)
    async with application:
        await startup(application)

        async def send(data: dict[str, Any]) -> None:
            await application.process_update(Update.de_json(data, application.bot))

        yield send
        await stop_background(application)
    application.bot_data["deps"].engine.dispose()


@pytest.fixture
def send(bot_app: BotApp) -> Any:
    """Feed one update dict to the bot and wait until every handler has finished."""

    async def _send(data: dict[str, Any]) -> None:
        await bot_app.process_update(Update.de_json(data, bot_app.bot))

    return _send


@pytest.fixture
def drafts() -> Callable[..., list[Draft]]:
    """``drafts(text, lang=None, published="2025-03-10", author=...)``: the drafts of a few
    sentences written for a test, as of a fixed day."""

    def read(
        text: str,
        *,
        lang: str | None = None,
        published: str | None = "2025-03-10",
        author: str | None = "Test Author",
    ) -> list[Draft]:
        day = datetime.date.fromisoformat(published) if published else None
        article = Article(text=text, lang=lang, published=day, author=author)
        return draft_claims(article, today=datetime.date(2025, 12, 31))

    return read


REDIS_HOST: Final = "127.0.0.1:6379"
_REDIS_CLAIM: Final = "casualty-bot-test:claimed"  # marks a database as taken by one test


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis URL on a database of its own (one of 1-15, empty when taken), emptied after."""
    import redis

    try:
        redis.Redis.from_url(f"redis://{REDIS_HOST}/0", socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_HOST}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI requires it)")
        pytest.skip(message)
    for number in range(1, 16):
        client = redis.Redis.from_url(f"redis://{REDIS_HOST}/{number}")
        # Taken only if empty and not claimed by a test running beside this one.
        if client.dbsize() == 0 and client.set(_REDIS_CLAIM, "1", nx=True):
            try:
                yield f"redis://{REDIS_HOST}/{number}"
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    pytest.fail("every Redis database 1-15 is in use")
