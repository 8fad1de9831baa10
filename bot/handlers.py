"""Telegram handlers: Telegram I/O only; the thinking lives in search, render and store.

Every handler is ``async def verb_noun(update, context) -> None``. Database and search work
runs in a worker thread so the event loop keeps answering other chats meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram import (
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
from telegram.ext import ContextTypes, filters

from bot import constants as c
from bot.compare import Comparison, compare
from bot.config import Settings
from bot.i18n import Locale, get_locale
from bot.parsing import parse_addclaim, parse_edit
from bot.render import (
    HTML,
    comparison_summary,
    fit_message,
    headline,
    render_answer,
    render_claim,
    render_claims,
    render_compact,
    render_comparison,
    render_no_answer,
    source_line,
    suggestion_label,
    what_is_counted,
)
from bot.search import ClaimIndex, SearchResult, UncachedError
from bot.security import FloodGuard, Verdict, sign_callback, verify_callback
from bot.service import Answerer
from store import (
    AuditRecord,
    ClaimPublic,
    StoreError,
    add_claim,
    claim_history,
    count_claims,
    edit_claim,
    export_claims,
    get_claim,
    import_claims,
    list_claims,
    retract_claim,
)
from store.claims import EDITABLE_FIELDS

log = logging.getLogger(__name__)

_DEEP_LINK_RE: Final = re.compile(r"^c((?:_\d{1,12}){1,10})$")
BUTTON_LABEL_CHARS: Final = 60  # characters; longer button labels are cut by Telegram clients


@dataclass(frozen=True)
class Deps:
    """What handlers need, stored once in ``bot_data`` by the composition root."""

    settings: Settings
    engine: Engine
    answerer: Answerer
    flood: FloodGuard
    callback_key: bytes  # signs suggestion buttons, so forged callback data is refused


def deps(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    found = context.bot_data["deps"]
    assert isinstance(found, Deps)
    return found


class AddressedToBot(filters.MessageFilter):
    """A group message that replies to the bot or mentions it by @username."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".casefold()
        return any(
            text.casefold() == mention
            for text in message.parse_entities([MessageEntity.MENTION]).values()
        )


# --- helpers ----------------------------------------------------------------------------


def _loc(update: Update) -> Locale:
    """The reader's language, from their Telegram settings; English when we lack theirs."""
    user = update.effective_user
    return get_locale(user.language_code if user else None)


def _question_from(message: Message, bot_username: str) -> str:
    """The message text without the command or the bot's @mention."""
    text = message.text or ""
    entities = message.parse_entities([MessageEntity.BOT_COMMAND])
    for entity in entities:
        if entity.offset == 0:
            text = text[entity.offset + entity.length :]
    return re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE).strip()


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


async def _admitted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether to answer this question; over the flood limit, warn once, then stay quiet."""
    user, chat = update.effective_user, update.effective_chat
    verdict = deps(context).flood.check(
        user_id=user.id if user else None, chat_id=chat.id if chat else None
    )
    if verdict is Verdict.WARN and update.effective_message is not None:
        log.warning("flood limit: user %s in chat %s", user and user.id, chat and chat.id)
        await _reply(update.effective_message, _loc(update)._(c.SLOW_DOWN))
    return verdict is Verdict.ANSWER


async def _ask(context: ContextTypes.DEFAULT_TYPE, question: str) -> SearchResult:
    answerer = deps(context).answerer
    # Ranking is a millisecond of CPU at most, cheaper on the event loop than a thread hop;
    # only a store read (a check of the store's revision, claims not cached yet) is threaded.
    index = answerer.fresh()
    if index is not None:
        try:
            return index.search(question, fetch=False)
        except UncachedError:
            pass
    return await asyncio.to_thread(answerer.ask, question)


async def _reply(message: Message, text: str, **kwargs: Any) -> None:
    await message.reply_text(fit_message(text), **kwargs)


def _ask_usage(loc: Locale) -> str:
    return loc._(c.ASK_USAGE).format(example=HTML.esc(loc._(c.EXAMPLE_QUESTIONS[0])))


def _is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    # Only the numeric id counts: usernames and group admin rights can be changed by others.
    user = update.effective_user
    return user is not None and user.id in deps(context).settings.admin_ids


async def _require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Message | None:
    """The message if an admin sent it; otherwise refuse politely and return None."""
    message = update.effective_message
    if message is None:
        return None
    if not _is_admin(update, context):
        await _reply(message, _loc(update)._(c.ADMINS_ONLY))
        return None
    return message


def _actor(update: Update) -> str:
    user = update.effective_user
    return str(user.id) if user else "unknown"


def _args_text(message: Message) -> str:
    """Everything after the command, with its line breaks."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def _history_line(record: AuditRecord) -> str:
    at = record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)
    changed = ", ".join(sorted(record.changes)) if record.action == "edit" else ""
    detail = f": {changed}" if changed else ""
    if record.action == "retract":
        reason = record.changes.get("retraction_reason", [None, ""])[1]
        detail = f": {reason}"
    when = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"• {when} · {record.actor} · {record.action}{detail}"


