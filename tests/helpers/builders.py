"""Builders for claims and claim documents used across the tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from store import ClaimPublic, validate_document

ROOT: Final = Path(__file__).resolve().parents[2]
SEED_FILE: Final = ROOT / "seed_claims.json"
DEV_SET: Final = ROOT / "tests" / "data" / "dev_questions.json"


def claim_dict(**overrides: Any) -> dict[str, Any]:
    """A valid claim in the JSON contract; override any field."""
    claim: dict[str, Any] = {
        "key": "test-claim",
        "figure": 1234,
        "measure": "killed",
        "who": "Russian troops",
        "where": "Ukraine",
        "claimant": "Test claimant",
        "date": "2024-05",
        "caveats": ["A test caveat."],
    }
    claim.update(overrides)
    return {name: value for name, value in claim.items() if value is not None}


def document(*claims: dict[str, Any]) -> dict[str, Any]:
    return {"claims": list(claims)}


def seed_document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    return loaded


def public_claims(doc: dict[str, Any] | None = None) -> list[ClaimPublic]:
    """Claims as the store would return them, without a database (ids from 1)."""
    now = datetime.now(UTC)
    return [
        ClaimPublic(id=i, created_at=now, updated_at=now, updated_by="seed", **c.row_values())
        for i, c in enumerate(validate_document(doc or seed_document()), start=1)
    ]


def seed_claim(key: str) -> ClaimPublic:
    """One seed claim by key."""
    return next(claim for claim in public_claims() if claim.key == key)
