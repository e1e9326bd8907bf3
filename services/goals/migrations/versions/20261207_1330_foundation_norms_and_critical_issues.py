"""a school's foundation (versioned), a team's norms and protocols and its checklist of the 18 critical issues

Revision ID: c4d81f2a7e60
Revises: 9be161246787 (the retained outbox)
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c4d81f2a7e60"
down_revision: str | None = "9be161246787"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "foundation_versions",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("saved_by", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("district_id", "school_id", "version", name=op.f("pk_foundation_versions")),
    )
    op.create_table(
        "team_norms",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("norms", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("protocols", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("district_id", "team_id", name=op.f("pk_team_norms")),
    )
    op.create_table(
        "team_critical_issues",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("issue", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("district_id", "team_id", "issue", name=op.f("pk_team_critical_issues")),
    )


def downgrade() -> None:
    op.drop_table("team_critical_issues")
    op.drop_table("team_norms")
    op.drop_table("foundation_versions")
