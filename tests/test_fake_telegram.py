"""Tests of the fake Telegram Bot API server, driven through a real python-telegram-bot Bot."""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from helpers.fake_telegram import DOWNLOAD_METHOD, FakeTelegram
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

CHAT_ID = 4242
GROUP_ID = -1001234


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    # The fake speaks plain HTTP, so skip loading CA certificates: it costs ~40 ms per client,
    # which would dominate this file's run time.
    return Bot(
        token or fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=HTTPXRequest(httpx_kwargs={"verify": False}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": False}),
    )


@pytest_asyncio.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as client:
        yield client


class ManualClock:
    """A clock the test moves by hand, so time windows don't depend on the machine's speed."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture
async def timed_fake(clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(clock=clock) as server:
        yield server


@pytest_asyncio.fixture
async def timed_bot(timed_fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(timed_fake) as client:
        yield client


async def assert_refused(fake: FakeTelegram, call: Awaitable[object], description: str) -> None:
    """The call raises BadRequest and the fake answered with exactly Telegram's wording
    (PTB rewrites the text of the exception, so the recorded description is compared)."""
    with pytest.raises(BadRequest):
        await call
    assert fake.calls[-1].ok is False
    assert fake.calls[-1].description == description


async def raw_post(
    fake: FakeTelegram,
    method: str,
    *,
    data: dict[str, str] | None = None,
    json: dict[str, Any] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST without PTB, for requests PTB would never build."""
    url = f"{fake.base_url}{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, data=data, json=json) as resp:
        body: dict[str, Any] = await resp.json()
        return resp.status, body


def user_message(fake: FakeTelegram, text: str) -> dict[str, Any]:
    return {
        "message": {
            "message_id": fake.next_message_id(),
            "date": int(time.time()),
            "chat": {"id": CHAT_ID, "type": "private", "first_name": "Ann"},
            "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Ann"},
            "text": text,
        }
    }


