"""The review queue: draft claims from articles, approved, corrected or skipped by admins.

Drafts are rows, so any replica can show or act on any of them and no handler keeps state in
memory. Nothing drafted is answered: approval stores a claim (with its audit record, "approved
from draft N", in the same transaction), and only once enough different admins approve.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from store.claims import (
    EDITABLE_FIELDS,
    ClaimValidationError,
    FieldError,
    StoreError,
    _bump_revision,
    _insert,
    _public,
    validate_claim,
)
from store.models import MAX_EVIDENCE, ClaimPublic, DraftClaim, StoreMeta, utcnow
from store.outbox import record_change

MAX_DRAFTS: Final = 50  # drafts kept from one article: more is a table, not an article
_PLACEHOLDER_KEY: Final = "draft"  # drafts have no key until they are stored


class DraftNotFoundError(StoreError):
    def __init__(self, draft_id: int) -> None:
        super().__init__(f"There is no draft #{draft_id}.")
        self.draft_id = draft_id


class DraftStateError(StoreError):
    """The draft was already approved, skipped or expired: nothing to do."""

    def __init__(self, draft_id: int, status: str) -> None:
        super().__init__(f"Draft #{draft_id} is {status}, not pending.")
        self.draft_id = draft_id
        self.status = status


class DraftPublic(SQLModel):
    """A draft as the rest of the program sees it."""

    id: int
    batch: str
    claim: dict[str, Any]
    evidence: str
    source_url: str | None
    source_title: str | None
    status: str
    created_by: str
    suggested_by: str | None
    approvals: list[str]
    claim_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewDraft:
    claim: Mapping[str, Any]  # the import format, without a key
    evidence: str  # the sentence it came from


@dataclass(frozen=True)
class Approval:
    """What one admin's approval did: stored the claim, or counted towards storing it."""

    draft: DraftPublic
    claim: ClaimPublic | None  # the stored claim, once enough admins approved
    needed: int  # approvals still missing (0 once stored)


def _draft(row: DraftClaim) -> DraftPublic:
    return DraftPublic.model_validate(row, from_attributes=True)


def add_drafts(
    *,
    engine: Engine,
    drafts: Sequence[NewDraft],
    actor: str,
    source_url: str | None = None,
    source_title: str | None = None,
    suggested_by: str | None = None,
) -> list[DraftPublic]:
    """Queue the drafts of one article (at most ``MAX_DRAFTS``), in one transaction."""
    batch = uuid.uuid4().hex
    with Session(engine) as session:
        rows = [
            DraftClaim(
                batch=batch,
                claim=dict(new.claim),
                evidence=new.evidence[:MAX_EVIDENCE],
                source_url=source_url,
                source_title=source_title[:500] if source_title else None,
                created_by=actor,
                suggested_by=suggested_by,
            )
            for new in drafts[:MAX_DRAFTS]
        ]
        session.add_all(rows)
        session.commit()
        return [_draft(row) for row in rows]


def get_draft(*, engine: Engine, draft_id: int) -> DraftPublic:
    with Session(engine) as session:
        row = session.get(DraftClaim, draft_id)
        if row is None:
            raise DraftNotFoundError(draft_id)
        return _draft(row)


def list_drafts(
    *,
    engine: Engine,
    status: str = "pending",
    batch: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[DraftPublic]:
    """Drafts with this status (of one batch, if given), oldest first."""
    query = select(DraftClaim).where(DraftClaim.status == status)
    if batch is not None:
        query = query.where(DraftClaim.batch == batch)
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(DraftClaim.id)).offset(offset).limit(limit)).all()
        return [_draft(row) for row in rows]


def count_drafts(*, engine: Engine, status: str = "pending", batch: str | None = None) -> int:
    query = select(func.count()).select_from(DraftClaim).where(DraftClaim.status == status)
    if batch is not None:
        query = query.where(DraftClaim.batch == batch)
    with Session(engine) as session:
        return int(session.exec(query).one())


def expire_drafts(*, engine: Engine, older_than: datetime) -> int:
    """Mark pending drafts made before ``older_than`` expired; how many were."""
    with Session(engine) as session:
        result = session.execute(
            update(DraftClaim)
            .where(col(DraftClaim.status) == "pending", col(DraftClaim.created_at) < older_than)
            .values(status="expired", updated_at=utcnow())
        )
        session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


def _pending(session: Session, draft_id: int) -> DraftClaim:
    """The draft, locked for this transaction, if it is still pending."""
    # SQLite has one writer: a write that changes nothing takes its lock now, so two admins
    # approving at once are counted one after the other (PostgreSQL locks the row).
    if session.get_bind().dialect.name != "postgresql":
        session.execute(update(StoreMeta).values(revision=StoreMeta.revision))
    row = session.get(DraftClaim, draft_id, with_for_update=True)
    if row is None:
        raise DraftNotFoundError(draft_id)
    if row.status != "pending":
        raise DraftStateError(draft_id, row.status)
    return row


def edit_draft(
    *, engine: Engine, draft_id: int, changes: Mapping[str, Any], actor: str
) -> DraftPublic:
    """Correct fields of a pending draft; the result must still be a valid claim."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS) - {"qualifier"})
    if unknown:
        raise ClaimValidationError([FieldError(unknown[0], "is not a field of a claim")])
    with Session(engine) as session:
        row = _pending(session, draft_id)
        claim = {**row.claim, **changes}
        validate_claim({**claim, "key": _PLACEHOLDER_KEY})
        row.claim = {name: value for name, value in claim.items() if value is not None}
        row.updated_at = utcnow()
        session.add(row)
        session.commit()
        return _draft(row)


def reject_draft(*, engine: Engine, draft_id: int, actor: str) -> DraftPublic:
    """Skip a pending draft: it is kept, marked rejected, and never stored."""
    with Session(engine) as session:
        row = _pending(session, draft_id)
        row.status, row.updated_at = "rejected", utcnow()
        session.add(row)
        session.commit()
        return _draft(row)


def draft_key(draft_id: int, claim: Mapping[str, Any]) -> str:
    """A stored claim's key from its draft: readable, and unique by the draft's id."""
    words = f"{claim.get('claimant', '')[:30]} {claim.get('measure', '')} {claim.get('date', '')}"
    stem = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:90].strip("-")
    return f"draft-{draft_id}-{stem}" if stem else f"draft-{draft_id}"


def approve_draft(*, engine: Engine, draft_id: int, actor: str, required: int = 1) -> Approval:
    """Count one admin's approval; at ``required`` different admins, store the claim.

    The claim, its audit record ("approved from draft N", naming every approving admin) and
    the draft's new status are written in one transaction.
    """
    with Session(engine) as session:
        row = _pending(session, draft_id)
        approvals = row.approvals if actor in row.approvals else [*row.approvals, actor]
        row.approvals, row.updated_at = approvals, utcnow()
        stored = None
        if len(approvals) >= required:
            claim = validate_claim({**row.claim, "key": draft_key(draft_id, row.claim)})
            note: dict[str, list[Any]] = {
                "draft": [None, draft_id],
                "approved_by": [None, ", ".join(approvals)],
            }
            inserted = _insert(session, claim, actor=actor, action="approve", extra=note)
            _bump_revision(session)
            assert inserted.id is not None
            record_change(session, claim_id=inserted.id, kind="add")
            row.status, row.claim_id = "approved", inserted.id
            stored = _public(inserted)
        session.add(row)
        session.commit()
        return Approval(_draft(row), stored, 0 if stored else required - len(approvals))
