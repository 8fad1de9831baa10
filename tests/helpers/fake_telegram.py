"""A fake Telegram Bot API server for tests.

python-telegram-bot talks to it over real HTTP, so request encoding, error mapping and retries
are exercised exactly as in production::

    async with FakeTelegram() as fake:
        app = (
            Application.builder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        ...
        await fake.wait_for("sendMessage", lambda params: "Hello" in params["text"])

The fake refuses what Telegram refuses (malformed HTML, over-long texts, bad keyboards, ...) with
Telegram's wording, so bugs that would only show up against the real API fail in tests. Tests can
also set chat members (``set_chat_member``), make users block the bot (``block_chat``), migrate
groups (``migrate_chat``) and enforce Telegram's send limits (``enforce_send_limits``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import mimetypes
import re
import struct
import time
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[Any]]

# Long polls are honoured, but never for longer than this, so a forgotten poll can't stall tests.
MAX_POLL_WAIT = 10.0
MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# Used for photos whose format the fake can't read (it only parses PNG, JPEG and GIF headers).
DEFAULT_PHOTO_SIZE = (320, 240)
# Pseudo-method under which file downloads are recorded and can be made to fail.
DOWNLOAD_METHOD = "downloadFile"

# Parameters Telegram treats as strings: they must not be JSON-decoded even if they look like
# JSON (a message text "123" or "true" stays a string; callback query ids are numeric strings).
_STRING_PARAMS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "currency",
        "custom_title",
        "description",
        "document",
        "emoji",
        "error_message",
        "explanation",
        "file_id",
        "first_name",
        "foursquare_id",
        "foursquare_type",
        "game_short_name",
        "google_place_id",
        "google_place_type",
        "inline_message_id",
        "inline_query_id",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "message_text",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "phone_number",
        "photo",
        "pre_checkout_query_id",
        "provider_token",
        "query",
        "question",
        "secret_token",
        "short_description",
        "shipping_query_id",
        "start_parameter",
        "sticker",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "thumbnail",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)

_STATUS_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_MIGRATED = "group chat was upgraded to a supergroup chat"

# Sends that Telegram's flood limits count (and max_sends_in_window counts by default).
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
# Methods that act in a chat: refused once the bot is blocked there or the group migrated.
_CHAT_WRITE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
    }
)
# Methods that only look at a chat: a blocked user's private chat still answers them, but a
# group the bot was kicked from or that migrated does not.
_CHAT_READ_METHODS = frozenset({"getChat", "getChatMember", "getChatAdministrators"})

# ChatMember fields, per status, that python-telegram-bot 22 requires to build its subclass.
_MEMBER_FIELDS: dict[str, JsonDict] = {
    "creator": {"is_anonymous": False},
    "administrator": {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": True,
        "can_edit_stories": True,
        "can_delete_stories": True,
        "can_pin_messages": True,
        "can_manage_topics": False,
    },
    "member": {},
    "restricted": {
        "is_member": True,
        "until_date": 0,  # 0: restricted forever
        **dict.fromkeys(
            (
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
                "can_send_messages",
                "can_send_polls",
                "can_send_other_messages",
                "can_add_web_page_previews",
                "can_manage_topics",
                "can_send_audios",
                "can_send_documents",
                "can_send_photos",
                "can_send_videos",
                "can_send_video_notes",
                "can_send_voice_notes",
                "can_edit_tag",
                "can_react_to_messages",
            ),
            False,
        ),
    },
    "left": {},
    "kicked": {"until_date": 0},  # 0: banned forever
}


@dataclass(frozen=True)
class ApiCall:
    """One request the fake received, successful or refused.

    ``at`` is the fake's clock (``time.monotonic()`` unless the test passed its own) at arrival,
    so gaps between calls (back-off, rate limiting) can be measured reliably. ``status`` is 0
    for a dropped connection.
    """

    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    status: int = 200
    description: str | None = None
    result: Any = None


class _ApiError(Exception):
    """A Telegram-shaped refusal; raised anywhere inside a handler."""

    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        # ResponseParameters: PTB turns these into RetryAfter and ChatMigrated.
        parameters: JsonDict = {}
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if parameters:
            body["parameters"] = parameters
        return body


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


def _too_many_requests(retry_after: int) -> _ApiError:
    return _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def _busiest_window(times: list[float], at: float, length: float) -> int:
    """The most of ``times`` (sorted) inside one window [start, start + length) that also
    contains ``at``. Arrival order can differ from handling order, so windows after ``at``
    count too."""
    best = bisect_left(times, at + length) - bisect_left(times, at)
    for index in range(bisect_right(times, at - length), bisect_right(times, at)):
        start = times[index]
        best = max(best, bisect_left(times, start + length) - bisect_left(times, start))
    return best


class _SendLimits:
    """Telegram's flood limits: so many sends a second over all chats, so many a minute to one
    group. Accepted sends are remembered even while no limit is enforced, as Telegram's limits
    are always there; the fake only chooses whether to refuse."""

    GROUP_WINDOW = 60.0
    # Enough history for the longest window even when requests arrive out of order.
    KEEP = 2 * GROUP_WINDOW

    def __init__(self) -> None:
        self.per_second: int | None = None
        self.per_group_per_minute: int | None = None
        self.refusals = 0
        self._all: list[float] = []
        self._groups: dict[int, list[float]] = {}

    def check(self, chat_id: int, at: float) -> None:
        """Raise 429 if one more send at ``at`` would break an enforced limit."""
        windows: list[tuple[list[float], int, float]] = []
        if self.per_second is not None:
            windows.append((self._all, self.per_second, 1.0))
        if self.per_group_per_minute is not None and chat_id < 0:
            group = self._groups.get(chat_id, [])
            windows.append((group, self.per_group_per_minute, self.GROUP_WINDOW))
        waits = [
            # Free once the limit-th most recent send has left the window.
            times[-limit] + length - at
            for times, limit, length in windows
            if _busiest_window(times, at, length) >= limit
        ]
        if waits:
            self.refusals += 1
            raise _too_many_requests(max(1, math.ceil(max(waits))))

    def accept(self, chat_id: int, at: float) -> None:
        insort(self._all, at)
        self._prune(self._all)
        if chat_id < 0:
            group = self._groups.setdefault(chat_id, [])
            insort(group, at)
            self._prune(group)

    def _prune(self, times: list[float]) -> None:
        cut = bisect_left(times, times[-1] - self.KEEP)
        del times[:cut]


@dataclass(frozen=True)
class _Failure:
    status: int
    description: str
    retry_after: int | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    file_path: str
    content: bytes

    def document(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }


@dataclass(frozen=True)
class _Download:
    """Result of a file download; served as raw bytes instead of a JSON envelope."""

    content: bytes
    mime_type: str


class _Pulse:
    """Wakes every current waiter. Unlike asyncio.Condition it can be fired from sync code
    (push_update), which is why it is used for both long polls and wait_for."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)