# --- everyone ---------------------------------------------------------------------------


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what the bot does, with example questions; deep links show claims."""
    message = update.effective_message
    if message is None:
        return
    loc = _loc(update)
    if context.args and message.chat.type == ChatType.PRIVATE:
        match = _DEEP_LINK_RE.match(context.args[0])
        if match:
            ids = [int(i) for i in match[1].split("_")[1:]]
            await show_linked_claims(message, context, ids, loc)
            return
    examples = "\n".join(f"• {HTML.esc(loc._(question))}" for question in c.EXAMPLE_QUESTIONS)
    text = loc._(c.HELP).format(examples=examples, bot=HTML.esc(context.bot.username))
    if _is_admin(update, context) and message.chat.type == ChatType.PRIVATE:
        text += "\n\n" + loc._(c.ADMIN_HELP)
    await _reply(message, text)


async def show_linked_claims(
    message: Message, context: ContextTypes.DEFAULT_TYPE, claim_ids: list[int], loc: Locale
) -> None:
    """Show the claims a group answer's "more sources" link carried."""
    engine = deps(context).engine
    found = [await asyncio.to_thread(get_claim, engine=engine, claim_id=i) for i in claim_ids]
    active = [claim for claim in found if claim is not None and claim.is_active]
    await _reply(message, render_claims(active, HTML, loc) if active else loc._(c.CLAIM_GONE))


async def answer_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text in a private chat as a question."""
    message = update.effective_message
    if message is None or not await _admitted(update, context):
        return
    loc = _loc(update)
    result = await _ask(context, message.text or "")
    keyboard = _suggestion_keyboard(result, loc, deps(context).callback_key)
    await _reply(message, render_answer(result, HTML, loc), reply_markup=keyboard)


async def answer_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a group message addressed to the bot, compactly, as a reply."""
    message = update.effective_message
    if message is None or not await _admitted(update, context):
        return
    loc = _loc(update)
    question = _question_from(message, context.bot.username)
    if not question:
        await _reply(message, _ask_usage(loc), do_quote=True)
        return
    result = await _ask(context, question)
    link = _more_link(context.bot.username, result)
    text = render_compact(result, HTML, loc, more_link=link)
    await _reply(
        message,
        text,
        do_quote=True,
        reply_markup=_suggestion_keyboard(result, loc, deps(context).callback_key),
    )


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION: full answer in private, compact reply in groups."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type == ChatType.PRIVATE:
        if not await _admitted(update, context):
            return
        loc = _loc(update)
        question = _question_from(message, context.bot.username)
        if not question:
            await _reply(message, _ask_usage(loc))
            return
        result = await _ask(context, question)
        keyboard = _suggestion_keyboard(result, loc, deps(context).callback_key)
        await _reply(message, render_answer(result, HTML, loc), reply_markup=keyboard)
        return
    await answer_group(update, context)


async def _comparison(
    update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str
) -> tuple[Message, Locale, Comparison] | None:
    """The topic's comparison; or the usage text / honest "no stored claim" already sent."""
    message = update.effective_message
    if message is None or not await _admitted(update, context):
        return None
    loc = _loc(update)
    topic = _question_from(message, context.bot.username)
    quote = message.chat.type != ChatType.PRIVATE
    if not topic:
        example = HTML.esc(loc._(c.COMPARE_EXAMPLE))
        await _reply(message, loc._(usage).format(example=example), do_quote=quote)
        return None
    index = await asyncio.to_thread(deps(context).answerer.index)
    result, comparison = await asyncio.to_thread(compare, index, topic)
    if comparison is None:
        keyboard = _suggestion_keyboard(result, loc, deps(context).callback_key)
        text = render_no_answer(result, HTML, loc)
        await _reply(message, text, do_quote=quote, reply_markup=keyboard)
        return None
    return message, loc, comparison