def png_bytes(width: int, height: int) -> bytes:
    """A small but valid greyscale PNG."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def articles(count: int) -> list[InlineQueryResultArticle]:
    return [
        InlineQueryResultArticle(str(n), f"Result {n}", InputTextMessageContent(f"Text {n}"))
        for n in range(count)
    ]


def keyboard(**button: Any) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Press", **button)]])


# ---- basics ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_me_returns_the_configured_bot(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == fake.bot_id
    assert me.username == "CasualtyFiguresBot"
    assert me.first_name == "Casualty Figures"
    assert me.supports_inline_queries is True
    assert fake.calls_to("getMe")


@pytest.mark.asyncio
async def test_html_message_is_sent_and_recorded(fake: FakeTelegram, bot: Bot) -> None:
    text = (
        '<b>Bold</b> &amp; <a href="https://example.org/?a=1&b=2">link</a> '
        '<span class="tg-spoiler">x</span> &#8212; <blockquote expandable>quote</blockquote>'
    )
    message = await bot.send_message(CHAT_ID, text, parse_mode=ParseMode.HTML)

    assert message.text == "Bold & link x \u2014 quote"
    assert message.chat.id == CHAT_ID
    assert message.chat.type == "private"
    assert message.from_user is not None
    assert message.from_user.id == fake.bot_id
    [params] = fake.sent_messages()
    assert params["chat_id"] == CHAT_ID
    assert params["text"] == text
    assert params["parse_mode"] == "HTML"
    assert [m["message_id"] for m in fake.messages_in(CHAT_ID)] == [message.message_id]


@pytest.mark.asyncio
async def test_numeric_looking_text_stays_a_string(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT_ID, "123")
    await bot.send_message(CHAT_ID, "true")
    assert [p["text"] for p in fake.sent_messages()] == ["123", "true"]


@pytest.mark.asyncio
async def test_negative_chat_ids_are_groups(bot: Bot) -> None:
    message = await bot.send_message(GROUP_ID, "hi")
    assert message.chat.type == "supergroup"
    assert message.chat.title


@pytest.mark.asyncio
async def test_message_ids_increase(bot: Bot) -> None:
    first = await bot.send_message(CHAT_ID, "one")
    second = await bot.send_message(CHAT_ID, "two")
    assert second.message_id > first.message_id


@pytest.mark.asyncio
async def test_inline_keyboard_is_echoed_in_the_message(fake: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_message(CHAT_ID, "pick", reply_markup=keyboard(callback_data="a"))
    assert message.reply_markup == keyboard(callback_data="a")
    assert fake.sent_messages()[0]["reply_markup"] == keyboard(callback_data="a").to_dict()


# ---- HTML refusals ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_message_with_unsupported_tag_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "Hello <xyz>there</xyz>", parse_mode=ParseMode.HTML),
        'Bad Request: can\'t parse entities: Unsupported start tag "xyz" at byte offset 6',
    )


@pytest.mark.asyncio
async def test_error_offsets_are_utf8_byte_offsets(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "Привет <br>", parse_mode=ParseMode.HTML),
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 13',
    )


@pytest.mark.asyncio
async def test_message_with_unclosed_tag_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "<b>bold", parse_mode=ParseMode.HTML),
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    )


@pytest.mark.asyncio
async def test_message_with_misnested_tags_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "<b><i>x</b></i>", parse_mode=ParseMode.HTML),
        "Bad Request: can't parse entities: "
        'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
    )


@pytest.mark.asyncio
async def test_message_with_bare_less_than_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "1 < 2", parse_mode=ParseMode.HTML),
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
    )


@pytest.mark.asyncio
async def test_message_with_bare_greater_than_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "2 > 1", parse_mode=ParseMode.HTML),
        "Bad Request: can't parse entities: "
        'Character ">" at byte offset 2 must be escaped as "&gt;"',
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["Tom & Jerry", "&nbsp;", "&#xD800;", "&lt"])
async def test_message_with_unescaped_ampersand_is_refused(
    fake: FakeTelegram, bot: Bot, text: str
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(CHAT_ID, text, parse_mode=ParseMode.HTML)
    description = fake.calls[-1].description or ""
    assert description.startswith('Bad Request: can\'t parse entities: Character "&"')


@pytest.mark.asyncio
async def test_span_without_spoiler_class_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, '<span class="big">x</span>', parse_mode=ParseMode.HTML),
        "Bad Request: can't parse entities: "
        'Tag "span" must have class "tg-spoiler" at byte offset 0',
    )


@pytest.mark.asyncio
async def test_unknown_attribute_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, '<a href="https://x.org" title="t">x</a>', parse_mode="HTML"),
        "Bad Request: can't parse entities: "
        'Unsupported attribute "title" in the tag "a" at byte offset 24',
    )


@pytest.mark.asyncio
async def test_markup_characters_are_fine_without_parse_mode(bot: Bot) -> None:
    message = await bot.send_message(CHAT_ID, "1 < 2 & <b>")
    assert message.text == "1 < 2 & <b>"


# ---- length and emptiness --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_message_over_4096_characters_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake, bot.send_message(CHAT_ID, "a" * 4097), "Bad Request: message is too long"
    )


@pytest.mark.asyncio
async def test_message_length_counts_utf16_units(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT_ID, "\U0001f600" * 2048)
    await assert_refused(
        fake, bot.send_message(CHAT_ID, "\U0001f600" * 2049), "Bad Request: message is too long"
    )


@pytest.mark.asyncio
async def test_message_length_is_measured_after_entity_parsing(bot: Bot) -> None:
    message = await bot.send_message(CHAT_ID, f"<b>{'a' * 4090}&amp;</b>", parse_mode="HTML")
    assert message.text is not None
    assert len(message.text) == 4091


@pytest.mark.asyncio
async def test_blank_message_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake, bot.send_message(CHAT_ID, " \n "), "Bad Request: message text is empty"
    )


@pytest.mark.asyncio
async def test_caption_over_1024_characters_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_document(CHAT_ID, b"data", filename="a.txt", caption="c" * 1025),
        "Bad Request: message caption is too long",
    )


# ---- chats and raw requests ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_chat_id_zero_is_not_found(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(fake, bot.send_message(0, "hi"), "Bad Request: chat not found")


@pytest.mark.asyncio
async def test_missing_chat_id_is_refused(fake: FakeTelegram) -> None:
    status, body = await raw_post(fake, "sendMessage", data={"text": "hi"})
    assert status == 400
    assert body == {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}


@pytest.mark.asyncio
async def test_missing_text_is_refused(fake: FakeTelegram) -> None:
    status, body = await raw_post(fake, "sendMessage", data={"chat_id": "5"})
    assert status == 400
    assert body["description"] == "Bad Request: message text is empty"


@pytest.mark.asyncio
async def test_method_names_are_case_insensitive_and_json_bodies_work(fake: FakeTelegram) -> None:
    status, body = await raw_post(fake, "SENDMESSAGE", json={"chat_id": 5, "text": "123"})
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["text"] == "123"
    assert fake.calls[-1].method == "sendMessage"
    assert fake.calls[-1].params == {"chat_id": 5, "text": "123"}


@pytest.mark.asyncio
async def test_form_values_are_json_decoded_except_texts(fake: FakeTelegram) -> None:
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    data = {"chat_id": "5", "text": "null", "reply_markup": markup}
    status, _ = await raw_post(fake, "sendMessage", data=data)
    assert status == 200
    params = fake.sent_messages()[0]
    assert params["chat_id"] == 5
    assert params["text"] == "null"
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}


@pytest.mark.asyncio
async def test_unknown_method_is_not_found(fake: FakeTelegram) -> None:
    status, body = await raw_post(fake, "sendTelepathy", data={"chat_id": "5"})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert fake.calls[-1].method == "sendTelepathy"


@pytest.mark.asyncio
async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with make_bot(fake, token="999:WRONG"):
            pass
    assert fake.calls_to("getMe") == []
    [refused] = fake.calls_to("getMe", include_failed=True)
    assert refused.status == 401
    assert refused.description == "Unauthorized"


@pytest.mark.asyncio
async def test_get_chat_returns_full_info(bot: Bot) -> None:
    chat = await bot.get_chat(GROUP_ID)
    assert chat.id == GROUP_ID
    assert chat.type == "supergroup"


@pytest.mark.asyncio
async def test_chat_action_must_be_known(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.send_chat_action(CHAT_ID, "typing") is True
    await assert_refused(
        fake,
        bot.send_chat_action(CHAT_ID, "dancing"),
        "Bad Request: wrong parameter action in request",
    )


# ---- keyboards, inline queries, callback queries ---------------------------------------------


@pytest.mark.asyncio
async def test_callback_data_of_64_bytes_is_accepted(bot: Bot) -> None:
    await bot.send_message(CHAT_ID, "ok", reply_markup=keyboard(callback_data="a" * 64))


@pytest.mark.asyncio
async def test_callback_data_over_64_bytes_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "x", reply_markup=keyboard(callback_data="a" * 65)),
        "Bad Request: BUTTON_DATA_INVALID",
    )
    # Bytes, not characters: 33 two-byte characters are 66 bytes.
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "x", reply_markup=keyboard(callback_data="é" * 33)),
        "Bad Request: BUTTON_DATA_INVALID",
    )


@pytest.mark.asyncio
async def test_text_only_inline_button_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "x", reply_markup=keyboard()),
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard",
    )


@pytest.mark.asyncio
async def test_non_web_button_url_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake,
        bot.send_message(CHAT_ID, "x", reply_markup=keyboard(url="javascript:alert(1)")),
        "Bad Request: BUTTON_URL_INVALID",
    )


@pytest.mark.asyncio
async def test_inline_answer_with_50_results_is_accepted(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.answer_inline_query("q1", articles(50), cache_time=30) is True
    assert fake.calls_to("answerInlineQuery")[0].params["cache_time"] == 30


@pytest.mark.asyncio
async def test_inline_answer_with_51_results_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake, bot.answer_inline_query("q1", articles(51)), "Bad Request: RESULTS_TOO_MUCH"
    )


@pytest.mark.asyncio
async def test_inline_answer_with_duplicate_ids_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    results = articles(2) + articles(1)
    await assert_refused(
        fake, bot.answer_inline_query("q1", results), "Bad Request: RESULT_ID_DUPLICATE"
    )


@pytest.mark.asyncio
async def test_inline_result_with_bad_html_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    content = InputTextMessageContent("<b>open", parse_mode=ParseMode.HTML)
    result = InlineQueryResultArticle("1", "title", content)
    await assert_refused(
        fake,
        bot.answer_inline_query("q1", [result]),
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    )


@pytest.mark.asyncio
async def test_callback_answer_over_200_characters_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake, bot.answer_callback_query("cb1", text="x" * 201), "Bad Request: MESSAGE_TOO_LONG"
    )


@pytest.mark.asyncio
async def test_callback_query_can_be_answered_only_once(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.answer_callback_query("1234", text="done") is True
    assert fake.calls_to("answerCallbackQuery")[0].params["callback_query_id"] == "1234"
    await assert_refused(
        fake,
        bot.answer_callback_query("1234"),
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


# ---- edits and deletions ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_edit_changes_the_stored_message(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT_ID, "draft", reply_markup=keyboard(callback_data="a"))
    edited = await bot.edit_message_text(
        "<i>final</i>", CHAT_ID, sent.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool)
    assert edited.text == "final"
    assert edited.edit_date is not None
    [stored] = fake.messages_in(CHAT_ID)
    assert stored["text"] == "final"
    assert "reply_markup" not in stored  # an edit without reply_markup removes the keyboard


@pytest.mark.asyncio
async def test_edit_without_changes_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT_ID, "same")
    await assert_refused(
        fake,
        bot.edit_message_text("same", CHAT_ID, sent.message_id),
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )


@pytest.mark.asyncio
async def test_reply_markup_edit_is_validated(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT_ID, "pick")
    await bot.edit_message_reply_markup(
        CHAT_ID, sent.message_id, reply_markup=keyboard(callback_data="b")
    )
    assert fake.messages_in(CHAT_ID)[0]["reply_markup"] == keyboard(callback_data="b").to_dict()
    await assert_refused(
        fake,
        bot.edit_message_reply_markup(
            CHAT_ID, sent.message_id, reply_markup=keyboard(callback_data="")
        ),
        "Bad Request: BUTTON_DATA_INVALID",
    )


@pytest.mark.asyncio
async def test_user_messages_cannot_be_edited(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_update(user_message(fake, "hello"))
    message_id = fake.pending_updates[0]["message"]["message_id"]
    await assert_refused(
        fake,
        bot.edit_message_text("changed", CHAT_ID, message_id),
        "Bad Request: message can't be edited",
    )


@pytest.mark.asyncio
async def test_deleted_message_cannot_be_deleted_again(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT_ID, "bye")
    assert await bot.delete_message(CHAT_ID, sent.message_id) is True
    assert fake.messages_in(CHAT_ID) == []
    await assert_refused(
        fake,
        bot.delete_message(CHAT_ID, sent.message_id),
        "Bad Request: message to delete not found",
    )


# ---- commands and webhook --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_commands_are_stored_per_scope(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("figures", "Figures")])
    private = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("help", "Help")], scope=private)

    assert [c.command for c in await bot.get_my_commands()] == ["start", "figures"]
    assert [c.command for c in await bot.get_my_commands(scope=private)] == ["help"]
    assert fake.commands() == [
        {"command": "start", "description": "Start"},
        {"command": "figures", "description": "Figures"},
    ]
    await bot.delete_my_commands(scope=private)
    assert await bot.get_my_commands(scope=private) == ()


@pytest.mark.asyncio
async def test_invalid_commands_are_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake, bot.set_my_commands([BotCommand("Start", "x")]), "Bad Request: BOT_COMMAND_INVALID"
    )
    await assert_refused(
        fake,
        bot.set_my_commands([BotCommand("start", "")]),
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
    )


@pytest.mark.asyncio
async def test_polling_conflicts_with_an_active_webhook(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


# ---- fault injection -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_rate_limit_raises_retry_after(
    fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to PTB's future type; avoids a warning
    fake.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT_ID, "hi")
    assert caught.value.retry_after == timedelta(seconds=7)
    assert fake.calls[-1].description == "Too Many Requests: retry after 7"
    await bot.send_message(CHAT_ID, "hi")  # only the next call fails


@pytest.mark.asyncio
async def test_server_error_raises_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(CHAT_ID, "hi")
    await bot.send_message(CHAT_ID, "hi")
    assert [c.status for c in fake.calls_to("sendMessage", include_failed=True)] == [500, 500, 200]


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [502, 503])
async def test_gateway_errors_raise_network_error(
    fake: FakeTelegram, bot: Bot, status: int
) -> None:
    fake.fail_next("sendPhoto", status=status)
    with pytest.raises(NetworkError):
        await bot.send_photo(CHAT_ID, png_bytes(1, 1))
    await bot.send_photo(CHAT_ID, png_bytes(1, 1))
    assert [c.status for c in fake.calls_to("sendPhoto", include_failed=True)] == [status, 200]


@pytest.mark.asyncio
async def test_dropped_connection_raises_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.drop_connection_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT_ID, "hi")
    assert fake.calls[-1].status == 0
    await bot.send_message(CHAT_ID, "hi")


@pytest.mark.asyncio
async def test_slow_response_times_out(fake: FakeTelegram, bot: Bot) -> None:
    fake.delay_next("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT_ID, "hi", read_timeout=0.1)


@pytest.mark.asyncio
async def test_faults_for_unknown_methods_are_rejected(fake: FakeTelegram) -> None:
    with pytest.raises(ValueError, match="sendMesage"):
        fake.fail_next("sendMesage", status=500)


# ---- updates ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_updates_returns_pushed_updates_and_honours_offset(
    fake: FakeTelegram, bot: Bot
) -> None:
    first = fake.push_update(user_message(fake, "/start"))
    second = fake.push_update(user_message(fake, "hello"))
    assert second == first + 1

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"

    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert [u["update_id"] for u in fake.pending_updates] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert fake.pending_updates == []


@pytest.mark.asyncio
async def test_get_updates_honours_limit(fake: FakeTelegram, bot: Bot) -> None:
    for text in ("a", "b", "c"):
        fake.push_update(user_message(fake, text))
    assert len(await bot.get_updates(limit=2)) == 2


@pytest.mark.asyncio
async def test_long_poll_wakes_when_an_update_is_pushed(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)  # let the poll reach the server and start waiting
    pushed_at = time.monotonic()
    update_id = fake.push_update(user_message(fake, "wake up"))

    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [update_id]
    [call] = fake.calls_to("getUpdates")
    assert call.at < pushed_at  # the request was already waiting when the update arrived


@pytest.mark.asyncio
async def test_update_ids_must_increase(fake: FakeTelegram) -> None:
    fake.push_update({"update_id": 10, **user_message(fake, "a")})
    with pytest.raises(ValueError, match="update_id"):
        fake.push_update({"update_id": 10, **user_message(fake, "b")})


# ---- files -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_stored_file_can_be_downloaded(fake: FakeTelegram, bot: Bot) -> None:
    document = fake.add_file(b"casualty figures", "figures.csv")
    assert document["file_name"] == "figures.csv"
    assert document["mime_type"] == "text/csv"
    assert document["file_size"] == 16

    file = await bot.get_file(document["file_id"])
    assert await file.download_as_bytearray() == bytearray(b"casualty figures")
    assert fake.calls_to(DOWNLOAD_METHOD)


@pytest.mark.asyncio
async def test_unknown_file_id_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(fake, bot.get_file("nope"), "Bad Request: invalid file_id")


@pytest.mark.asyncio
async def test_uploaded_document_is_recorded_with_its_bytes(fake: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_document(
        CHAT_ID, b"a,b\n1,2\n", filename="report.csv", caption="<b>Report</b>", parse_mode="HTML"
    )
    assert message.document is not None
    assert message.document.file_name == "report.csv"
    assert message.caption == "Report"
    [call] = fake.calls_to("sendDocument")
    assert call.params["document"] == {"filename": "report.csv", "content": b"a,b\n1,2\n"}
    assert call.params["chat_id"] == CHAT_ID

    file = await bot.get_file(message.document.file_id)
    assert await file.download_as_bytearray() == bytearray(b"a,b\n1,2\n")


@pytest.mark.asyncio
async def test_uploaded_png_reports_its_dimensions(bot: Bot) -> None:
    message = await bot.send_photo(CHAT_ID, png_bytes(3, 2), filename="chart.png")
    [size] = message.photo
    assert (size.width, size.height) == (3, 2)


# ---- waiting ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_wait_for_returns_once_a_matching_call_arrives(fake: FakeTelegram, bot: Bot) -> None:
    waiter = asyncio.create_task(fake.wait_for("sendMessage", lambda p: p["text"] == "two"))
    await bot.send_message(CHAT_ID, "one")
    await bot.send_message(CHAT_ID, "two")
    [call] = await asyncio.wait_for(waiter, 2)
    assert call.params["text"] == "two"


@pytest.mark.asyncio
async def test_wait_for_reports_the_calls_seen_on_timeout(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT_ID, "unrelated")
    with pytest.raises(AssertionError, match="Timed out") as caught:
        await fake.wait_for("answerCallbackQuery", timeout=0.1)
    assert "sendMessage [ok]" in str(caught.value)


# ---- chat members ----------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("creator", ChatMemberOwner),
        ("administrator", ChatMemberAdministrator),
        ("member", ChatMemberMember),
        ("restricted", ChatMemberRestricted),
        ("left", ChatMemberLeft),
        ("kicked", ChatMemberBanned),
    ],
)
async def test_member_statuses_parse_into_ptb_chat_member_classes(
    fake: FakeTelegram, bot: Bot, status: str, kind: type[ChatMember]
) -> None:
    fake.set_chat_member(GROUP_ID, 77, status)
    member = await bot.get_chat_member(GROUP_ID, 77)
    assert type(member) is kind
    assert member.status == status
    assert member.user.id == 77


@pytest.mark.asyncio
async def test_administrator_rights_can_be_set(fake: FakeTelegram, bot: Bot) -> None:
    fake.set_chat_member(GROUP_ID, 77, "administrator", can_manage_chat=False, custom_title="Ed")
    member = await bot.get_chat_member(GROUP_ID, 77)
    assert isinstance(member, ChatMemberAdministrator)
    assert member.can_manage_chat is False
    assert member.custom_title == "Ed"
    assert member.can_delete_messages is True


@pytest.mark.asyncio
async def test_unknown_group_member_is_a_plain_member(bot: Bot) -> None:
    member = await bot.get_chat_member(GROUP_ID, 77)
    assert isinstance(member, ChatMemberMember)
    assert member.user.first_name == "User 77"


@pytest.mark.asyncio
async def test_user_is_a_member_of_their_own_private_chat(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_update(user_message(fake, "hi"))
    member = await bot.get_chat_member(CHAT_ID, CHAT_ID)
    assert isinstance(member, ChatMemberMember)
    assert member.user.first_name == "Ann"  # the user as seen in updates
    await assert_refused(
        fake, bot.get_chat_member(CHAT_ID, CHAT_ID + 1), "Bad Request: user not found"
    )


@pytest.mark.asyncio
async def test_invalid_user_id_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(
        fake, bot.get_chat_member(GROUP_ID, 0), "Bad Request: invalid user_id specified"
    )
    for data in ({"chat_id": str(GROUP_ID)}, {"chat_id": str(GROUP_ID), "user_id": "abc"}):
        status, body = await raw_post(fake, "getChatMember", data=data)
        assert (status, body["description"]) == (400, "Bad Request: invalid user_id specified")


@pytest.mark.asyncio
async def test_chat_member_of_an_unknown_chat_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    await assert_refused(fake, bot.get_chat_member(0, 77), "Bad Request: chat not found")
    status, body = await raw_post(fake, "getChatMember", data={"chat_id": "x", "user_id": "7"})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


@pytest.mark.asyncio
async def test_set_chat_admins_replaces_the_administrators(fake: FakeTelegram, bot: Bot) -> None:
    fake.set_chat_member(GROUP_ID, 1, "creator")
    fake.set_chat_admins(GROUP_ID, [2, 3])
    fake.set_chat_admins(GROUP_ID, [3])

    admins = await bot.get_chat_administrators(GROUP_ID)
    assert [(a.user.id, a.status) for a in admins] == [(1, "creator"), (3, "administrator")]
    assert isinstance(await bot.get_chat_member(GROUP_ID, 2), ChatMemberMember)
    await assert_refused(
        fake,
        bot.get_chat_administrators(CHAT_ID),
        "Bad Request: there are no administrators in the private chat",
    )


def test_unknown_member_status_is_rejected(fake: FakeTelegram) -> None:
    with pytest.raises(ValueError, match="owner"):
        fake.set_chat_member(GROUP_ID, 1, "owner")


# ---- blocked and migrated chats --------------------------------------------------------------


@pytest.mark.asyncio
async def test_blocked_user_raises_forbidden_and_nothing_is_sent(
    fake: FakeTelegram, bot: Bot
) -> None:
    earlier = await bot.send_message(CHAT_ID, "before")
    fake.block_chat(CHAT_ID)
    fake.clear_calls()
    refused: list[Awaitable[object]] = [
        bot.send_message(CHAT_ID, "hi"),
        bot.send_photo(CHAT_ID, png_bytes(1, 1)),
        bot.send_document(CHAT_ID, b"x", filename="x.txt"),
        bot.edit_message_text("after", CHAT_ID, earlier.message_id),
        bot.send_chat_action(CHAT_ID, "typing"),
    ]
    for call in refused:
        with pytest.raises(Forbidden):
            await call
        assert fake.calls[-1].status == 403
        assert fake.calls[-1].description == "Forbidden: bot was blocked by the user"
    assert not any(call.ok for call in fake.calls)
    assert [m["text"] for m in fake.messages_in(CHAT_ID)] == ["before"]
    await bot.send_message(CHAT_ID + 1, "another user still gets messages")

    fake.unblock_chat(CHAT_ID)
    await bot.send_message(CHAT_ID, "welcome back")


@pytest.mark.asyncio
async def test_kicked_bot_is_forbidden_in_the_group(fake: FakeTelegram, bot: Bot) -> None:
    fake.block_chat(GROUP_ID)
    for call in (bot.send_message(GROUP_ID, "hi"), bot.get_chat_member(GROUP_ID, 77)):
        with pytest.raises(Forbidden):
            await call
        assert fake.calls[-1].description == "Forbidden: bot was kicked from the supergroup chat"
    assert fake.sent_messages() == []


@pytest.mark.asyncio
async def test_migrated_group_raises_chat_migrated_with_the_new_id(
    fake: FakeTelegram, bot: Bot
) -> None:
    old_id, new_id = -4321, -1009876
    fake.set_chat_member(old_id, 77, "administrator")
    fake.migrate_chat(old_id, new_id)

    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(old_id, "hi")
    assert caught.value.new_chat_id == new_id
    assert fake.calls[-1].status == 400
    assert fake.calls[-1].description == (
        "Bad Request: group chat was upgraded to a supergroup chat"
    )
    with pytest.raises(ChatMigrated):
        await bot.get_chat_member(old_id, 77)

    message = await bot.send_message(new_id, "hi again")
    assert message.chat.type == "supergroup"
    assert isinstance(await bot.get_chat_member(new_id, 77), ChatMemberAdministrator)
    assert [p["chat_id"] for p in fake.sent_messages()] == [new_id]


# ---- send limits -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_send_limits_are_off_by_default(timed_fake: FakeTelegram, timed_bot: Bot) -> None:
    for n in range(40):
        await timed_bot.send_message(GROUP_ID if n % 2 else CHAT_ID, f"m{n}")
    assert len(timed_fake.sent_messages()) == 40
    assert timed_fake.limit_refusals == 0


@pytest.mark.asyncio
async def test_over_30_sends_a_second_are_refused_with_retry_after(
    timed_fake: FakeTelegram,
    timed_bot: Bot,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    timed_fake.enforce_send_limits(per_second=30, per_group_per_minute=20)
    for n in range(30):
        await timed_bot.send_message(CHAT_ID + n, "news")
        clock.advance(0.02)
    with pytest.raises(RetryAfter) as caught:
        await timed_bot.send_photo(CHAT_ID, png_bytes(1, 1))  # photos count too
    seconds = refusal_seconds(caught)
    assert seconds >= 1
    refusal = timed_fake.calls[-1]
    assert (refusal.ok, refusal.status) == (False, 429)
    assert refusal.description == f"Too Many Requests: retry after {seconds}"
    assert timed_fake.limit_refusals == 1
    assert timed_fake.max_sends_in_window(1.0) == 30

    clock.advance(0.5)  # the first sends have left the window
    await timed_bot.send_message(CHAT_ID, "later")


def refusal_seconds(caught: pytest.ExceptionInfo[RetryAfter]) -> int:
    retry_after = caught.value.retry_after
    assert isinstance(retry_after, timedelta)
    return int(retry_after.total_seconds())


@pytest.mark.asyncio
async def test_21st_message_to_a_group_within_a_minute_is_refused(
    timed_fake: FakeTelegram,
    timed_bot: Bot,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    timed_fake.enforce_send_limits()
    for _ in range(20):
        await timed_bot.send_message(GROUP_ID, "news")
        clock.advance(2.0)
    with pytest.raises(RetryAfter) as caught:
        await timed_bot.send_message(GROUP_ID, "one too many")
    # The first send, 40 s ago, leaves the 60-second window in 20 s.
    assert caught.value.retry_after == timedelta(seconds=20)
    await timed_bot.send_message(CHAT_ID, "a private chat still gets messages")
    await timed_bot.send_message(GROUP_ID - 1, "and so does another group")

    clock.advance(20.0)
    await timed_bot.send_message(GROUP_ID, "the window has moved on")
    assert timed_fake.max_sends_in_window(60.0, chat_id=GROUP_ID) == 20
    assert timed_fake.limit_refusals == 1


@pytest.mark.asyncio
async def test_send_limits_can_be_turned_off(timed_fake: FakeTelegram, timed_bot: Bot) -> None:
    timed_fake.enforce_send_limits(per_second=2, per_group_per_minute=None)
    await timed_bot.send_message(GROUP_ID, "one")
    await timed_bot.send_message(GROUP_ID, "two")
    with pytest.raises(RetryAfter):
        await timed_bot.send_document(GROUP_ID, b"x", filename="x.txt")
    timed_fake.disable_send_limits()
    await timed_bot.send_document(GROUP_ID, b"x", filename="x.txt")
    assert timed_fake.limit_refusals == 1


@pytest.mark.asyncio
async def test_refused_sends_do_not_count_against_the_limits(
    timed_fake: FakeTelegram, timed_bot: Bot
) -> None:
    timed_fake.enforce_send_limits(per_second=2)
    timed_fake.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter):
        await timed_bot.send_message(CHAT_ID, "injected")
    with pytest.raises(BadRequest):
        await timed_bot.send_message(CHAT_ID, "<b>broken", parse_mode="HTML")
    await timed_bot.send_message(CHAT_ID, "one")
    await timed_bot.send_message(CHAT_ID, "two")
    assert timed_fake.limit_refusals == 0  # an injected 429 is not the limits' doing


@pytest.mark.asyncio
async def test_max_sends_in_window_counts_accepted_sends_by_arrival(
    timed_fake: FakeTelegram, timed_bot: Bot, clock: ManualClock
) -> None:
    for step, chat_id in ((0.0, CHAT_ID), (0.5, CHAT_ID), (0.4, CHAT_ID), (0.3, GROUP_ID)):
        clock.advance(step)
        await timed_bot.send_message(chat_id, "m")
    timed_fake.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError):
        await timed_bot.send_message(CHAT_ID, "failed sends don't count")
    await timed_bot.answer_callback_query("q1")
    clock.advance(1.3)
    await timed_bot.send_message(CHAT_ID, "m")

    # Arrivals at 0, 0.5, 0.9, 1.2 (group) and 2.5.
    assert timed_fake.max_sends_in_window(1.0) == 3
    assert timed_fake.max_sends_in_window(2.0) == 4
    assert timed_fake.max_sends_in_window(0.1) == 1
    assert timed_fake.max_sends_in_window(1.0, chat_id=GROUP_ID) == 1
    assert timed_fake.max_sends_in_window(10.0, chat_id=CHAT_ID) == 4
    assert timed_fake.max_sends_in_window(1.0, methods=("answerCallbackQuery",)) == 1
    assert timed_fake.max_sends_in_window(1.0, methods=("sendPhoto",)) == 0


@pytest.mark.asyncio
async def test_concurrent_sends_never_exceed_the_limit(fake: FakeTelegram) -> None:
    fake.enforce_send_limits(per_second=5)
    request = HTTPXRequest(connection_pool_size=20, httpx_kwargs={"verify": False})
    async with Bot(fake.token, base_url=fake.base_url, request=request) as client:
        outcomes = await asyncio.gather(
            *(client.send_message(CHAT_ID + n, "burst") for n in range(20)),
            return_exceptions=True,
        )
    refused = [o for o in outcomes if isinstance(o, RetryAfter)]
    assert len(refused) + len(fake.sent_messages()) == 20
    assert len(refused) == fake.limit_refusals
    assert fake.max_sends_in_window(1.0) <= 5
