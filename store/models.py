"""SQLModel models for claims and their audit trail.

The JSON contract (``seed_claims.json``, import and export) is ``ClaimCreate`` in and
``ClaimPublic`` out; ``Claim`` is the table. ``figure`` is an int or ``[low, high]`` in JSON
and two integer columns in the table, so ranges can be compared and sorted in SQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, text
from sqlmodel import Field, SQLModel

from bot.domain import ClaimDate
from bot.vocabulary import VOCABULARY

QUALIFIERS: Final = ("exact", "about", "more than", "at least", "fewer than", "up to")
# Measures and claimant types are vocabulary (bot/vocabulary/*.toml), defined there once.
MEASURES: Final = tuple(VOCABULARY.measures)
PERS: Final = ("day", "week", "month", "year")
STATUSES: Final = ("active", "retracted")
CLAIMANT_TYPES: Final = tuple(VOCABULARY.claimant_types)

MAX_FIGURE: Final = 10**10  # people; anything larger is a typo, not a casualty count
MAX_TEXT: Final = 500  # characters in one short field or caveat
MAX_ITEMS: Final = 30  # caveats or aliases on one claim

_KEY_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
# ASCII digits only, and the whole text: "$" alone would also accept a trailing newline.
_URL_RE: Final = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _error(field: str, message: str, **context: Any) -> PydanticCustomError:
    # JSON can write a lone surrogate ("\ud800"), which pydantic cannot put in its error list
    # (UnicodeEncodeError): values echoed in a message show it escaped instead.
    for name, value in context.items():
        if isinstance(value, str):
            context[name] = value.encode("utf-8", "backslashreplace").decode()
    return PydanticCustomError(field, message, context)


def check_date(value: str) -> str:
    """Return ``value`` if it is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and a real date."""
    try:
        ClaimDate.parse(value)
    except ValueError as error:
        raise _error("date", '"{value}" ' + str(error), value=value) from None
    return value


def check_figure(value: Any) -> tuple[int, int | None]:
    """Turn a JSON figure (an int or ``[low, high]``) into ``(low, high-or-None)``."""

    def number(item: Any) -> int:
        if isinstance(item, bool) or not isinstance(item, int):
            shown = item if isinstance(item, str) else repr(item)
            raise _error("figure", '"{value}" is not a number', value=str(shown)[:40])
        if not 0 <= item <= MAX_FIGURE:
            raise _error("figure", "{value} is out of range", value=item)
        return item

    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise _error("figure", "a range must be [low, high]")
        low, high = number(value[0]), number(value[1])
        if low > high:
            raise _error("figure", "range low {low} is above high {high}", low=low, high=high)
        return (low, high) if low != high else (low, None)
    return number(value), None


def _clean_text(value: Any, field: str, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise _error(field, "is required")
        return None
    if not isinstance(value, str):
        raise _error(field, "must be text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Not text at all; the database and the JSON export (UTF-8) would fail on it later.
        raise _error(field, "has a lone surrogate, which is not valid text") from None
    text = " ".join(value.split())
    if not text:
        if required:
            raise _error(field, "must not be empty")
        return None
    if len(text) > MAX_TEXT:
        raise _error(field, "is longer than {limit} characters", limit=MAX_TEXT)
    return text


def _choice(value: Any, field: str, allowed: tuple[str, ...], *, required: bool) -> str | None:
    text = _clean_text(value, field, required=required)
    if text is None:
        return None
    text = text.lower()
    if text not in allowed:
        options = ", ".join(allowed)
        raise _error(field, '"{value}" is not one of: {options}', value=text, options=options)
    return text


def _text_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list):
        raise _error(field, "must be a list of texts")
    if len(value) > MAX_ITEMS:
        raise _error(field, "has more than {limit} items", limit=MAX_ITEMS)
    items = [_clean_text(item, field, required=True) for item in value]
    return [item for item in items if item]


def utcnow() -> datetime:
    return datetime.now(UTC)


class ClaimBase(SQLModel):
    """Fields every claim carries, in the shape the table stores them."""

    key: str = Field(index=True, unique=True, max_length=120)
    qualifier: str | None = Field(default=None, max_length=20)
    measure: str = Field(max_length=20)
    per: str | None = Field(default=None, max_length=10)
    who: str = Field(max_length=MAX_TEXT)
    where: str | None = Field(default=None, max_length=MAX_TEXT)
    period: str | None = Field(default=None, max_length=MAX_TEXT)
    claimant: str = Field(max_length=MAX_TEXT)
    claimant_type: str | None = Field(default=None, max_length=40)
    published_by: str | None = Field(default=None, max_length=MAX_TEXT)
    reported_by: str | None = Field(default=None, max_length=MAX_TEXT)
    reported_in: str | None = Field(default=None, max_length=MAX_TEXT)
    date: str = Field(max_length=10, index=True)
    caveats: list[str] = Field(default_factory=list, sa_type=JSON)
    url: str | None = Field(default=None, max_length=2000)
    aliases: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="active", max_length=10, index=True)
    retraction_reason: str | None = Field(default=None, max_length=MAX_TEXT)


class Claim(ClaimBase, table=True):
    """A stored claim. ``figure_high`` is set only for ranges."""

    id: int | None = Field(default=None, primary_key=True)
    figure_low: int = Field(sa_type=BigInteger)
    figure_high: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    # "seed" until a person changes it: seeding only refreshes claims nobody has edited.
    updated_by: str = Field(default="seed", max_length=40)


class ClaimCreate(ClaimBase):
    """A claim as written in the JSON contract; validation gives field-named errors."""

    model_config = {"extra": "forbid"}

    figure: int | list[int]

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> str:
        text = _clean_text(value, "key", required=True)
        assert text is not None
        if not _KEY_RE.match(text):
            raise _error(
                "key", '"{value}" must be a lowercase slug like kp-leak-2022-03', value=text
            )
        return text

    @field_validator("figure", mode="before")
    @classmethod
    def _figure(cls, value: Any) -> int | list[int]:
        low, high = check_figure(value)
        return low if high is None else [low, high]

    @field_validator("qualifier", mode="before")
    @classmethod
    def _qualifier(cls, value: Any) -> str | None:
        return _choice(value, "qualifier", QUALIFIERS, required=False)

    @field_validator("measure", mode="before")
    @classmethod
    def _measure(cls, value: Any) -> str | None:
        return _choice(value, "measure", MEASURES, required=True)

    @field_validator("per", mode="before")
    @classmethod
    def _per(cls, value: Any) -> str | None:
        return _choice(value, "per", PERS, required=False)

    @field_validator("claimant_type", mode="before")
    @classmethod
    def _claimant_type(cls, value: Any) -> str | None:
        return _choice(value, "claimant_type", CLAIMANT_TYPES, required=False)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return _choice(value, "status", STATUSES, required=False) or "active"

    @field_validator("who", "claimant", mode="before")
    @classmethod
    def _required_text(cls, value: Any, info: Any) -> str | None:
        return _clean_text(value, info.field_name, required=True)

    @field_validator(
        "where", "period", "published_by", "reported_by", "reported_in", "retraction_reason",
        mode="before",
    )  # fmt: skip
    @classmethod
    def _optional_text(cls, value: Any, info: Any) -> str | None:
        return _clean_text(value, info.field_name, required=False)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a bare year is a common, harmless slip in hand-written JSON
        text = _clean_text(value, "date", required=True)
        assert text is not None
        return check_date(text)

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> str | None:
        text = _clean_text(value, "url", required=False)
        if text is not None and not _URL_RE.match(text):
            raise _error("url", '"{value}" is not an http(s) link', value=text[:60])
        return text

    @field_validator("caveats", "aliases", mode="before")
    @classmethod
    def _lists(cls, value: Any, info: Any) -> list[str]:
        return _text_list(value, info.field_name)

    @model_validator(mode="after")
    def _retraction_needs_reason(self) -> ClaimCreate:
        if self.status == "retracted" and not self.retraction_reason:
            raise _error("retraction_reason", "a retracted claim needs a retraction_reason")
        if self.status == "active" and self.retraction_reason:
            raise _error("retraction_reason", "only a retracted claim carries a reason")
        return self

    @property
    def figure_low(self) -> int:
        return self.figure if isinstance(self.figure, int) else self.figure[0]

    @property
    def figure_high(self) -> int | None:
        return None if isinstance(self.figure, int) else self.figure[1]

    def row_values(self) -> dict[str, Any]:
        """The values to write into a ``Claim`` row."""
        values = self.model_dump(exclude={"figure"})
        values["figure_low"] = self.figure_low
        values["figure_high"] = self.figure_high
        return values


class ClaimPublic(ClaimBase):
    """A stored claim as the rest of the program sees it."""

    id: int
    figure_low: int
    figure_high: int | None = None
    created_at: datetime
    updated_at: datetime
    updated_by: str

    @property
    def figure(self) -> int | list[int]:
        return self.figure_low if self.figure_high is None else [self.figure_low, self.figure_high]

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def to_contract(self) -> dict[str, Any]:
        """The claim in the JSON contract's shape, without empty optional fields."""
        values: dict[str, Any] = {"key": self.key, "figure": self.figure}
        for name in ClaimBase.model_fields:
            if name == "key":
                continue
            value = getattr(self, name)
            if value in (None, [], "") or (name == "status" and value == "active"):
                continue
            values[name] = value
        return values


