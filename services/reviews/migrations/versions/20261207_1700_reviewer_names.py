"""reviews keep their reviewers' display names

Each reviewer's name (the token's `name` claim) is recorded when they start, rate, submit, finalize or correct
a review, and served with it: an external reviewer cannot read the district's roster, yet sees the other
reviewers by name. Names stay in this table; events carry ids only. Reviews so far have none (their reviewers'
names are recorded the next time they act on them).

Revision ID: 5d3c9b7e2a41
Revises: a6ee0ca35c1b (the retained outbox)
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "5d3c9b7e2a41"
down_revision: str | None = "a6ee0ca35c1b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "reviews",
        sa.Column("reviewer_names", JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("reviews", "reviewer_names")
