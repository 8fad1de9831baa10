"""A bare python-telegram-bot echo bot: the ceiling for answers per second on this machine.

It reads the real bot's settings (``bot.config``: base URL, Telegram timeouts) but has no
rate limiter, database, search or HTML rendering, so the gap between it and ``python -m bot
run`` is the bot's own work. How it handles updates is chosen by the benchmark, which runs
several configurations and compares against the fastest::

    BENCH_ECHO_CONCURRENCY=0 BENCH_ECHO_POOL=1 BOT_TOKEN=123456:ABC \
        TELEGRAM_BASE_URL=http://127.0.0.1:8081/bot python tests/bench/echo_bot.py

``BENCH_ECHO_CONCURRENCY`` is 0 for sequential updates (PTB's default) or the number handled
at once; ``BENCH_ECHO_POOL`` is the HTTP connection pool for requests other than getUpdates.
``BENCH_ECHO_TRANSPORT`` is ``httpx`` (PTB's default, the baseline) or ``aiohttp``, the real
bot's own transport (``bot.transport``): the gap between the bots on the same transport.
"""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.config import ConfigError, load_settings
from bot.transport import AiohttpRequest

TRANSPORTS = ("httpx", "aiohttp")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> int:
    # The real bot's settings loader, so BOT_TOKEN, TELEGRAM_BASE_URL and TELEGRAM_TIMEOUT mean
    # exactly what they mean to the bot being compared.
    try:
        settings = load_settings()
        token = settings.token()
        concurrency = int(os.environ.get("BENCH_ECHO_CONCURRENCY", "0"))
        pool = int(os.environ.get("BENCH_ECHO_POOL", "256"))
        transport = os.environ.get("BENCH_ECHO_TRANSPORT", "httpx")
        if transport not in TRANSPORTS:
            raise ValueError(f"BENCH_ECHO_TRANSPORT must be one of {', '.join(TRANSPORTS)}")
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    timeout = settings.telegram_timeout
    builder = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .concurrent_updates(concurrency if concurrency > 0 else False)
    )
    if transport == "aiohttp":
        builder = builder.request(AiohttpRequest(connections=pool, timeout=timeout))
        builder = builder.get_updates_request(AiohttpRequest(connections=1, timeout=timeout))
    else:
        builder = builder.connection_pool_size(pool).connect_timeout(timeout)
        builder = builder.read_timeout(timeout).write_timeout(timeout)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
