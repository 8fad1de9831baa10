"""Logging: one JSON line per event, and no secret ever written out."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

REDACTED: Final = "[REDACTED]"


class RedactingFilter(logging.Filter):
    """Replaces secrets (token, webhook secret) in messages and tracebacks before output."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so a traceback never splits an event across lines. Below
    DEBUG the error is its type and message only: tracebacks are for whoever turns DEBUG on."""

    def __init__(self, *, tracebacks: bool = True) -> None:
        super().__init__()
        self._tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["error"] = record.exc_text if self._tracebacks else _last_line(record.exc_text)
        return json.dumps(event, ensure_ascii=False)


def _last_line(traceback: str) -> str:
    """The exception a traceback ends with: "NetworkError: httpx.ConnectError: ..."."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def setup_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    """Log JSON lines to stderr at ``level``, redacting ``secrets`` from every record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(tracebacks=logging.getLevelName(level) <= logging.DEBUG))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in ("httpx", "alembic", "tornado.access"):  # a line per request is noise
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