CONTRACT_FIELDS: Final = ("figure", *ClaimBase.model_fields)


class ClaimRow(NamedTuple):
    """The fields of an active claim that search reads; the rest is fetched only for shown
    claims. A plain tuple, because an index build reads one per stored claim."""

    id: int
    measure: str
    per: str | None
    who: str
    where: str | None
    period: str | None
    claimant: str
    published_by: str | None
    reported_by: str | None
    aliases: tuple[str, ...]
    date: str
    figure_low: int
    figure_high: int | None

    @classmethod
    def of(cls, claim: ClaimPublic) -> ClaimRow:
        values = {name: getattr(claim, name) for name in cls._fields}
        return cls(**(values | {"aliases": tuple(claim.aliases)}))


class AuditRecord(SQLModel, table=True):
    """One change to one claim: who, when, what, and the values before and after."""

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(index=True)
    claim_key: str = Field(max_length=120)
    actor: str = Field(max_length=40)  # a Telegram user id, "cli" or "seed"
    action: str = Field(max_length=20)  # add, edit, retract, import, seed
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    changes: dict[str, list[Any]] = Field(default_factory=dict, sa_type=JSON)


DRAFT_STATUSES: Final = ("pending", "approved", "rejected", "expired")
MAX_EVIDENCE: Final = 2_000  # characters of the sentence a draft came from


