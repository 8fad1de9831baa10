"""Backups: export is complete, and importing it into an empty database restores it exactly.

Every test runs on SQLite and PostgreSQL (the ``engine`` and ``database_url`` fixtures).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import postgres_schema
from helpers.builders import claim_dict, document, seed_document
from helpers.processes import run_cli
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store import (
    Claim,
    ClaimValidationError,
    add_claim,
    claim_history,
    count_claims,
    create_db_engine,
    edit_claim,
    export_claims,
    get_claim,
    import_claims,
    list_claims,
    retract_claim,
    seed_claims,
    store_revision,
    validate_claim,
)
from store.claims import AUDIT_ACTIONS, BACKUP_FORMAT

Backup = dict[str, Any]


@contextmanager
def empty_database(dialect: str, tmp_path: Path, name: str) -> Iterator[str]:
    """The URL of another empty database: a SQLite file, or a PostgreSQL schema."""
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path / name}.db"
        return
    with postgres_schema() as url:
        yield url


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def target(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A second empty database of the same kind as ``engine``'s, to restore into."""
    with (
        empty_database(engine.dialect.name, tmp_path, "target") as url,
        engine_for(url) as other,
    ):
        yield other


def build_history(engine: Engine) -> None:
    """Every kind of change the store records: seed, add, edit, import, re-import, retract."""
    seed_claims(engine=engine, document=seed_document())
    leak = claim_dict(key="kp-leak", figure=9861, aliases=["KP leak", "утечка КП"])
    added = add_claim(engine=engine, claim=validate_claim(leak), actor="42")
    edit_claim(
        engine=engine,
        claim_id=added.id,
        changes={"figure": [9000, 9861], "qualifier": "about"},
        actor="43",
    )
    first_seed = dict(seed_document()["claims"][0])
    rate = claim_dict(key="daily-rate", figure=700, per="day", url="https://example.org/rate")
    import_claims(
        engine=engine,
        document=document(rate, first_seed | {"caveats": ["Changed by an import."]}),
        actor="cli",
    )
    import_claims(engine=engine, document=document(rate | {"figure": 750}), actor="cli")
    retract_claim(engine=engine, claim_id=added.id, reason="Misquoted.", actor="42")
    seed_claims(engine=engine, document=seed_document())  # leaves the imported edit alone


def without_time(backup: Backup) -> Backup:
    return {name: value for name, value in backup.items() if name != "exported_at"}


def as_utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def stored_claims(engine: Engine) -> list[dict[str, Any]]:
    """Every stored claim, every column."""
    return [
        claim.model_dump()
        | {"created_at": as_utc(claim.created_at), "updated_at": as_utc(claim.updated_at)}
        for claim in list_claims(engine=engine, include_retracted=True)
    ]


def histories(engine: Engine) -> list[list[tuple[Any, ...]]]:
    """What /claim shows for every claim: each audit record, field by field."""
    return [
        [
            (r.id, r.claim_id, r.claim_key, r.actor, r.action, as_utc(r.at), r.changes)
            for r in claim_history(engine=engine, claim_id=claim.id)
        ]
        for claim in list_claims(engine=engine, include_retracted=True)
    ]


def import_errors(engine: Engine, backup: Any) -> list[str]:
    with pytest.raises(ClaimValidationError) as caught:
        import_claims(engine=engine, document=backup, actor="cli")
    return [str(error) for error in caught.value.errors]


# --- export -------------------------------------------------------------------------------


def test_export_holds_every_claim_retracted_ones_too_and_the_whole_audit_log(
    engine: Engine,
) -> None:
    started = datetime.now(UTC)
    build_history(engine)

    backup = export_claims(engine=engine)

    assert (backup["format"], backup["version"]) == (BACKUP_FORMAT, 1)
    exported_at = datetime.fromisoformat(backup["exported_at"])
    assert exported_at.utcoffset() is not None
    assert started <= exported_at <= datetime.now(UTC)
    claims = {claim["key"]: claim for claim in backup["claims"]}
    assert len(claims) == count_claims(engine=engine) == 19
    leak = claims["kp-leak"]
    assert (leak["status"], leak["retraction_reason"]) == ("retracted", "Misquoted.")
    assert (leak["figure"], leak["qualifier"], leak["updated_by"]) == ([9000, 9861], "about", "42")
    assert datetime.fromisoformat(leak["created_at"]) < datetime.fromisoformat(leak["updated_at"])
    kp_leak = get_claim(engine=engine, key="kp-leak")
    assert kp_leak is not None
    assert leak["id"] == kp_leak.id
    fields = ("id", "claim_id", "claim_key", "actor", "action", "at", "changes")
    audit = [tuple(record[name] for name in fields) for record in backup["audit"]]
    stored = [
        (*record[:5], record[5].isoformat(), record[6])
        for history in histories(engine)
        for record in history
    ]
    assert sorted(audit) == sorted(stored)
    assert {r["action"] for r in backup["audit"]} == {"seed", "add", "edit", "import", "retract"}


