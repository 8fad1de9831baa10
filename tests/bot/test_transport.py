"""The aiohttp transport, driven through PTB's own Bot against the strict fake Bot API."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from helpers.fake_telegram import DOWNLOAD_METHOD, FakeTelegram
from helpers.processes import free_port
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.transport import AiohttpRequest

CHAT_ID = 4242
JsonDict = dict[str, Any]
pytestmark = pytest.mark.asyncio


def make_bot(
    base_url: str, *, token: str = "123456:TEST", timeout: float = 5.0, connections: int = 4
) -> Bot:
    return Bot(
        token,
        base_url=base_url,
        request=AiohttpRequest(connections=connections, timeout=timeout),
        get_updates_request=AiohttpRequest(connections=1, timeout=timeout),
    )


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest_asyncio.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(
        fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=AiohttpRequest(connections=4, timeout=5.0),
        get_updates_request=AiohttpRequest(connections=1, timeout=0.3),
    ) as client:
        yield client


async def test_message_with_markup_reaches_telegram_as_sent(fake: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sources ›", callback_data="s:1")]])
    text = "<b>9,861</b> killed — Міноборони &amp; «BBC» 🇺🇦"

    message = await bot.send_message(
        CHAT_ID, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
    )

    [call] = fake.calls_to("sendMessage")
    assert call.params["text"] == text
    assert call.params["chat_id"] == CHAT_ID
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Sources ›", "callback_data": "s:1"}]]
    }
    assert message.text == "9,861 killed — Міноборони & «BBC» 🇺🇦"


async def test_uploaded_document_arrives_byte_for_byte(fake: FakeTelegram, bot: Bot) -> None:
    content = bytes(range(256)) * 64  # every byte value, including CR, LF and NUL

    message = await bot.send_document(
        CHAT_ID, content, filename="claims export.csv", caption="Експорт: 5 claims"
    )

    [call] = fake.calls_to("sendDocument")
    assert call.params["document"] == {"filename": "claims export.csv", "content": content}
    assert call.params["caption"] == "Експорт: 5 claims"
    assert message.document is not None
    assert fake.file_content(message.document.file_id) == content


async def test_stored_file_downloads_through_the_transport(fake: FakeTelegram, bot: Bot) -> None:
    document = fake.add_file(b"id,figure\n1,9861\n", "claims.csv")

    file = await bot.get_file(document["file_id"])

    assert await file.download_as_bytearray() == bytearray(b"id,figure\n1,9861\n")
    assert fake.calls_to(DOWNLOAD_METHOD)


async def test_slow_reply_past_the_timeout_is_timed_out(fake: FakeTelegram) -> None:
    fake.delay_next("sendMessage", 2.0)
    async with make_bot(fake.base_url, token=fake.token, timeout=0.2) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT_ID, "slow")
        fake.clear_calls()
        await bot.send_message(CHAT_ID, "after")  # the transport still works

    assert [call.params["text"] for call in fake.calls_to("sendMessage")] == ["after"]


async def test_a_call_can_shorten_its_own_read_timeout(fake: FakeTelegram, bot: Bot) -> None:
    fake.delay_next("sendMessage", 2.0)

    with pytest.raises(TimedOut):
        await bot.send_message(CHAT_ID, "slow", read_timeout=0.2)


async def test_all_connections_busy_times_out_without_sending(fake: FakeTelegram) -> None:
    fake.delay_next("sendMessage", 1.5)
    async with make_bot(fake.base_url, token=fake.token, connections=1) as bot:
        slow = asyncio.create_task(bot.send_message(CHAT_ID, "holds the only connection"))
        await asyncio.sleep(0.3)  # the fake records a call only once its delay is over

        with pytest.raises(TimedOut):
            await bot.send_message(CHAT_ID, "waits", pool_timeout=0.1, connect_timeout=0.1)
        await slow

    assert [call.params["text"] for call in fake.calls_to("sendMessage")] == [
        "holds the only connection"
    ]


async def test_dropped_connection_is_a_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.drop_connection_next("sendMessage")

    with pytest.raises(NetworkError, match=r"aiohttp\.\w+"):
        await bot.send_message(CHAT_ID, "lost")
    sent = await bot.send_message(CHAT_ID, "retried")

    assert sent.text == "retried"


async def test_unreachable_telegram_is_a_network_error() -> None:
    bot = make_bot(f"http://127.0.0.1:{free_port()}/bot")

    with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
        await bot.initialize()  # getMe
    await bot.shutdown()


async def test_too_many_requests_says_when_to_retry(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(CHAT_ID, "hurry")

    retry_after = refused.value.retry_after  # seconds, or a timedelta once PTB switches
    assert retry_after == 7 or getattr(retry_after, "seconds", None) == 7


async def test_server_error_is_a_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=502)

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(CHAT_ID, "gateway")


async def test_long_poll_waits_past_the_read_timeout(fake: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()

    updates = await bot.get_updates(timeout=1)  # the read timeout is 0.3 s

    assert updates == ()
    assert time.monotonic() - started >= 0.9
    fake.push_update(
        {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    )
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None


async def test_shut_down_transport_refuses_until_initialized_again(fake: FakeTelegram) -> None:
    request = AiohttpRequest(connections=1, timeout=5.0)
    bot = Bot(fake.token, base_url=fake.base_url, request=request)
    await bot.initialize()
    await bot.shutdown()

    with pytest.raises(NetworkError, match="shut down"):
        await request.post(f"{fake.base_url}{fake.token}/getMe")
    await bot.initialize()
    assert (await bot.get_me()).username == fake.bot_user["username"]
    await bot.shutdown()


@asynccontextmanager
async def recording_proxy(fake: FakeTelegram) -> AsyncIterator[tuple[int, list[JsonDict]]]:
    """A plain HTTP proxy in front of the fake: its port, and each request's headers."""
    seen: list[JsonDict] = []

    async def forward(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        target = f"http://127.0.0.1:{fake.port}{request.rel_url.path_qs}"
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                target,
                data=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as answer,
        ):
            return web.Response(
                body=await answer.read(), status=answer.status, content_type=answer.content_type
            )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port, seen
    finally:
        await runner.cleanup()


async def test_proxy_from_the_environment_carries_the_requests(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with recording_proxy(fake) as (port, seen):
        monkeypatch.setenv("HTTP_PROXY", f"http://operator:s3cret@127.0.0.1:{port}")
        # Telegram's host does not resolve: an answer can only have come through the proxy.
        async with make_bot("http://api.telegram.invalid/bot", token=fake.token) as bot:
            assert bot.username == fake.bot_user["username"]

    assert fake.calls_to("getMe")
    login = base64.b64encode(b"operator:s3cret").decode()
    assert seen
    assert all(h.get("Proxy-Authorization") == f"Basic {login}" for h in seen), seen


async def test_hosts_the_environment_exempts_skip_the_proxy(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with make_bot(fake.base_url, token=fake.token) as bot:
        assert bot.username == fake.bot_user["username"]


async def test_a_socks_proxy_is_refused_rather_than_gone_around(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "socks5://operator:s3cret@127.0.0.1:1080")
    bot = make_bot(fake.base_url, token=fake.token)

    with pytest.raises(
        NetworkError, match=r"socks5://127\.0\.0\.1:1080 .* not supported"
    ) as refused:
        await bot.initialize()
    await bot.shutdown()

    assert "s3cret" not in str(refused.value)  # the proxy's password stays out of the logs

    assert not fake.calls_to("getMe")
