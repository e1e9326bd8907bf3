"""a catalog entry (intervention) can be retired

A retired intervention is no longer offered for new assignments; its existing assignments keep it (and its
name). Every entry so far is in use: the column defaults to false.

Revision ID: 4f2a8c6e1d73
Revises: 9e4b7a1c2d35 (finite numbers)
Create Date: 2026-12-07 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f2a8c6e1d73"
down_revision: str | None = "9e4b7a1c2d35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "interventions", sa.Column("retired", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("interventions", "retired")
