"""Keyword-only store functions: add, edit, retract, get, list, import, export, seed.

Every change runs in one transaction that also writes an audit record and bumps the store
revision, so a change is either fully visible (with its history) or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.models import (
    CONTRACT_FIELDS,
    AuditRecord,
    Claim,
    ClaimCreate,
    ClaimPublic,
    StoreMeta,
    utcnow,
)

MAX_IMPORT_CLAIMS: Final = 200_000  # claims in one import document
_BATCH: Final = 1_000  # rows per statement: well under SQLite's bound-parameter limit
EDITABLE_FIELDS: Final = tuple(name for name in CONTRACT_FIELDS if name != "key")


class StoreError(Exception):
    """A change the store refused; the message is safe to show to the person who asked."""


class ClaimNotFoundError(StoreError):
    def __init__(self, claim_id: int) -> None:
        super().__init__(f"There is no claim #{claim_id}.")
        self.claim_id = claim_id


class DuplicateKeyError(StoreError):
    def __init__(self, key: str) -> None:
        super().__init__(f'A claim with key "{key}" already exists.')
        self.key = key


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with one field of one claim."""

    field: str
    message: str
    index: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.index is not None:
            where = f"claims[{self.index}]"
            if self.key:
                where += f" (key {self.key})"
            where += ": "
        return f"{where}{self.field}: {self.message}"


