"""Handlers of the review queue: /draft, /drafts, /editdraft, /suggest and the draft buttons.

Telegram I/O only: reading what was sent, and showing drafts with their buttons. Drafting,
the queue and approval live in ``bot.drafting`` and the store; no state is kept in memory, so
any replica can act on any draft.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import PurePath
from typing import TYPE_CHECKING, Final

from telegram import Document, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import constants as c
from bot.context import (
    BotContext,
    actor_of,
    admin_only,
    args_text,
    is_admin,
    message_of,
    reader_locale,
    reply,
)
from bot.drafting import Drafted, as_stored, fetch_article, read_sent
from bot.fetch import FetchError
from bot.i18n import EN, Locale
from bot.parsing import parse_edit
from bot.render import HTML, headline, render_draft
from bot.security import Verdict, sign_button, verify_button
from store import EDITABLE_FIELDS, ClaimPublic, DraftPublic, StoreError

if TYPE_CHECKING:
    from bot.extract import Article

log = logging.getLogger(__name__)

_LINK_RE: Final = re.compile(r"^\S+://\S+$")
_DOCUMENT_TYPES: Final = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
DRAFT_BUTTONS: Final = {"approve": c.BUTTON_APPROVE, "edit": c.BUTTON_EDIT, "skip": c.BUTTON_SKIP}
ACTIONS: Final = frozenset({*DRAFT_BUTTONS, "review"})
# The callback data of the draft buttons, for the handler's pattern in the composition root.
ACTION_PATTERN: Final = rf"^({'|'.join(sorted(ACTIONS))}):"
DRAFTS_LISTED: Final = 20


def _keyboard(draft: DraftPublic, key: bytes, loc: Locale) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(loc._(label), callback_data=sign_button(key, kind, draft.id))
        for kind, label in DRAFT_BUTTONS.items()
    ]
    return InlineKeyboardMarkup([row])


def _review_button(draft: DraftPublic, key: bytes, loc: Locale) -> InlineKeyboardMarkup:
    data = sign_button(key, "review", draft.id)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(loc._(c.BUTTON_REVIEW), callback_data=data)]]
    )


async def _show(message: Message, draft: DraftPublic, context: BotContext, loc: Locale) -> None:
    """One draft as it would be stored, with Approve, Edit and Skip."""
    deps = context.deps
    required = deps.settings.approvals_required
    text = render_draft(draft, as_stored(draft), HTML, loc, required=required)
    await reply(message, text, reply_markup=_keyboard(draft, deps.callback_key, loc))


async def _show_next(
    message: Message, draft: DraftPublic, context: BotContext, loc: Locale
) -> None:
    following = await asyncio.to_thread(context.deps.drafts.next_in_batch, draft)
    if following is None:
        await reply(message, loc._(c.DRAFT_BATCH_DONE))
    else:
        await _show(message, following, context, loc)


# --- reading what was sent ----------------------------------------------------------------


async def _article_sent(message: Message, context: BotContext, loc: Locale) -> Article | None:
    """The article a /draft or /suggest carries: text, a link, or the message or .txt/.html
    file it replies to. None when there is none (the reply saying why is sent)."""
    text, source = args_text(message), message.reply_to_message
    try:
        if text and _LINK_RE.match(text):
            return await fetch_article(text, context.deps.settings)
        if text:
            return read_sent(text)
        if source is not None and source.document is not None:
            return await _document_article(message, source.document, context, loc)
        if source is not None and (source.text or source.caption):
            return read_sent(source.text or source.caption or "")
    except FetchError as exc:
        await reply(message, loc._(c.DRAFT_FETCH_FAILED).format(reason=HTML.esc(str(exc))))
        return None
    await reply(message, loc._(c.DRAFT_USAGE))
    return None


async def _document_article(
    message: Message, document: Document, context: BotContext, loc: Locale
) -> Article | None:
    kind = _DOCUMENT_TYPES.get(PurePath(document.file_name or "").suffix.lower())
    limit = context.deps.settings.fetch_max_bytes
    if kind is None:
        await reply(message, loc._(c.DRAFT_FILE_TYPE))
        return None
    if document.file_size is not None and document.file_size > limit:
        await reply(message, loc._(c.DRAFT_FILE_TOO_BIG).format(limit=limit // 1_000))
        return None
    file = await document.get_file()
    return read_sent(bytes(await file.download_as_bytearray()), content_type=kind)


def _title(drafted: Drafted, loc: Locale) -> str:
    return drafted.article.title or loc._(c.PASTED_TEXT)


# --- admins ---------------------------------------------------------------------------------


@admin_only
async def draft_article(update: Update, context: BotContext) -> None:
    """/draft TEXT | URL, or as a reply: the article's claims, queued for review."""
    message, loc = message_of(update), reader_locale(update)
    article = await _article_sent(message, context, loc)
    if article is None:
        return
    drafted = await asyncio.to_thread(context.deps.drafts.queue, article, actor=actor_of(update))
    if not drafted.drafts:
        await reply(message, loc._(c.DRAFT_NONE))
        return
    count, title = len(drafted.drafts), HTML.esc(_title(drafted, loc))
    await reply(message, loc._(c.DRAFT_QUEUED).format(count=count, title=title))
    await _show(message, drafted.drafts[0], context, loc)


