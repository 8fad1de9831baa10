"""Abuse resistance: flood limits per user and per chat, and signed callback data (pure)."""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from enum import Enum
from typing import Final

CALLBACK_PREFIX: Final = "claim"
SIGNATURE_CHARS: Final = 16  # hex characters of HMAC-SHA256 kept: 64 bits, well within 64 bytes
_CALLBACK_RE: Final = re.compile(r"^claim:(\d{1,12}):([0-9a-f]{16})$")


class Verdict(Enum):
    ANSWER = "answer"
    WARN = "warn"  # the first message over the limit: say so, once
    QUIET = "quiet"  # every later one in the same window: silence


class FloodGuard:
    """Sliding-window limits on questions per user and per chat.

    Over a limit, the sender is told once and then ignored until the window has room again,
    so one user cannot make the bot flood a group. Counts live in this process: each replica
    limits what it is sent, which still bounds what one user gets out of the whole bot.
    """

    def __init__(
        self,
        *,
        per_user: int,
        per_chat: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"user": per_user, "chat": per_chat}
        self._window = window_seconds
        self._clock = clock
        self._seen: dict[tuple[str, int], deque[float]] = {}
        self._warned: dict[tuple[str, int], float] = {}
        self._lock = threading.Lock()

    def check(self, *, user_id: int | None, chat_id: int | None) -> Verdict:
        """Record one question and say whether to answer it."""
        now = self._clock()
        keys = [("user", user_id), ("chat", chat_id)]
        with self._lock:
            self._forget_idle(now)
            over = None
            for kind, ident in keys:
                if ident is None:
                    continue
                times = self._seen.setdefault((kind, ident), deque())
                while times and times[0] <= now - self._window:
                    times.popleft()
                if len(times) >= self._limits[kind]:
                    over = (kind, ident)
            if over is None:
                for kind, ident in keys:
                    if ident is not None:
                        self._seen[(kind, ident)].append(now)
                return Verdict.ANSWER
            warned_at = self._warned.get(over)
            if warned_at is not None and warned_at > now - self._window:
                return Verdict.QUIET
            self._warned[over] = now
            return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        # Keeps memory bounded by the number of recently active users and chats.
        if len(self._seen) < 10_000:
            return
        for key in [
            key for key, times in self._seen.items() if not times or times[-1] <= now - self._window
        ]:
            del self._seen[key]
        for key in [key for key, at in self._warned.items() if at <= now - self._window]:
            del self._warned[key]


def _signature(secret: bytes, claim_id: int) -> str:
    digest = hmac.new(secret, f"{CALLBACK_PREFIX}:{claim_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:SIGNATURE_CHARS]


def callback_secret(token: str) -> bytes:
    """A key for signing buttons, derived from the bot token (never sent anywhere)."""
    return hashlib.sha256(b"casualty-bot callback data\0" + token.encode()).digest()


def sign_callback(secret: bytes, claim_id: int) -> str:
    """Callback data for a "show claim N" button: "claim:N:signature", at most 46 bytes."""
    return f"{CALLBACK_PREFIX}:{claim_id}:{_signature(secret, claim_id)}"


def verify_callback(secret: bytes, data: str) -> int | None:
    """The claim id a button carries, or None if the data is stale, garbage or forged."""
    match = _CALLBACK_RE.match(data)
    if match is None:
        return None
    claim_id = int(match[1])
    if not hmac.compare_digest(match[2], _signature(secret, claim_id)):
        return None
    return claim_id