class DraftClaim(SQLModel, table=True):
    """A claim proposed from an article, waiting for an admin's review: nothing drafted is
    answered until it is approved (by ``approvals_required`` different admins)."""

    __tablename__ = "draft_claim"

    id: int | None = Field(default=None, primary_key=True)
    batch: str = Field(max_length=32, index=True)  # the drafts of one article or suggestion
    claim: dict[str, Any] = Field(sa_type=JSON)  # the import format, without a key
    evidence: str = Field(max_length=MAX_EVIDENCE)
    source_url: str | None = Field(default=None, max_length=2000)
    source_title: str | None = Field(default=None, max_length=MAX_TEXT)
    status: str = Field(default="pending", max_length=10, index=True)
    created_by: str = Field(max_length=40)  # the admin who drafted it, or "cli"
    suggested_by: str | None = Field(default=None, max_length=40)  # a /suggest user's id
    approvals: list[str] = Field(default_factory=list, sa_type=JSON)  # admins' ids, in order
    claim_id: int | None = Field(default=None)  # the stored claim, once approved
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class StoreMeta(SQLModel, table=True):
    """A single row whose revision goes up on every change, so caches know when to reload."""

    id: int = Field(default=1, primary_key=True)
    revision: int = Field(default=0, sa_type=BigInteger)


SUBSCRIPTION_STATUSES: Final = ("active", "paused", "ended")
MAX_TOPIC: Final = 300  # characters of a followed question


class Subscription(SQLModel, table=True):
    """A chat following a topic: the same question asked again after every claim change."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, index=True)
    topic: str = Field(max_length=MAX_TOPIC)
    language: str = Field(max_length=10)  # the follower's, for the messages it gets
    status: str = Field(default="active", max_length=10, index=True)
    paused_reason: str | None = Field(default=None, max_length=MAX_TEXT)
    created_by: str = Field(max_length=40)  # the Telegram user who followed it
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


CHANGE_KINDS: Final = ("add", "edit", "retract")


class ClaimChange(SQLModel, table=True):
    """The outbox: one row per claim change, written in the change's own transaction.

    A dispatcher later turns it into deliveries, one per subscription the claim answers, so a
    change is never lost between the commit and the fan-out, and never fanned out twice.
    """

    __tablename__ = "claim_change"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(index=True)
    audit_id: int | None = Field(default=None)
    kind: str = Field(max_length=10)
    revision: int = Field(sa_type=BigInteger)  # the store's revision after the change
    before: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # changed fields' values
    expanded: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


DELIVERY_STATUSES: Final = ("pending", "sending", "sent", "failed", "skipped")
DELIVERY_KINDS: Final = ("new", "revised", "retracted")


class Delivery(SQLModel, table=True):
    """One message owed to one subscription about one claim.

    While it waits, later changes to the same claim fold into it (one message, however many
    edits). ``available_at`` is when it may be taken: now, after a back-off, or, while a
    replica holds it (``sending``), when that replica's lease runs out.
    """

    __table_args__ = (
        # What a dispatcher scans for: rows due now, oldest first.
        Index("ix_delivery_due", "status", "available_at", "id"),
        # One waiting message per subscription and claim: later changes fold into it.
        Index(
            "uq_delivery_waiting",
            "subscription_id",
            "claim_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(index=True)
    chat_id: int = Field(sa_type=BigInteger)
    claim_id: int
    change_id: int  # the newest change folded in
    kind: str = Field(max_length=10)
    before: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # as the follower saw it
    previous_claim_id: int | None = Field(default=None)  # the claimant's earlier figure
    status: str = Field(default="pending", max_length=10)
    attempts: int = Field(default=0)
    available_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    leased_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, max_length=MAX_TEXT)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RateLimitHit(SQLModel, table=True):
    """One counted event (a question, a message sent) under a shared limit's key."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_at", "key", "at"),)

    # BIGINT on PostgreSQL (hits come and go by the million); SQLite's rowid is INTEGER.
    id: int | None = Field(
        default=None, primary_key=True, sa_type=BigInteger().with_variant(Integer(), "sqlite")
    )
    key: str = Field(max_length=200)
    at: float  # seconds since the epoch
