"""Telegram handlers: Telegram I/O only; the thinking lives in search, render and store.

Every handler is ``async def verb_noun(update, context) -> None`` with a typed ``BotContext``;
who may use a command and how often are decorators (``bot.context``). Database and search
work runs in a worker thread so the event loop keeps answering other chats meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from sqlalchemy.exc import SQLAlchemyError
from telegram import (
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import filters

from bot import constants as c
from bot.compare import Comparison, asks_to_compare, compare, comparison_of
from bot.context import (
    BotContext,
    actor_of,
    admin_only,
    args_text,
    ask,
    current_index,
    flood_limited,
    is_admin,
    message_of,
    question_from,
    reader_locale,
    reply,
    search_index,
)
from bot.follow import follow_keyboard, with_follow
from bot.i18n import Locale
from bot.parsing import parse_addclaim, parse_edit
from bot.render import (
    HTML,
    comparison_summary,
    fit_message,
    headline,
    render_answer,
    render_claim,
    render_claim_record,
    render_claims,
    render_claims_page,
    render_compact,
    render_comparison,
    render_history,
    render_import_errors,
    render_no_answer,
    source_line,
    suggestion_label,
    what_is_counted,
)
from bot.search import ClaimIndex, SearchResult
from bot.security import sign_callback, verify_callback
from store import (
    EDITABLE_FIELDS,
    AuditRecord,
    ClaimPublic,
    ClaimValidationError,
    StoreError,
    claim_history,
    count_claims,
    export_claims,
    get_claim,
    list_claims,
)

log = logging.getLogger(__name__)

_DEEP_LINK_RE: Final = re.compile(r"^c((?:_\d{1,12}){1,10})$")
_CLAIM_ID_RE: Final = re.compile(r"^#?(\d{1,12})$")
_RETRACT_RE: Final = re.compile(r"^#?(\d{1,12})\s+(.+)$", re.DOTALL)
BUTTON_LABEL_CHARS: Final = 60  # characters; longer button labels are cut by Telegram clients


class AddressedToBot(filters.MessageFilter):
    """A group message that replies to the bot or mentions it by @username."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".casefold()
        return any(
            text.casefold() == mention
            for text in message.parse_entities([MessageEntity.MENTION]).values()
        )


# --- helpers ----------------------------------------------------------------------------


def _suggestion_keyboard(
    result: SearchResult, loc: Locale, key: bytes
) -> InlineKeyboardMarkup | None:
    if result.answered or not result.suggestions:
        return None
    buttons = []
    for claim in result.suggestions:
        label = suggestion_label(claim, loc)
        if len(label) > BUTTON_LABEL_CHARS:
            label = label[: BUTTON_LABEL_CHARS - 1] + "…"
        buttons.append([InlineKeyboardButton(label, callback_data=sign_callback(key, claim.id))])
    return InlineKeyboardMarkup(buttons)


def _more_link(bot_username: str, result: SearchResult) -> str | None:
    """A deep link that shows every matched claim in a private chat."""
    return _claims_link(bot_username, [match.claim.id for match in result.matches])


def _claims_link(bot_username: str, claim_ids: list[int]) -> str | None:
    """A deep link to these claims in a private chat (as many as fit Telegram's payload)."""
    payload = "c"
    for claim_id in claim_ids[:10]:
        part = f"_{claim_id}"
        if len(payload) + len(part) > c.START_PAYLOAD_MAX:
            break
        payload += part
    return f"https://t.me/{bot_username}?start={payload}" if payload != "c" else None


def _ask_usage(loc: Locale) -> str:
    return loc._(c.ASK_USAGE).format(example=HTML.esc(loc._(c.EXAMPLE_QUESTIONS[0])))


