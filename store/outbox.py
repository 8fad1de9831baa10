"""The claim-change outbox and the deliveries it fans out to.

1. Every claim change writes a ``claim_change`` row inside its own transaction (with the
   claim and its audit record), so a change that commits is always fanned out, and one that
   rolls back never is.
2. A dispatcher takes pending changes (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so each is
   taken by one replica), asks the caller which subscriptions each change answers, and in
   one transaction writes their deliveries and marks the changes expanded.
3. Dispatchers take due deliveries under a lease: a replica that dies mid-send leaves them
   to be taken again when the lease runs out. A delivery is marked sent right after Telegram
   accepts it, so a duplicate needs a death between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from pydantic import BaseModel
from sqlalchemy import Table, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from store.models import ClaimChange, Delivery, StoreMeta, Subscription, utcnow

# A change's kind, and what the follower is told of it.
DELIVERY_KIND: Final = {"add": "new", "edit": "revised", "retract": "retracted"}
_DELIVERIES: Final[Table] = Delivery.__table__  # type: ignore[attr-defined]
_CHANGES: Final[Table] = ClaimChange.__table__  # type: ignore[attr-defined]
_BATCH: Final = 1_000


@dataclass(frozen=True)
class PendingChange:
    id: int
    claim_id: int
    kind: str  # add, edit, retract
    before: dict[str, Any]
    revision: int
    made_at: datetime | None = None  # when it was committed: older subscriptions hear of it


@dataclass(frozen=True)
class Planned:
    """A delivery a change calls for: this subscription must hear of this claim."""

    subscription_id: int
    chat_id: int
    change: PendingChange
    previous_claim_id: int | None = None


class DeliveryPublic(BaseModel):
    id: int
    subscription_id: int
    chat_id: int
    claim_id: int
    kind: str
    before: dict[str, Any]
    previous_claim_id: int | None
    status: str
    attempts: int


# --- writing changes (inside the change's transaction) ---------------------------------


def _revision(session: Session) -> int:
    return int(session.exec(select(StoreMeta.revision)).one())


def record_change(
    session: Session,
    *,
    claim_id: int,
    kind: str,
    before: Mapping[str, Any] | None = None,
    audit_id: int | None = None,
) -> None:
    """Queue one change for fan-out, in the caller's transaction (after the revision bump)."""
    session.add(
        ClaimChange(
            claim_id=claim_id,
            audit_id=audit_id,
            kind=kind,
            revision=_revision(session),
            before=dict(before or {}),
        )
    )


def record_changes(session: Session, changes: Sequence[tuple[int, str, dict[str, Any]]]) -> None:
    """Queue many changes at once (an import): ``(claim_id, kind, before)`` each."""
    if not changes:
        return
    revision, now = _revision(session), utcnow()
    for start in range(0, len(changes), _BATCH):
        rows = [
            {
                "claim_id": claim_id,
                "kind": kind,
                "revision": revision,
                "before": before,
                "expanded": False,
                "created_at": now,
            }
            for claim_id, kind, before in changes[start : start + _BATCH]
        ]
        session.execute(insert(_CHANGES), rows)


# --- fanning changes out ---------------------------------------------------------------


def fold_kind(waiting: str, new: str) -> str:
    """What one message says when a second change comes before the first was sent.

    A retraction always wins; a new claim edited before anyone heard of it is still new;
    anything else (a retracted claim made active again, too) has been revised.
    """
    if new == "retracted":
        return new
    return "new" if waiting == "new" else "revised"


Planner = Callable[[Sequence[PendingChange]], Iterable[Planned]]


