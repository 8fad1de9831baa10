"""A bare python-telegram-bot echo bot: the ceiling for answers per second on this machine.

It is built like the real bot in ``bot/app.py`` (the same settings from the environment, base
URL, concurrent updates and Telegram timeouts) but has no rate limiter, database, search or
HTML rendering, so the gap between it and ``python -m bot run`` is the bot's own work::

    BOT_TOKEN=123456:ABC TELEGRAM_BASE_URL=http://127.0.0.1:8081/bot python tests/bench/echo_bot.py
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.config import ConfigError, load_settings


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
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .concurrent_updates(True)
        .connect_timeout(settings.telegram_timeout)
        .read_timeout(settings.telegram_timeout)
        .write_timeout(settings.telegram_timeout)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