@admin_only
async def list_drafts_command(update: Update, context: BotContext) -> None:
    """/drafts: what is waiting for review, oldest first."""
    message, loc = message_of(update), reader_locale(update)
    drafts = context.deps.drafts
    waiting = await asyncio.to_thread(drafts.pending, limit=DRAFTS_LISTED)
    if not waiting:
        await reply(message, loc._(c.DRAFTS_EMPTY))
        return
    total = await asyncio.to_thread(drafts.count_pending)
    lines = [loc._(c.DRAFTS_HEADER).format(count=total)]
    lines.extend(_draft_line(draft, loc) for draft in waiting)
    markup = _review_button(waiting[0], context.deps.callback_key, loc)
    await reply(message, "\n".join(lines), reply_markup=markup)


def _draft_line(draft: DraftPublic, loc: Locale) -> str:
    stored = as_stored(draft)
    what = headline(stored, loc) if isinstance(stored, ClaimPublic) else str(draft.claim)[:80]
    source = f" · “{draft.source_title}”" if draft.source_title else ""
    return HTML.esc(f"#{draft.id} {what} — {draft.claim.get('claimant', '?')}{source}")


@admin_only
async def edit_draft_command(update: Update, context: BotContext) -> None:
    """/editdraft N field=value: correct a draft before approving it."""
    message, loc = message_of(update), reader_locale(update)
    usage = loc._(c.EDITDRAFT_USAGE).format(fields=", ".join(EDITABLE_FIELDS))
    try:
        draft_id, changes = parse_edit(args_text(message))
        draft = await asyncio.to_thread(
            context.deps.drafts.edit, draft_id, changes, actor=actor_of(update)
        )
    except StoreError as exc:
        await reply(message, f"{HTML.esc(str(exc))}\n{loc._(c.NOT_STORED)}\n\n{usage}")
        return
    await _show(message, draft, context, loc)


async def act_on_draft(update: Update, context: BotContext) -> None:
    """Approve, Edit, Skip or Review buttons: admins only, and only with signed data."""
    query = update.callback_query
    if query is None:
        return
    loc = reader_locale(update)
    found = verify_button(context.deps.callback_key, query.data or "")
    if found is None or found[0] not in ACTIONS:
        await query.answer(loc._(c.BUTTON_EXPIRED))
        return
    if not is_admin(update, context):
        await query.answer(loc._(c.ADMINS_ONLY))
        return
    message = query.message if isinstance(query.message, Message) else None
    try:
        note = await _act(found[0], found[1], update, context, loc)
    except StoreError as exc:
        await query.answer(str(exc)[:190])
        return
    await query.answer()
    if message is not None and note is not None:
        text, done, draft = note
        if done:
            await _drop_buttons(message)
        if text:
            await reply(message, text)
        if done or draft.status != "pending":
            await _show_next(message, draft, context, loc)
        elif not text:
            await _show(message, draft, context, loc)