# --- everyone ---------------------------------------------------------------------------


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot does, with example questions; deep links show claims."""
    message = update.effective_message
    if message is None:
        return
    loc = reader_locale(update)
    if context.args and message.chat.type == ChatType.PRIVATE:
        match = _DEEP_LINK_RE.match(context.args[0])
        if match:
            ids = [int(i) for i in match[1].split("_")[1:]]
            await show_linked_claims(message, context, ids, loc)
            return
    examples = "\n".join(f"• {HTML.esc(loc._(question))}" for question in c.EXAMPLE_QUESTIONS)
    text = loc._(c.HELP).format(examples=examples, bot=HTML.esc(context.bot.username))
    if is_admin(update, context) and message.chat.type == ChatType.PRIVATE:
        text += "\n\n" + loc._(c.ADMIN_HELP)
    await reply(message, text)


async def show_linked_claims(
    message: Message, context: BotContext, claim_ids: list[int], loc: Locale
) -> None:
    """Show the claims a group answer's "more sources" link carried."""
    engine = context.deps.engine
    found = [await asyncio.to_thread(get_claim, engine=engine, claim_id=i) for i in claim_ids]
    active = [claim for claim in found if claim is not None and claim.is_active]
    await reply(message, render_claims(active, HTML, loc) if active else loc._(c.CLAIM_GONE))


@flood_limited
async def answer_private(update: Update, context: BotContext) -> None:
    """Answer any text in a private chat as a question."""
    message = message_of(update)
    await _answer_in_private(message, context, reader_locale(update), message.text or "")


@flood_limited
async def answer_group(update: Update, context: BotContext) -> None:
    """Answer a group message addressed to the bot, compactly, as a reply."""
    await _answer_in_group(message_of(update), context, reader_locale(update))


@flood_limited
async def ask_command(update: Update, context: BotContext) -> None:
    """/ask QUESTION: full answer in private, compact reply in groups."""
    message, loc = message_of(update), reader_locale(update)
    if message.chat.type != ChatType.PRIVATE:
        await _answer_in_group(message, context, loc)
        return
    question = question_from(message, context.bot.username)
    if not question:
        await reply(message, _ask_usage(loc))
        return
    await _answer_in_private(message, context, loc, question)


async def _answer_in_private(
    message: Message, context: BotContext, loc: Locale, question: str
) -> None:
    result = await ask(context, question)
    comparison = await _comparison_asked(context, result)
    if comparison is not None:
        await reply(message, render_comparison(comparison, HTML, loc))
        return
    key = context.deps.callback_key
    follow = follow_keyboard(result, message, loc, key)
    keyboard = with_follow(_suggestion_keyboard(result, loc, key), follow)
    # With a Follow button the answer quotes the question: the button follows what it quotes.
    text = render_answer(result, HTML, loc)
    await reply(message, text, reply_markup=keyboard, do_quote=bool(follow))


async def _comparison_asked(context: BotContext, result: SearchResult) -> Comparison | None:
    """The comparison a question asks for ("compare the estimates"), if it asks for one."""
    if not asks_to_compare(result):
        return None
    index = await current_index(context)
    return await asyncio.to_thread(comparison_of, index, result)


async def _answer_in_group(message: Message, context: BotContext, loc: Locale) -> None:
    question = question_from(message, context.bot.username)
    if not question:
        await reply(message, _ask_usage(loc), do_quote=True)
        return
    result = await ask(context, question)
    comparison = await _comparison_asked(context, result)
    if comparison is not None:
        await _reply_with_comparison(message, context, loc, comparison)
        return
    link = _more_link(context.bot.username, result)
    key = context.deps.callback_key
    keyboard = with_follow(
        _suggestion_keyboard(result, loc, key), follow_keyboard(result, message, loc, key)
    )
    await reply(
        message,
        render_compact(result, HTML, loc, more_link=link),
        do_quote=True,
        reply_markup=keyboard,
    )


async def _comparison(
    update: Update, context: BotContext, usage: str
) -> tuple[Message, Locale, Comparison] | None:
    """The topic's comparison; or the usage text / honest "no stored claim" already sent."""
    message, loc = message_of(update), reader_locale(update)
    topic = question_from(message, context.bot.username)
    quote = message.chat.type != ChatType.PRIVATE
    if not topic:
        example = HTML.esc(loc._(c.COMPARE_EXAMPLE))
        await reply(message, loc._(usage).format(example=example), do_quote=quote)
        return None
    index = await asyncio.to_thread(context.deps.answerer.index)
    result, comparison = await asyncio.to_thread(compare, index, topic)
    if comparison is None:
        keyboard = _suggestion_keyboard(result, loc, context.deps.callback_key)
        text = render_no_answer(result, HTML, loc)
        await reply(message, text, do_quote=quote, reply_markup=keyboard)
        return None
    return message, loc, comparison


