"""The claim index over the store, rebuilt whenever the store's revision changes, and the
claim changes that keep it current.

Shared by the CLI and the bot. The revision lives in the database, so several processes on
one database each notice every other one's changes within ``INDEX_REFRESH_SECONDS``; this
process sees its own changes at once, because ``ClaimsService`` invalidates after each.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.constants import INDEX_REFRESH_SECONDS
from bot.search import WEIGHTS, ClaimIndex, SearchResult, Weights
from bot.text import UK_LEMMAS
from store import (
    ClaimCreate,
    ClaimPublic,
    ImportReport,
    active_claim_rows,
    add_claim,
    count_claims,
    edit_claim,
    get_claims,
    import_claims,
    retract_claim,
    seed_claims,
    store_revision,
)

log = logging.getLogger(__name__)


class Answerer:
    """Answers questions from the store, keeping one index per store revision.

    A rebuild (a second or two at 100,000 claims) never makes a question wait: while one
    thread rebuilds, the others keep answering from the previous index. On PostgreSQL the
    change listener calls ``changed`` as another replica's write commits, so the rebuild
    starts then rather than at the next revision check.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        refresh_seconds: float = INDEX_REFRESH_SECONDS,
        weights: Weights = WEIGHTS,
    ) -> None:
        self.engine = engine
        self._weights = weights
        self._refresh_seconds = refresh_seconds
        self._lock = threading.Lock()  # guards the fields below
        self._rebuilding = threading.Lock()  # one rebuild at a time
        self._index: ClaimIndex | None = None
        self._revision: int | None = None
        self._checked_at = float("-inf")
        self._behind = False  # a change was announced since the refresher last read the store
        # This process's own changes, counted; ``_fresh_for`` of them are in the index. A
        # question waits for the rest, even while another thread's rebuild is under way.
        self._changes = 0
        self._fresh_for = 0
        self._refresher: threading.Thread | None = None  # catching up after ``changed``
        # Told of every change this process makes (the dispatcher wakes up on it).
        self.on_change: list[Callable[[], None]] = []
        # Called after each new index is in place (the bot freezes it out of the collector).
        self.on_rebuilt: list[Callable[[], None]] = []

    def _build(self) -> ClaimIndex:
        rows = active_claim_rows(engine=self.engine)  # streamed
        return ClaimIndex.from_rows(rows, self._fetch, weights=self._weights)

    def _fetch(self, ids: Sequence[int]) -> Sequence[ClaimPublic]:
        return get_claims(engine=self.engine, ids=ids)

    def index(self, *, force: bool = False) -> ClaimIndex:
        """The current index; checks the store revision at most once per refresh period.

        After this process's own change, it returns only an index that includes the change.
        """
        with self._lock:
            now = time.monotonic()
            pending = self._changes  # read before the revision: that revision includes them
            behind = self._fresh_for < pending
            timed_out = now - self._checked_at >= self._refresh_seconds
            due = force or behind or self._index is None or timed_out
            if due:
                self._checked_at = now
            current = self._index
        if not due and current is not None:
            return current
        revision = store_revision(engine=self.engine)
        with self._lock:  # the index and its revision together: another thread may swap both
            current, held = self._index, self._revision
        if current is not None and revision == held and not force:
            self._include(pending)  # built from this revision: it has the changes
            return current
        # Without an index yet, when asked to, or after this process's own change (an admin's
        # next question must see it), wait; otherwise let one thread rebuild.
        if not self._rebuilding.acquire(blocking=current is None or force or behind):
            assert current is not None
            return current
        try:
            with self._lock:  # another thread may have built this revision while this one waited
                built, held = self._index, self._revision
            if not force and built is not None and held is not None and held >= revision:
                self._include(pending)
                return built
            return self._rebuild(revision, includes=pending)
        finally:
            self._rebuilding.release()

    def _include(self, changes: int) -> None:
        """The index holds this process's first ``changes`` changes."""
        with self._lock:
            self._fresh_for = max(self._fresh_for, changes)

    def _rebuild(self, revision: int, *, includes: int) -> ClaimIndex:
        """Keep a new index of ``revision`` (read before the build, after this process's first
        ``includes`` changes); call under ``_rebuilding``."""
        started = time.perf_counter()
        index = self._build()
        with self._lock:
            self._index, self._revision = index, revision
            self._fresh_for = max(self._fresh_for, includes)
        log.info(
            "index rebuilt: revision=%s claims=%s seconds=%.2f",
            revision, len(index), time.perf_counter() - started,
        )  # fmt: skip
        UK_LEMMAS.keep()  # the first build's words, for the next start (later calls do nothing)
        for listener in self.on_rebuilt:
            listener()
        return index

    def fresh(self) -> ClaimIndex | None:
        """The current index if no store check is due; never reads the store."""
        with self._lock:
            due = time.monotonic() - self._checked_at >= self._refresh_seconds
            return None if due or self._fresh_for < self._changes else self._index

    def invalidate(self) -> None:
        """Make the next question re-read the store (after this process changed it)."""
        with self._lock:
            self._changes += 1
        for listener in self.on_change:
            listener()

    def index_at_least(self, revision: int) -> ClaimIndex:
        """An index that includes every change up to ``revision`` (for fanning it out)."""
        self.index()  # the usual check first: usually enough
        with self._lock:  # the index and its revision together: another thread may swap both
            index, current = self._index, self._revision
        if index is not None and current is not None and current >= revision:
            return index
        return self.index(force=True)

    def changed(self, revision: int) -> None:
        """The store reached ``revision`` (another replica's write, announced by NOTIFY).

        Like ``invalidate``, and a rebuild starts at once in a thread of its own, so the next
        questions find the new claims without waiting for the refresh period. Called on the
        event loop: it never waits. A revision this index already holds is ignored.
        """
        with self._lock:
            if self._revision is not None and revision <= self._revision:
                return
            self._checked_at = float("-inf")
            self._behind = True
            if self._refresher is not None:
                return  # it reads the store again before it stops
            refresher = threading.Thread(target=self._catch_up, name="index-refresh", daemon=True)
            self._refresher = refresher
        refresher.start()

    def _catch_up(self) -> None:
        """The refresher: rebuild until no announced change is left unread."""
        while True:
            with self._lock:
                if not self._behind:
                    self._refresher = None
                    return
                self._behind = False
            try:
                # Waits for a rebuild under way: it may have read the revision before this one.
                with self._rebuilding:
                    with self._lock:
                        pending = self._changes
                    revision = store_revision(engine=self.engine)
                    with self._lock:
                        current = self._index is not None and revision == self._revision
                    if current:
                        self._include(pending)
                    else:
                        self._rebuild(revision, includes=pending)
            except Exception as exc:  # the revision poll tries again at the next question
                debug = log.isEnabledFor(logging.DEBUG)
                log.warning("index refresh failed: %s", exc, exc_info=debug)

    def ask(self, question: str) -> SearchResult:
        return self.index().search(question)


