"""Logs: one JSON object per event, LOG_LEVEL honoured, and no secret ever written."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from helpers.processes import run_cli

from bot.logs import REDACTED, setup_logging

TOKEN = "987654:SECRET-token-value"


def test_token_is_redacted_from_messages_arguments_and_tracebacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("DEBUG", secrets=[TOKEN, "webhook-secret"])
    log = logging.getLogger("test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed for bot{TOKEN} with webhook-secret")
    except RuntimeError:
        log.exception("request failed")
    lines = capsys.readouterr().err.splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) == 2  # a traceback stays inside its one line
    assert TOKEN not in "\n".join(lines)
    assert "webhook-secret" not in "\n".join(lines)
    assert REDACTED in events[0]["message"]
    assert "RuntimeError" in events[1]["error"]


@pytest.mark.parametrize(("level", "expect_info"), [("DEBUG", True), ("ERROR", False)])
def test_log_level_setting_controls_what_is_logged(
    tmp_path: Path, level: str, expect_info: bool
) -> None:
    done = run_cli("ask", "bakhmut", cwd=tmp_path, env={"LOG_LEVEL": level})
    assert done.returncode == 0
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert any(event["level"] == "INFO" for event in events) is expect_info


def test_invalid_log_level_is_a_clear_configuration_error(tmp_path: Path) -> None:
    done = run_cli("ask", "bakhmut", cwd=tmp_path, env={"LOG_LEVEL": "LOUD"})
    assert done.returncode == 2
    assert "LOG_LEVEL must be" in done.stderr


def test_below_debug_an_error_is_logged_as_one_line_without_its_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("INFO")
    try:
        raise ValueError("the store said no")
    except ValueError:
        logging.getLogger("test").exception("update failed")
    [event] = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert event["error"] == "ValueError: the store said no"