async def _drop_buttons(message: Message) -> None:
    """A settled draft loses its buttons; a message too old to edit keeps them, harmlessly
    (pressing them again says the draft is no longer pending)."""
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramError as exc:
        log.info("could not remove the buttons of message %s: %s", message.message_id, exc)


async def _act(
    kind: str, draft_id: int, update: Update, context: BotContext, loc: Locale
) -> tuple[str, bool, DraftPublic] | None:
    """Do what the button says: the reply to send, whether the draft is settled, and it."""
    drafts, actor = context.deps.drafts, actor_of(update)
    if kind == "approve":
        approval = await asyncio.to_thread(drafts.approve, draft_id, actor=actor)
        if approval.claim is not None:
            return loc._(c.DRAFT_STORED).format(id=approval.claim.id), True, approval.draft
        return loc._(c.DRAFT_WAITING).format(needed=approval.needed), False, approval.draft
    if kind == "skip":
        skipped = await asyncio.to_thread(drafts.skip, draft_id, actor=actor)
        return loc._(c.DRAFT_SKIPPED).format(id=draft_id), True, skipped
    draft = await asyncio.to_thread(drafts.get, draft_id)
    if kind == "edit":
        fields = ", ".join(EDITABLE_FIELDS)
        return loc._(c.DRAFT_EDIT_HOW).format(id=draft_id, fields=fields), False, draft
    return "", False, draft  # review: show it, or the next one waiting


# --- everyone ---------------------------------------------------------------------------------


async def suggest_article(update: Update, context: BotContext) -> None:
    """/suggest TEXT | URL: anyone's tip becomes drafts for the admins, never a claim."""
    message, loc = message_of(update), reader_locale(update)
    text = args_text(message) or (
        message.reply_to_message.text or "" if message.reply_to_message else ""
    )
    if not text:
        await reply(message, loc._(c.SUGGEST_USAGE))
        return
    if len(text) > c.MAX_SUGGESTION_CHARS:
        await reply(message, loc._(c.SUGGEST_TOO_LONG).format(limit=c.MAX_SUGGESTION_CHARS))
        return
    user = update.effective_user
    verdict = await context.deps.suggestions.check(user_id=user.id if user else None, chat_id=None)
    if verdict is not Verdict.ANSWER:
        if verdict is Verdict.WARN:
            await reply(message, loc._(c.SUGGEST_SLOW))
        return
    article = await _article_sent(message, context, loc)
    if article is None:
        return
    actor = actor_of(update)
    queue = context.deps.drafts.queue
    drafted = await asyncio.to_thread(queue, article, actor=actor, suggested_by=actor)
    if not drafted.drafts:
        await reply(message, loc._(c.SUGGEST_NONE))
        return
    await reply(message, loc._(c.SUGGEST_THANKS).format(count=len(drafted.drafts)))
    await _tell_admins(update, context, drafted)


async def _tell_admins(update: Update, context: BotContext, drafted: Drafted) -> None:
    """One message per admin per suggestion, with the count and a button to review it."""
    user = update.effective_user
    who = f"{user.full_name} ({user.id})" if user else "?"
    text = EN._(c.SUGGESTION_FOR_ADMINS).format(
        user=HTML.esc(who), count=len(drafted.drafts), title=HTML.esc(_title(drafted, EN))
    )
    markup = _review_button(drafted.drafts[0], context.deps.callback_key, EN)
    for admin_id in sorted(context.deps.settings.admin_ids):
        try:
            await context.bot.send_message(admin_id, text, reply_markup=markup)
        except TelegramError as exc:  # an admin who never opened a chat with the bot
            log.warning("could not tell admin %s about a suggestion: %s", admin_id, exc)
