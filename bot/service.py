"""The claim index over the store, rebuilt whenever the store's revision changes.

Shared by the CLI and the bot. The revision lives in the database, so several processes on
one database each notice every other one's changes within ``INDEX_REFRESH_SECONDS``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.constants import INDEX_REFRESH_SECONDS
from bot.search import ClaimIndex, SearchResult
from store import ImportReport, count_claims, list_claims, seed_claims, store_revision

log = logging.getLogger(__name__)


class Answerer:
    """Answers questions from the store, keeping one index per store revision."""

    def __init__(self, engine: Engine, *, refresh_seconds: float = INDEX_REFRESH_SECONDS) -> None:
        self.engine = engine
        self._refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._index = ClaimIndex([])
        self._revision: int | None = None
        self._checked_at = float("-inf")

    def index(self, *, force: bool = False) -> ClaimIndex:
        """The current index; checks the store revision at most once per refresh period."""
        with self._lock:
            now = time.monotonic()
            if force or now - self._checked_at >= self._refresh_seconds:
                self._checked_at = now
                revision = store_revision(engine=self.engine)
                if revision != self._revision:
                    self._index = ClaimIndex(list_claims(engine=self.engine))
                    self._revision = revision
                    log.info("index rebuilt: revision=%s claims=%s", revision, len(self._index))
            return self._index

    def invalidate(self) -> None:
        """Make the next question re-read the store (after this process changed it)."""
        with self._lock:
            self._checked_at = float("-inf")

    def ask(self, question: str) -> SearchResult:
        return self.index().search(question)


def seed_if_empty(*, engine: Engine, seed_file: Path) -> ImportReport | None:
    """Load the seed claims into an empty database; leave a used one alone."""
    if count_claims(engine=engine) > 0:
        return None
    document = json.loads(seed_file.read_text(encoding="utf-8"))
    try:
        report = seed_claims(engine=engine, document=document)
    except IntegrityError:
        # Another replica seeded the same empty database at the same moment; theirs stands.
        log.info("another process seeded the database first")
        return None
    log.info("seeded %s from %s", report.summary(), seed_file)
    return report
