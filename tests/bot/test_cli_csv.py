"""``import`` and ``export`` in CSV, run as a real process on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.builders import SEED_FILE, claim_dict, document
from helpers.processes import run_cli

HEADER = "key,figure,measure,who,claimant,date"
BOM = b"\xef\xbb\xbf"


def import_file(path: Path, cwd: Path, database_url: str | None = None) -> tuple[int, str, str]:
    done = run_cli("import", str(path), cwd=cwd, database_url=database_url)
    return done.returncode, done.stdout, done.stderr


def test_a_csv_export_imports_into_an_empty_database_and_exports_identically(
    tmp_path: Path, database_url: str, another_database_url: str
) -> None:
    assert import_file(SEED_FILE, tmp_path, database_url)[0] == 0
    first = tmp_path / "claims.csv"

    exported = run_cli("export", str(first), cwd=tmp_path, database_url=database_url)

    assert exported.returncode == 0, exported.stderr
    assert f"wrote {first}: 17 claims (CSV has no audit records" in exported.stderr
    other = another_database_url
    code, stdout, stderr = import_file(first, tmp_path, other)
    assert code == 0, stderr
    assert stdout == f"{first}: 17 added, 0 updated, 0 unchanged\n"
    again = tmp_path / "again.csv"
    assert run_cli("export", str(again), cwd=tmp_path, database_url=other).returncode == 0
    assert again.read_bytes() == first.read_bytes()


def test_a_csv_export_file_starts_with_a_byte_order_mark_for_spreadsheets(tmp_path: Path) -> None:
    assert import_file(SEED_FILE, tmp_path)[0] == 0
    path = tmp_path / "claims.csv"
    assert run_cli("export", str(path), cwd=tmp_path).returncode == 0
    data = path.read_bytes()
    assert data.startswith(BOM + b"key,figure,")
    assert "официальные данные".encode() in data


def test_export_format_csv_writes_csv_to_stdout_and_json_stays_the_default(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document(claim_dict(figure=[80000, 100000]))), encoding="utf-8")
    assert import_file(source, tmp_path)[0] == 0

    as_csv = run_cli("export", "--format", "csv", cwd=tmp_path)
    by_default = run_cli("export", cwd=tmp_path)

    assert as_csv.returncode == 0, as_csv.stderr
    lines = as_csv.stdout.splitlines()
    assert lines[0].startswith("key,figure,qualifier,measure,")
    assert lines[1].startswith("test-claim,80000-100000,,killed,")
    assert len(lines) == 2
    backup = json.loads(by_default.stdout)
    assert len(backup["claims"]) == 1
    assert backup["audit"]  # the JSON export is still the full backup


def test_export_help_says_csv_holds_no_audit_records(tmp_path: Path) -> None:
    done = run_cli("export", "--help", cwd=tmp_path)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "CSV holds the claims only, without the audit records" in text
    assert "--format {csv,json}" in text


def test_a_format_that_contradicts_the_file_extension_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("export", str(tmp_path / "out.csv"), "--format", "json", cwd=tmp_path)
    assert done.returncode == 2
    assert "out.csv is a .csv file, but --format asks for json" in done.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_csv_with_a_bad_figure_names_its_row_and_column_and_stores_nothing(
    tmp_path: Path, database_url: str
) -> None:
    path = tmp_path / "claims.csv"
    rows = [f"good-{n},{n},killed,x,y,2024" for n in range(5)]
    path.write_text("\n".join([HEADER, *rows, "kp-leak,lots,killed,x,y,2024", ""]))

    code, _stdout, stderr = import_file(path, tmp_path, database_url)

    assert code == 1
    assert f"Nothing was imported: 1 problem(s) in {path}:" in stderr
    assert 'row 7, column figure: "lots" is not a number' in stderr
    exported = run_cli("export", "--format", "csv", cwd=tmp_path, database_url=database_url)
    assert exported.stdout.splitlines()[1:] == []


def test_a_csv_with_an_unknown_column_names_it(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(f"{HEADER},victims\nx,1,killed,x,y,2024,many\n", encoding="utf-8")
    code, _stdout, stderr = import_file(path, tmp_path)
    assert code == 1
    assert "row 1, column victims: is not a known column" in stderr


def test_a_spreadsheet_csv_with_a_byte_order_mark_and_crlf_imports(tmp_path: Path) -> None:
    path = tmp_path / "FROM EXCEL.CSV"
    text = f"{HEADER},caveats\r\nexcel-row,5,killed,Russian soldiers,Генштаб,2024,a; b\r\n"
    path.write_bytes(BOM + text.encode())
    code, stdout, stderr = import_file(path, tmp_path)
    assert code == 0, stderr
    assert "1 added" in stdout


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (f'{HEADER}\nx,1,killed,"never closed,y,2024\n'.encode(), "row 2: a quoted cell"),
        (f"{HEADER}\nx,1,killed,a\x00b,y,2024\n".encode(), "row 2 holds a NUL byte"),
        (f"{HEADER}\nx,1,killed,x,y,2024,surplus\n".encode(), "row 2 has 7 cells"),
        (f"{HEADER}\nx,1,killed,x,Генштаб,2024\n".encode("cp1251"), "not UTF-8"),
    ],
    ids=["unbalanced-quotes", "nul-byte", "too-many-cells", "cp1251"],
)
def test_a_malformed_csv_is_a_clear_error_without_a_traceback(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(data)
    code, _stdout, stderr = import_file(path, tmp_path)
    assert code == 2
    assert f"error: Cannot import {path}: " in stderr
    assert message in stderr
    assert "Traceback" not in stderr
