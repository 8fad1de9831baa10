"""The review queue, on SQLite and PostgreSQL: nothing drafted is stored until approved."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from store import (
    ClaimValidationError,
    DraftNotFoundError,
    DraftStateError,
    NewDraft,
    add_drafts,
    approve_draft,
    claim_history,
    count_claims,
    count_drafts,
    edit_draft,
    expire_drafts,
    get_claim,
    get_draft,
    list_drafts,
    reject_draft,
)
from store.models import utcnow


def drafted(**changes: Any) -> dict[str, Any]:
    claim = {
        "figure": 9_861,
        "measure": "killed",
        "who": "Russian soldiers",
        "where": "Ukraine",
        "claimant": "Russian Ministry of Defence (leaked)",
        "date": "2022-03",
        "caveats": ["Leaked, then deleted."],
        "url": "https://example.org/leak",
        "reported_in": "A test article",
    }
    return {**claim, **changes}


def queue(engine: Engine, *claims: dict[str, Any]) -> list[int]:
    drafts = [NewDraft(claim, f"Sentence {n}.") for n, claim in enumerate(claims or [drafted()])]
    added = add_drafts(engine=engine, drafts=drafts, actor="1", source_title="A test article")
    return [draft.id for draft in added]


def test_drafts_are_not_claims_until_approved(engine: Engine) -> None:
    before = count_claims(engine=engine)
    [draft_id] = queue(engine)
    assert count_claims(engine=engine) == before
    assert get_draft(engine=engine, draft_id=draft_id).status == "pending"
    assert count_drafts(engine=engine) == 1


def test_approval_stores_the_claim_with_an_audit_record_naming_the_draft_and_admin(
    engine: Engine,
) -> None:
    [draft_id] = queue(engine)
    approval = approve_draft(engine=engine, draft_id=draft_id, actor="42")
    assert approval.claim is not None
    assert approval.claim.figure == 9_861
    assert approval.claim.url == "https://example.org/leak"
    assert approval.draft.status == "approved"
    assert approval.draft.claim_id == approval.claim.id
    [record] = claim_history(engine=engine, claim_id=approval.claim.id)
    assert record.action == "approve"
    assert record.actor == "42"
    assert record.changes["draft"] == [None, draft_id]
    assert record.changes["approved_by"] == [None, "42"]


def test_two_approvals_required_means_two_different_admins(engine: Engine) -> None:
    [draft_id] = queue(engine)
    first = approve_draft(engine=engine, draft_id=draft_id, actor="1", required=2)
    again = approve_draft(engine=engine, draft_id=draft_id, actor="1", required=2)
    assert first.claim is None
    assert first.needed == 1
    assert again.claim is None  # the same admin twice is one approval
    assert again.needed == 1
    second = approve_draft(engine=engine, draft_id=draft_id, actor="2", required=2)
    assert second.claim is not None
    assert second.draft.approvals == ["1", "2"]


def test_two_admins_approving_at_once_store_one_claim(engine: Engine) -> None:
    [draft_id] = queue(engine)
    before = count_claims(engine=engine)
    results: list[object] = []

    def approve(actor: str) -> None:
        try:
            results.append(approve_draft(engine=engine, draft_id=draft_id, actor=actor))
        except DraftStateError as exc:
            results.append(exc)

    threads = [threading.Thread(target=approve, args=(actor,)) for actor in ("1", "2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count_claims(engine=engine) == before + 1
    assert sum(isinstance(result, DraftStateError) for result in results) == 1


def test_a_skipped_draft_is_never_stored(engine: Engine) -> None:
    [draft_id] = queue(engine)
    assert reject_draft(engine=engine, draft_id=draft_id, actor="1").status == "rejected"
    with pytest.raises(DraftStateError, match="rejected"):
        approve_draft(engine=engine, draft_id=draft_id, actor="1")


def test_an_edit_corrects_a_field_and_a_bad_edit_changes_nothing(engine: Engine) -> None:
    [draft_id] = queue(engine)
    edited = edit_draft(engine=engine, draft_id=draft_id, changes={"figure": 9_862}, actor="1")
    assert edited.claim["figure"] == 9_862
    with pytest.raises(ClaimValidationError, match="date"):
        edit_draft(engine=engine, draft_id=draft_id, changes={"date": "yesterday"}, actor="1")
    with pytest.raises(ClaimValidationError, match="colour"):
        edit_draft(engine=engine, draft_id=draft_id, changes={"colour": "red"}, actor="1")
    assert get_draft(engine=engine, draft_id=draft_id).claim["date"] == "2022-03"


def test_an_invalid_draft_cannot_be_approved_until_corrected(engine: Engine) -> None:
    [draft_id] = queue(engine, drafted(date="sometime"))
    with pytest.raises(ClaimValidationError, match="date"):
        approve_draft(engine=engine, draft_id=draft_id, actor="1")
    assert get_draft(engine=engine, draft_id=draft_id).status == "pending"


def test_the_queue_lists_pending_drafts_of_a_batch_in_order(engine: Engine) -> None:
    ids = queue(engine, drafted(figure=1), drafted(figure=2), drafted(figure=3))
    reject_draft(engine=engine, draft_id=ids[1], actor="1")
    batch = get_draft(engine=engine, draft_id=ids[0]).batch
    assert [d.id for d in list_drafts(engine=engine, batch=batch)] == [ids[0], ids[2]]
    assert count_drafts(engine=engine, batch=batch) == 2


def test_old_pending_drafts_expire(engine: Engine) -> None:
    [draft_id] = queue(engine)
    assert expire_drafts(engine=engine, older_than=utcnow() - timedelta(days=1)) == 0
    assert expire_drafts(engine=engine, older_than=utcnow() + timedelta(seconds=1)) == 1
    assert get_draft(engine=engine, draft_id=draft_id).status == "expired"


def test_an_unknown_draft_is_named(engine: Engine) -> None:
    with pytest.raises(DraftNotFoundError, match="#999"):
        approve_draft(engine=engine, draft_id=999, actor="1")


def test_an_approved_claim_is_found_by_its_key(engine: Engine) -> None:
    [draft_id] = queue(engine)
    approval = approve_draft(engine=engine, draft_id=draft_id, actor="1")
    assert approval.claim is not None
    assert approval.claim.key.startswith(f"draft-{draft_id}-")
    found = get_claim(engine=engine, key=approval.claim.key)
    assert found is not None
    assert found.id == approval.claim.id