async def compare_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/compare TOPIC: every claim on the topic's best match, one a line, and the spread."""
    found = await _comparison(update, context, c.COMPARE_USAGE)
    if found is None:
        return
    message, loc, comparison = found
    if message.chat.type == ChatType.PRIVATE:
        await _reply(message, render_comparison(comparison, HTML, loc))
        return
    ids = [claim.id for claim in comparison.claims[c.GROUP_COMPARE_ROWS :]]
    link = _claims_link(context.bot.username, ids)
    text = render_comparison(comparison, HTML, loc, limit=c.GROUP_COMPARE_ROWS, more_link=link)
    await _reply(message, text, do_quote=True)


async def chart_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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


async def hint_text_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos and voice notes in private get a hint to ask in words."""
    if update.effective_message is not None:
        loc = _loc(update)
        text = loc._(c.TRY_EXAMPLE).format(example=HTML.esc(loc._(c.EXAMPLE_QUESTIONS[0])))
        await _reply(update.effective_message, text)


async def reject_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command in private gets pointed to /help."""
    if update.effective_message is not None:
        await _reply(update.effective_message, _loc(update)._(c.UNKNOWN_COMMAND))


async def answer_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline mode: one result per matching claim; the newest claims for an empty query."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    loc = _loc(update)
    index = await asyncio.to_thread(deps(context).answerer.index)
    result = index.search(text) if text else None
    claims = [m.claim for m in result.matches] if result else index.newest(c.INLINE_RESULTS)
    results = [
        InlineQueryResultArticle(
            id=f"claim-{claim.id}",
            title=fit_message(headline(claim, loc), 200),
            description=fit_message(source_line(claim, loc), 200),
            input_message_content=InputTextMessageContent(
                render_claim(claim, HTML, loc, newer=index.newer_than(claim))
            ),
        )
        for claim in claims[: c.INLINE_RESULTS]
    ]
    if result is not None and result.answered:
        results[:0] = _inline_comparison(index, text, loc)
        results = results[: c.INLINE_RESULTS]
    if result is not None and not result.answered:
        results = [
            InlineQueryResultArticle(
                id="no-claim",
                title=loc._(c.INLINE_NO_CLAIM_TITLE),
                description=loc._(c.INLINE_NO_CLAIM_DESCRIPTION).format(query=text[:60]),
                input_message_content=InputTextMessageContent(render_no_answer(result, HTML, loc)),
            )
        ]
    await query.answer(results, cache_time=c.INLINE_CACHE_SECONDS, is_personal=False)


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


