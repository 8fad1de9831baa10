"""From an article to drafts in the review queue, and from drafts to claims (no Telegram).

Every entry point (``/draft`` text, a reply, a document, a link; ``/suggest``; the CLI) ends
here: the text is read as an article, the extractor proposes claims, and they are queued.
Approval goes through the store, so the answerer is told when a claim goes live.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.fetch import fetch_page
from bot.service import Answerer
from store import (
    Approval,
    ClaimValidationError,
    DraftPublic,
    NewDraft,
    add_drafts,
    approve_draft,
    count_drafts,
    draft_key,
    edit_draft,
    expire_drafts,
    get_draft,
    list_drafts,
    reject_draft,
    validate_claim,
)
from store.models import ClaimPublic, utcnow

if TYPE_CHECKING:  # the extractor itself is imported where it is used: see ``read_sent``
    from bot.extract import Article, Draft


@dataclass(frozen=True)
class Drafted:
    """The drafts one article gave, with the article they came from."""

    article: Article
    drafts: list[DraftPublic]


async def fetch_article(url: str, settings: Settings) -> Article:
    """The article at a link (``FetchError`` if it cannot be had safely)."""
    page = await fetch_page(
        url,
        time_limit=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.fetch_private_urls,
    )
    return read_sent(page.body, content_type=page.content_type, url=page.url)


def read_sent(
    raw: str | bytes, *, content_type: str = "text/plain", url: str | None = None
) -> Article:
    """Text or HTML an admin sent, as an Article.

    The extractor is imported on the first draft, not at start-up: its word lists take
    0.36 s and 2 MB to load, and most processes never draft (issue 16).
    """
    from bot.extract import read_article

    return read_article(raw, content_type=content_type, url=url)


def drafts_of(article: Article) -> list[tuple[Draft, dict[str, Any]]]:
    """Each draft with its claim in the import format (its key is given on approval)."""
    from bot.extract import draft_claims  # on first use, as in ``read_sent``

    found = []
    for number, draft in enumerate(draft_claims(article), start=1):
        claim = draft.as_claim(article, key=f"draft-{number}")
        claim.pop("key", None)
        found.append((draft, claim))
    return found


def preview(claim: Mapping[str, Any], *, key: str) -> ClaimPublic | ClaimValidationError:
    """A drafted claim as it would be stored (to show it), or what keeps it from being valid."""
    try:
        valid = validate_claim({**claim, "key": key})
    except ClaimValidationError as exc:
        return exc
    now = utcnow()
    return ClaimPublic(
        id=0, created_at=now, updated_at=now, updated_by="draft", **valid.row_values()
    )


def as_stored(draft: DraftPublic) -> ClaimPublic | ClaimValidationError:
    return preview(draft.claim, key=draft_key(draft.id, draft.claim))


class DraftsService:
    """The review queue for handlers: every write through the store, one transaction each."""

    def __init__(self, engine: Engine, answerer: Answerer, settings: Settings) -> None:
        self._engine = engine
        self._answerer = answerer
        self._settings = settings

    def queue(self, article: Article, *, actor: str, suggested_by: str | None = None) -> Drafted:
        """Draft the article's claims and queue them for review."""
        found = [NewDraft(claim, draft.evidence) for draft, claim in drafts_of(article)]
        queued = (
            add_drafts(
                engine=self._engine,
                drafts=found,
                actor=actor,
                source_url=article.url,
                source_title=article.title,
                suggested_by=suggested_by,
            )
            if found
            else []
        )
        return Drafted(article, queued)

    def get(self, draft_id: int) -> DraftPublic:
        return get_draft(engine=self._engine, draft_id=draft_id)

    def pending(self, *, batch: str | None = None, limit: int = 20) -> list[DraftPublic]:
        """Pending drafts, oldest first; drafts past their time are expired first."""
        expire_drafts(
            engine=self._engine, older_than=utcnow() - timedelta(days=self._settings.draft_days)
        )
        return list_drafts(engine=self._engine, batch=batch, limit=limit)

    def count_pending(self, *, batch: str | None = None) -> int:
        return count_drafts(engine=self._engine, batch=batch)

    def next_in_batch(self, draft: DraftPublic) -> DraftPublic | None:
        """The next draft of the same article still waiting, if any."""
        waiting = list_drafts(engine=self._engine, batch=draft.batch, limit=1)
        return waiting[0] if waiting else None

    def approve(self, draft_id: int, *, actor: str) -> Approval:
        approval = approve_draft(
            engine=self._engine,
            draft_id=draft_id,
            actor=actor,
            required=self._settings.approvals_required,
        )
        if approval.claim is not None:
            self._answerer.invalidate()
        return approval

    def skip(self, draft_id: int, *, actor: str) -> DraftPublic:
        return reject_draft(engine=self._engine, draft_id=draft_id, actor=actor)

    def edit(self, draft_id: int, changes: Mapping[str, Any], *, actor: str) -> DraftPublic:
        return edit_draft(engine=self._engine, draft_id=draft_id, changes=changes, actor=actor)


def import_document(drafted: Sequence[tuple[Draft, dict[str, Any]]]) -> dict[str, Any]:
    """Drafts as an import document (``{"claims": [...]}``), keys included, for the CLI."""
    claims = [{"key": draft_key(n, claim), **claim} for n, (_draft, claim) in enumerate(drafted, 1)]
    return {"claims": claims}