def test_export_can_leave_out_the_audit_log(engine: Engine, target: Engine) -> None:
    build_history(engine)

    backup = export_claims(engine=engine, include_audit=False)
    report = import_claims(engine=target, document=backup, actor="cli")

    assert "audit" not in backup
    assert report.summary() == "restored backup: 19 claims, 0 audit records"
    assert export_claims(engine=target, include_audit=False)["claims"] == backup["claims"]
    assert all(history == [] for history in histories(target))


# --- exact restore ------------------------------------------------------------------------


def test_restoring_into_an_empty_database_reproduces_claims_and_audit_exactly(
    engine: Engine, target: Engine
) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    revision = store_revision(engine=target)

    report = import_claims(engine=target, document=json.loads(json.dumps(backup)), actor="99")

    assert report.mode == "restored"
    assert report.summary() == f"restored backup: 19 claims, {len(backup['audit'])} audit records"
    assert without_time(export_claims(engine=target)) == without_time(backup)
    assert histories(target) == histories(engine)
    assert stored_claims(target) == stored_claims(engine)
    assert all(record[3] != "99" for history in histories(target) for record in history)
    assert store_revision(engine=target) > revision  # so every replica reloads


def test_a_claim_added_after_a_restore_gets_a_fresh_id_and_history(
    engine: Engine, target: Engine
) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    import_claims(engine=target, document=backup, actor="cli")
    last_claim = max(claim["id"] for claim in backup["claims"])
    last_record = max(record["id"] for record in backup["audit"])

    added = add_claim(engine=target, claim=validate_claim(claim_dict(key="after")), actor="42")
    edit_claim(engine=target, claim_id=added.id, changes={"figure": 1}, actor="42")

    assert added.id == last_claim + 1
    history = claim_history(engine=target, claim_id=added.id)
    assert [(r.id, r.action) for r in history] == [
        (last_record + 1, "add"),
        (last_record + 2, "edit"),
    ]
    assert count_claims(engine=target) == len(backup["claims"]) + 1


def test_a_backup_moves_between_sqlite_and_postgresql(engine: Engine, tmp_path: Path) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    other = "postgresql" if engine.dialect.name == "sqlite" else "sqlite"

    with empty_database(other, tmp_path, "moved") as url, engine_for(url) as moved:
        import_claims(engine=moved, document=backup, actor="cli")

        assert without_time(export_claims(engine=moved)) == without_time(backup)
        assert histories(moved) == histories(engine)


# --- a backup into a database that is not empty -------------------------------------------


def test_a_backup_into_a_non_empty_database_imports_by_key_without_duplicates(
    engine: Engine, target: Engine
) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    mine = add_claim(engine=target, claim=validate_claim(claim_dict(key="daily-rate")), actor="7")
    add_claim(engine=target, claim=validate_claim(claim_dict(key="only-here")), actor="7")

    report = import_claims(engine=target, document=backup, actor="cli")

    assert report.mode == "merged"
    assert (len(report.added), report.updated, report.unchanged) == (18, ["daily-rate"], [])
    assert report.summary().endswith(
        f"the database was not empty, so the backup was imported by key and its ids, times "
        f"and {len(backup['audit'])} audit records were not restored"
    )
    assert count_claims(engine=target) == 20
    merged = get_claim(engine=target, key="daily-rate")
    assert merged is not None
    assert (merged.id, merged.figure, merged.updated_by) == (mine.id, 750, "cli")
    assert [(r.actor, r.action) for r in claim_history(engine=target, claim_id=mine.id)] == [
        ("7", "add"),
        ("cli", "import"),
    ]
    leak = get_claim(engine=target, key="kp-leak")
    assert leak is not None
    assert leak.status == "retracted"
    assert [(r.actor, r.action) for r in claim_history(engine=target, claim_id=leak.id)] == [
        ("cli", "import")
    ]


def test_importing_a_backup_into_its_own_database_changes_nothing(engine: Engine) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    revision = store_revision(engine=engine)

    report = import_claims(engine=engine, document=backup, actor="cli")

    assert (report.added, report.updated, len(report.unchanged)) == ([], [], 19)
    assert without_time(export_claims(engine=engine)) == without_time(backup)
    assert store_revision(engine=engine) == revision


