"""Work that runs beside the handlers for as long as the bot runs: delivering notifications,
and listening for other replicas' changes.

Each worker is an ``async def run()`` that loops until it is cancelled. ``Background`` starts
them after start-up and cancels them, and waits for them, before the bot stops, so no task
outlives the event loop and nothing is left half-written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Worker = Callable[[], Awaitable[None]]


class Background:
    """Named long-running tasks, started together and stopped together."""

    def __init__(self) -> None:
        self._workers: list[tuple[str, Worker]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._cleanups: list[Worker] = []

    def add(self, name: str, worker: Worker, *, cleanup: Worker | None = None) -> None:
        """Run ``worker`` from the next ``start`` on; ``cleanup`` after it has stopped."""
        self._workers.append((name, worker))
        if cleanup is not None:
            self._cleanups.append(cleanup)

    @property
    def workers(self) -> list[str]:
        return [name for name, _worker in self._workers]

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks)

    def start(self) -> None:
        if self._tasks:
            return
        for name, worker in self._workers:
            task = asyncio.create_task(self._guarded(name, worker), name=name)
            self._tasks.append(task)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if tasks:
            for cleanup in self._cleanups:
                await cleanup()

    @staticmethod
    async def _guarded(name: str, worker: Worker) -> None:
        # A worker that dies is logged and restarted: delivery must not stop for good because
        # of one unexpected error (the outbox keeps what it had not sent).
        delay = 1.0
        while True:
            try:
                await worker()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # logged, then retried after a pause
                log.error("%s stopped: %s; restarting in %.0fs", name, exc, delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