@flood_limited
async def compare_topic(update: Update, context: BotContext) -> None:
    """/compare TOPIC: every claim on the topic's best match, one a line, and the spread."""
    found = await _comparison(update, context, c.COMPARE_USAGE)
    if found is None:
        return
    message, loc, comparison = found
    await _reply_with_comparison(message, context, loc, comparison)


async def _reply_with_comparison(
    message: Message, context: BotContext, loc: Locale, comparison: Comparison
) -> None:
    """The comparison in full in private; its first rows and a link to the rest in groups."""
    if message.chat.type == ChatType.PRIVATE:
        await reply(message, render_comparison(comparison, HTML, loc))
        return
    ids = [claim.id for claim in comparison.claims[c.GROUP_COMPARE_ROWS :]]
    link = _claims_link(context.bot.username, ids)
    text = render_comparison(comparison, HTML, loc, limit=c.GROUP_COMPARE_ROWS, more_link=link)
    await reply(message, text, do_quote=True)


@flood_limited
async def chart_topic(update: Update, context: BotContext) -> None:
    """/chart TOPIC: a picture of how the claims on the topic diverge, with a one-line caption."""
    found = await _comparison(update, context, c.CHART_USAGE)
    if found is None:
        return
    message, loc, comparison = found
    from bot.chart import render_chart  # matplotlib loads on the first chart, not at start-up

    chart = await asyncio.to_thread(render_chart, comparison, loc)
    await message.reply_photo(
        chart.png,
        caption=HTML.esc(chart.caption),
        do_quote=message.chat.type != ChatType.PRIVATE,
    )


async def hint_text_only(update: Update, context: BotContext) -> None:
    """Stickers, photos and voice notes in private get a hint to ask in words."""
    if update.effective_message is not None:
        loc = reader_locale(update)
        text = loc._(c.TRY_EXAMPLE).format(example=HTML.esc(loc._(c.EXAMPLE_QUESTIONS[0])))
        await reply(update.effective_message, text)


async def reject_unknown_command(update: Update, context: BotContext) -> None:
    """An unknown command in private gets pointed to /help."""
    if update.effective_message is not None:
        await reply(update.effective_message, reader_locale(update)._(c.UNKNOWN_COMMAND))