def test_a_restore_waits_for_a_writer_in_flight_and_then_imports_by_key(
    engine: Engine, target: Engine
) -> None:
    build_history(target)
    backup = export_claims(engine=target)
    with Session(engine) as writer, ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = validate_claim(claim_dict(key="in-flight")).row_values()
        writer.add(Claim(**in_flight, updated_by="42"))
        writer.flush()  # written but not committed: the database only looks empty

        restoring = pool.submit(import_claims, engine=engine, document=backup, actor="cli")
        time.sleep(0.5)
        assert not restoring.done()  # held off until the writer finishes
        writer.commit()
        report = restoring.result(timeout=30)

    assert report.mode == "merged"
    assert count_claims(engine=engine) == len(backup["claims"]) + 1


# --- a tampered backup --------------------------------------------------------------------


def _set(section: str, index: int, name: str, value: Any) -> Callable[[Backup], None]:
    def tamper(backup: Backup) -> None:
        backup[section][index][name] = value

    return tamper


def _drop(section: str, index: int, name: str) -> Callable[[Backup], None]:
    def tamper(backup: Backup) -> None:
        del backup[section][index][name]

    return tamper


def _duplicate_claim_id(backup: Backup) -> None:
    backup["claims"][2]["id"] = backup["claims"][1]["id"]


def _top(name: str, value: Any) -> Callable[[Backup], None]:
    def tamper(backup: Backup) -> None:
        backup[name] = value

    return tamper


TAMPERED = [
    pytest.param(
        _set("claims", 3, "created_at", "yesterday"),
        'created_at: "yesterday" is not an ISO-8601 time',
        id="bad-time",
    ),
    pytest.param(
        _set("claims", 0, "updated_at", "2024-05-01T10:00:00"),
        'updated_at: "2024-05-01T10:00:00" has no UTC offset',
        id="time-without-offset",
    ),
    pytest.param(_set("claims", 1, "id", "2"), "id: must be a whole number", id="id-as-text"),
    pytest.param(_set("claims", 1, "updated_by", 42), "updated_by: must be text", id="actor-type"),
    pytest.param(_duplicate_claim_id, "id: duplicate of claims[1]", id="duplicate-id"),
    pytest.param(_drop("claims", 4, "id"), "id: is required", id="missing-id"),
    pytest.param(
        _set("claims", 0, "figure", "lots"), 'figure: "lots" is not a number', id="bad-figure"
    ),
    pytest.param(
        _set("audit", 5, "action", "delete"),
        f'action: "delete" is not one of: {", ".join(AUDIT_ACTIONS)}',
        id="unknown-action",
    ),
    pytest.param(
        _set("audit", 0, "claim_id", 999),
        "claim_id: no claim has id 999",
        id="audit-for-a-missing-claim",
    ),
    pytest.param(
        _set("audit", 0, "at", 1714557600),
        "at: must be an ISO-8601 time, as text",
        id="time-as-number",
    ),
    pytest.param(
        _set("audit", 2, "changes", {"figure_low": 5}),
        "changes: must be an object of field: [before, after]",
        id="bad-changes",
    ),
    pytest.param(
        _set("audit", 1, "note", "hand-written"), "note: is not a known field", id="unknown-field"
    ),
    pytest.param(
        _set("audit", 3, "actor", "\ud800"),
        "actor: has a lone surrogate, which is not valid text",
        id="lone-surrogate",
    ),
    pytest.param(
        _set("audit", 3, "changes", {"figure_low": [float("nan"), 1]}),
        "changes: holds a value that is not valid JSON text",
        id="nan-in-changes",
    ),
    pytest.param(_drop("audit", 1, "actor"), "actor: is required", id="missing-actor"),
    pytest.param(
        _top("version", 2),
        "version: 2 is not a version this program reads (1)",
        id="newer-version",
    ),
    pytest.param(_top("audit", {}), "audit: must be a list of audit records", id="audit-type"),
    pytest.param(_top("audits", []), "audits: is not a known field", id="unknown-section"),
]


@pytest.mark.parametrize(("tamper", "expected"), TAMPERED)
def test_a_tampered_backup_stores_nothing_and_names_the_field(
    engine: Engine, target: Engine, tamper: Callable[[Backup], None], expected: str
) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    tamper(backup)
    revision = store_revision(engine=target)

    errors = import_errors(target, backup)

    assert any(expected in error for error in errors), errors
    assert count_claims(engine=target) == 0
    assert export_claims(engine=target)["audit"] == []
    assert store_revision(engine=target) == revision


def test_a_tampered_backup_names_the_claim_or_record_by_index_and_key(
    engine: Engine, target: Engine
) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    backup["claims"][3]["created_at"] = "yesterday"
    backup["audit"][5]["action"] = "delete"
    key = backup["claims"][3]["key"]
    record_key = backup["audit"][5]["claim_key"]

    errors = import_errors(target, backup)

    assert errors == [
        f'claims[3] (key {key}): created_at: "yesterday" is not an ISO-8601 time',
        f'audit[5] (key {record_key}): action: "delete" is not one of: '
        "add, edit, retract, import, seed, approve",
    ]


