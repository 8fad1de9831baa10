"""Keyword-only store functions: add, edit, retract, get, list, import, export, seed.

Every change runs in one transaction that also writes an audit record and bumps the store
revision, so a change is either fully visible (with its history) or not at all.

An export is a backup: every claim with its id and times, and the whole audit log. Importing
a backup into an empty database restores it exactly; anywhere else it imports by key, like a
plain ``{"claims": [...]}`` document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, cast

from pydantic import ValidationError
from sqlalchemy import Table, func, insert, text, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.models import (
    CONTRACT_FIELDS,
    AuditRecord,
    Claim,
    ClaimCreate,
    ClaimPublic,
    ClaimRow,
    StoreMeta,
    utcnow,
)
from store.outbox import record_change, record_changes

MAX_IMPORT_CLAIMS: Final = 200_000  # claims in one import document
MAX_IMPORT_AUDIT: Final = 2_000_000  # audit records in one backup: ten per claim at the cap
BACKUP_FORMAT: Final = "casualty-bot-backup"
BACKUP_VERSION: Final = 1
AUDIT_ACTIONS: Final = ("add", "edit", "retract", "import", "seed", "approve")
# Stored, not written by people: a backup carries them on each claim beside the contract.
BACKUP_CLAIM_FIELDS: Final = ("id", "created_at", "updated_at", "updated_by")
_BACKUP_KEYS: Final = ("format", "version", "exported_at", "claims", "audit")
_MAX_ID: Final = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
_MAX_ACTOR: Final = 40  # length of AuditRecord.actor and Claim.updated_by
_MAX_KEY: Final = 120  # length of Claim.key and AuditRecord.claim_key
# The tables themselves, for bulk reads and writes that bypass the ORM's per-row cost.
_CLAIMS: Final = cast(Table, Claim.__table__)  # type: ignore[attr-defined]
_AUDIT: Final = cast(Table, AuditRecord.__table__)  # type: ignore[attr-defined]
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
    section: str = "claims"  # or "audit", for a backup's audit records

    def __str__(self) -> str:
        where = ""
        if self.index is not None:
            where = f"{self.section}[{self.index}]"
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
    # "restored": a backup copied exactly into an empty database; "merged": a backup imported
    # by key into a non-empty one, so its ids, times and audit records were left out.
    mode: Literal["plain", "restored", "merged"] = "plain"
    audit_records: int = 0  # the backup's audit records: restored, or left out when merged

    def summary(self) -> str:
        if self.mode == "restored":
            return f"restored backup: {len(self.added)} claims, {self.audit_records} audit records"
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged"
        )
        if self.mode == "merged":
            counts += (
                "; the database was not empty, so the backup was imported by key and its ids,"
                f" times and {self.audit_records} audit records were not restored"
            )
        return counts


_PYDANTIC_MESSAGES: Final = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "list_type": "must be a list",
}


def validate_claim(raw: Any, *, index: int | None = None) -> ClaimCreate:
    """Validate one claim in the JSON contract, or raise with every field that is wrong."""
    shown_key = _shown_key(raw)
    if not isinstance(raw, dict):
        raise ClaimValidationError([FieldError("claim", "must be a JSON object", index)])
    try:
        return ClaimCreate.model_validate(raw)
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = error["loc"]
            name = str(loc[0]) if loc else error["type"]
            if not name.strip():  # a JSON key that is itself blank still needs a readable name
                name = repr(name)
            message = _PYDANTIC_MESSAGES.get(error["type"], error["msg"])
            errors.append(FieldError(name, message, index, shown_key))
        raise ClaimValidationError(errors) from None


def is_backup(document: Any) -> bool:
    """Whether ``document`` says it is a backup (``python -m bot export``'s output)."""
    return isinstance(document, dict) and "format" in document


def _shown(value: Any) -> str:
    # Echoed into messages that get printed: a lone surrogate from JSON would fail to encode.
    return str(value)[:40].encode("utf-8", "backslashreplace").decode()


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON can write but no database stores
        return False
    return True


def _shown_key(raw: Any, name: str = "key") -> str | None:
    key = raw.get(name) if isinstance(raw, dict) else None
    return key if isinstance(key, str) and len(key) <= _MAX_KEY and _encodable(key) else None


def _field_name(name: str) -> str:
    return name if name.strip() else repr(name)  # a blank key still gets a visible name


def _check_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    if not 1 <= value <= _MAX_ID:
        raise ValueError(f"{value} is out of range")
    return value


def _check_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 time, as text")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f'"{_shown(value)}" is not an ISO-8601 time') from None
    if moment.tzinfo is None:  # could be any zone; an export always writes the offset
        raise ValueError(f'"{_shown(value)}" has no UTC offset')
    return moment.astimezone(UTC)  # SQLite keeps the wall time and drops the zone


def _text_check(limit: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        if not value:
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"is longer than {limit} characters")
        if not _encodable(value):
            raise ValueError("has a lone surrogate, which is not valid text")
        return value

    return check


def _check_action(value: Any) -> str:
    if value not in AUDIT_ACTIONS:
        shown = _shown(value if isinstance(value, str) else repr(value))
        raise ValueError(f'"{shown}" is not one of: {", ".join(AUDIT_ACTIONS)}')
    return cast(str, value)


def _check_changes(value: Any) -> dict[str, list[Any]]:
    if not isinstance(value, dict) or not all(
        isinstance(pair, list) and len(pair) == 2 for pair in value.values()
    ):
        raise ValueError("must be an object of field: [before, after]")
    try:  # NaN and lone surrogates load from JSON, but neither database would store them
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError:
        raise ValueError("holds a value that is not valid JSON text") from None
    return value


_CLAIM_CHECKS: Final[dict[str, Callable[[Any], Any]]] = {
    "id": _check_id,
    "created_at": _check_time,
    "updated_at": _check_time,
    "updated_by": _text_check(_MAX_ACTOR),
}
_AUDIT_CHECKS: Final[dict[str, Callable[[Any], Any]]] = {
    "id": _check_id,
    "claim_id": _check_id,
    "claim_key": _text_check(_MAX_KEY),
    "actor": _text_check(_MAX_ACTOR),
    "action": _check_action,
    "at": _check_time,
    "changes": _check_changes,
}


def _check_fields(
    raw: Mapping[str, Any], checks: Mapping[str, Callable[[Any], Any]]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Every field of ``checks``, required and checked: the values, and (field, problem)s."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, check in checks.items():
        if name not in raw:
            problems.append((name, "is required"))
            continue
        try:
            values[name] = check(raw[name])
        except ValueError as exc:
            problems.append((name, str(exc)))
    return values, problems


def _validate_claims(
    raw_claims: list[Any], *, backup: bool
) -> list[tuple[ClaimCreate, dict[str, Any]]]:
    """Each claim with its backup-only fields (empty unless ``backup``); raise on any error."""
    valid: list[tuple[ClaimCreate, dict[str, Any]]] = []
    errors: list[FieldError] = []
    first_index: dict[str, int] = {}
    first_id: dict[int, int] = {}
    for index, raw in enumerate(raw_claims):
        contract: Any = raw
        extras: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        if backup and isinstance(raw, dict):
            # Set the stored fields aside so the contract fields meet ClaimCreate unchanged.
            extras, problems = _check_fields(raw, _CLAIM_CHECKS)
            contract = {k: v for k, v in raw.items() if k not in BACKUP_CLAIM_FIELDS}
            claim_id = extras.get("id")
            if claim_id in first_id:
                problems.append(("id", f"duplicate of claims[{first_id[claim_id]}]"))
            elif claim_id is not None:
                first_id[claim_id] = index
        claim: ClaimCreate | None = None
        try:
            claim = validate_claim(contract, index=index)
        except ClaimValidationError as exc:
            errors.extend(exc.errors)
        shown = _shown_key(raw)
        errors.extend(FieldError(name, message, index, shown) for name, message in problems)
        if claim is None or problems:
            continue
        if claim.key in first_index:
            message = f"duplicate of claims[{first_index[claim.key]}]"
            errors.append(FieldError("key", message, index, claim.key))
            continue
        first_index[claim.key] = index
        valid.append((claim, extras))
    if errors:
        raise ClaimValidationError(errors)
    return valid


def _claims_list(document: Mapping[str, Any], shape: str) -> list[Any]:
    raw_claims = document.get("claims")
    if not isinstance(raw_claims, list):
        raise ClaimValidationError([FieldError("document", f"must be {shape}")])
    if len(raw_claims) > MAX_IMPORT_CLAIMS:
        limit = f"has more than {MAX_IMPORT_CLAIMS:,} claims"
        raise ClaimValidationError([FieldError("document", limit)])
    return raw_claims


def validate_document(document: Any) -> list[ClaimCreate]:
    """Validate a whole ``{"claims": [...]}`` document; raise with every error found.

    A backup is accepted too (checked in full); its claims come back as plain claims.
    """
    if is_backup(document):
        return validate_backup(document).claims
    shape = '{"claims": [ ... ]}'
    if not isinstance(document, dict):
        raise ClaimValidationError([FieldError("document", f"must be {shape}")])
    raw_claims = _claims_list(document, shape)
    return [claim for claim, _extras in _validate_claims(raw_claims, backup=False)]


@dataclass(frozen=True)
class Backup:
    """A validated backup: its claims, and the rows to restore exactly as exported."""

    claims: list[ClaimCreate]
    claim_rows: list[dict[str, Any]]
    audit_rows: list[dict[str, Any]]


def _validate_audit(raw_records: list[Any], claim_ids: set[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    first_id: dict[int, int] = {}
    for index, raw in enumerate(raw_records):
        if not isinstance(raw, dict):
            errors.append(FieldError("record", "must be a JSON object", index, section="audit"))
            continue
        shown = _shown_key(raw, "claim_key")
        row, problems = _check_fields(raw, _AUDIT_CHECKS)
        problems.extend(
            (_field_name(name), "is not a known field") for name in raw if name not in _AUDIT_CHECKS
        )
        if "id" in row:
            if row["id"] in first_id:
                problems.append(("id", f"duplicate of audit[{first_id[row['id']]}]"))
            else:
                first_id[row["id"]] = index
        if "claim_id" in row and row["claim_id"] not in claim_ids:
            problems.append(("claim_id", f"no claim has id {row['claim_id']}"))
        errors.extend(
            FieldError(name, message, index, shown, section="audit") for name, message in problems
        )
        if not problems:
            rows.append(row)
    if errors:
        raise ClaimValidationError(errors)
    return rows


def validate_backup(document: Any) -> Backup:
    """Validate a whole backup, claims and audit records; raise with every error found."""
    shape = f'{{"format": "{BACKUP_FORMAT}", "version": {BACKUP_VERSION}, "claims": [ ... ]}}'
    if not isinstance(document, dict):
        raise ClaimValidationError([FieldError("document", f"must be {shape}")])
    errors = [
        FieldError(_field_name(name), "is not a known field")
        for name in document
        if name not in _BACKUP_KEYS
    ]
    if document.get("format") != BACKUP_FORMAT:
        shown = _shown(document.get("format"))
        errors.append(FieldError("format", f'"{shown}" is not "{BACKUP_FORMAT}"'))
    version = document.get("version")
    if "version" not in document:
        errors.append(FieldError("version", "is required"))
    elif isinstance(version, bool) or version != BACKUP_VERSION:
        message = f"{_shown(version)} is not a version this program reads ({BACKUP_VERSION})"
        errors.append(FieldError("version", message))
    if "exported_at" in document:
        try:
            _check_time(document["exported_at"])
        except ValueError as exc:
            errors.append(FieldError("exported_at", str(exc)))
    raw_audit = document.get("audit", [])
    if not isinstance(raw_audit, list):
        errors.append(FieldError("audit", "must be a list of audit records"))
    elif len(raw_audit) > MAX_IMPORT_AUDIT:
        errors.append(FieldError("audit", f"has more than {MAX_IMPORT_AUDIT:,} records"))
    if errors:  # the claims are not worth checking in a document of the wrong shape
        raise ClaimValidationError(errors)
    raw_claims = _claims_list(document, shape)
    claim_errors: list[FieldError] = []
    try:
        validated = _validate_claims(raw_claims, backup=True)
    except ClaimValidationError as exc:
        claim_errors, validated = exc.errors, []
    # Audit records are checked against every claim id given, valid or not, so that one bad
    # claim is reported once rather than again by each of its audit records.
    claim_ids = {
        raw["id"] for raw in raw_claims if isinstance(raw, dict) and isinstance(raw.get("id"), int)
    }
    try:
        audit_rows = _validate_audit(raw_audit, claim_ids)
    except ClaimValidationError as exc:
        raise ClaimValidationError([*claim_errors, *exc.errors]) from None
    if claim_errors:
        raise ClaimValidationError(claim_errors)
    return Backup(
        claims=[claim for claim, _extras in validated],
        claim_rows=[claim.row_values() | extras for claim, extras in validated],
        audit_rows=audit_rows,
    )


def _public(row: Claim) -> ClaimPublic:
    return ClaimPublic.model_validate(row, from_attributes=True)


# The PostgreSQL channel every write announces its new store revision on (the payload, as text).
CHANGES_CHANNEL: Final = "casualty_changes"


def _bump_revision(session: Session) -> None:
    bump = update(StoreMeta).values(revision=StoreMeta.revision + 1)
    if session.get_bind().dialect.name != "postgresql":
        session.execute(bump)
        return
    # Listening replicas hear it when this transaction commits, and never if it rolls back.
    revision = session.execute(bump.returning(col(StoreMeta.revision))).scalar()
    if revision is not None:
        notify = text("SELECT pg_notify(:channel, :revision)")
        session.execute(notify, {"channel": CHANGES_CHANNEL, "revision": str(revision)})


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


def _insert(
    session: Session,
    claim: ClaimCreate,
    *,
    actor: str,
    action: str,
    extra: Mapping[str, list[Any]] | None = None,
) -> Claim:
    """Add the claim's row and its audit record; ``extra`` notes more in the record (the
    draft it was approved from)."""
    values = claim.row_values()
    row = Claim(**values, updated_by=actor)
    session.add(row)
    session.flush()
    changes = {k: [None, v] for k, v in values.items() if v not in (None, [], "")}
    _audit(session, row, actor=actor, action=action, changes=changes | dict(extra or {}))
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
        assert row.id is not None
        record_change(session, claim_id=row.id, kind="add")
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


def active_claim_rows(*, engine: Engine) -> Iterator[ClaimRow]:
    """What search reads of every active claim, in id order.

    Read through the driver (at 100,000 claims the ORM's row processing costs seconds) and
    streamed in batches, so the raw rows are never all held next to the decoded ones.
    """
    names = ", ".join(f'"{name}"' for name in ClaimRow._fields)
    query = f"SELECT {names} FROM claim WHERE status = 'active' ORDER BY id"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(query)
        while rows := cursor.fetchmany(_BATCH * 5):
            yield from map(_search_row, rows)
        cursor.close()
    finally:
        connection.close()


_ALIASES: Final = ClaimRow._fields.index("aliases")  # the query selects the row's fields


def _search_row(row: Sequence[Any]) -> ClaimRow:
    # Claims repeat their wording (claimant, place, period): one copy of each.
    values = [sys.intern(value) if isinstance(value, str) else value for value in row]
    raw = values[_ALIASES]
    if isinstance(raw, str):  # SQLite keeps JSON as text; PostgreSQL decodes it
        raw = json.loads(raw) if raw != "[]" else ()
    values[_ALIASES] = tuple(sys.intern(alias) for alias in raw or ())
    return ClaimRow._make(values)


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
            record_change(session, claim_id=claim_id, kind=_edit_kind(diff), before=_before(diff))
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
        record_change(session, claim_id=claim_id, kind="retract")
        session.commit()
        session.refresh(row)
        return _public(row)


def _before(diff: Mapping[str, list[Any]]) -> dict[str, Any]:
    """The changed fields' values before a change, for "revised from X to Y"."""
    return {name: before for name, (before, _after) in diff.items()}


def _edit_kind(diff: Mapping[str, list[Any]]) -> str:
    """An edit that retracts is a retraction to followers; the rest are revisions."""
    return "retract" if diff.get("status", [None, None])[1] == "retracted" else "edit"


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_many(
    session: Session, claims: Sequence[ClaimCreate], *, actor: str, action: str
) -> list[int]:
    """Insert new claims and their audit records in batches (an import may hold 100,000);
    returns their ids."""
    now = utcnow()
    added: list[int] = []
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
        added.extend(ids)
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
    return added


def _upsert(
    session: Session, claims: Sequence[ClaimCreate], *, actor: str, action: str, seeding: bool
) -> ImportReport:
    """Add new keys and update changed ones, in the caller's transaction."""
    report = ImportReport()
    changes: list[tuple[int, str, dict[str, Any]]] = []
    keys = [claim.key for claim in claims]
    existing: set[str] = set()
    for chunk in _chunks(keys, _BATCH):
        existing.update(session.exec(select(Claim.key).where(col(Claim.key).in_(chunk))))
    new = [claim for claim in claims if claim.key not in existing]
    for chunk in _chunks([claim for claim in claims if claim.key in existing], _BATCH):
        rows = {
            row.key: row
            for row in session.exec(select(Claim).where(col(Claim.key).in_([c.key for c in chunk])))
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
                assert row.id is not None
                changes.append((row.id, _edit_kind(diff), _before(diff)))
            else:
                report.unchanged.append(claim.key)
    added = _insert_many(session, new, actor=actor, action=action)
    report.added.extend(claim.key for claim in new)
    if report.added or report.updated:
        _bump_revision(session)
    if not seeding:  # the seed is the starting point, not news to anyone
        record_changes(session, [*((i, "add", {}) for i in added), *changes])
    return report


def _upsert_all(
    *, engine: Engine, claims: Sequence[ClaimCreate], actor: str, action: str, seeding: bool
) -> ImportReport:
    with Session(engine) as session:
        report = _upsert(session, claims, actor=actor, action=action, seeding=seeding)
        session.commit()
    return report


def _hold_writers(session: Session) -> None:
    """Keep other writers out until commit, so "the database is empty" stays true meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        # Waits for writers in flight, then blocks new inserts and updates; reads go on.
        session.execute(
            text(f"LOCK TABLE {_CLAIMS.name}, {_AUDIT.name} IN SHARE ROW EXCLUSIVE MODE")
        )
    else:
        # SQLite allows one writer: a write that changes nothing takes that lock now.
        session.execute(update(StoreMeta).values(revision=StoreMeta.revision))


def _is_empty(session: Session) -> bool:
    return all(
        session.execute(select(table.c.id).limit(1)).first() is None for table in (_CLAIMS, _AUDIT)
    )


def _restore(session: Session, backup: Backup) -> ImportReport:
    """Write the backup's rows as they were, ids and times included, and no new history."""
    for table, rows in ((_CLAIMS, backup.claim_rows), (_AUDIT, backup.audit_rows)):
        for chunk in _chunks(rows, _BATCH):
            session.execute(insert(table), list(chunk))
        if session.get_bind().dialect.name == "postgresql":
            # Explicit ids do not move the sequence; without this the next add would reuse id 1.
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                    f" COALESCE(MAX(id), 0) + 1, false) FROM {table.name}"
                )
            )
    _bump_revision(session)
    return ImportReport(
        added=[claim.key for claim in backup.claims],
        mode="restored",
        audit_records=len(backup.audit_rows),
    )


def import_claims(*, engine: Engine, document: Any, actor: str) -> ImportReport:
    """Validate the whole document, then store all of its claims or none.

    A backup restores exactly into a database with no claims and no audit records; into any
    other it imports by key like a plain document, and its audit records are left out.
    """
    if not is_backup(document):
        claims = validate_document(document)
        return _upsert_all(
            engine=engine, claims=claims, actor=actor, action="import", seeding=False
        )
    backup = validate_backup(document)
    with Session(engine) as session:
        _hold_writers(session)
        if _is_empty(session):
            report = _restore(session, backup)
        else:
            report = _upsert(session, backup.claims, actor=actor, action="import", seeding=False)
            report.mode = "merged"
            report.audit_records = len(backup.audit_rows)
        session.commit()
    return report


def seed_claims(*, engine: Engine, document: Any) -> ImportReport:
    """Add the seed claims that are missing; refresh those nobody has edited since."""
    claims = validate_document(document)
    return _upsert_all(engine=engine, claims=claims, actor="seed", action="seed", seeding=True)


def _iso(moment: datetime) -> str:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one moment, so the claims and audit log agree."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            yield connection
        return
    with engine.connect() as connection:
        # pysqlite opens transactions only for writes; this one pins a WAL read snapshot.
        connection.exec_driver_sql("BEGIN")
        yield connection


def _backup_claim(row: RowMapping) -> dict[str, Any]:
    claim = ClaimPublic.model_validate(dict(row))
    return {
        "id": claim.id,
        **claim.to_contract(),
        "created_at": _iso(claim.created_at),
        "updated_at": _iso(claim.updated_at),
        "updated_by": claim.updated_by,
    }


def _backup_audit(row: RowMapping) -> dict[str, Any]:
    # Exactly the fields an import checks, so every export passes its own validation.
    return {name: _iso(row[name]) if name == "at" else row[name] for name in _AUDIT_CHECKS}


def export_claims(*, engine: Engine, include_audit: bool = True) -> dict[str, Any]:
    """A backup: every claim (retracted ones too) with its id and times, and the audit log.

    Its ``claims`` are contract claims plus ``BACKUP_CLAIM_FIELDS``, so it also imports by key.
    """
    with _snapshot(engine) as connection:
        claims = connection.execute(_CLAIMS.select().order_by(_CLAIMS.c.id)).mappings()
        document: dict[str, Any] = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "exported_at": _iso(utcnow()),
            "claims": [_backup_claim(row) for row in claims],
        }
        if include_audit:
            records = connection.execute(_AUDIT.select().order_by(_AUDIT.c.id)).mappings()
            document["audit"] = [_backup_audit(row) for row in records]
    return document


def claim_history(*, engine: Engine, claim_id: int) -> list[AuditRecord]:
    """The audit records of one claim, oldest first."""
    with Session(engine) as session:
        query = (
            select(AuditRecord)
            .where(AuditRecord.claim_id == claim_id)
            .order_by(col(AuditRecord.at), col(AuditRecord.id))
        )
        return list(session.exec(query).all())
