"""Schema migrations: the migrated schema is the models' schema, and upgrades keep data."""

from __future__ import annotations

import subprocess
import sys
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


def test_migrated_schema_equals_the_models_metadata(database_url: str) -> None:
    engine = create_db_engine(database_url, migrate=False)
    upgrade(engine, HEAD)  # every migration in turn, not the new database's shortcut
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
        assert current_revision(connection) == HEAD
    engine.dispose()


def _default(table: str, default: object) -> object:
    # The one known difference: on PostgreSQL the first migration gave storemeta's id a
    # sequence, which nothing uses (its single row is always id 1); the model has none.
    return (
        None
        if (table, default) == ("storemeta", "nextval('storemeta_id_seq'::regclass)")
        else default
    )


def schema_of(engine: Engine) -> dict[str, object]:
    """Everything reflection sees of each table, in a comparable form."""
    seen = inspect(engine)
    found: dict[str, object] = {}
    for table in sorted(seen.get_table_names()):
        columns = [
            (c["name"], str(c["type"]), c["nullable"], _default(table, c.get("default")))
            for c in seen.get_columns(table)
        ]
        indexes = sorted(
            (
                ix["name"] or "",
                tuple(ix["column_names"]),
                bool(ix["unique"]),
                repr(sorted((k, str(v)) for k, v in ix.get("dialect_options", {}).items())),
            )
            for ix in seen.get_indexes(table)
        )
        found[table] = (
            columns,
            indexes,
            seen.get_pk_constraint(table)["constrained_columns"],
            sorted(repr(fk) for fk in seen.get_foreign_keys(table)),
            sorted(repr(uq) for uq in seen.get_unique_constraints(table)),
        )
    return found


def test_a_new_database_gets_the_same_schema_as_one_migrated_step_by_step(
    database_url: str, another_database_url: str
) -> None:
    created = create_db_engine(database_url)  # new: made from the models and stamped
    migrated = create_db_engine(another_database_url, migrate=False)
    upgrade(migrated, HEAD)

    assert schema_of(created) == schema_of(migrated)
    for engine in (created, migrated):
        with engine.connect() as connection:
            assert current_revision(connection) == HEAD
        engine.dispose()


def test_a_new_database_is_made_without_loading_alembic(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from store import create_db_engine\n"
        f"create_db_engine('sqlite:///{tmp_path / 'new.db'}')\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'alembic', 'mako'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
    # Alembic itself then finds it at the head, with nothing left to do.
    again = run_cli("db", "upgrade", cwd=tmp_path, database_url=f"sqlite:///{tmp_path / 'new.db'}")
    assert again.returncode == 0, again.stderr
    assert f"schema revision {HEAD}" in again.stdout


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