@dataclass(frozen=True)
class ClaimsService:
    """Every change an admin makes to the claims, answered at once by this process.

    Each change goes to the store (one audited transaction), then invalidates the answerer,
    so the next question re-reads the store instead of waiting for the refresh period. A
    change the store refuses raises its ``StoreError`` and leaves the index alone.
    """

    engine: Engine
    answerer: Answerer

    def add(self, claim: ClaimCreate, *, actor: str) -> ClaimPublic:
        stored = add_claim(engine=self.engine, claim=claim, actor=actor)
        self.answerer.invalidate()
        return stored

    def edit(self, claim_id: int, changes: Mapping[str, Any], *, actor: str) -> ClaimPublic:
        stored = edit_claim(engine=self.engine, claim_id=claim_id, changes=changes, actor=actor)
        self.answerer.invalidate()
        return stored

    def retract(self, claim_id: int, reason: str, *, actor: str) -> ClaimPublic:
        stored = retract_claim(engine=self.engine, claim_id=claim_id, reason=reason, actor=actor)
        self.answerer.invalidate()
        return stored

    def import_document(self, document: object, *, actor: str) -> ImportReport:
        """All of the document's claims or none (see ``store.import_claims``)."""
        report = import_claims(engine=self.engine, document=document, actor=actor)
        self.answerer.invalidate()
        return report


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
