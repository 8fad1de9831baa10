"""The initial schema: claims, their audit records, and the store revision.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("qualifier", sa.String(length=20), nullable=True),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("per", sa.String(length=10), nullable=True),
        sa.Column("who", sa.String(length=500), nullable=False),
        sa.Column("where", sa.String(length=500), nullable=True),
        sa.Column("period", sa.String(length=500), nullable=True),
        sa.Column("claimant", sa.String(length=500), nullable=False),
        sa.Column("claimant_type", sa.String(length=40), nullable=True),
        sa.Column("published_by", sa.String(length=500), nullable=True),
        sa.Column("reported_by", sa.String(length=500), nullable=True),
        sa.Column("reported_in", sa.String(length=500), nullable=True),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("caveats", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("retraction_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("figure_low", sa.BigInteger(), nullable=False),
        sa.Column("figure_high", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_claim_key", "claim", ["key"], unique=True)
    op.create_table(
        "auditrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("claim_key", sa.String(length=120), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auditrecord_claim_id", "auditrecord", ["claim_id"], unique=False)
    op.create_table(
        "storemeta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("storemeta")
    op.drop_index("ix_auditrecord_claim_id", table_name="auditrecord")
    op.drop_table("auditrecord")
    op.drop_index("ix_claim_key", table_name="claim")
    op.drop_table("claim")
