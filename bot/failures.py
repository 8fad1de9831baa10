"""What went wrong, in one line an operator can act on: no JSON traceback on the terminal for
a missing database, an unreachable Telegram or a folder that is not there (``LOG_LEVEL=DEBUG``
still logs the traceback)."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

_MISSING_DATABASE: Final = re.compile(r'database "([^"]+)" does not exist')
_FILE_ERRORS: Final = {
    FileNotFoundError: "no such folder",
    PermissionError: "permission denied",
    IsADirectoryError: "it is a folder",
}


def explain(error: BaseException, *, database_url: str, telegram_url: str) -> str | None:
    """One line saying what is wrong and what to do, or None for an error we do not know."""
    if isinstance(error, OperationalError):
        return _database(error, database_url)
    if isinstance(error, ArgumentError):
        return f"DATABASE_URL is not a database URL: {error}"
    if type(error).__module__.startswith("telegram"):
        return _telegram(error, telegram_url)
    if isinstance(error, OSError) and error.filename is not None:
        reason = _FILE_ERRORS.get(type(error), error.strerror or type(error).__name__)
        return f"cannot write {error.filename}: {reason}"
    return None


def _database(error: OperationalError, database_url: str) -> str:
    url = make_url(database_url)
    host = url.host or "localhost"
    missing = _MISSING_DATABASE.search(str(error.orig))
    if missing:
        return f"database '{missing.group(1)}' does not exist on host {host}: create it first"
    if url.get_backend_name() == "sqlite":
        return f"cannot open the SQLite database {url.database}: {error.orig}"
    first_line = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
    return f"cannot reach the database on host {host}: {first_line} (check DATABASE_URL)"


def _telegram(error: BaseException, telegram_url: str) -> str:
    host = urlsplit(telegram_url).hostname or telegram_url
    if type(error).__name__ == "InvalidToken":
        return "Telegram refused the bot token: check BOT_TOKEN (from @BotFather)"
    return f"cannot reach {host}: check the network or TELEGRAM_BASE_URL ({error})"
