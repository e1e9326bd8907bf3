"""an assessment's ratings on the five keys of quality assessment

Revision ID: 5d3a9e71c2b8
Revises: 1aab55e6a1d6 (the retained outbox)
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d3a9e71c2b8"
down_revision: str | None = "1aab55e6a1d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_quality",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("assessment_id", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("rating", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("rated_by", sa.Text(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("district_id", "assessment_id", "key", name=op.f("pk_assessment_quality")),
    )


def downgrade() -> None:
    op.drop_table("assessment_quality")
