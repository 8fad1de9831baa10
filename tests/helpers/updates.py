"""Builders for Telegram update JSON, as the Bot API would deliver it."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any, Final

ADMIN_ID: Final = 1001
USER_ID: Final = 2002
GROUP_ID: Final = -1001234567890
BOT_ID: Final = 123456
BOT_USERNAME: Final = "CasualtyFiguresBot"

_message_ids = itertools.count(1000)
_update_ids = itertools.count(1)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entities(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities, with UTF-16 offsets as Telegram sends them."""
    entities = []
    for match in re.finditer(
        r"(?<!\S)(/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?)|(@[A-Za-z0-9_]{5,})", text
    ):
        kind = "bot_command" if match.group(1) else "mention"
        if kind == "bot_command" and match.start() != 0:
            continue
        entities.append(
            {
                "type": kind,
                "offset": _utf16_len(text[: match.start()]),
                "length": _utf16_len(match.group(0)),
            }
        )
    return entities


def user(user_id: int = USER_ID, *, language_code: str = "en") -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": f"User{user_id}",
        "language_code": language_code,
    }


def bot_user() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Casualty Figures",
        "username": BOT_USERNAME,
    }


def chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": "Test group"}


def message(
    text: str | None,
    *,
    user_id: int = USER_ID,
    chat_id: int | None = None,
    reply_to: dict[str, Any] | None = None,
    language_code: str = "en",
    **extra: Any,
) -> dict[str, Any]:
    """A message dict; commands and @mentions get their entities automatically."""
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id if chat_id is not None else user_id),
        "from": user(user_id, language_code=language_code),
    }
    if text is not None:
        msg["text"] = text
        entities = _entities(text)
        if entities:
            msg["entities"] = entities
    if reply_to is not None:
        msg["reply_to_message"] = reply_to
    msg.update(extra)
    return msg


def bot_message(text: str, *, chat_id: int = GROUP_ID) -> dict[str, Any]:
    """A message the bot sent earlier, for replies to it."""
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": bot_user(),
        "text": text,
    }


def update(**payload: Any) -> dict[str, Any]:
    """An update with one payload, e.g. ``update(message=message("hi"))``."""
    return {"update_id": next(_update_ids), **payload}


def private_text(text: str | None, *, user_id: int = USER_ID, **extra: Any) -> dict[str, Any]:
    return update(message=message(text, user_id=user_id, **extra))


def group_text(
    text: str,
    *,
    user_id: int = USER_ID,
    chat_id: int = GROUP_ID,
    reply_to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return update(message=message(text, user_id=user_id, chat_id=chat_id, reply_to=reply_to))


def inline_query(
    query: str, *, user_id: int = USER_ID, language_code: str = "en"
) -> dict[str, Any]:
    return update(
        inline_query={
            "id": str(next(_message_ids)),
            "from": user(user_id, language_code=language_code),
            "query": query,
            "offset": "",
        }
    )


def callback_query(
    data: str,
    *,
    user_id: int = USER_ID,
    chat_id: int | None = None,
    origin: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A button press under ``origin`` (the bot's message; a stand-in by default)."""
    if origin is None:
        origin = bot_message("earlier answer", chat_id=chat_id if chat_id is not None else user_id)
    return update(
        callback_query={
            "id": str(next(_message_ids)),
            "from": user(user_id),
            "chat_instance": "1",
            "data": data,
            "message": origin,
        }
    )