# --------------------------------------------------------------------------------------------
# HTML parse mode: a strict, hand-written tokenizer following Telegram's rules
# --------------------------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "blockquote",
        "tg-emoji",
    }
)
_ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "span": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
# Synonymous tags produce the same entity; used to decide whether an edit changes anything.
_TAG_ENTITY = {
    "strong": "b",
    "em": "i",
    "ins": "u",
    "strike": "s",
    "del": "s",
    "span": "tg-spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]*));")

# (entity type, argument, start, end) with offsets in UTF-16 code units of the plain text.
Entity = tuple[str, str, int, int]


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's error detail."""


def utf16_length(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    match = _ENTITY_RE.match(source, pos)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return None if char is None else (char, match.end())
    code_point = int(decimal, 10) if decimal is not None else int(hexadecimal, 16)
    if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None
    return chr(code_point), match.end()


def _decode_attribute(value: str) -> str:
    # Inside attribute values a stray "&" (common in URLs) is tolerated, as Telegram does.
    def replace(match: re.Match[str]) -> str:
        decoded = _decode_entity(match.group(0), 0)
        return match.group(0) if decoded is None else decoded[0]

    return _ENTITY_RE.sub(replace, value)


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.out_length = 0  # UTF-16 units emitted so far, for entity offsets
        self.open: list[tuple[str, str, int]] = []  # (tag, argument, start)
        self.entities: list[Entity] = []

    def byte_offset(self, pos: int) -> int:
        # Telegram reports positions as UTF-8 byte offsets into the original text.
        return len(self.source[:pos].encode("utf-8", "surrogatepass"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_length += utf16_length(text)

    def at_end(self) -> bool:
        return self.pos >= len(self.source)

    def skip_spaces(self) -> None:
        while not self.at_end() and self.source[self.pos].isspace():
            self.pos += 1

    def parse(self) -> tuple[str, tuple[Entity, ...]]:
        source = self.source
        while not self.at_end():
            char = source[self.pos]
            if char == "&":
                decoded = _decode_entity(source, self.pos)
                if decoded is None:
                    raise HtmlParseError(
                        f'Character "&" at byte offset {self.byte_offset(self.pos)} does not start'
                        ' a supported HTML entity; escape it as "&amp;"'
                    )
                self.emit(decoded[0])
                self.pos = decoded[1]
            elif char == ">":
                raise HtmlParseError(
                    f'Character ">" at byte offset {self.byte_offset(self.pos)} must be escaped'
                    ' as "&gt;"'
                )
            elif char == "<":
                if source.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                end = self.pos
                while end < len(source) and source[end] not in "<>&":
                    end += 1
                self.emit(source[self.pos : end])
                self.pos = end
        if self.open:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1][0]}"'
            )
        return "".join(self.out), tuple(self.entities)

    def start_tag(self) -> None:
        source = self.source
        tag_pos = self.pos
        self.pos += 1
        while not self.at_end() and not source[self.pos].isspace() and source[self.pos] != ">":
            self.pos += 1
        if self.at_end():
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(tag_pos)}")
        tag = source[tag_pos + 1 : self.pos].lower()
        if tag not in _ALLOWED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(tag_pos)}'
            )
        attributes = self.attributes(tag, tag_pos)
        self.open.append((tag, self.tag_argument(tag, attributes, tag_pos), self.out_length))

    def attributes(self, tag: str, tag_pos: int) -> dict[str, str | None]:
        source = self.source
        found: dict[str, str | None] = {}
        while True:
            self.skip_spaces()
            if self.at_end():
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(tag_pos)}"
                )
            if source[self.pos] == ">":
                self.pos += 1
                return found
            name_pos = self.pos
            while (
                not self.at_end()
                and not source[self.pos].isspace()
                and source[self.pos] not in "=>"
            ):
                self.pos += 1
            name = source[name_pos : self.pos].lower()
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(tag_pos)}"
                )
            if name not in _ALLOWED_ATTRIBUTES.get(tag, frozenset()):
                raise HtmlParseError(
                    f'Unsupported attribute "{name}" in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(name_pos)}"
                )
            self.skip_spaces()
            if self.at_end() or source[self.pos] != "=":
                if name == "expandable":  # the only attribute that may stand alone
                    found[name] = None
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" at '
                    f"byte offset {self.byte_offset(tag_pos)}"
                )
            self.pos += 1
            self.skip_spaces()
            found[name] = self.attribute_value(tag_pos)

    def attribute_value(self, tag_pos: int) -> str:
        source = self.source
        if self.at_end():
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(tag_pos)}")
        quote = source[self.pos]
        if quote in "\"'":
            end = source.find(quote, self.pos + 1)
            if end < 0:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(tag_pos)}"
                )
            value = _decode_attribute(source[self.pos + 1 : end])
            self.pos = end + 1
            return value
        # Unquoted values are SGML name tokens: letters, digits, periods and hyphens.
        token_pos = self.pos
        while not self.at_end() and (source[self.pos].isalnum() or source[self.pos] in ".-"):
            self.pos += 1
        if self.at_end():
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(tag_pos)}")
        if not source[self.pos].isspace() and source[self.pos] != ">":
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {self.byte_offset(token_pos)}"
            )
        return source[token_pos : self.pos].lower()

    def tag_argument(self, tag: str, attributes: dict[str, str | None], tag_pos: int) -> str:
        offset = self.byte_offset(tag_pos)
        if tag == "a":
            return attributes.get("href") or ""
        if tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
                )
            return ""
        if tag == "code":
            language = attributes.get("class")
            if language is None:
                return ""
            if not language.startswith("language-"):
                raise HtmlParseError(
                    f'Class of the tag "code" must start with "language-" at byte offset {offset}'
                )
            return language.removeprefix("language-")
        if tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id") or ""
            if not emoji_id.isdigit():
                raise HtmlParseError(
                    f'Tag "tg-emoji" must have a numeric "emoji-id" attribute at byte offset '
                    f"{offset}"
                )
            return emoji_id
        if tag == "blockquote":
            return "expandable" if "expandable" in attributes else ""
        return ""

    def end_tag(self) -> None:
        source = self.source
        tag_pos = self.pos
        self.pos += 2
        name_pos = self.pos
        while not self.at_end() and not source[self.pos].isspace() and source[self.pos] != ">":
            self.pos += 1
        name = source[name_pos : self.pos].lower()
        self.skip_spaces()
        if self.at_end() or source[self.pos] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(tag_pos)}")
        self.pos += 1
        if not self.open:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(tag_pos)}")
        tag, argument, start = self.open[-1]
        # Like Telegram, "</>" closes whatever is open; a named end tag must match.
        if name and name != tag:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(tag_pos)}, "
                f'expected "</{tag}>", found "</{name}>"'
            )
        self.open.pop()
        if self.out_length > start:
            self.entities.append((_TAG_ENTITY.get(tag, tag), argument, start, self.out_length))