class ClaimValidationError(StoreError):
    """One or more claims are invalid; nothing was stored."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged"
        )


_PYDANTIC_MESSAGES: Final = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "list_type": "must be a list",
}


def validate_claim(raw: Any, *, index: int | None = None) -> ClaimCreate:
    """Validate one claim in the JSON contract, or raise with every field that is wrong."""
    key = raw.get("key") if isinstance(raw, dict) else None
    shown_key = key if isinstance(key, str) and len(key) <= 120 else None
    if not isinstance(raw, dict):
        raise ClaimValidationError([FieldError("claim", "must be a JSON object", index)])
    try:
        return ClaimCreate.model_validate(raw)
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = error["loc"]
            name = str(loc[0]) if loc else error["type"]
            message = _PYDANTIC_MESSAGES.get(error["type"], error["msg"])
            errors.append(FieldError(name, message, index, shown_key))
        raise ClaimValidationError(errors) from None


def validate_document(document: Any) -> list[ClaimCreate]:
    """Validate a whole ``{"claims": [...]}`` document; raise with every error found."""
    if not isinstance(document, dict) or not isinstance(document.get("claims"), list):
        raise ClaimValidationError([FieldError("document", 'must be {"claims": [ ... ]}')])
    raw_claims = document["claims"]
    if len(raw_claims) > MAX_IMPORT_CLAIMS:
        limit = f"has more than {MAX_IMPORT_CLAIMS:,} claims"
        raise ClaimValidationError([FieldError("document", limit)])
    valid: list[ClaimCreate] = []
    errors: list[FieldError] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(raw_claims):
        try:
            claim = validate_claim(raw, index=index)
        except ClaimValidationError as exc:
            errors.extend(exc.errors)
            continue
        if claim.key in first_index:
            message = f"duplicate of claims[{first_index[claim.key]}]"
            errors.append(FieldError("key", message, index, claim.key))
            continue
        first_index[claim.key] = index
        valid.append(claim)
    if errors:
        raise ClaimValidationError(errors)
    return valid


def _public(row: Claim) -> ClaimPublic:
    return ClaimPublic.model_validate(row, from_attributes=True)


def _bump_revision(session: Session) -> None:
    session.execute(update(StoreMeta).values(revision=StoreMeta.revision + 1))


def _diff(row: Claim, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [getattr(row, name), value]
        for name, value in values.items()
        if getattr(row, name) != value
    }


def _audit(
    session: Session, row: Claim, *, actor: str, action: str, changes: dict[str, Any]
) -> None:
    assert row.id is not None
    session.add(
        AuditRecord(claim_id=row.id, claim_key=row.key, actor=actor, action=action, changes=changes)
    )


def _insert(session: Session, claim: ClaimCreate, *, actor: str, action: str) -> Claim:
    values = claim.row_values()
    row = Claim(**values, updated_by=actor)
    session.add(row)
    session.flush()
    _audit(
        session,
        row,
        actor=actor,
        action=action,
        changes={k: [None, v] for k, v in values.items() if v not in (None, [], "")},
    )
    return row


def _apply(
    session: Session, row: Claim, changes: dict[str, list[Any]], *, actor: str, action: str
) -> None:
    for name, (_before, after) in changes.items():
        setattr(row, name, after)
    row.updated_at = utcnow()
    row.updated_by = actor
    session.add(row)
    _audit(session, row, actor=actor, action=action, changes=changes)


def ensure_meta(*, engine: Engine) -> None:
    """Create the revision row if this database has none yet."""
    with Session(engine) as session:
        if session.get(StoreMeta, 1) is None:
            session.add(StoreMeta(id=1, revision=0))
            try:
                session.commit()
            except IntegrityError:  # another process created it first
                session.rollback()


def store_revision(*, engine: Engine) -> int:
    """A number that changes whenever any claim changes."""
    with Session(engine) as session:
        meta = session.get(StoreMeta, 1)
        return meta.revision if meta else 0


def add_claim(*, engine: Engine, claim: ClaimCreate, actor: str) -> ClaimPublic:
    """Store a new claim; its key must be new."""
    with Session(engine) as session:
        if session.exec(select(Claim.id).where(Claim.key == claim.key)).first() is not None:
            raise DuplicateKeyError(claim.key)
        row = _insert(session, claim, actor=actor, action="add")
        _bump_revision(session)
        try:
            session.commit()
        except IntegrityError:  # the same key added concurrently by another replica
            raise DuplicateKeyError(claim.key) from None
        return _public(row)


def get_claim(
    *, engine: Engine, claim_id: int | None = None, key: str | None = None
) -> ClaimPublic | None:
    """One claim by id or key, retracted or not."""
    with Session(engine) as session:
        if claim_id is not None:
            row = session.get(Claim, claim_id)
        else:
            row = session.exec(select(Claim).where(Claim.key == key)).first()
        return _public(row) if row else None


def list_claims(
    *, engine: Engine, include_retracted: bool = False, offset: int = 0, limit: int | None = None
) -> list[ClaimPublic]:
    """Claims in id order; active ones only unless asked."""
    with Session(engine) as session:
        query = select(Claim).order_by(col(Claim.id))
        if not include_retracted:
            query = query.where(Claim.status == "active")
        rows = session.exec(query.offset(offset).limit(limit)).all()
        return [_public(row) for row in rows]


def get_claims(*, engine: Engine, ids: Sequence[int]) -> list[ClaimPublic]:
    """The claims with these ids, in the order given (missing ids are skipped)."""
    if not ids:
        return []
    with Session(engine) as session:
        rows = {row.id: row for row in session.exec(select(Claim).where(col(Claim.id).in_(ids)))}
        return [_public(rows[i]) for i in ids if i in rows]


SEARCH_COLUMNS: Final[tuple[Any, ...]] = (
    Claim.id, Claim.key, Claim.measure, Claim.per, Claim.who, Claim.where, Claim.period,
    Claim.claimant, Claim.published_by, Claim.reported_by, Claim.aliases, Claim.date,
    Claim.figure_low, Claim.figure_high,
)  # fmt: skip


def active_claim_columns(*, engine: Engine) -> list[tuple[Any, ...]]:
    """``SEARCH_COLUMNS`` of every active claim, as plain tuples, aliases as a tuple.

    Read through the driver: at 100,000 claims the ORM's row processing costs seconds.
    """
    names = ", ".join(f'"{column.key}"' for column in SEARCH_COLUMNS)
    aliases = [column.key for column in SEARCH_COLUMNS].index("aliases")
    query = f"SELECT {names} FROM claim WHERE status = 'active' ORDER BY id"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(query)
        rows = cursor.fetchall()
        cursor.close()
    finally:
        connection.close()
    decoded = []
    for row in rows:
        raw = row[aliases]
        if isinstance(raw, str):  # SQLite keeps JSON as text; PostgreSQL's driver decodes it
            raw = json.loads(raw) if raw != "[]" else ()
        decoded.append((*row[:aliases], tuple(raw or ()), *row[aliases + 1 :]))
    return decoded


def count_claims(*, engine: Engine, include_retracted: bool = True) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Claim)
        if not include_retracted:
            query = query.where(Claim.status == "active")
        return int(session.exec(query).one())


def edit_claim(
    *, engine: Engine, claim_id: int, changes: Mapping[str, Any], actor: str
) -> ClaimPublic:
    """Change some fields of a claim; the result must still be a valid claim."""
    unknown = [name for name in changes if name not in EDITABLE_FIELDS]
    if unknown:
        raise ClaimValidationError([FieldError(name, "cannot be edited") for name in unknown])
    with Session(engine) as session:
        row = session.get(Claim, claim_id)
        if row is None:
            raise ClaimNotFoundError(claim_id)
        merged = _public(row).to_contract() | dict(changes)
        if merged.get("status", "active") == "active" and "retraction_reason" not in changes:
            merged.pop("retraction_reason", None)  # re-activating clears the old reason
        new_values = validate_claim(merged).row_values()
        diff = _diff(row, new_values)
        if diff:
            _apply(session, row, diff, actor=actor, action="edit")
            _bump_revision(session)
            session.commit()
            session.refresh(row)
        return _public(row)


def retract_claim(*, engine: Engine, claim_id: int, reason: str, actor: str) -> ClaimPublic:
    """Soft-delete a claim: it stays in history but is no longer a current answer."""
    reason = " ".join(reason.split())
    if not reason:
        raise ClaimValidationError([FieldError("reason", "a retraction needs a reason")])
    with Session(engine) as session:
        row = session.get(Claim, claim_id)
        if row is None:
            raise ClaimNotFoundError(claim_id)
        if row.status == "retracted":
            raise StoreError(f"Claim #{claim_id} is already retracted.")
        diff = _diff(row, {"status": "retracted", "retraction_reason": reason})
        _apply(session, row, diff, actor=actor, action="retract")
        _bump_revision(session)
        session.commit()
        session.refresh(row)
        return _public(row)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_many(
    session: Session, claims: Sequence[ClaimCreate], *, actor: str, action: str
) -> None:
    """Insert new claims and their audit records in batches (an import may hold 100,000)."""
    now = utcnow()
    for chunk in _chunks(claims, _BATCH):
        values = [claim.row_values() for claim in chunk]
        rows = [v | {"created_at": now, "updated_at": now, "updated_by": actor} for v in values]
        # Plain executemany, then one look-up of the new ids: RETURNING with ordered rows
        # makes SQLAlchemy insert row by row.
        session.execute(Claim.__table__.insert(), rows)  # type: ignore[attr-defined]
        keys = [value["key"] for value in values]
        query = select(Claim.key, Claim.id).where(col(Claim.key).in_(keys))
        found: dict[str, int] = dict(session.execute(query).all())  # Result has keys(): list it
        ids = [found[key] for key in keys]
        session.execute(
            AuditRecord.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "claim_id": claim_id,
                    "claim_key": value["key"],
                    "actor": actor,
                    "action": action,
                    "at": now,
                    "changes": {k: [None, v] for k, v in value.items() if v not in (None, [], "")},
                }
                for claim_id, value in zip(ids, values, strict=True)
            ],
        )


def _upsert_all(
    *, engine: Engine, claims: Iterable[ClaimCreate], actor: str, action: str, seeding: bool
) -> ImportReport:
    report = ImportReport()
    claims = list(claims)
    with Session(engine) as session:
        keys = [claim.key for claim in claims]
        existing: set[str] = set()
        for chunk in _chunks(keys, _BATCH):
            existing.update(session.exec(select(Claim.key).where(col(Claim.key).in_(chunk))))
        new = [claim for claim in claims if claim.key not in existing]
        for chunk in _chunks([claim for claim in claims if claim.key in existing], _BATCH):
            rows = {
                row.key: row
                for row in session.exec(
                    select(Claim).where(col(Claim.key).in_([c.key for c in chunk]))
                )
            }
            for claim in chunk:
                row = rows[claim.key]
                # Seeding never overwrites what a person changed after the seed wrote it.
                if seeding and row.updated_by != "seed":
                    report.unchanged.append(claim.key)
                    continue
                diff = _diff(row, claim.row_values())
                if diff:
                    _apply(session, row, diff, actor=actor, action=action)
                    report.updated.append(claim.key)
                else:
                    report.unchanged.append(claim.key)
        _insert_many(session, new, actor=actor, action=action)
        report.added.extend(claim.key for claim in new)
        if report.added or report.updated:
            _bump_revision(session)
        session.commit()
    return report


def import_claims(*, engine: Engine, document: Any, actor: str) -> ImportReport:
    """Validate the whole document, then store all of its claims or none."""
    claims = validate_document(document)
    return _upsert_all(engine=engine, claims=claims, actor=actor, action="import", seeding=False)


def seed_claims(*, engine: Engine, document: Any) -> ImportReport:
    """Add the seed claims that are missing; refresh those nobody has edited since."""
    claims = validate_document(document)
    return _upsert_all(engine=engine, claims=claims, actor="seed", action="seed", seeding=True)


def export_claims(*, engine: Engine) -> dict[str, Any]:
    """Every claim, retracted ones included, in the import format."""
    claims = list_claims(engine=engine, include_retracted=True)
    return {"claims": [claim.to_contract() for claim in claims]}


def claim_history(*, engine: Engine, claim_id: int) -> list[AuditRecord]:
    """The audit records of one claim, oldest first."""
    with Session(engine) as session:
        query = (
            select(AuditRecord)
            .where(AuditRecord.claim_id == claim_id)
            .order_by(col(AuditRecord.at), col(AuditRecord.id))
        )
        return list(session.exec(query).all())
