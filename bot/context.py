"""What every handler gets: a typed context with the bot's dependencies, and two guards.

``BotContext`` is registered with ``ContextTypes(context=BotContext)``, so ``context.deps``
is typed in every handler. The guards are decorators, so a handler's body is only its own
work: ``@admin_only`` refuses everyone but the admins, ``@flood_limited`` keeps one user or
chat from crowding out the others.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from sqlalchemy.engine import Engine
from telegram import Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackContext, ExtBot

from bot import constants as c
from bot.background import Background
from bot.config import Settings
from bot.drafting import DraftsService
from bot.i18n import Locale, get_locale
from bot.limits import FloodGuard
from bot.render import fit_message
from bot.search import ClaimIndex, SearchResult, UncachedError
from bot.security import Verdict
from bot.service import Answerer, ClaimsService

log = logging.getLogger(__name__)

DEPS_KEY: Final = "deps"  # where the composition root puts ``Deps`` in ``bot_data``


@dataclass(frozen=True)
class Deps:
    """What handlers need, stored once in ``bot_data`` by the composition root."""

    settings: Settings
    engine: Engine
    answerer: Answerer
    claims: ClaimsService
    flood: FloodGuard
    callback_key: bytes  # signs buttons, so forged callback data is refused
    drafts: DraftsService  # the review queue
    suggestions: FloodGuard  # /suggest, per user: far fewer than questions
    background: Background  # delivery and the change listener, beside the handlers


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's callback context, with the bot's dependencies as a typed property."""

    @property
    def deps(self) -> Deps:
        found = self.bot_data[DEPS_KEY]
        if not isinstance(found, Deps):
            raise TypeError(f"bot_data[{DEPS_KEY!r}] holds {type(found).__name__}, not Deps")
        return found


Handler: TypeAlias = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def reader_locale(update: Update) -> Locale:
    """The reader's language, from their Telegram settings; English when we lack theirs."""
    user = update.effective_user
    return get_locale(user.language_code if user else None)


def message_of(update: Update) -> Message:
    """The update's message, for handlers that only ever get updates with one."""
    message = update.effective_message
    if message is None:
        raise TypeError(f"update {update.update_id} has no message")
    return message


def actor_of(update: Update) -> str:
    """Who made a change, for its audit record: the Telegram user id."""
    user = update.effective_user
    return str(user.id) if user else "unknown"


def args_text(message: Message) -> str:
    """Everything after the command, with its line breaks."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def reply(message: Message, text: str, **kwargs: Any) -> None:
    await message.reply_text(fit_message(text), **kwargs)


def is_admin(update: Update, context: BotContext) -> bool:
    # Only the numeric id counts: usernames and group admin rights can be changed by others.
    user = update.effective_user
    return user is not None and user.id in context.deps.settings.admin_ids


def admin_only(handler: Handler) -> Handler:
    """Run the handler for an admin's message; tell anyone else politely that it is not theirs."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        message = update.effective_message
        if message is None:
            return
        if not is_admin(update, context):
            await reply(message, reader_locale(update)._(c.ADMINS_ONLY))
            return
        await handler(update, context)

    return guarded


def flood_limited(handler: Handler) -> Handler:
    """Run the handler within the flood limits; past them, warn once, then stay quiet."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        message = update.effective_message
        if message is not None and await _admitted(update, message, context):
            await handler(update, context)

    return guarded


async def _admitted(update: Update, message: Message, context: BotContext) -> bool:
    user, chat = update.effective_user, update.effective_chat
    verdict = await context.deps.flood.check(
        user_id=user.id if user else None, chat_id=chat.id if chat else None
    )
    if verdict is Verdict.WARN:
        log.warning("flood limit: user %s in chat %s", user and user.id, chat and chat.id)
        await reply(message, reader_locale(update)._(c.SLOW_DOWN))
    return verdict is Verdict.ANSWER


def question_from(message: Message, bot_username: str) -> str:
    """The message text without the command or the bot's @mention."""
    text = message.text or ""
    entities = message.parse_entities([MessageEntity.BOT_COMMAND])
    for entity in entities:
        if entity.offset == 0:
            text = text[entity.offset + entity.length :]
    return re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE).strip()


async def is_chat_admin(update: Update, context: BotContext) -> bool:
    """Whether the sender may manage this chat: anyone in private; in a group, its Telegram
    admins (asked of Telegram, so a demoted admin loses the right at once)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin posts as the group
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def chat_admins_only(handler: Handler) -> Handler:
    """Run the handler in private, or for a group's admins; tell anyone else why not."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        loc = reader_locale(update)
        try:
            allowed = await is_chat_admin(update, context)
        except TelegramError as exc:  # Telegram could not say: refuse, and say so
            log.warning("could not check chat admin rights: %s", exc)
            await _tell(update, loc._(c.FOLLOW_CHECK_FAILED))
            return
        if not allowed:
            await _tell(update, loc._(c.FOLLOW_ADMINS_ONLY))
            return
        await handler(update, context)

    return guarded


async def _tell(update: Update, text: str) -> None:
    """A short refusal: as a button's alert, or as a reply to the command."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await reply(update.effective_message, text, do_quote=True)


async def current_index(context: BotContext) -> ClaimIndex:
    """The index; a worker thread only when a check of the store's revision is due."""
    answerer = context.deps.answerer
    index = answerer.fresh()
    return index if index is not None else await asyncio.to_thread(answerer.index)


async def search_index(index: ClaimIndex, question: str) -> SearchResult:
    """Rank on the event loop; fetch claims not cached yet (a store read) in a worker thread."""
    try:
        return index.search(question, fetch=False)
    except UncachedError:
        return await asyncio.to_thread(index.search, question)


async def ask(context: BotContext, question: str) -> SearchResult:
    # Ranking is a millisecond of CPU at most, cheaper on the event loop than a thread hop
    # (which also makes the other updates wait for the GIL); only store reads are threaded.
    return await search_index(await current_index(context), question)
