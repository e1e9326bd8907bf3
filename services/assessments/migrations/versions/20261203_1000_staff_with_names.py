"""staff with names: the roster's teachers, administrators, aides and proctors (PUT /roster/staff, users.csv)

A new table keyed (district_id, sourced_id) like every roster table; nothing existing is changed, dropped or
recreated, so the downgrade only drops the new table.

Revision ID: 7e2b4c9d1f03
Revises: c3f1a9e27b50
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7e2b4c9d1f03"
down_revision: str | None = "c3f1a9e27b50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("sourced_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("given_name", sa.Text(), nullable=False),
        sa.Column("family_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("identifier", sa.Text(), nullable=True),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("school_ids", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("district_id", "sourced_id", name=op.f("pk_staff")),
    )


def downgrade() -> None:
    op.drop_table("staff")
