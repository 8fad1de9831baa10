"""Schema migrations with Alembic: ``upgrade`` brings any database to the models' schema."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

SCRIPT_LOCATION: Final = "store:migrations"
HEAD: Final = "head"
FIRST_REVISION: Final = "0001"
# The newest migration in store/migrations/versions (a test checks it against Alembic's head):
# a database already there starts without importing Alembic, which costs 80 ms.
LATEST_REVISION: Final = "0004"
# Alembic's own version table, as its MigrationContext defines it.
_VERSION_TABLE: Final = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
# Any fixed number: replicas starting together take turns to migrate PostgreSQL.
_PG_LOCK_ID: Final = 0x63617375616C7479  # "casualty"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest revision, read without Alembic."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no version table yet: a new database, or one made before migrations
        return False
    return [row[0] for row in found] == [LATEST_REVISION]


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Apply every migration up to ``revision`` (idempotent, safe to run concurrently).

    An empty database asked for the head is created from the models in one step and stamped,
    as Alembic's cookbook advises: the same schema (a test compares the two), without
    importing Alembic (80 ms, 7 MB) or replaying every migration.
    """
    if revision == HEAD and is_current(engine):
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        if revision == HEAD and not inspect(connection).get_table_names():
            create_at_head(connection)
            log.info("database created at schema revision %s", LATEST_REVISION)
            return
        before, after = _migrate(connection, revision)
    if before != after:
        log.info("database migrated: %s -> %s", before or "empty", after)


def create_at_head(connection: Connection) -> None:
    """The models' tables, and Alembic's version table holding the newest revision."""
    from sqlmodel import SQLModel

    from store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

    SQLModel.metadata.create_all(connection)
    _VERSION_TABLE.create(connection)
    connection.execute(_VERSION_TABLE.insert().values(version_num=LATEST_REVISION))


def _migrate(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    """Alembic's upgrade on ``connection``; the revisions before and after."""
    from alembic import command

    config = alembic_config(connection)
    before = current_revision(connection)
    if before is None and inspect(connection).has_table("claim"):
        # A database made before migrations existed has the first revision's tables.
        command.stamp(config, FIRST_REVISION)
        before = FIRST_REVISION
    command.upgrade(config, revision)
    return before, current_revision(connection)
