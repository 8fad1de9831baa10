"""Errors an operator can act on: one line saying what is wrong and what to do, a non-zero
exit, and no traceback unless LOG_LEVEL=DEBUG."""

from __future__ import annotations

from pathlib import Path

from helpers.processes import free_port, run_cli


def test_a_chart_into_a_missing_folder_names_the_file_and_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "x.png"
    done = run_cli("chart", "russian soldiers killed", "-o", str(target), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: cannot write {target}: no such folder"


def test_a_database_that_does_not_exist_is_named_with_its_host(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/no_such_database_here"
    done = run_cli("ask", "how many died", cwd=tmp_path, database_url=url)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: database 'no_such_database_here' does not exist on host 127.0.0.1: create it first"
    )


def test_an_unreachable_database_server_says_to_check_the_url(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    done = run_cli("ask", "how many died", cwd=tmp_path, database_url=url)
    assert done.returncode == 1
    assert "error: cannot reach the database on host 127.0.0.1" in done.stderr
    assert "check DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_without_telegram_says_which_host_it_cannot_reach(tmp_path: Path) -> None:
    env = {
        "BOT_TOKEN": "123:test",
        "TELEGRAM_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    done = run_cli("run", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "error: cannot reach 127.0.0.1: check the network or TELEGRAM_BASE_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_traceback_is_there_at_debug(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.png"
    done = run_cli(
        "chart", "russian soldiers killed", "-o", str(target), cwd=tmp_path,
        env={"LOG_LEVEL": "DEBUG"},
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" in done.stderr