def expand_changes(*, engine: Engine, plan: Planner, limit: int = 500) -> int:
    """Fan out up to ``limit`` pending changes, oldest first; returns how many.

    ``plan`` says which subscriptions each change answers (the bot's search). Changes another
    replica holds are skipped, not waited for. While nobody follows anything, the pending
    changes are all marked expanded in one statement instead (see ``skip_unfollowed_changes``).
    """
    with Session(engine) as session:
        _write_lock(session)
        skipped = _skip_unfollowed(session)
        if skipped is not None:
            session.commit()
            return skipped
        query = (
            select(ClaimChange)
            .where(col(ClaimChange.expanded).is_(False))
            .order_by(col(ClaimChange.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        changes = [
            PendingChange(
                row.id or 0, row.claim_id, row.kind, dict(row.before), row.revision, row.created_at
            )
            for row in session.exec(query)
        ]
        if not changes:
            return 0
        owed: dict[int, list[Planned]] = {change.id: [] for change in changes}
        for planned in plan(changes):
            owed[planned.change.id].append(planned)
        for change in changes:  # in order: a later change folds into an earlier one's rows
            _owe(session, change, owed[change.id])
        session.execute(
            update(ClaimChange)
            .where(col(ClaimChange.id).in_([change.id for change in changes]))
            .values(expanded=True)
        )
        session.commit()
        return len(changes)


def skip_unfollowed_changes(*, engine: Engine) -> int:
    """While nobody follows anything, mark every pending change expanded in one statement;
    returns how many (0 once someone follows)."""
    with Session(engine) as session:
        _write_lock(session)
        skipped = _skip_unfollowed(session)
        session.commit()
        return skipped or 0


def _skip_unfollowed(session: Session) -> int | None:
    """The pending changes marked expanded because no subscription is active; None while one is.

    Reading each change to owe it to nobody took, after an import of 100,000 claims, minutes
    of a worker thread beside the answers. Only changes up to the revision read before the
    subscriptions are counted are marked: they were made before any subscription that
    commits later, so no follower is owed them.
    """
    revision = _revision(session)
    active = select(func.count()).select_from(Subscription)
    if session.exec(active.where(col(Subscription.status) == "active")).one():
        return None
    marked = session.execute(
        update(ClaimChange)
        .where(col(ClaimChange.expanded).is_(False))
        .where(col(ClaimChange.revision) <= revision)
        .values(expanded=True)
    )
    return int(marked.rowcount)  # type: ignore[attr-defined]


def _owe(session: Session, change: PendingChange, owed: Sequence[Planned]) -> None:
    """Write the deliveries one change calls for, folding each into the one already waiting
    for the same subscription and claim; new rows go in bulk (a fan-out may be 10,000)."""
    kind = DELIVERY_KIND[change.kind]
    for start in range(0, len(owed), _BATCH):
        chunk = owed[start : start + _BATCH]
        waiting = {
            row.subscription_id: row
            for row in session.exec(
                select(Delivery).where(
                    col(Delivery.claim_id) == change.claim_id,
                    col(Delivery.status) == "pending",
                    col(Delivery.subscription_id).in_([p.subscription_id for p in chunk]),
                )
            )
        }
        for planned in chunk:
            row = waiting.get(planned.subscription_id)
            if row is not None:
                row.kind = fold_kind(row.kind, kind)
                row.change_id = change.id
                row.before = change.before | row.before  # what the follower last saw wins
                row.previous_claim_id = planned.previous_claim_id or row.previous_claim_id
                session.add(row)
        now = utcnow()
        new = [
            {
                "subscription_id": planned.subscription_id,
                "chat_id": planned.chat_id,
                "claim_id": change.claim_id,
                "change_id": change.id,
                "kind": kind,
                "before": change.before,
                "previous_claim_id": planned.previous_claim_id,
                "status": "pending",
                "attempts": 0,
                "available_at": now,
                "created_at": now,
            }
            for planned in chunk
            if planned.subscription_id not in waiting
        ]
        if new:
            session.execute(insert(_DELIVERIES), new)
    session.flush()


# --- sending ------------------------------------------------------------------------------


def take_deliveries(
    *, engine: Engine, owner: str, limit: int, lease_seconds: float
) -> list[DeliveryPublic]:
    """Lease up to ``limit`` due deliveries to ``owner``, oldest first.

    Due: waiting and never taken, or taken but not finished by a lease that has run out (a
    replica that died), or put back after a back-off. Another replica's rows are skipped.
    """
    now = utcnow()
    due = (
        select(Delivery.id)
        .where(
            col(Delivery.status).in_(("pending", "sending")),
            col(Delivery.available_at) <= now,
        )
        .order_by(col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with Session(engine) as session:
        _write_lock(session)
        ids = [i for i in session.exec(due) if i is not None]
        if not ids:
            return []
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(ids))
            .values(
                status="sending",
                leased_by=owner,
                available_at=now + timedelta(seconds=lease_seconds),
            )
        )
        rows = session.exec(
            select(Delivery).where(col(Delivery.id).in_(ids)).order_by(col(Delivery.id))
        ).all()
        taken = [DeliveryPublic.model_validate(row, from_attributes=True) for row in rows]
        session.commit()
    return taken


def _write_lock(session: Session) -> None:
    """On SQLite, take the one writer's lock before reading what to take (PostgreSQL has
    SKIP LOCKED instead): two threads can then never take the same rows."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Delivery).where(col(Delivery.id) == -1).values(attempts=0))


def _finish(engine: Engine, delivery_id: int, **values: Any) -> None:
    with Session(engine) as session:
        session.execute(update(Delivery).where(col(Delivery.id) == delivery_id).values(**values))
        session.commit()


def mark_sent(*, engine: Engine, delivery_id: int) -> None:
    _finish(engine, delivery_id, status="sent", sent_at=utcnow(), leased_by=None)


def mark_failed(*, engine: Engine, delivery_id: int, error: str) -> None:
    """Give up on one delivery (Telegram refused it for good); the reason stays on it."""
    _finish(engine, delivery_id, status="failed", last_error=error[:500], leased_by=None)


def retry_later(
    *, engine: Engine, delivery_id: int, at: datetime, error: str, attempt: bool = True
) -> None:
    """Put a delivery back until ``at``; ``attempt`` counts it against the retry budget
    (a 429 does not: it is Telegram asking to wait, not a failure)."""
    values: dict[str, Any] = {"available_at": at, "last_error": error[:500], "leased_by": None}
    if attempt:
        values["attempts"] = Delivery.attempts + 1
    _finish(engine, delivery_id, **values)


def delivery_counts(*, engine: Engine) -> dict[str, int]:
    """Deliveries by status, for the operator and for tests."""
    with Session(engine) as session:
        query = select(Delivery.status, func.count()).group_by(col(Delivery.status))
        return {status: int(count) for status, count in session.exec(query).all()}


def pending_changes(*, engine: Engine) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(ClaimChange)
        return int(session.exec(query.where(col(ClaimChange.expanded).is_(False))).one())