def parse_html(text: str) -> tuple[str, tuple[Entity, ...]]:
    """Parse Telegram HTML into (plain text, entities); raises HtmlParseError when Telegram
    would answer "can't parse entities"."""
    return _HtmlParser(text).parse()


def _render_text(
    value: Any, parse_mode: Any, *, limit: int, too_long: str, empty: str | None
) -> tuple[str, tuple[Entity, ...]]:
    """Validate a text/caption the way Telegram does; returns the visible text and entities."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
    entities: tuple[Entity, ...] = ()
    if mode == "html":
        try:
            text, entities = parse_html(text)
        except HtmlParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from None
    elif mode not in ("", "markdown", "markdownv2"):
        raise _bad_request("unsupported parse_mode")
    # Telegram trims surrounding whitespace before storing (and measuring) a text.
    text = text.strip()
    if empty is not None and not text:
        raise _bad_request(empty)
    if utf16_length(text) > limit:
        raise _bad_request(too_long)
    return text, entities


# --------------------------------------------------------------------------------------------
# Other validation helpers
# --------------------------------------------------------------------------------------------


def _check_reply_markup(markup: Any) -> JsonDict | None:
    """Validate reply_markup; returns it when it is an inline keyboard (the only kind Telegram
    echoes back in the Message)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
            "InlineKeyboardMarkup must be an Array of Arrays"
        )
    for row in rows:
        for button in row:
            _check_inline_button(button)
    return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise _bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise _bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _BUTTON_ACTIONS if button.get(name) is not None]
    if not actions:
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise _bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"(?i)(https?://|tg://)\S+$", url):
            raise _bad_request("BUTTON_URL_INVALID")


