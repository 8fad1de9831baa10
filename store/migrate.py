"""Schema migrations with Alembic: ``upgrade`` brings any database to the models' schema."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from sqlalchemy import inspect, text
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
    """Apply every migration up to ``revision`` (idempotent, safe to run concurrently)."""
    if revision == HEAD and is_current(engine):
        return
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        config = alembic_config(connection)
        before = current_revision(connection)
        if before is None and inspect(connection).has_table("claim"):
            # A database made before migrations existed has the first revision's tables.
            command.stamp(config, FIRST_REVISION)
            before = FIRST_REVISION
        command.upgrade(config, revision)
        after = current_revision(connection)
    if before != after:
        log.info("database migrated: %s -> %s", before or "empty", after)