async def answer_inline(update: Update, context: BotContext) -> None:
    """Inline mode: one result per matching claim; the newest claims for an empty query."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    loc = reader_locale(update)
    index = await current_index(context)
    result = await search_index(index, text) if text else None
    if result is not None and not result.answered:
        results = [_inline_no_claim(result, text, loc)]
    else:
        claims = [m.claim for m in result.matches] if result else index.newest(c.INLINE_RESULTS)
        results = [_inline_claim(claim, index, loc) for claim in claims[: c.INLINE_RESULTS]]
        if result is not None:
            results = [*_inline_comparison(index, text, loc), *results][: c.INLINE_RESULTS]
    await query.answer(results, cache_time=c.INLINE_CACHE_SECONDS, is_personal=False)


def _inline_claim(claim: ClaimPublic, index: ClaimIndex, loc: Locale) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=f"claim-{claim.id}",
        title=fit_message(headline(claim, loc), 200),
        description=fit_message(source_line(claim, loc), 200),
        input_message_content=InputTextMessageContent(
            render_claim(claim, HTML, loc, newer=index.newer_than(claim))
        ),
    )


def _inline_no_claim(result: SearchResult, query: str, loc: Locale) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id="no-claim",
        title=loc._(c.INLINE_NO_CLAIM_TITLE),
        description=loc._(c.INLINE_NO_CLAIM_DESCRIPTION).format(query=query[:60]),
        input_message_content=InputTextMessageContent(render_no_answer(result, HTML, loc)),
    )


def _inline_comparison(
    index: ClaimIndex, topic: str, loc: Locale
) -> list[InlineQueryResultArticle]:
    """A "compare" result for the top match, when more than one claim counts that thing."""
    _result, comparison = compare(index, topic)
    if comparison is None or len(comparison.claims) < 2:
        return []
    what = what_is_counted(comparison.best, loc)
    text = render_comparison(comparison, HTML, loc, limit=c.GROUP_COMPARE_ROWS)
    return [
        InlineQueryResultArticle(
            id=f"compare-{comparison.best.id}",
            title=fit_message(
                loc._(c.INLINE_COMPARE_TITLE).format(count=len(comparison.claims), what=what), 200
            ),
            description=fit_message(comparison_summary(comparison, loc), 200),
            input_message_content=InputTextMessageContent(text),
        )
    ]


async def show_suggestion(update: Update, context: BotContext) -> None:
    """A pressed suggestion button answers with that claim; stale or forged data is refused."""
    query = update.callback_query
    if query is None:
        return
    loc = reader_locale(update)
    claim_id = verify_callback(context.deps.callback_key, query.data or "")
    if claim_id is None:  # stale, garbage or forged: no claim is shown for it
        await query.answer(loc._(c.BUTTON_EXPIRED))
        return
    claim = await asyncio.to_thread(get_claim, engine=context.deps.engine, claim_id=claim_id)
    if claim is None or not claim.is_active:
        await query.answer(loc._(c.CLAIM_GONE))
        return
    await query.answer()
    if isinstance(query.message, Message):
        index = await asyncio.to_thread(context.deps.answerer.index)
        text = render_claim(claim, HTML, loc, newer=index.newer_than(claim))
        await reply(query.message, text, do_quote=True)


# --- admins -----------------------------------------------------------------------------


@admin_only
async def add_claim_command(update: Update, context: BotContext) -> None:
    """/addclaim FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]."""
    message, loc = message_of(update), reader_locale(update)
    line = args_text(message)
    if not line:
        await reply(message, loc._(c.ADDCLAIM_USAGE))
        return
    try:
        claim = parse_addclaim(line)
        stored = await asyncio.to_thread(context.deps.claims.add, claim, actor=actor_of(update))
    except StoreError as exc:
        text = f"{HTML.esc(str(exc))}\n{loc._(c.NOT_STORED)}\n\n{loc._(c.ADDCLAIM_USAGE)}"
        await reply(message, text)
        return
    await reply(
        message, f"{loc._(c.ADDED).format(id=stored.id)}\n\n{render_claim(stored, HTML, loc)}"
    )


@admin_only
async def edit_claim_command(update: Update, context: BotContext) -> None:
    """/editclaim N field=value."""
    message, loc = message_of(update), reader_locale(update)
    usage = loc._(c.EDITCLAIM_USAGE).format(fields=", ".join(EDITABLE_FIELDS))
    try:
        claim_id, changes = parse_edit(args_text(message))
        stored = await asyncio.to_thread(
            context.deps.claims.edit, claim_id, changes, actor=actor_of(update)
        )
    except StoreError as exc:
        await reply(message, f"{HTML.esc(str(exc))}\n{loc._(c.NOT_STORED)}\n\n{usage}")
        return
    await reply(
        message, f"{loc._(c.EDITED).format(id=stored.id)}\n\n{render_claim(stored, HTML, loc)}"
    )


@admin_only
async def retract_claim_command(update: Update, context: BotContext) -> None:
    """/retract N REASON: a soft delete that stays in history."""
    message, loc = message_of(update), reader_locale(update)
    match = _RETRACT_RE.match(args_text(message))
    if match is None:
        await reply(message, loc._(c.RETRACT_USAGE))
        return
    try:
        stored = await asyncio.to_thread(
            context.deps.claims.retract, int(match[1]), match[2], actor=actor_of(update)
        )
    except StoreError as exc:
        await reply(message, f"{HTML.esc(str(exc))}\n{loc._(c.NOT_STORED)}")
        return
    await reply(message, loc._(c.RETRACTED).format(id=stored.id))


async def _claim_and_history(
    update: Update, context: BotContext, usage: str
) -> tuple[Message, Locale, ClaimPublic, list[AuditRecord]] | None:
    """For /claim N and /history N: the claim and its audit records, or the reply why not."""
    message, loc = message_of(update), reader_locale(update)
    match = _CLAIM_ID_RE.match(args_text(message))
    if match is None:
        await reply(message, loc._(usage))
        return None
    engine = context.deps.engine
    claim = await asyncio.to_thread(get_claim, engine=engine, claim_id=int(match[1]))
    if claim is None:
        await reply(message, loc._(c.NO_SUCH_CLAIM).format(id=int(match[1])))
        return None
    history = await asyncio.to_thread(claim_history, engine=engine, claim_id=claim.id)
    return message, loc, claim, history


@admin_only
async def show_claim(update: Update, context: BotContext) -> None:
    """/claim N: the full record with its audit history."""
    found = await _claim_and_history(update, context, c.CLAIM_USAGE)
    if found is not None:
        message, loc, claim, history = found
        await reply(message, render_claim_record(claim, history, HTML, loc))


@admin_only
async def show_history(update: Update, context: BotContext) -> None:
    """/history N: who changed a claim, when, and how (every field, before and after)."""
    found = await _claim_and_history(update, context, c.HISTORY_USAGE)
    if found is not None:
        message, loc, claim, history = found
        await reply(message, render_history(claim, history, HTML, loc))


@admin_only
async def list_claims_command(update: Update, context: BotContext) -> None:
    """/claims [page]: every claim, retracted ones marked, a page at a time."""
    message, loc = message_of(update), reader_locale(update)
    arg = args_text(message)
    page = int(arg) if arg.isdigit() and 0 < int(arg) < 10**6 else 1
    engine = context.deps.engine
    total = await asyncio.to_thread(count_claims, engine=engine)
    claims = await asyncio.to_thread(
        list_claims,
        engine=engine,
        include_retracted=True,
        offset=(page - 1) * c.CLAIMS_PAGE_SIZE,
        limit=c.CLAIMS_PAGE_SIZE,
    )
    await reply(message, render_claims_page(claims, HTML, loc, page=page, total=total))


@admin_only
async def export_claims_command(update: Update, context: BotContext) -> None:
    """/export: the whole store as a JSON document, in the import format."""
    message, loc = message_of(update), reader_locale(update)
    document = await asyncio.to_thread(export_claims, engine=context.deps.engine)
    data = json.dumps(document, ensure_ascii=False, indent=2).encode()
    name = f"claims-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    caption = loc._(c.EXPORT_CAPTION).format(count=len(document["claims"]))
    await message.reply_document(data, filename=name, caption=caption)


@admin_only
async def import_claims_command(update: Update, context: BotContext) -> None:
    """/import as a reply to a JSON document: all claims or none, with every error listed."""
    message, loc = message_of(update), reader_locale(update)
    document = await _importable_document(message, loc)
    if document is None:
        return
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        await reply(message, loc._(c.IMPORT_BAD_JSON).format(error=HTML.esc(str(exc))))
        return
    try:
        report = await asyncio.to_thread(
            context.deps.claims.import_document, parsed, actor=actor_of(update)
        )
    except SQLAlchemyError:
        # One transaction: a failed write (full disk, lost server) leaves nothing behind.
        log.exception("import failed in the database")
        await reply(message, loc._(c.IMPORT_DB_FAILED))
        return
    except StoreError as exc:
        await reply(message, render_import_errors(_problems(exc), HTML, loc))
        return
    done = loc._(c.IMPORT_DONE).format(
        added=len(report.added), updated=len(report.updated), unchanged=len(report.unchanged)
    )
    await reply(message, done)


async def _importable_document(message: Message, loc: Locale) -> Document | None:
    """The JSON document /import replies to; or None, with the reply why not already sent."""
    document = message.reply_to_message.document if message.reply_to_message else None
    if document is None:
        await reply(message, loc._(c.IMPORT_USAGE))
        return None
    if document.file_size is not None and document.file_size > c.MAX_IMPORT_BYTES:
        await reply(message, loc._(c.IMPORT_TOO_BIG).format(limit=c.MAX_IMPORT_BYTES // 2**20))
        return None
    return document


def _problems(exc: StoreError) -> Sequence[object]:
    """Every problem a refused import found: each field error, else the refusal itself."""
    if isinstance(exc, ClaimValidationError) and exc.errors:
        return exc.errors
    return [exc]


# --- failures ---------------------------------------------------------------------------


async def report_error(update: object, context: BotContext) -> None:
    """Log a failed update with its context; tell the user briefly, never with a traceback."""
    summary = update.to_dict() if isinstance(update, Update) else repr(update)
    log.error("update failed: %s", summary, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        apology = reader_locale(update)._(c.APOLOGY)
        if update.callback_query is not None:
            await update.callback_query.answer(apology)
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(apology)
    except TelegramError as exc:  # Telegram itself may be what failed
        log.warning("could not send the apology: %s", exc)