def test_a_tampered_backup_into_a_non_empty_database_changes_nothing(engine: Engine) -> None:
    build_history(engine)
    before = export_claims(engine=engine)
    backup = export_claims(engine=engine)
    backup["claims"][0]["figure"] = 1  # a change an import by key would otherwise make
    backup["audit"][0]["at"] = "soon"

    errors = import_errors(engine, backup)

    assert errors == [
        f'audit[0] (key {backup["audit"][0]["claim_key"]}): at: "soon" is not an ISO-8601 time'
    ]
    assert without_time(export_claims(engine=engine)) == without_time(before)


def test_a_backup_with_more_audit_records_than_the_cap_is_refused(
    engine: Engine, target: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    monkeypatch.setattr("store.claims.MAX_IMPORT_AUDIT", 3)

    assert import_errors(target, backup) == ["audit: has more than 3 records"]
    assert count_claims(engine=target) == 0


# --- the plain contract is unchanged ------------------------------------------------------


def test_a_plain_claims_document_still_imports_by_key_with_import_history(engine: Engine) -> None:
    first = import_claims(
        engine=engine, document=document(claim_dict(key="a"), claim_dict(key="b")), actor="cli"
    )
    again = import_claims(
        engine=engine,
        document=document(claim_dict(key="a", figure=1), claim_dict(key="b")),
        actor="42",
    )

    assert (first.mode, first.summary()) == ("plain", "2 added, 0 updated, 0 unchanged")
    assert (again.added, again.updated, again.unchanged) == ([], ["a"], ["b"])
    assert again.summary() == "0 added, 1 updated, 1 unchanged"
    stored = get_claim(engine=engine, key="a")
    assert stored is not None
    assert stored.id == 1
    assert [(r.actor, r.action) for r in claim_history(engine=engine, claim_id=stored.id)] == [
        ("cli", "import"),
        ("42", "import"),
    ]


def test_a_plain_document_may_not_carry_the_stored_fields(engine: Engine) -> None:
    raw = claim_dict(key="a", id=7, created_at="2024-05-01T10:00:00+00:00")

    errors = import_errors(engine, document(raw))

    assert sorted(errors) == [
        "claims[0] (key a): created_at: is not a known field",
        "claims[0] (key a): id: is not a known field",
    ]
    assert count_claims(engine=engine) == 0


# --- the command line ---------------------------------------------------------------------


def test_cli_export_then_import_restores_a_backup_on_either_database(
    tmp_path: Path, engine: Engine, database_url: str
) -> None:
    build_history(engine)
    path = tmp_path / "backup.json"

    exported = run_cli("export", str(path), cwd=tmp_path, database_url=database_url)

    assert exported.returncode == 0, exported.stderr
    backup = json.loads(path.read_text(encoding="utf-8"))
    audit = len(backup["audit"])
    assert f"wrote {path}: 19 claims, {audit} audit records" in exported.stderr
    assert "утечка КП" in path.read_text(encoding="utf-8")  # readable, not \\u-escaped
    with empty_database(engine.dialect.name, tmp_path, "restored") as url:
        restored = run_cli("import", str(path), cwd=tmp_path, database_url=url)
        assert restored.returncode == 0, restored.stderr
        assert restored.stdout == f"{path}: restored backup: 19 claims, {audit} audit records\n"
        again = run_cli("export", cwd=tmp_path, database_url=url)
        assert without_time(json.loads(again.stdout)) == without_time(backup)

        merged = run_cli("import", str(path), cwd=tmp_path, database_url=url)
        assert merged.returncode == 0, merged.stderr
        assert "0 added, 0 updated, 19 unchanged" in merged.stdout
        assert f"{audit} audit records were not restored" in merged.stdout


def test_cli_refuses_a_tampered_backup_naming_claim_and_field(
    tmp_path: Path, engine: Engine, database_url: str
) -> None:
    build_history(engine)
    backup = export_claims(engine=engine)
    backup["claims"][3]["created_at"] = "yesterday"
    key = backup["claims"][3]["key"]
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(backup), encoding="utf-8")

    with empty_database(engine.dialect.name, tmp_path, "refused") as url:
        done = run_cli("import", str(path), cwd=tmp_path, database_url=url)
        assert done.returncode == 1
        assert f"Nothing was imported: 1 problem(s) in {path}:" in done.stderr
        assert f'claims[3] (key {key}): created_at: "yesterday" is not an ISO-8601 time' in (
            done.stderr
        )
        with engine_for(url) as refused:
            assert count_claims(engine=refused) == 0
