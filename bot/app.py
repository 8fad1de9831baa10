"""The composition root: one function builds the Application; production, CLI and tests use it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

from sqlalchemy.engine import Engine
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import constants as c
from bot import handlers as h
from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, Locale, get_locale
from bot.security import FloodGuard, callback_secret
from bot.service import Answerer, seed_if_empty
from bot.webhook import serve_webhook
from store import create_db_engine, describe_database

log = logging.getLogger(__name__)

ADMIN_COMMANDS: Final = (
    BotCommand("addclaim", "FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]"),
    BotCommand("editclaim", "N field=value"),
    BotCommand("retract", "N REASON"),
    BotCommand("claim", "N"),
    BotCommand("history", "N"),
    BotCommand("claims", "[page]"),
    BotCommand("export", "JSON"),
    BotCommand("import", "JSON"),
)


def command_lists(loc: Locale) -> tuple[list[BotCommand], list[BotCommand], list[BotCommand]]:
    """The command menus for private chats, groups and admins, in one language."""
    ask = BotCommand("ask", loc._(c.COMMAND_ASK))
    compare = BotCommand("compare", loc._(c.COMMAND_COMPARE))
    chart = BotCommand("chart", loc._(c.COMMAND_CHART))
    private = [ask, compare, chart, BotCommand("help", loc._(c.COMMAND_HELP))]
    return private, [ask, compare, chart], [*private, *ADMIN_COMMANDS]


RETRY_BACKOFF_SECONDS: Final = 0.5  # first pause before retrying a failed request; doubles


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's flood limits, retrying 429s and also 5xx and connection failures.

    A timed-out request is not retried: Telegram may have delivered it, and a question must
    be answered once, not twice.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        delay = RETRY_BACKOFF_SECONDS
        for attempt in range(c.RATE_LIMIT_RETRIES + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except TimedOut:
                raise
            except NetworkError as exc:
                if attempt == c.RATE_LIMIT_RETRIES or endpoint == "getUpdates":
                    raise
                log.warning("%s failed (%s); retry %s in %.1fs", endpoint, exc, attempt + 1, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


async def startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Seed an empty database, publish the command lists, and say what is running where."""
    d: h.Deps = application.bot_data["deps"]
    await asyncio.to_thread(seed_if_empty, engine=d.engine, seed_file=d.settings.seed_file)
    bot = application.bot
    for lang in LANGUAGES:
        # Telegram shows each user the menu in their language, the default one otherwise.
        code = None if lang == DEFAULT_LANGUAGE else lang
        private, group, admin = command_lists(get_locale(lang))
        await bot.set_my_commands(private, BotCommandScopeAllPrivateChats(), language_code=code)
        await bot.set_my_commands(group, BotCommandScopeAllGroupChats(), language_code=code)
        for admin_id in sorted(d.settings.admin_ids):
            try:
                await bot.set_my_commands(admin, BotCommandScopeChat(admin_id), language_code=code)
            except TelegramError as exc:  # an admin who never opened a chat with the bot
                log.warning("could not set admin commands for %s: %s", admin_id, exc)
    await asyncio.to_thread(d.answerer.index, force=True)
    log.info("bot @%s running on %s", bot.username, describe_database(d.engine))


def build_application(
    settings: Settings, *, engine: Engine | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the bot: configuration, dependencies and every handler, in order."""
    engine = engine or create_db_engine(settings.database_url)
    builder: Any = Application.builder()  # its type changes with the limiter, so keep it loose
    if settings.telegram_rate_limit:
        builder = builder.rate_limiter(RetryingRateLimiter(max_retries=c.RATE_LIMIT_RETRIES))
    application: Application[Any, Any, Any, Any, Any, Any] = (
        builder.token(settings.token())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .concurrent_updates(True)
        .connect_timeout(settings.telegram_timeout)
        .read_timeout(settings.telegram_timeout)
        .write_timeout(settings.telegram_timeout)
        .post_init(startup)
        .build()
    )
    flood = FloodGuard(
        per_user=settings.questions_per_user,
        per_chat=settings.questions_per_chat,
        window_seconds=settings.question_window_seconds,
    )
    key = callback_secret(settings.token())
    application.bot_data["deps"] = h.Deps(settings, engine, Answerer(engine), flood, key)

    new = filters.UpdateType.MESSAGE  # edits and channel posts are not new questions
    private = filters.ChatType.PRIVATE
    handlers = [
        # /start and /help explain the bot; /start also opens "more sources" deep links.
        CommandHandler(["start", "help"], h.show_help, filters=new),
        # /ask works everywhere; in groups it is how people ask without a mention.
        CommandHandler("ask", h.ask_command, filters=new),
        # /compare and /chart line up every claim on a topic, as text and as a picture.
        CommandHandler("compare", h.compare_topic, filters=new),
        CommandHandler("chart", h.chart_topic, filters=new),
        # Admin commands check the numeric user id themselves and refuse everyone else.
        CommandHandler("addclaim", h.add_claim_command, filters=new),
        CommandHandler("editclaim", h.edit_claim_command, filters=new),
        CommandHandler("retract", h.retract_claim_command, filters=new),
        CommandHandler("claim", h.show_claim, filters=new),
        CommandHandler("history", h.show_history, filters=new),
        CommandHandler("claims", h.list_claims_command, filters=new),
        CommandHandler("export", h.export_claims_command, filters=new),
        CommandHandler("import", h.import_claims_command, filters=new),
        # Unknown commands get a pointer in private and silence in groups.
        MessageHandler(new & private & filters.COMMAND, h.reject_unknown_command),
        # In private, any text is a question.
        MessageHandler(new & private & filters.TEXT & ~filters.COMMAND, h.answer_private),
        # In groups, only replies to the bot and @mentions; other chatter gets silence.
        MessageHandler(
            new & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & h.AddressedToBot(),
            h.answer_group,
        ),
        # Stickers, photos and voice notes in private get a hint to ask in words.
        MessageHandler(new & private & ~filters.TEXT, h.hint_text_only),
        # Inline mode: @bot QUERY in any chat.
        InlineQueryHandler(h.answer_inline),
        # Suggestion buttons under a "no stored claim" answer.
        CallbackQueryHandler(h.show_suggestion),
    ]
    application.add_handlers(handlers)
    application.add_error_handler(h.report_error)
    return application


def run_bot(settings: Settings) -> int:
    """Serve webhooks if WEBHOOK_URL is set, else long-poll, until SIGINT or SIGTERM."""
    engine = create_db_engine(settings.database_url)  # migrates the schema first
    application = build_application(settings, engine=engine)
    if settings.webhook_url:
        settings.secret_token()  # fail fast, before anything starts
        asyncio.run(serve_webhook(application, settings, engine))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    engine.dispose()
    return 0