def _int_param(params: JsonDict, name: str, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise _bad_request(f"wrong parameter {name} specified")


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height from a PNG, GIF or JPEG header; a default for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 <= len(content) and content[pos] == 0xFF:
            marker = content[pos + 1]
            (length,) = struct.unpack(">H", content[pos + 2 : pos + 4])
            # SOF0..SOF15 carry the frame size; C4/C8/CC are other segments in that range.
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + int(length)
    return DEFAULT_PHOTO_SIZE


def _json_safe(value: Any) -> str:
    """Short printable form of recorded params for failure messages (bytes are summarised)."""

    def shrink(item: Any) -> Any:
        if isinstance(item, bytes):
            return f"<{len(item)} bytes>"
        if isinstance(item, dict):
            return {key: shrink(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [shrink(inner) for inner in item]
        return item

    text = json.dumps(shrink(value), ensure_ascii=False, default=repr)
    return text if len(text) <= 300 else text[:297] + "..."


async def _read_params(request: web.Request) -> JsonDict:
    """Collect query, form, multipart or JSON parameters; JSON-decode non-string values the way
    the Bot API does (PTB sends every non-string value JSON-encoded)."""
    raw: JsonDict = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad_request("can't parse JSON object")
            raw.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    raw[key] = {"filename": value.filename, "content": value.file.read()}
                elif isinstance(value, (bytes, bytearray)):
                    raw[key] = bytes(value).decode("utf-8", "replace")
                else:
                    raw[key] = value
    params: JsonDict = {}
    for key, value in raw.items():
        if isinstance(value, str) and key not in _STRING_PARAMS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """Fake Bot API server on 127.0.0.1 with call recording, update queue and fault injection."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "CasualtyFiguresBot",
        bot_id: int = 123456,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.calls: list[ApiCall] = []
        # Stamps ApiCall.at and drives the send limits; a test may pass one it advances itself.
        self._clock = clock

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False
        self._stopped = asyncio.Event()
        self._pulse = _Pulse()

        self._updates: list[JsonDict] = []
        self._last_update_id = 0
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] | None = None
        self._webhook: JsonDict = {}

        self._last_message_id = 0
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._fingerprints: dict[tuple[int, int], tuple[str, tuple[Entity, ...]]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._foreign: set[tuple[int, int]] = set()  # user messages seen in pushed updates
        self._chats: dict[int, JsonDict] = {}
        self._usernames: dict[str, int] = {}
        self._users: dict[int, JsonDict] = {}  # senders seen in pushed updates
        self._members: dict[tuple[int, int], JsonDict] = {}  # (chat, user) -> ChatMember
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._limits = _SendLimits()

        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._answered_queries: set[str] = set()

        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._drops: dict[str, int] = {}

        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getFile": self._get_file,
        }
        # Telegram matches method names case-insensitively; calls are recorded canonically.
        self._canonical = {name.lower(): name for name in [*self._handlers, DOWNLOAD_METHOD]}

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        # Fresh primitives bind to the running loop (each test may run in its own loop).
        self._pulse = _Pulse()
        self._stopped = asyncio.Event()
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_download)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is None:
            return
        # Release long polls and injected delays so shutdown doesn't wait for them.
        self._closing = True
        self._stopped.set()
        self._pulse.fire()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Casualty Figures",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    # ---- recorded calls --------------------------------------------------------------------

    def calls_to(self, method: str, *, include_failed: bool = False) -> list[ApiCall]:
        name = self._canonical.get(method.lower(), method)
        return [c for c in self.calls if c.method == name and (c.ok or include_failed)]

    def sent_messages(self) -> list[JsonDict]:
        """Params of every successful sendMessage, oldest first."""
        return [call.params for call in self.calls_to("sendMessage")]

    def clear_calls(self) -> None:
        self.calls.clear()

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[JsonDict], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain number reads best in test assertions
        count: int = 1,
    ) -> list[ApiCall]:
        """Wait until at least ``count`` successful calls to ``method`` whose params satisfy
        ``predicate`` were recorded (earlier calls count too); returns all matching calls."""
        name = self._method_name(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matches = [c for c in self.calls_to(name) if predicate is None or predicate(c.params)]
            if len(matches) >= count:
                return matches
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._summary(name, predicate, timeout, count, len(matches)))
            await self._pulse.wait(remaining)

    def _summary(
        self,
        method: str,
        predicate: Callable[[JsonDict], bool] | None,
        timeout: float,
        count: int,
        found: int,
    ) -> str:
        matching = " matching the predicate" if predicate is not None else ""
        lines = [
            f"Timed out after {timeout}s waiting for {count} successful {method} call(s)"
            f"{matching}; found {found}.",
            f"Calls recorded ({len(self.calls)}, last 25 shown):",
        ]
        for call in self.calls[-25:]:
            outcome = "ok" if call.ok else f"FAILED {call.status} {call.description}"
            lines.append(f"  {call.method} [{outcome}] {_json_safe(call.params)}")
        if not self.calls:
            lines.append("  (none)")
        return "\n".join(lines)

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._pulse.fire()

    def _method_name(self, method: str) -> str:
        name = self._canonical.get(method.lower())
        if name is None:
            # A typo here would otherwise make a test wait or inject faults silently in vain.
            raise ValueError(f"FakeTelegram does not implement {method!r}")
        return name

    # ---- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with an error (queued after earlier
        injected failures). 429 always carries ``retry_after`` (default 1)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _STATUS_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        queue = self._failures.setdefault(self._method_name(method), deque())
        queue.extend([_Failure(status, description, retry_after)] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Sleep ``seconds`` before answering the next ``times`` calls to ``method``."""
        self._delays.setdefault(self._method_name(method), deque()).extend([seconds] * times)

    def drop_connection_next(self, method: str, times: int = 1) -> None:
        """Close the TCP connection without answering the next ``times`` calls to ``method``."""
        name = self._method_name(method)
        self._drops[name] = self._drops.get(name, 0) + times

    # ---- updates, messages and files for tests ---------------------------------------------

    def push_update(self, update: JsonDict) -> int:
        """Queue an update for getUpdates; assigns ``update_id`` when missing. Returns it."""
        # A JSON round trip catches unserialisable updates here, in the test, and decouples the
        # queued copy from later mutation by the caller.
        queued: JsonDict = json.loads(json.dumps(update))
        update_id = queued.get("update_id")
        if update_id is None:
            update_id = self._last_update_id + 1
            queued["update_id"] = update_id
        elif not isinstance(update_id, int) or update_id <= self._last_update_id:
            # getUpdates offsets rely on increasing ids, as with real Telegram.
            raise ValueError(f"update_id {update_id!r} must be an int above {self._last_update_id}")
        self._last_update_id = update_id
        self._index_update(queued)
        self._updates.append(queued)
        self._pulse.fire()
        return update_id

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed through a getUpdates offset."""
        return list(self._updates)

    def next_message_id(self) -> int:
        """Allocate a message id from the same sequence the fake uses for sent messages."""
        self._last_message_id += 1
        return self._last_message_id

    def messages_in(self, chat_id: int) -> list[JsonDict]:
        """Current state (after edits, without deleted ones) of the bot's messages in a chat."""
        keys = sorted(key for key in self._messages if key[0] == chat_id)
        return [self._messages[key] for key in keys]

    def add_file(self, content: bytes, file_name: str, mime_type: str | None = None) -> JsonDict:
        """Store a file (downloadable via getFile) and return it as a Telegram Document."""
        return self._store_file(content, file_name, "documents", mime_type).document()

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id].content

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """Commands last set for a scope (default scope when None) and language."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    # ---- members, blocked chats, migrated groups ---------------------------------------------

    def set_chat_member(self, chat_id: int, user_id: int, status: str, **fields: Any) -> None:
        """Make getChatMember answer ``status`` (Telegram's: creator, administrator, member,
        restricted, left, kicked) for this user in this chat; ``fields`` override the ChatMember
        fields (``can_manage_chat=False``, ``custom_title="Editor"``, ...)."""
        if status not in _MEMBER_FIELDS:
            raise ValueError(f"unknown status {status!r}; Telegram's are {sorted(_MEMBER_FIELDS)}")
        self._members[(chat_id, user_id)] = {"status": status, **_MEMBER_FIELDS[status], **fields}

    def set_chat_admins(self, chat_id: int, user_ids: Iterable[int]) -> None:
        """Make exactly these users the chat's administrators: earlier administrators not
        listed become plain members; the creator stays."""
        admins = set(user_ids)
        for (chat, user), member in list(self._members.items()):
            if chat == chat_id and member["status"] == "administrator" and user not in admins:
                self.set_chat_member(chat_id, user, "member")
        for user in admins:
            self.set_chat_member(chat_id, user, "administrator")

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot (private chat) or kicked it (group): later sends, edits and
        deletions there answer 403 Forbidden, as do reads of a group."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """The user unblocked the bot (or re-added it to the group)."""
        self._blocked.discard(chat_id)

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """The group ``old_id`` was upgraded to the supergroup ``new_id``: requests to the old id
        answer 400 with ``migrate_to_chat_id`` (PTB's ChatMigrated); members carry over."""
        if old_id >= 0 or new_id >= 0 or old_id == new_id:
            raise ValueError("groups have distinct negative ids")
        self._migrated[old_id] = new_id
        old = self._chats.get(old_id, {})
        title = old.get("title") or f"Group {-old_id}"
        self._chats.setdefault(new_id, {"id": new_id, "type": "supergroup", "title": title})
        for (chat, user), member in list(self._members.items()):
            if chat == old_id:
                self._members.setdefault((new_id, user), dict(member))

    # ---- Telegram's send limits --------------------------------------------------------------

    def enforce_send_limits(
        self, per_second: int | None = 30, per_group_per_minute: int | None = 20
    ) -> None:
        """Refuse, with 429 "Too Many Requests: retry after N", a sendMessage, sendPhoto or
        sendDocument that would make more than ``per_second`` accepted sends in any 1-second
        window over all chats, or more than ``per_group_per_minute`` to one group (negative
        chat id) in any 60-second window. None leaves that limit off. Off by default."""
        for limit in (per_second, per_group_per_minute):
            if limit is not None and limit < 1:
                raise ValueError("a send limit allows at least one send")
        self._limits.per_second = per_second
        self._limits.per_group_per_minute = per_group_per_minute

    def disable_send_limits(self) -> None:
        self.enforce_send_limits(None, None)

    @property
    def limit_refusals(self) -> int:
        """How many sends the enforced limits refused (injected 429s are not counted)."""
        return self._limits.refusals

    def max_sends_in_window(
        self,
        seconds: float = 1.0,
        chat_id: int | None = None,
        methods: Iterable[str] = SEND_METHODS,
    ) -> int:
        """The most accepted calls to ``methods`` (to one chat, or all) that arrived inside any
        window [t, t + seconds), by ``ApiCall.at``: what Telegram's limits would have seen."""
        names = {self._method_name(method) for method in methods}
        times = sorted(
            call.at
            for call in self.calls
            if call.ok
            and call.method in names
            and (chat_id is None or _call_chat_id(call) == chat_id)
        )
        return max(
            (bisect_left(times, start + seconds) - index for index, start in enumerate(times)),
            default=0,
        )

    def _store_file(
        self, content: bytes, file_name: str, folder: str, mime_type: str | None = None
    ) -> _StoredFile:
        number = len(self._files) + 1
        suffix = re.sub(r"[^A-Za-z0-9.]", "", file_name[file_name.rfind(".") :])
        suffix = suffix if "." in file_name and 1 < len(suffix) <= 10 else ""
        stored = _StoredFile(
            # Letters keep ids from ever looking like JSON numbers in form fields.
            file_id=f"FAKEFILE{number:06d}{folder.upper()}",
            file_unique_id=f"FAKEUNIQ{number:06d}",
            file_name=file_name,
            mime_type=mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            file_path=f"{folder}/file_{number}{suffix}",
            content=content,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _index_update(self, update: JsonDict) -> None:
        """Learn chats and message ownership from pushed updates, so replies, edits and
        deletions referring to them behave like Telegram."""
        for value in update.values():
            if not isinstance(value, dict):
                continue
            candidates = [value]
            if isinstance(value.get("message"), dict):  # callback_query.message
                candidates.append(value["message"])
            for message in candidates:
                sender = message.get("from")
                # Remembered for getChatMember, which answers with the user as last seen.
                if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                    self._users[sender["id"]] = sender
                chat = message.get("chat")
                if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
                    continue
                self._chats.setdefault(chat["id"], chat)
                message_id = message.get("message_id")
                if not isinstance(message_id, int) or not isinstance(sender, dict):
                    continue
                key = (chat["id"], message_id)
                if sender.get("id") == self.bot_id:
                    self._messages.setdefault(key, message)
                    self._fingerprints.setdefault(key, (message.get("text", ""), ()))
                else:
                    self._foreign.add(key)

    # ---- HTTP plumbing ---------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        at = self._clock()
        sent_name = request.match_info["method"]
        method = self._canonical.get(sent_name.lower(), sent_name)
        try:
            params = await _read_params(request)
        except _ApiError as error:
            self._record(ApiCall(method, {}, at, False, error.status, error.description))
            return web.json_response(error.body(), status=error.status)
        handler = self._handlers.get(method)
        produce: Callable[[], Awaitable[Any]] | None = None
        if handler is not None:
            bound = handler

            async def produce() -> Any:
                # No await between the limit check and accept(), so concurrent sends can't
                # both pass a nearly full window (handlers don't really suspend).
                self._check_chat_access(method, params)
                if method in SEND_METHODS:
                    self._limits.check(self._chat(params)["id"], at)
                result = await bound(params)
                if method in SEND_METHODS:
                    self._limits.accept(result["chat"]["id"], at)
                return result

        return await self._serve(request, method, params, at, produce)

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        at = self._clock()
        path = request.match_info["path"]

        async def produce() -> _Download:
            stored = self._files_by_path.get(path)
            if stored is None:
                raise _ApiError(404, "Not Found")
            return _Download(stored.content, stored.mime_type)

        return await self._serve(request, DOWNLOAD_METHOD, {"file_path": path}, at, produce)

    async def _serve(
        self,
        request: web.Request,
        method: str,
        params: JsonDict,
        at: float,
        produce: Callable[[], Awaitable[Any]] | None,
    ) -> web.StreamResponse:
        try:
            if request.match_info["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            if produce is None:
                raise _ApiError(404, "Not Found: method not found")
            if self._drops.get(method):
                self._drops[method] -= 1
                self._record(ApiCall(method, params, at, False, 0, "connection dropped"))
                if request.transport is not None:
                    request.transport.close()
                # Never reaches the client: aiohttp skips writing to a closed transport.
                return web.Response(status=500)
            delays = self._delays.get(method)
            if delays:
                await self._sleep(delays.popleft())
            failures = self._failures.get(method)
            if failures:
                failure = failures.popleft()
                raise _ApiError(failure.status, failure.description, failure.retry_after)
            result = await produce()
        except _ApiError as error:
            self._record(ApiCall(method, params, at, False, error.status, error.description))
            return web.json_response(error.body(), status=error.status)
        except Exception as error:  # a bug in the fake: make it visible in calls and to the bot
            description = f"Internal Server Error: fake crashed with {error!r}"
            self._record(ApiCall(method, params, at, False, 500, description))
            body = {"ok": False, "error_code": 500, "description": description}
            return web.json_response(body, status=500)
        if isinstance(result, _Download):
            self._record(ApiCall(method, params, at, result=None))
            return web.Response(body=result.content, content_type=result.mime_type)
        self._record(ApiCall(method, params, at, result=result))
        return web.json_response({"ok": True, "result": result})

    async def _sleep(self, seconds: float) -> None:
        # Interruptible, so stop() doesn't hang on an injected delay.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    # ---- chats and messages ----------------------------------------------------------------

    def _chat(self, params: JsonDict) -> JsonDict:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        if isinstance(raw, str) and len(raw) > 1 and raw.startswith("@"):
            username = raw[1:]
            if username not in self._usernames:
                chat_id = -1001000000000 - len(self._usernames) - 1
                self._usernames[username] = chat_id
                self._chats[chat_id] = {
                    "id": chat_id,
                    "type": "channel",
                    "title": username,
                    "username": username,
                }
            return self._chats[self._usernames[username]]
        if not isinstance(raw, int) or isinstance(raw, bool) or raw == 0:
            raise _bad_request("chat not found")
        known = self._chats.get(raw)
        if known is not None:
            return known
        if raw > 0:
            return {"id": raw, "type": "private"}
        return {"id": raw, "type": "supergroup", "title": f"Group {-raw}"}

    def _check_chat_access(self, method: str, params: JsonDict) -> None:
        """Refuse requests to a migrated group or a chat that blocked or kicked the bot, before
        anything else about the request is looked at, as Telegram does."""
        if method not in _CHAT_WRITE_METHODS and method not in _CHAT_READ_METHODS:
            return
        raw = params.get("chat_id")
        chat_id = self._usernames.get(raw[1:]) if isinstance(raw, str) and raw[:1] == "@" else raw
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            return
        if chat_id in self._migrated:
            raise _ApiError(
                400,
                f"Bad Request: {_MIGRATED}",
                migrate_to_chat_id=self._migrated[chat_id],
            )
        if chat_id not in self._blocked:
            return
        if chat_id > 0:
            if method in _CHAT_WRITE_METHODS:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            return
        kind = "group" if self._chats.get(chat_id, {}).get("type") == "group" else "supergroup"
        raise _ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")

    def _user(self, user_id: int) -> JsonDict:
        if user_id == self.bot_id:
            return self.bot_user
        return self._users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User {user_id}",
        }

    def _new_message(self, chat: JsonDict) -> JsonDict:
        return {
            "message_id": self.next_message_id(),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }

    def _keep(self, message: JsonDict, fingerprint: tuple[str, tuple[Entity, ...]]) -> None:
        key = (message["chat"]["id"], message["message_id"])
        self._messages[key] = message
        self._fingerprints[key] = fingerprint

    def _message_to_edit(self, params: JsonDict) -> tuple[int, int] | None:
        """Key of the message an edit refers to; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise _bad_request("message identifier is not specified")
        key = (chat["id"], message_id)
        if key in self._messages:
            return key
        if key in self._foreign:
            raise _bad_request("message can't be edited")
        if 0 < message_id <= self._last_message_id and key not in self._deleted:
            # An id handed out by next_message_id() for a bot message the fake never saw
            # (e.g. built by a test): treat it as an existing bot message with unknown text.
            message = {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": chat,
                "date": int(time.time()),
                "text": "",
            }
            self._keep(message, ("", ()))
            return key
        raise _bad_request("message to edit not found")

    # ---- Bot API methods -------------------------------------------------------------------

    async def _true(self, params: JsonDict) -> bool:
        return True

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return self.bot_user

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self._webhook.get("url"):
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        raw_timeout = params.get("timeout", 0)
        if not isinstance(raw_timeout, (int, float)) or isinstance(raw_timeout, bool):
            raise _bad_request("wrong parameter timeout specified")
        timeout = float(min(max(raw_timeout, 0), MAX_POLL_WAIT))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            # Deviation: an empty list means "everything" here, for convenience.
            self._allowed_updates = frozenset(str(kind) for kind in allowed) or None
        # Confirming: updates below the offset are forgotten; a negative offset keeps the tail.
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # A newer poll terminates an older one still waiting, as Telegram does.
        self._poll_generation += 1
        generation = self._poll_generation
        self._pulse.fire()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(409, _STATUS_DESCRIPTIONS[409])
            if self._allowed_updates is not None:
                allowed_kinds = self._allowed_updates
                self._updates = [
                    u for u in self._updates if any(kind in allowed_kinds for kind in u)
                ]
            remaining = deadline - loop.time()
            if self._updates or remaining <= 0 or self._closing:
                return self._updates[:limit]
            await self._pulse.wait(remaining)

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = params.get("url") or ""
        if not url:
            self._webhook = {}
            return True
        if not isinstance(url, str) or not url.lower().startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {
            key: params[key]
            for key in ("url", "max_connections", "allowed_updates", "secret_token")
            if key in params
        }
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self._webhook = {}
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        for key in ("max_connections", "allowed_updates"):
            if key in self._webhook:
                info[key] = self._webhook[key]
        return info

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        stored: list[JsonDict] = []
        for entry in commands:
            command = entry.get("command") if isinstance(entry, dict) else None
            description = entry.get("description") if isinstance(entry, dict) else None
            if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": command, "description": description})
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = stored
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands.pop(key, None)
        return True

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        text, entities = _render_text(
            params.get("text"),
            params.get("parse_mode"),
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
        )
        markup = _check_reply_markup(params.get("reply_markup"))
        message = self._new_message(chat)
        message["text"] = text
        if markup is not None:
            message["reply_markup"] = markup
        self._keep(message, (text, entities))
        return message

    async def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        key = self._message_to_edit(params)
        text, entities = _render_text(
            params.get("text"),
            params.get("parse_mode"),
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
        )
        markup = _check_reply_markup(params.get("reply_markup"))
        if key is None:
            return True
        old = self._messages[key]
        if "text" not in old:
            raise _bad_request("there is no text in the message to edit")
        # Without reply_markup an edit removes the keyboard, so None is a real new value.
        if self._fingerprints.get(key) == (text, entities) and old.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        message = {**old, "text": text, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        self._keep(message, (text, entities))
        return message

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        key = self._message_to_edit(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        if key is None:
            return True
        old = self._messages[key]
        if old.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        message = {**old, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[key] = message
        return message

    async def _delete_message(self, params: JsonDict) -> bool:
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise _bad_request("message identifier is not specified")
        key = (chat["id"], message_id)
        issued = 0 < message_id <= self._last_message_id
        if key in self._deleted or not (key in self._messages or key in self._foreign or issued):
            raise _bad_request("message to delete not found")
        self._messages.pop(key, None)
        self._fingerprints.pop(key, None)
        self._foreign.discard(key)
        self._deleted.add(key)
        return True

    def _answer_once(self, query_id: Any) -> None:
        if not isinstance(query_id, str) or not query_id:
            raise _bad_request("QUERY_ID_INVALID")
        # Telegram refuses a second answer to the same query.
        if query_id in self._answered_queries:
            raise _bad_request(_QUERY_TOO_OLD)

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = params.get("callback_query_id")
        self._answer_once(query_id)
        text = params.get("text")
        if isinstance(text, str) and utf16_length(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._answered_queries.add(str(query_id))
        return True

    async def _answer_inline_query(self, params: JsonDict) -> bool:
        query_id = params.get("inline_query_id")
        self._answer_once(query_id)
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict):
                raise _bad_request("can't parse inline query result JSON object")
            result_id = result.get("id")
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
                raise _bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                _render_text(
                    content["message_text"],
                    content.get("parse_mode"),
                    limit=MAX_MESSAGE_LENGTH,
                    too_long="MESSAGE_TOO_LONG",
                    empty="MESSAGE_EMPTY",
                )
            if "caption" in result:
                _render_text(
                    result["caption"],
                    result.get("parse_mode"),
                    limit=MAX_CAPTION_LENGTH,
                    too_long="message caption is too long",
                    empty=None,
                )
            _check_reply_markup(result.get("reply_markup"))
        next_offset = params.get("next_offset")
        if isinstance(next_offset, str) and len(next_offset.encode()) > 64:
            raise _bad_request("NEXT_OFFSET_INVALID")
        self._answered_queries.add(str(query_id))
        return True

    def _incoming_file(self, value: Any, folder: str, missing: str) -> _StoredFile:
        """Resolve an upload, a known file_id or a URL sent as document/photo."""
        if isinstance(value, dict) and isinstance(value.get("content"), bytes):
            content: bytes = value["content"]
            if len(content) > MAX_UPLOAD_BYTES:
                raise _ApiError(413, "Request Entity Too Large")
            return self._store_file(content, str(value.get("filename") or "file"), folder)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"(?i)https?://", value):
            # The fake can't fetch URLs; it stands in an empty file so the bot flow continues.
            name = value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "file"
            return self._store_file(b"", name, folder)
        if value is None or value == "":
            raise _bad_request(missing)
        raise _bad_request("wrong file identifier/HTTP URL specified")

    def _caption(self, params: JsonDict) -> str:
        caption, _ = _render_text(
            params.get("caption"),
            params.get("parse_mode"),
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            empty=None,
        )
        return caption

    async def _send_media(self, params: JsonDict, kind: str) -> JsonDict:
        chat = self._chat(params)
        folder = "documents" if kind == "document" else "photos"
        stored = self._incoming_file(params.get(kind), folder, f"there is no {kind} in the request")
        caption = self._caption(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        message = self._new_message(chat)
        if kind == "document":
            message["document"] = stored.document()
        else:
            width, height = _image_size(stored.content)
            message["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.content),
                    "width": width,
                    "height": height,
                }
            ]
        if caption:
            message["caption"] = caption
        if markup is not None:
            message["reply_markup"] = markup
        self._keep(message, (caption, ()))
        return message

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "photo")

    async def _send_chat_action(self, params: JsonDict) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _get_chat(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        # ChatFullInfo fields python-telegram-bot requires.
        return {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
            **chat,
        }

    async def _get_chat_member(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        raw = params.get("user_id")
        user_id = raw if isinstance(raw, int) and not isinstance(raw, bool) else 0
        if user_id <= 0:
            raise _bad_request("invalid user_id specified")
        member = self._members.get((chat["id"], user_id))
        if member is None:
            # A private chat has two members: the user and the bot.
            if chat["type"] == "private" and user_id not in (chat["id"], self.bot_id):
                raise _bad_request("user not found")
            member = {"status": "member"}
        return {"user": self._user(user_id), **member}

    async def _get_chat_administrators(self, params: JsonDict) -> list[JsonDict]:
        chat = self._chat(params)
        if chat["type"] == "private":
            raise _bad_request("there are no administrators in the private chat")
        found = [
            {"user": self._user(user), **member}
            for (chat_id, user), member in sorted(self._members.items())
            if chat_id == chat["id"] and member["status"] in ("creator", "administrator")
        ]
        # Telegram lists the creator first.
        return sorted(found, key=lambda member: member["status"] != "creator")

    async def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


def _call_chat_id(call: ApiCall) -> Any:
    """The chat a recorded call went to: from its result when it has one (a username resolved),
    else as sent."""
    result = call.result
    if isinstance(result, dict) and isinstance(result.get("chat"), dict):
        return result["chat"].get("id")
    return call.params.get("chat_id")


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    """The texts of the messages the bot sent to one chat, oldest first."""
    return [str(call["text"]) for call in fake.sent_messages() if call["chat_id"] == chat_id]
