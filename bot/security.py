"""Abuse resistance: flood verdicts and signed callback data (pure).

The flood limits themselves are counted over all replicas, in ``bot.limits``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
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


def _signature(secret: bytes, kind: str, number: int) -> str:
    # The one-shot form: OpenSSL in one call, every answer signs its Follow button.
    return hmac.digest(secret, f"{kind}:{number}".encode(), "sha256").hex()[:SIGNATURE_CHARS]


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
