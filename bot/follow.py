"""Telegram handlers for following questions: /follow, /following, /unfollow and the
"Follow this" button under answers. Telegram I/O only: the store keeps subscriptions, and
``bot.delivery`` sends what they are owed."""

from __future__ import annotations

import asyncio
import re
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from bot import constants as c
from bot.context import (
    BotContext,
    actor_of,
    args_text,
    ask,
    chat_admins_only,
    message_of,
    question_from,
    reader_locale,
    reply,
)
from bot.i18n import Locale
from bot.render import HTML, fit_message
from bot.render_follow import render_followed, render_following
from bot.search import Reason, SearchResult
from bot.security import sign_button, verify_button
from store import StoreError
from store.models import MAX_TOPIC
from store.subscriptions import (
    FollowLimitError,
    SubscriptionNotFoundError,
    SubscriptionPublic,
    end_subscription,
    follow_topic,
    list_subscriptions,
)

FOLLOW_KIND: Final = "follow"  # a "Follow this" button: N is the question's message id
ACTION_PATTERN: Final = rf"^{FOLLOW_KIND}:"
_NUMBER_RE: Final = re.compile(r"^#?(\d{1,12})$")
# Nothing to follow in these: an empty message, or one that asks no casualty question.
_NOT_A_QUESTION: Final = frozenset({Reason.EMPTY, Reason.CHIT_CHAT})


def follow_keyboard(
    result: SearchResult, question: Message, loc: Locale, key: bytes
) -> list[list[InlineKeyboardButton]]:
    """The "Follow this" row under an answer to ``question``, if it asks something."""
    if result.reason in _NOT_A_QUESTION:
        return []
    data = sign_button(key, FOLLOW_KIND, question.message_id)
    return [[InlineKeyboardButton(loc._(c.BUTTON_FOLLOW), callback_data=data)]]


def with_follow(
    markup: InlineKeyboardMarkup | None, rows: list[list[InlineKeyboardButton]]
) -> InlineKeyboardMarkup | None:
    """An answer's keyboard with the follow row added below its other buttons."""
    if not rows:
        return markup
    existing = [list(row) for row in markup.inline_keyboard] if markup else []
    return InlineKeyboardMarkup([*existing, *rows])


async def _follow(
    context: BotContext, chat_id: int, topic: str, loc: Locale, actor: str
) -> tuple[SubscriptionPublic, bool]:
    deps = context.deps
    return await asyncio.to_thread(
        follow_topic,
        engine=deps.engine,
        chat_id=chat_id,
        topic=topic,
        language=loc.lang,
        actor=actor,
        limit=deps.settings.follows_per_chat,
    )


async def _followed_text(
    context: BotContext, subscription: SubscriptionPublic, loc: Locale, *, new: bool
) -> str:
    result = await ask(context, subscription.topic)
    return render_followed(subscription, result, HTML, loc, new=new)


@chat_admins_only
async def follow_question(update: Update, context: BotContext) -> None:
    """/follow QUESTION: a message to this chat whenever a claim answering it changes."""
    message, loc = message_of(update), reader_locale(update)
    topic = question_from(message, context.bot.username)
    quote = message.chat.type != ChatType.PRIVATE
    if not topic:
        example = HTML.esc(loc._(c.EXAMPLE_QUESTIONS[0]))
        await reply(message, loc._(c.FOLLOW_USAGE).format(example=example), do_quote=quote)
        return
    if len(" ".join(topic.split())) > MAX_TOPIC:
        await reply(message, loc._(c.FOLLOW_TOO_LONG).format(limit=MAX_TOPIC), do_quote=quote)
        return
    try:
        subscription, new = await _follow(context, message.chat.id, topic, loc, actor_of(update))
    except FollowLimitError as exc:
        await reply(message, loc._(c.FOLLOW_LIMIT).format(limit=exc.limit), do_quote=quote)
        return
    text = await _followed_text(context, subscription, loc, new=new)
    await reply(message, text, do_quote=quote)


async def list_follows(update: Update, context: BotContext) -> None:
    """/following: what this chat follows, with the numbers /unfollow takes."""
    message, loc = message_of(update), reader_locale(update)
    found = await asyncio.to_thread(
        list_subscriptions, engine=context.deps.engine, chat_id=message.chat.id
    )
    await reply(
        message,
        render_following(found, HTML, loc),
        do_quote=message.chat.type != ChatType.PRIVATE,
    )


@chat_admins_only
async def unfollow_question(update: Update, context: BotContext) -> None:
    """/unfollow N: end one of this chat's subscriptions."""
    message, loc = message_of(update), reader_locale(update)
    quote = message.chat.type != ChatType.PRIVATE
    match = _NUMBER_RE.match(args_text(message))
    if match is None:
        await reply(message, loc._(c.UNFOLLOW_USAGE), do_quote=quote)
        return
    number = int(match[1])
    try:
        ended = await asyncio.to_thread(
            end_subscription,
            engine=context.deps.engine,
            chat_id=message.chat.id,
            subscription_id=number,
        )
    except SubscriptionNotFoundError:
        await reply(message, loc._(c.UNFOLLOW_UNKNOWN).format(id=number), do_quote=quote)
        return
    text = loc._(c.UNFOLLOWED).format(id=ended.id, topic=HTML.esc(ended.topic))
    await reply(message, text, do_quote=quote)


@chat_admins_only
async def follow_from_button(update: Update, context: BotContext) -> None:
    """The "Follow this" button: follow the question the answer replied to."""
    query = update.callback_query
    if query is None:
        return
    loc = reader_locale(update)
    found = verify_button(context.deps.callback_key, query.data or "")
    answer = query.message if isinstance(query.message, Message) else None
    question = answer.reply_to_message if answer else None
    if found is None or answer is None:
        await query.answer(loc._(c.BUTTON_EXPIRED))
        return
    topic = question_from(question, context.bot.username) if question else ""
    if question is None or question.message_id != found[1] or not topic:
        await query.answer(_alert(loc._(c.FOLLOW_QUESTION_GONE)), show_alert=True)
        return
    try:
        subscription, _new = await _follow(
            context, answer.chat.id, topic[:MAX_TOPIC], loc, actor_of(update)
        )
    except StoreError as exc:  # the chat's limit, or an empty topic
        limit = exc.limit if isinstance(exc, FollowLimitError) else 0
        await query.answer(_alert(loc._(c.FOLLOW_LIMIT).format(limit=limit)), show_alert=True)
        return
    done = loc._(c.FOLLOW_BUTTON_DONE).format(id=subscription.id)
    await query.answer(_alert(done), show_alert=True)


def _alert(text: str) -> str:
    # A button's alert holds at most 200 characters.
    return fit_message(text, c.MAX_ALERT_CHARS)