async def show_suggestion(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed suggestion button answers with that claim; stale or forged data is refused."""
    query = update.callback_query
    if query is None:
        return
    loc = _loc(update)
    claim_id = verify_callback(deps(context).callback_key, query.data or "")
    if claim_id is None:  # stale, garbage or forged: no claim is shown for it
        await query.answer(loc._(c.BUTTON_EXPIRED))
        return
    engine = deps(context).engine
    claim = await asyncio.to_thread(get_claim, engine=engine, claim_id=claim_id)
    if claim is None or not claim.is_active:
        await query.answer(loc._(c.CLAIM_GONE))
        return
    await query.answer()
    if isinstance(query.message, Message):
        index = await asyncio.to_thread(deps(context).answerer.index)
        text = render_claim(claim, HTML, loc, newer=index.newer_than(claim))
        await _reply(query.message, text, do_quote=True)


# --- admins -----------------------------------------------------------------------------


async def add_claim_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addclaim FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]."""
    message = await _require_admin(update, context)
    if message is None:
        return
    loc = _loc(update)
    line = _args_text(message)
    if not line:
        await _reply(message, loc._(c.ADDCLAIM_USAGE))
        return
    try:
        claim = parse_addclaim(line)
        stored = await asyncio.to_thread(
            add_claim, engine=deps(context).engine, claim=claim, actor=_actor(update)
        )
    except StoreError as exc:
        text = f"{HTML.esc(str(exc))}\n{loc._(c.NOT_STORED)}\n\n{loc._(c.ADDCLAIM_USAGE)}"
        await _reply(message, text)
        return
    deps(context).answerer.invalidate()
    await _reply(
        message, f"{loc._(c.ADDED).format(id=stored.id)}\n\n{render_claim(stored, HTML, loc)}"
    )


async def edit_claim_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/editclaim N field=value."""
    message = await _require_admin(update, context)
    if message is None:
        return
    loc = _loc(update)
    usage = loc._(c.EDITCLAIM_USAGE).format(fields=", ".join(EDITABLE_FIELDS))
    try:
        claim_id, changes = parse_edit(_args_text(message))
        stored = await asyncio.to_thread(
            edit_claim,
            engine=deps(context).engine,
            claim_id=claim_id,
            changes=changes,
            actor=_actor(update),
        )
    except StoreError as exc:
        await _reply(message, f"{HTML.esc(str(exc))}\n{loc._(c.NOT_STORED)}\n\n{usage}")
        return
    deps(context).answerer.invalidate()
    await _reply(
        message, f"{loc._(c.EDITED).format(id=stored.id)}\n\n{render_claim(stored, HTML, loc)}"
    )


async def retract_claim_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/retract N REASON: a soft delete that stays in history."""
    message = await _require_admin(update, context)
    if message is None:
        return
    loc = _loc(update)
    match = re.match(r"^#?(\d{1,12})\s+(.+)$", _args_text(message), re.DOTALL)
    if match is None:
        await _reply(message, loc._(c.RETRACT_USAGE))
        return
    try:
        stored = await asyncio.to_thread(
            retract_claim,
            engine=deps(context).engine,
            claim_id=int(match[1]),
            reason=match[2],
            actor=_actor(update),
        )
    except StoreError as exc:
        await _reply(message, f"{HTML.esc(str(exc))}\n{loc._(c.NOT_STORED)}")
        return
    deps(context).answerer.invalidate()
    await _reply(message, loc._(c.RETRACTED).format(id=stored.id))


async def _claim_and_history(
    update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str
) -> tuple[Message, Locale, ClaimPublic, list[AuditRecord]] | None:
    """For /claim N and /history N: the claim and its audit records, or the reply why not."""
    message = await _require_admin(update, context)
    if message is None:
        return None
    loc = _loc(update)
    match = re.match(r"^#?(\d{1,12})$", _args_text(message))
    if match is None:
        await _reply(message, loc._(usage))
        return None
    engine = deps(context).engine
    claim = await asyncio.to_thread(get_claim, engine=engine, claim_id=int(match[1]))
    if claim is None:
        await _reply(message, loc._(c.NO_SUCH_CLAIM).format(id=int(match[1])))
        return None
    history = await asyncio.to_thread(claim_history, engine=engine, claim_id=claim.id)
    return message, loc, claim, history


async def show_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/claim N: the full record with its audit history."""
    found = await _claim_and_history(update, context, c.CLAIM_USAGE)
    if found is None:
        return
    message, loc, claim, history = found
    lines = [render_claim(claim, HTML, loc), "", f"<b>{HTML.esc(loc._(c.HISTORY_HEADER))}</b>"]
    lines.extend(HTML.esc(_history_line(record)) for record in history)
    lines.append(f"{HTML.esc(loc._(c.KEY_LABEL))}: <code>{HTML.esc(claim.key)}</code>")
    await _reply(message, "\n".join(lines))


async def show_history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/history N: who changed a claim, when, and how (every field, before and after)."""
    found = await _claim_and_history(update, context, c.HISTORY_USAGE)
    if found is None:
        return
    message, loc, claim, history = found
    lines = [f"<b>#{claim.id} {HTML.esc(headline(claim, loc))}</b>",
             f"<b>{HTML.esc(loc._(c.HISTORY_HEADER))}</b>"]  # fmt: skip
    for record in history:
        lines.append(HTML.esc(_history_line(record)))
        lines.extend(
            f"    {HTML.esc(f'{name}: {_short_value(before)} → {_short_value(after)}')}"
            for name, (before, after) in sorted(record.changes.items())
            if record.action != "add" and before != after
        )
    await _reply(message, "\n".join(lines))


def _short_value(value: object) -> str:
    text = "—" if value in (None, "", []) else str(value)
    return text if len(text) <= 120 else text[:119] + "…"


async def list_claims_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/claims [page]: every claim, retracted ones marked, a page at a time."""
    message = await _require_admin(update, context)
    if message is None:
        return
    loc = _loc(update)
    arg = _args_text(message)
    page = int(arg) if arg.isdigit() and 0 < int(arg) < 10**6 else 1
    engine = deps(context).engine
    total = await asyncio.to_thread(count_claims, engine=engine)
    pages = max(1, -(-total // c.CLAIMS_PAGE_SIZE))
    claims = await asyncio.to_thread(
        list_claims,
        engine=engine,
        include_retracted=True,
        offset=(page - 1) * c.CLAIMS_PAGE_SIZE,
        limit=c.CLAIMS_PAGE_SIZE,
    )
    if not claims:
        await _reply(message, loc._(c.NO_CLAIMS))
        return
    first = (page - 1) * c.CLAIMS_PAGE_SIZE + 1
    lines = [
        loc._(c.CLAIMS_PAGE).format(
            first=first, last=first + len(claims) - 1, total=total, page=page, pages=pages
        )
    ]
    for claim in claims:
        mark = f" [{loc._(c.RETRACTED_LABEL)}]" if not claim.is_active else ""
        lines.append(
            f"#{claim.id}{mark} {HTML.esc(headline(claim))} — {HTML.esc(source_line(claim))}"
        )
    await _reply(message, "\n".join(lines))


async def export_claims_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: the whole store as a JSON document, in the import format."""
    message = await _require_admin(update, context)
    if message is None:
        return
    loc = _loc(update)
    document = await asyncio.to_thread(export_claims, engine=deps(context).engine)
    data = json.dumps(document, ensure_ascii=False, indent=2).encode()
    name = f"claims-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    caption = loc._(c.EXPORT_CAPTION).format(count=len(document["claims"]))
    await message.reply_document(data, filename=name, caption=caption)


async def import_claims_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/import as a reply to a JSON document: all claims or none, with every error listed."""
    message = await _require_admin(update, context)
    if message is None:
        return
    loc = _loc(update)
    document = message.reply_to_message.document if message.reply_to_message else None
    if document is None:
        await _reply(message, loc._(c.IMPORT_USAGE))
        return
    if document.file_size is not None and document.file_size > c.MAX_IMPORT_BYTES:
        await _reply(message, loc._(c.IMPORT_TOO_BIG).format(limit=c.MAX_IMPORT_BYTES // 2**20))
        return
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        await _reply(message, loc._(c.IMPORT_BAD_JSON).format(error=HTML.esc(str(exc))))
        return
    try:
        report = await asyncio.to_thread(
            import_claims, engine=deps(context).engine, document=parsed, actor=_actor(update)
        )
    except SQLAlchemyError:
        # One transaction: a failed write (full disk, lost server) leaves nothing behind.
        log.exception("import failed in the database")
        await _reply(message, loc._(c.IMPORT_DB_FAILED))
        return
    except StoreError as exc:
        errors = getattr(exc, "errors", None) or [exc]
        lines = [loc._(c.IMPORT_FAILED).format(count=len(errors))]
        lines.extend(f"• {HTML.esc(str(error))}" for error in errors[:30])
        if len(errors) > 30:
            lines.append(loc._(c.IMPORT_MORE_ERRORS).format(count=len(errors) - 30))
        await _reply(message, "\n".join(lines))
        return
    deps(context).answerer.invalidate()
    await _reply(
        message,
        loc._(c.IMPORT_DONE).format(
            added=len(report.added), updated=len(report.updated), unchanged=len(report.unchanged)
        ),
    )


# --- failures ---------------------------------------------------------------------------


async def report_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update with its context; tell the user briefly, never with a traceback."""
    summary = update.to_dict() if isinstance(update, Update) else repr(update)
    log.error("update failed: %s", summary, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        apology = _loc(update)._(c.APOLOGY)
        if update.callback_query is not None:
            await update.callback_query.answer(apology)
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(apology)
    except TelegramError as exc:  # Telegram itself may be what failed
        log.warning("could not send the apology: %s", exc)
