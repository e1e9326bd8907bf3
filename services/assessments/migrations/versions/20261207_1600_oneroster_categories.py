"""OneRoster gradebook categories (categories.csv), so a line item's category href resolves

Revision ID: 7c41d2e9a0f3
Revises: 5d3a9e71c2b8 (assessment quality)
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c41d2e9a0f3"
down_revision: str | None = "5d3a9e71c2b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("sourced_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("district_id", "sourced_id", name=op.f("pk_categories")),
    )


def downgrade() -> None:
    op.drop_table("categories")
