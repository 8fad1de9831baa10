"""Keyword-only store functions for subscriptions: follow, list, end, pause, move.

A chat holds at most ``limit`` live subscriptions (active or paused); following a topic it
already follows gives back the one it has. A chat that blocks the bot has its subscriptions
paused, and a group that becomes a supergroup takes its subscriptions along.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pydantic import BaseModel
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from store.claims import StoreError
from store.models import MAX_TOPIC, Delivery, Subscription, utcnow

LIVE: Final = ("active", "paused")  # what counts against a chat's limit and is listed
UNSENT: Final = ("pending", "sending")  # deliveries not yet done
_SPACES: Final = re.compile(r"\s+")


class SubscriptionPublic(BaseModel):
    id: int
    chat_id: int
    topic: str
    language: str
    status: str
    paused_reason: str | None
    created_by: str
    created_at: datetime


class FollowLimitError(StoreError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"This chat already follows {limit} topics, the most it may.")
        self.limit = limit


class SubscriptionNotFoundError(StoreError):
    def __init__(self, subscription_id: int) -> None:
        super().__init__(f"This chat follows nothing as #{subscription_id}.")
        self.subscription_id = subscription_id


def clean_topic(topic: str) -> str:
    """The topic as stored: one line, single spaces, cut to the column's length."""
    return _SPACES.sub(" ", topic).strip()[:MAX_TOPIC]


def _public(row: Subscription) -> SubscriptionPublic:
    return SubscriptionPublic.model_validate(row, from_attributes=True)


def _lock_chat(session: Session, chat_id: int) -> None:
    """One follow at a time per chat, so two at once cannot pass the limit together."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": chat_id})
    else:  # SQLite has one writer: take the write lock now
        session.execute(update(Subscription).where(col(Subscription.id) == -1).values(status=""))


def follow_topic(
    *, engine: Engine, chat_id: int, topic: str, language: str, actor: str, limit: int
) -> tuple[SubscriptionPublic, bool]:
    """The chat's subscription to ``topic``, and whether it is new.

    Following again what the chat follows (by the same words, case aside) returns that one,
    active again if it was paused. Raise ``FollowLimitError`` past ``limit``.
    """
    topic = clean_topic(topic)
    if not topic:
        raise StoreError("A topic to follow is needed.")
    with Session(engine) as session:
        _lock_chat(session, chat_id)
        live = session.exec(
            select(Subscription).where(
                Subscription.chat_id == chat_id, col(Subscription.status).in_(LIVE)
            )
        ).all()
        same = next((row for row in live if row.topic.casefold() == topic.casefold()), None)
        if same is not None:
            if same.status != "active":
                same.status, same.paused_reason, same.updated_at = "active", None, utcnow()
                session.add(same)
                session.commit()
                session.refresh(same)
            return _public(same), False
        if len(live) >= limit:
            raise FollowLimitError(limit)
        row = Subscription(chat_id=chat_id, topic=topic, language=language, created_by=actor)
        session.add(row)
        session.commit()
        session.refresh(row)
        return _public(row), True


def list_subscriptions(*, engine: Engine, chat_id: int) -> list[SubscriptionPublic]:
    """The chat's live subscriptions, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(Subscription)
            .where(Subscription.chat_id == chat_id, col(Subscription.status).in_(LIVE))
            .order_by(col(Subscription.id))
        ).all()
        return [_public(row) for row in rows]


def get_subscription(*, engine: Engine, subscription_id: int) -> SubscriptionPublic | None:
    with Session(engine) as session:
        row = session.get(Subscription, subscription_id)
        return _public(row) if row else None


def end_subscription(*, engine: Engine, chat_id: int, subscription_id: int) -> SubscriptionPublic:
    """End one of the chat's subscriptions; what it had not been sent yet is dropped."""
    with Session(engine) as session:
        row = session.get(Subscription, subscription_id)
        if row is None or row.chat_id != chat_id or row.status not in LIVE:
            raise SubscriptionNotFoundError(subscription_id)
        row.status, row.updated_at = "ended", utcnow()
        session.add(row)
        _skip_unsent(session, [subscription_id], "unfollowed")
        session.commit()
        session.refresh(row)
        return _public(row)


def get_subscriptions(*, engine: Engine, ids: Sequence[int]) -> dict[int, SubscriptionPublic]:
    """Subscriptions by id, whatever their status."""
    if not ids:
        return {}
    with Session(engine) as session:
        rows = session.exec(select(Subscription).where(col(Subscription.id).in_(ids))).all()
        return {row.id: _public(row) for row in rows if row.id is not None}


def active_subscriptions(*, engine: Engine) -> list[SubscriptionPublic]:
    """Every active subscription, for matching a change against their topics."""
    with Session(engine) as session:
        rows = session.exec(
            select(Subscription)
            .where(Subscription.status == "active")
            .order_by(col(Subscription.id))
        ).all()
        return [_public(row) for row in rows]


def count_subscriptions(*, engine: Engine, status: str = "active") -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Subscription)
        return int(session.exec(query.where(Subscription.status == status)).one())


def _skip_unsent(session: Session, subscription_ids: Sequence[int], reason: str) -> None:
    session.execute(
        update(Delivery)
        .where(
            col(Delivery.subscription_id).in_(subscription_ids),
            col(Delivery.status).in_(UNSENT),
        )
        .values(status="skipped", last_error=reason, leased_by=None)
    )


def pause_chat(*, engine: Engine, chat_id: int, reason: str) -> int:
    """Pause every active subscription of a chat that cannot be written to (it blocked the
    bot, or removed it); its unsent messages are dropped. Returns how many were paused."""
    with Session(engine) as session:
        rows = session.exec(
            select(Subscription).where(
                Subscription.chat_id == chat_id, Subscription.status == "active"
            )
        ).all()
        for row in rows:
            row.status, row.paused_reason, row.updated_at = "paused", reason[:500], utcnow()
            session.add(row)
        _skip_unsent(session, [row.id for row in rows if row.id is not None], reason[:500])
        session.commit()
        return len(rows)


def move_chat(*, engine: Engine, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup with a new id: its subscriptions and their unsent
    messages follow it there."""
    with Session(engine) as session:
        session.execute(
            update(Subscription)
            .where(col(Subscription.chat_id) == old_chat_id)
            .values(chat_id=new_chat_id, updated_at=utcnow())
        )
        session.execute(
            update(Delivery)
            .where(col(Delivery.chat_id) == old_chat_id, col(Delivery.status).in_(UNSENT))
            .values(chat_id=new_chat_id)
        )
        session.commit()
