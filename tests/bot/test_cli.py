"""The command line, run as a real process: ask offline, import, export, help, config errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.builders import claim_dict, document
from helpers.processes import run_cli

from store.claims import BACKUP_CLAIM_FIELDS


def test_ask_offline_seeds_sqlite_and_prints_figure_claimant_date_caveats(tmp_path: Path) -> None:
    done = run_cli("ask", "How many Russian soldiers died in Bakhmut?", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "More than 100,000 Russian troops killed in Bakhmut" in done.stdout
    assert "Claimed by: Western intelligence" in done.stdout
    assert "Date: 2023" in done.stdout
    assert "An assessment, not a count" in done.stdout
    assert (tmp_path / "casualties.db").exists()  # the embedded default, in the working dir
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "question",
    ["How many Ukrainian soldiers died?", "How many tanks has Russia lost?", "what's the weather"],
)
def test_ask_offline_says_no_stored_claim_for_uncovered_questions(
    tmp_path: Path, question: str
) -> None:
    done = run_cli("ask", question, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "No stored claim answers this question." in done.stdout
    assert "100,000" not in done.stdout


@pytest.mark.parametrize("command", ["ask", "import", "export", "seed", "run"])
def test_every_subcommand_has_help(tmp_path: Path, command: str) -> None:
    done = run_cli(command, "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "usage:" in done.stdout


def test_import_then_export_round_trips_on_either_database(
    tmp_path: Path, database_url: str
) -> None:
    source = document(
        claim_dict(key="a-range", figure=[80000, 100000], date="2025"),
        claim_dict(key="a-retracted", status="retracted", retraction_reason="withdrawn"),
    )
    path = tmp_path / "in.json"
    path.write_text(json.dumps(source), encoding="utf-8")
    done = run_cli("import", str(path), cwd=tmp_path, database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout
    exported = run_cli("export", cwd=tmp_path, database_url=database_url)
    assert exported.returncode == 0, exported.stderr
    claims = json.loads(exported.stdout)["claims"]
    assert [{k: v for k, v in c.items() if k not in BACKUP_CLAIM_FIELDS} for c in claims] == (
        source["claims"]
    )


def test_import_with_errors_stores_nothing_and_names_claim_and_field(
    tmp_path: Path, database_url: str
) -> None:
    path = tmp_path / "bad.json"
    bad = document(claim_dict(key="good"), claim_dict(key="kp-leak", figure="lots"))
    path.write_text(json.dumps(bad), encoding="utf-8")
    done = run_cli("import", str(path), cwd=tmp_path, database_url=database_url)
    assert done.returncode == 1
    assert 'claims[1] (key kp-leak): figure: "lots" is not a number' in done.stderr
    exported = run_cli("export", cwd=tmp_path, database_url=database_url)
    assert json.loads(exported.stdout)["claims"] == []


def test_import_of_malformed_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"claims": [', encoding="utf-8")
    done = run_cli("import", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert "is not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_without_token_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    done = run_cli("run", cwd=tmp_path)
    assert done.returncode == 2
    assert "BOT_TOKEN is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_admin_ids_are_a_clear_configuration_error(tmp_path: Path) -> None:
    done = run_cli("ask", "bakhmut", cwd=tmp_path, env={"ADMIN_IDS": "alice,bob"})
    assert done.returncode == 2
    assert "ADMIN_IDS" in done.stderr
