"""deadlines and district thresholds

Revision ID: 7c41d2a9b0e3
Revises: e5ccb495ba7e
Create Date: 2026-12-02 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c41d2a9b0e3"
down_revision: str | None = "e5ccb495ba7e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("goals", sa.Column("deadline", sa.Date(), nullable=True))
    op.execute("UPDATE goals SET deadline = (body->>'deadline')::date")
    op.create_index("ix_goals_status_deadline", "goals", ["status", "deadline"], unique=False)
    op.create_table(
        "district_thresholds",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("on_track", sa.Float(), nullable=False),
        sa.Column("at_risk", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("district_id", name=op.f("pk_district_thresholds")),
    )


def downgrade() -> None:
    op.drop_table("district_thresholds")
    op.drop_index("ix_goals_status_deadline", table_name="goals")
    op.drop_column("goals", "deadline")
