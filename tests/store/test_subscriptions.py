"""Subscriptions in the store: one per question per chat, at most the limit, paused when a
chat blocks the bot, moved when a group becomes a supergroup (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.engine import Engine

from store import create_db_engine
from store.subscriptions import (
    FollowLimitError,
    SubscriptionNotFoundError,
    end_subscription,
    follow_topic,
    list_subscriptions,
    move_chat,
    pause_chat,
)


def follow(engine: Engine, topic: str, chat_id: int = 5, limit: int = 50) -> tuple[int, bool]:
    found, new = follow_topic(
        engine=engine, chat_id=chat_id, topic=topic, language="uk", actor="9", limit=limit
    )
    return found.id, new


def test_the_same_question_in_other_spacing_or_case_is_one_subscription(engine: Engine) -> None:
    first, new = follow(engine, "Russian  losses\nin Bakhmut")
    again, again_new = follow(engine, "russian losses in BAKHMUT")
    assert (new, again_new, again) == (True, False, first)
    (only,) = list_subscriptions(engine=engine, chat_id=5)
    assert (only.topic, only.language) == ("Russian losses in Bakhmut", "uk")


def test_a_chat_past_its_limit_is_refused_and_others_are_not(engine: Engine) -> None:
    for n in range(3):
        follow(engine, f"topic {n}", limit=3)
    with pytest.raises(FollowLimitError):
        follow(engine, "one more", limit=3)
    assert follow(engine, "one more", chat_id=6, limit=3)[1]


def test_follows_at_once_never_pass_the_limit_together(database_url: str) -> None:
    engines = [create_db_engine(database_url) for _ in range(4)]
    refused: list[int] = []

    def try_follow(n: int) -> None:
        try:
            follow(engines[n], f"topic {n}", limit=2)
        except FollowLimitError:
            refused.append(n)

    threads = [threading.Thread(target=try_follow, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(list_subscriptions(engine=engines[0], chat_id=5)) == 2
    assert len(refused) == 2
    for engine in engines:
        engine.dispose()


def test_ending_a_subscription_of_another_chat_is_refused(engine: Engine) -> None:
    subscription, _new = follow(engine, "topic")
    with pytest.raises(SubscriptionNotFoundError):
        end_subscription(engine=engine, chat_id=6, subscription_id=subscription)
    end_subscription(engine=engine, chat_id=5, subscription_id=subscription)
    assert list_subscriptions(engine=engine, chat_id=5) == []


def test_a_paused_chat_is_listed_as_paused_and_following_again_resumes(engine: Engine) -> None:
    follow(engine, "topic")
    assert pause_chat(engine=engine, chat_id=5, reason="blocked") == 1
    (paused,) = list_subscriptions(engine=engine, chat_id=5)
    assert (paused.status, paused.paused_reason) == ("paused", "blocked")
    follow(engine, "topic")
    (resumed,) = list_subscriptions(engine=engine, chat_id=5)
    assert resumed.status == "active"


def test_a_migrated_group_takes_its_subscriptions_along(engine: Engine) -> None:
    follow(engine, "topic", chat_id=-5)
    move_chat(engine=engine, old_chat_id=-5, new_chat_id=-1005)
    assert list_subscriptions(engine=engine, chat_id=-5) == []
    assert len(list_subscriptions(engine=engine, chat_id=-1005)) == 1
