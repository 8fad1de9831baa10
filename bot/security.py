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
# "KIND:N:SIGNATURE": what a button does ("claim": show claim N; "approve": approve draft N...).
_BUTTON_RE: Final = re.compile(r"^([a-z]{1,10}):(\d{1,12}):([0-9a-f]{16})$")


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


def _signature(secret: bytes, kind: str, number: int) -> str:
    digest = hmac.new(secret, f"{kind}:{number}".encode(), hashlib.sha256)
    return digest.hexdigest()[:SIGNATURE_CHARS]


def callback_secret(token: str) -> bytes:
    """A key for signing buttons, derived from the bot token (never sent anywhere)."""
    return hashlib.sha256(b"casualty-bot callback data\0" + token.encode()).digest()


def sign_button(secret: bytes, kind: str, number: int) -> str:
    """Callback data for a button that acts on one record: "KIND:N:signature", at most 40
    bytes (Telegram allows 64)."""
    return f"{kind}:{number}:{_signature(secret, kind, number)}"


def verify_button(secret: bytes, data: str) -> tuple[str, int] | None:
    """What a button does and to which record, or None if its data is garbage or forged."""
    match = _BUTTON_RE.match(data)
    if match is None:
        return None
    kind, number = match[1], int(match[2])
    if not hmac.compare_digest(match[3], _signature(secret, kind, number)):
        return None
    return kind, number


def sign_callback(secret: bytes, claim_id: int) -> str:
    """Callback data for a "show claim N" button."""
    return sign_button(secret, CALLBACK_PREFIX, claim_id)


def verify_callback(secret: bytes, data: str) -> int | None:
    """The claim id a "show claim" button carries, or None if stale, garbage or forged."""
    found = verify_button(secret, data)
    return found[1] if found is not None and found[0] == CALLBACK_PREFIX else None
