"""Index claim status and date: every answer lists active claims, and inline lists the newest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claim_status", "claim", ["status"], unique=False)
    op.create_index("ix_claim_date", "claim", ["date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claim_date", table_name="claim")
    op.drop_index("ix_claim_status", table_name="claim")
