"""support states (the support-exit measure)

Revision ID: 3f9e8b71c5d2
Revises: 7c41d2a9b0e3
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3f9e8b71c5d2"
down_revision: str | None = "7c41d2a9b0e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_states",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("student_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Text(), nullable=False),
        sa.Column("flags", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("exits", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("district_id", "student_id", name=op.f("pk_support_states")),
    )
    op.create_index(
        "ix_support_states_district_school", "support_states", ["district_id", "school_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_support_states_district_school", table_name="support_states")
    op.drop_table("support_states")
