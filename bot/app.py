"""The composition root: one function builds the Application; production, CLI and tests use it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final, TypeAlias

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
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import constants as c
from bot import follow, review
from bot import handlers as h
from bot.background import Background
from bot.config import Settings
from bot.context import DEPS_KEY, BotContext, Deps
from bot.delivery import SENDS_AT_ONCE, Dispatcher
from bot.drafting import DraftsService
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, Locale, get_locale
from bot.limits import build_flood_guards, build_rate_limiter
from bot.listen import change_listener
from bot.memory import cap_malloc_arenas, freeze_long_lived
from bot.security import callback_secret
from bot.service import Answerer, ClaimsService, seed_if_empty
from bot.transport import AiohttpRequest
from bot.webhook import serve_webhook
from store import create_db_engine, describe_database

log = logging.getLogger(__name__)

# Loose on purpose: the bot's type parameter changes with the rate limiter.
BotApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]

ADMIN_COMMANDS: Final = (
    BotCommand("addclaim", "FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]"),
    BotCommand("editclaim", "N field=value"),
    BotCommand("retract", "N REASON"),
    BotCommand("claim", "N"),
    BotCommand("history", "N"),
    BotCommand("claims", "[page]"),
    BotCommand("export", "JSON"),
    BotCommand("import", "JSON"),
    BotCommand("draft", "TEXT | URL"),
    BotCommand("drafts", "list what waits for review"),
    BotCommand("editdraft", "N field=value"),
)


def command_lists(loc: Locale) -> tuple[list[BotCommand], list[BotCommand], list[BotCommand]]:
    """The command menus for private chats, groups and admins, in one language."""
    ask = BotCommand("ask", loc._(c.COMMAND_ASK))
    compare = BotCommand("compare", loc._(c.COMMAND_COMPARE))
    chart = BotCommand("chart", loc._(c.COMMAND_CHART))
    suggest = BotCommand("suggest", loc._(c.COMMAND_SUGGEST))
    following = [
        BotCommand("follow", loc._(c.COMMAND_FOLLOW)),
        BotCommand("following", loc._(c.COMMAND_FOLLOWING)),
        BotCommand("unfollow", loc._(c.COMMAND_UNFOLLOW)),
    ]
    private = [ask, compare, chart, *following, suggest, BotCommand("help", loc._(c.COMMAND_HELP))]
    return private, [ask, compare, chart, *following], [*private, *ADMIN_COMMANDS]


# Chosen by measurement (tests/bench/run.py, issue 16): with PTB's 256 updates at once and 256
# connections, httpcore's pool bookkeeping cost 7.8 ms of CPU an answer. On the aiohttp transport,
# at seed size, 1 at once answered 640-690 a second, 4 820-850, 8 845-910 and 16 680-900, for
# the same CPU an answer (1.1-1.2 ms): a few at once, so one slow Telegram reply does not stall
# every chat, and no more, since each costs memory and gains nothing on 2 cores.
UPDATES_AT_ONCE: Final = 8
# One connection per update at once: a handler's requests go one after another (start-up's
# too, and fan-outs have their own bot).
CONNECTION_POOL: Final = UPDATES_AT_ONCE


async def startup(application: BotApplication) -> None:
    """Seed an empty database, publish the command lists, start the background workers, and
    say what is running where."""
    deps: Deps = application.bot_data[DEPS_KEY]
    await asyncio.to_thread(seed_if_empty, engine=deps.engine, seed_file=deps.settings.seed_file)
    # The menus go out while the index is built: neither waits for the other.
    await asyncio.gather(
        publish_commands(application.bot, deps.settings.admin_ids),
        asyncio.to_thread(deps.answerer.index, force=True),
    )
    await _add_workers(application, deps)
    deps.background.start()
    log.info("bot @%s running on %s", application.bot.username, describe_database(deps.engine))


async def stop_background(application: BotApplication) -> None:
    """Stop the background workers (before the Application stops: they use its bot)."""
    deps: Deps = application.bot_data[DEPS_KEY]
    await deps.background.stop()


async def _add_workers(application: BotApplication, deps: Deps) -> None:
    """The workers that run beside the handlers, once per process."""
    if deps.background.running or deps.background.workers:
        return
    heard: list[Callable[[int], None]] = [deps.answerer.changed]  # another replica's write
    if deps.settings.dispatch:
        bot = _delivery_bot(application, deps.settings)
        await bot.initialize()  # here, so that start-up has made every call it makes
        dispatcher = Dispatcher(
            engine=deps.engine,
            bot=bot,
            answerer=deps.answerer,
            settings=deps.settings,
            busy=lambda: _answering(application),
        )
        deps.answerer.on_change.append(dispatcher.wake)  # this process's own writes
        heard.append(dispatcher.wake)
        deps.background.add("dispatcher", dispatcher.run, cleanup=dispatcher.close)
    listener = change_listener(deps.engine, heard)
    if listener is not None:  # PostgreSQL: other replicas' writes are heard as they commit
        deps.background.add("listener", listener.run)


def _answering(application: BotApplication) -> bool:
    """Whether updates are being handled or wait to be: the fan-out then steps back."""
    in_flight = application.update_processor.current_concurrent_updates
    return in_flight > 0 or application.update_queue.qsize() > 0


def _delivery_bot(application: BotApplication, settings: Settings) -> ExtBot[Any]:
    """The bot notifications are sent with: its own connections, so a fan-out never holds one
    an answer is waiting for, and the application's (shared) rate limiter."""
    timeout = settings.telegram_timeout
    bot = application.bot
    return ExtBot(
        settings.token(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_file_url,
        request=AiohttpRequest(connections=SENDS_AT_ONCE, timeout=timeout),
        # Never polls; given anyway, or PTB builds an httpx client for it (40 ms at start-up).
        get_updates_request=AiohttpRequest(connections=1, timeout=timeout),
        defaults=bot.defaults,
        rate_limiter=bot.rate_limiter,
    )


async def publish_commands(bot: ExtBot[Any], admin_ids: frozenset[int]) -> None:
    """The command menus in every language; admins also see theirs in their own chats.

    All at once: polling starts only after them, and one after another they cost a round
    trip to Telegram each (nine with three languages and one admin).
    """
    menus: list[Coroutine[Any, Any, object]] = []
    private_chats, groups = BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()
    for lang in LANGUAGES:
        # Telegram shows each user the menu in their language, the default one otherwise.
        code = None if lang == DEFAULT_LANGUAGE else lang
        private, group, admin = command_lists(get_locale(lang))
        menus.append(bot.set_my_commands(private, private_chats, language_code=code))
        menus.append(bot.set_my_commands(group, groups, language_code=code))
        menus.extend(_admin_menu(bot, admin, admin_id, code) for admin_id in sorted(admin_ids))
    # Every call ends before a failure is raised, so none is left running behind it.
    done = await asyncio.gather(*menus, return_exceptions=True)
    failed = [result for result in done if isinstance(result, BaseException)]
    if failed:
        raise failed[0]


async def _admin_menu(
    bot: ExtBot[Any], commands: list[BotCommand], admin_id: int, code: str | None
) -> None:
    try:
        await bot.set_my_commands(commands, BotCommandScopeChat(admin_id), language_code=code)
    except TelegramError as exc:  # an admin who never opened a chat with the bot
        log.warning("could not set admin commands for %s: %s", admin_id, exc)


def build_application(settings: Settings, *, engine: Engine | None = None) -> BotApplication:
    """Build the bot: configuration, dependencies and every handler, in order."""
    engine = engine or create_db_engine(settings.database_url)
    application: BotApplication = _configured_builder(settings, engine).build()
    application.bot_data[DEPS_KEY] = build_deps(settings, engine)
    application.add_handlers(_handlers())
    application.add_error_handler(h.report_error)
    return application


def _handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Every handler, in the order PTB tries them."""
    new = filters.UpdateType.MESSAGE  # edits and channel posts are not new questions
    private = filters.ChatType.PRIVATE
    question = filters.TEXT & ~filters.COMMAND
    # PTB tries handlers in this order; the first whose filters match an update answers it.
    handlers: list[BaseHandler[Update, BotContext, None]] = [
        # /start and /help explain the bot; /start also opens "more sources" deep links.
        CommandHandler(["start", "help"], h.show_help, filters=new),
        # /ask works everywhere; in groups it is how people ask without a mention.
        CommandHandler("ask", h.ask_command, filters=new),
        # /compare lines up every claim on a topic, with the spread between them.
        CommandHandler("compare", h.compare_topic, filters=new),
        # /chart draws the same comparison, for readers who take in a picture faster.
        CommandHandler("chart", h.chart_topic, filters=new),
        # The admins' commands on claims, in their own block (below), all admin-only.
        *_admin_handlers(new),
        # /draft reads an article (text, link, reply or file) and queues its claims for review.
        CommandHandler("draft", review.draft_article, filters=new),
        # /drafts lists what is waiting for review.
        CommandHandler("drafts", review.list_drafts_command, filters=new),
        # /editdraft corrects a draft's field before it is approved.
        CommandHandler("editdraft", review.edit_draft_command, filters=new),
        # /suggest: anyone's tip becomes drafts for the admins (not admin-only).
        CommandHandler("suggest", review.suggest_article, filters=new),
        # /follow: a message whenever a claim answering the question changes (groups: admins).
        CommandHandler("follow", follow.follow_question, filters=new),
        # /following lists the chat's subscriptions with the numbers /unfollow takes.
        CommandHandler("following", follow.list_follows, filters=new),
        # /unfollow N ends one subscription (groups: admins).
        CommandHandler("unfollow", follow.unfollow_question, filters=new),
        # Unknown commands get a pointer in private and silence in groups.
        MessageHandler(new & private & filters.COMMAND, h.reject_unknown_command),
        # In private, any text is a question.
        MessageHandler(new & private & question, h.answer_private),
        # In groups, only replies to the bot and @mentions; other chatter gets silence.
        MessageHandler(
            new & filters.ChatType.GROUPS & question & h.AddressedToBot(), h.answer_group
        ),
        # Stickers, photos and voice notes in private get a hint to ask in words.
        MessageHandler(new & private & ~filters.TEXT, h.hint_text_only),
        # Inline mode: @bot QUERY in any chat.
        InlineQueryHandler(h.answer_inline),
        # "Follow this" under answers: follows the question the answer quotes.
        CallbackQueryHandler(follow.follow_from_button, pattern=follow.ACTION_PATTERN),
        # Approve, Edit, Skip and Review buttons under drafts (before the catch-all below).
        CallbackQueryHandler(review.act_on_draft, pattern=review.ACTION_PATTERN),
        # Suggestion buttons under a "no stored claim" answer.
        CallbackQueryHandler(h.show_suggestion),
    ]
    return handlers


def _admin_handlers(new: filters.BaseFilter) -> list[BaseHandler[Update, BotContext, None]]:
    """The admins' claim commands, in the order of ``_handlers``' list where they splice in."""
    return [
        # /addclaim stores a new claim (admins only, like every command here).
        CommandHandler("addclaim", h.add_claim_command, filters=new),
        # /editclaim corrects one field; the audit record keeps the value before.
        CommandHandler("editclaim", h.edit_claim_command, filters=new),
        # /retract withdraws a claim from answers but keeps it, and why, in history.
        CommandHandler("retract", h.retract_claim_command, filters=new),
        # /claim shows one record in full, retracted or not, with its key.
        CommandHandler("claim", h.show_claim, filters=new),
        # /history shows who changed a claim, when, and each field before and after.
        CommandHandler("history", h.show_history, filters=new),
        # /claims pages through every claim, to find an id to edit.
        CommandHandler("claims", h.list_claims_command, filters=new),
        # /export sends a backup that /import (or the CLI) restores.
        CommandHandler("export", h.export_claims_command, filters=new),
        # /import, as a reply to a JSON file, stores all of its claims or none.
        CommandHandler("import", h.import_claims_command, filters=new),
    ]


def _configured_builder(settings: Settings, engine: Engine) -> Any:
    """PTB's builder with our context, limits, timeouts and defaults (not built yet)."""
    builder: Any = Application.builder()  # its type changes with the limiter, so keep it loose
    limiter = build_rate_limiter(settings, engine)  # Telegram's send limits, over all replicas
    if limiter is not None:
        builder = builder.rate_limiter(limiter)
    return (
        builder.token(settings.token())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(_message_defaults())
        .concurrent_updates(UPDATES_AT_ONCE)
        # aiohttp, not PTB's httpx: half the CPU an answer costs (bot/transport.py)
        .request(AiohttpRequest(connections=CONNECTION_POOL, timeout=settings.telegram_timeout))
        .get_updates_request(AiohttpRequest(connections=1, timeout=settings.telegram_timeout))
        .post_init(startup)
        .post_stop(stop_background)  # run_polling calls it; webhook mode and tests call it too
    )


def _message_defaults() -> Defaults:
    """HTML everywhere, no link previews, and replies that survive a deleted question."""
    return Defaults(
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        allow_sending_without_reply=True,
    )


def build_deps(settings: Settings, engine: Engine) -> Deps:
    """What the handlers share: one answerer (and its index) for questions and changes alike."""
    answerer = Answerer(engine)
    flood, suggestions = build_flood_guards(settings, engine)  # counted over all replicas
    return Deps(
        settings=settings,
        engine=engine,
        answerer=answerer,
        claims=ClaimsService(engine, answerer),
        flood=flood,
        callback_key=callback_secret(settings.token()),
        drafts=DraftsService(engine, answerer, settings),
        suggestions=suggestions,
        background=Background(),
    )


def run_bot(settings: Settings) -> int:
    """Serve webhooks if WEBHOOK_URL is set, else long-poll, until SIGINT or SIGTERM."""
    cap_malloc_arenas()  # before any thread starts: index builds run in threads
    engine = create_db_engine(settings.database_url)  # migrates the schema first
    application = build_application(settings, engine=engine)
    deps: Deps = application.bot_data[DEPS_KEY]
    # Out of the garbage collector's walks: what start-up imported, and each index once built.
    freeze_long_lived()
    deps.answerer.on_rebuilt.append(freeze_long_lived)
    if settings.webhook_url:
        settings.secret_token()  # fail fast, before anything starts
        asyncio.run(serve_webhook(application, settings, engine))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    engine.dispose()
    return 0
