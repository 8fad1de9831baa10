"""Schema migrations: the migrated schema is the models' schema, and upgrades keep data."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers.builders import claim_dict, document
from helpers.processes import run_cli
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from store import create_db_engine, export_claims, import_claims, retract_claim
from store.claims import BACKUP_CLAIM_FIELDS, ensure_meta
from store.migrate import current_revision, upgrade

HEAD = "0004"  # the newest migration: every database is brought to it


def test_migrated_schema_equals_the_models_metadata(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
        assert current_revision(connection) == HEAD


def test_upgrading_a_database_with_data_from_the_previous_revision_loses_nothing(
    database_url: str, tmp_path: Path
) -> None:
    # The data is made with today's code, then restored as a backup (a restore writes only
    # claims and audit records, which the first revision has).
    current = create_db_engine(f"sqlite:///{tmp_path / 'current.db'}")
    import_claims(
        engine=current,
        document=document(claim_dict(key="kept-a"), claim_dict(key="kept-b", figure=[1, 2])),
        actor="cli",
    )
    retract_claim(engine=current, claim_id=2, reason="test", actor="42")
    backup = export_claims(engine=current)
    current.dispose()
    engine = create_db_engine(database_url, migrate=False)
    upgrade(engine, "0001")
    ensure_meta(engine=engine)
    assert import_claims(engine=engine, document=backup, actor="cli").mode == "restored"
    before = export_claims(engine=engine)
    assert "ix_claim_status" not in {ix["name"] for ix in inspect(engine).get_indexes("claim")}

    upgrade(engine)

    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
    after = export_claims(engine=engine)
    assert (after["claims"], after["audit"]) == (before["claims"], before["audit"])
    assert "ix_claim_status" in {ix["name"] for ix in inspect(engine).get_indexes("claim")}
    engine.dispose()


def test_a_database_made_before_migrations_existed_is_adopted_with_its_data(
    database_url: str,
) -> None:
    engine = create_db_engine(database_url, migrate=False)
    # How the first release created its tables, which had no listing indexes and no drafts.
    first_release = [
        SQLModel.metadata.tables[name] for name in ("claim", "auditrecord", "storemeta")
    ]
    SQLModel.metadata.create_all(engine, tables=first_release)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_claim_status"))
        connection.execute(text("DROP INDEX ix_claim_date"))
    ensure_meta(engine=engine)
    backup = {
        "format": "casualty-bot-backup",
        "version": 1,
        "claims": [
            claim_dict()
            | {
                "id": 1,
                "created_at": "2025-01-01T00:00:00+00:00",
                "updated_at": "2025-01-01T00:00:00+00:00",
                "updated_by": "cli",
            }
        ],
        "audit": [],
    }
    import_claims(engine=engine, document=backup, actor="cli")  # restored: claims only
    engine.dispose()

    engine = create_db_engine(database_url)

    (stored,) = export_claims(engine=engine)["claims"]
    assert {k: v for k, v in stored.items() if k not in BACKUP_CLAIM_FIELDS} == claim_dict()
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
    engine.dispose()


def test_db_upgrade_command_migrates_and_reports_the_revision(
    tmp_path: Path, database_url: str
) -> None:
    done = run_cli("db", "upgrade", cwd=tmp_path, database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert f"schema revision {HEAD}" in done.stdout


def test_the_latest_revision_constant_is_alembic_s_head() -> None:
    from alembic.script import ScriptDirectory

    from store.migrate import LATEST_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == LATEST_REVISION
    assert HEAD == LATEST_REVISION
