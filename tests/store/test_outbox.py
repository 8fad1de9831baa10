"""The claim-change outbox and deliveries: written with the change, fanned out once, folded
while waiting, leased so that a dead replica's rows come back (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from datetime import timedelta

import pytest
from helpers.builders import claim_dict, document
from sqlalchemy.engine import Engine

from store import (
    ClaimCreate,
    add_claim,
    create_db_engine,
    edit_claim,
    import_claims,
    retract_claim,
    seed_claims,
)
from store.models import utcnow
from store.outbox import (
    PendingChange,
    Planned,
    delivery_counts,
    expand_changes,
    fold_kind,
    mark_sent,
    pending_changes,
    retry_later,
    skip_unfollowed_changes,
    take_deliveries,
)
from store.subscriptions import end_subscription, follow_topic


def new_claim(**overrides: object) -> ClaimCreate:
    return ClaimCreate.model_validate(claim_dict(**overrides))


def everyone(subscription_ids: Sequence[int], chat_id: int = 7) -> object:
    """A planner that says every change answers these subscriptions."""

    def plan(changes: Sequence[PendingChange]) -> Iterable[Planned]:
        return [Planned(s, chat_id, change) for change in changes for s in subscription_ids]

    return plan


def subscribe(engine: Engine, chat_id: int = 7, topic: str = "russian losses") -> int:
    subscription, _new = follow_topic(
        engine=engine, chat_id=chat_id, topic=topic, language="en", actor="1", limit=50
    )
    return subscription.id


def test_every_admin_change_queues_one_change_and_the_seed_none(engine: Engine) -> None:
    seed_claims(engine=engine, document=document(claim_dict(key="seeded")))
    assert pending_changes(engine=engine) == 0
    stored = add_claim(engine=engine, claim=new_claim(key="a"), actor="1")
    edit_claim(engine=engine, claim_id=stored.id, changes={"figure": 99}, actor="1")
    edit_claim(engine=engine, claim_id=stored.id, changes={"figure": 99}, actor="1")  # no-op
    retract_claim(engine=engine, claim_id=stored.id, reason="gone", actor="1")
    import_claims(engine=engine, document=document(claim_dict(key="b")), actor="1")
    assert pending_changes(engine=engine) == 4


def test_a_change_that_fails_queues_nothing(engine: Engine) -> None:
    add_claim(engine=engine, claim=new_claim(key="a"), actor="1")
    with pytest.raises(Exception, match="already exists"):
        add_claim(engine=engine, claim=new_claim(key="a"), actor="1")
    assert pending_changes(engine=engine) == 1


def test_changes_are_fanned_out_once_to_each_planned_subscription(engine: Engine) -> None:
    subscriptions = [subscribe(engine, chat_id=n, topic=f"t{n}") for n in range(3)]
    add_claim(engine=engine, claim=new_claim(key="a"), actor="1")
    assert expand_changes(engine=engine, plan=everyone(subscriptions)) == 1  # type: ignore[arg-type]
    assert expand_changes(engine=engine, plan=everyone(subscriptions)) == 0  # type: ignore[arg-type]
    assert delivery_counts(engine=engine) == {"pending": 3}


def test_changes_nobody_follows_are_marked_done_at_once_and_owe_nothing(engine: Engine) -> None:
    claims = [claim_dict(key=f"c{n}", figure=n + 1) for n in range(50)]
    import_claims(engine=engine, document=document(*claims), actor="1")
    assert skip_unfollowed_changes(engine=engine) == 50
    assert pending_changes(engine=engine) == 0
    assert delivery_counts(engine=engine) == {}
    # Someone follows: the next change waits for them, and nothing is skipped any more.
    subscription = subscribe(engine)
    add_claim(engine=engine, claim=new_claim(key="after"), actor="1")
    assert skip_unfollowed_changes(engine=engine) == 0
    assert expand_changes(engine=engine, plan=everyone([subscription])) == 1  # type: ignore[arg-type]
    assert delivery_counts(engine=engine) == {"pending": 1}


def test_changes_are_skipped_again_once_the_last_follower_has_gone(engine: Engine) -> None:
    subscription = subscribe(engine)
    add_claim(engine=engine, claim=new_claim(key="a"), actor="1")
    assert skip_unfollowed_changes(engine=engine) == 0
    assert pending_changes(engine=engine) == 1
    end_subscription(engine=engine, chat_id=7, subscription_id=subscription)
    assert skip_unfollowed_changes(engine=engine) == 1
    assert pending_changes(engine=engine) == 0


def test_edits_before_the_message_is_sent_fold_into_one_message(engine: Engine) -> None:
    subscription = subscribe(engine)
    stored = add_claim(engine=engine, claim=new_claim(key="a", figure=100), actor="1")
    expand_changes(engine=engine, plan=everyone([subscription]))  # type: ignore[arg-type]
    (sent,) = take_deliveries(engine=engine, owner="a", limit=10, lease_seconds=30)
    mark_sent(engine=engine, delivery_id=sent.id)
    for figure in (200, 300, 400):
        edit_claim(engine=engine, claim_id=stored.id, changes={"figure": figure}, actor="1")
        expand_changes(engine=engine, plan=everyone([subscription]))  # type: ignore[arg-type]
    (waiting,) = take_deliveries(engine=engine, owner="a", limit=10, lease_seconds=30)
    assert waiting.kind == "revised"
    assert waiting.before["figure_low"] == 100  # what the follower last heard


def test_a_retraction_folds_over_a_waiting_revision() -> None:
    assert fold_kind("revised", "retracted") == "retracted"
    assert fold_kind("new", "revised") == "new"
    assert fold_kind("retracted", "revised") == "revised"
    assert fold_kind("revised", "revised") == "revised"


def test_a_leased_delivery_is_not_taken_again_until_its_lease_runs_out(engine: Engine) -> None:
    subscription = subscribe(engine)
    add_claim(engine=engine, claim=new_claim(key="a"), actor="1")
    expand_changes(engine=engine, plan=everyone([subscription]))  # type: ignore[arg-type]
    assert len(take_deliveries(engine=engine, owner="a", limit=10, lease_seconds=0.5)) == 1
    assert take_deliveries(engine=engine, owner="b", limit=10, lease_seconds=30) == []
    time.sleep(0.6)  # replica a died holding it
    (again,) = take_deliveries(engine=engine, owner="b", limit=10, lease_seconds=30)
    mark_sent(engine=engine, delivery_id=again.id)
    assert delivery_counts(engine=engine) == {"sent": 1}


def test_a_delivery_put_back_waits_until_its_time(engine: Engine) -> None:
    subscription = subscribe(engine)
    add_claim(engine=engine, claim=new_claim(key="a"), actor="1")
    expand_changes(engine=engine, plan=everyone([subscription]))  # type: ignore[arg-type]
    (taken,) = take_deliveries(engine=engine, owner="a", limit=10, lease_seconds=30)
    later = utcnow() + timedelta(seconds=0.4)
    retry_later(engine=engine, delivery_id=taken.id, at=later, error="502", attempt=True)
    assert take_deliveries(engine=engine, owner="a", limit=10, lease_seconds=30) == []
    time.sleep(0.5)
    (again,) = take_deliveries(engine=engine, owner="a", limit=10, lease_seconds=30)
    assert again.attempts == 1


def test_replicas_taking_deliveries_at_once_never_take_the_same_one(database_url: str) -> None:
    engines = [create_db_engine(database_url) for _ in range(2)]
    subscriptions = [subscribe(engines[0], chat_id=n, topic="t") for n in range(200)]
    add_claim(engine=engines[0], claim=new_claim(key="a"), actor="1")
    expand_changes(engine=engines[0], plan=everyone(subscriptions))  # type: ignore[arg-type]
    taken: list[list[int]] = [[], []]

    def drain(replica: int) -> None:
        while batch := take_deliveries(
            engine=engines[replica], owner=str(replica), limit=7, lease_seconds=30
        ):
            taken[replica].extend(d.id for d in batch)

    threads = [threading.Thread(target=drain, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken[0]) + len(taken[1]) == 200
    assert not set(taken[0]) & set(taken[1])
    for engine in engines:
        engine.dispose()
