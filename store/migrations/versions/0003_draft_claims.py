"""Draft claims: claims proposed from articles and suggestions, waiting for review.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.String(length=2000), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("source_title", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("suggested_by", sa.String(length=40), nullable=True),
        sa.Column("approvals", sa.JSON(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_draft_claim_batch", "draft_claim", ["batch"], unique=False)
    op.create_index("ix_draft_claim_status", "draft_claim", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_draft_claim_status", table_name="draft_claim")
    op.drop_index("ix_draft_claim_batch", table_name="draft_claim")
    op.drop_table("draft_claim")
