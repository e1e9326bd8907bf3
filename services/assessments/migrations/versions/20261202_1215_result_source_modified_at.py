"""results.source_modified_at: the source's modification time, so a stale re-send is not applied

Revision ID: 5b0d2e7c9a14
Revises: ad42c43ae849
Create Date: 2026-12-02 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b0d2e7c9a14"
down_revision: str | None = "ad42c43ae849"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "results",
        sa.Column(
            "source_modified_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="the source's modification time (OneRoster dateLastModified)",
        ),
    )


def downgrade() -> None:
    op.drop_column("results", "source_modified_at")
