"""roster classes (ClassRostered)

Revision ID: 9a2c6e0d4b17
Revises: 3f9e8b71c5d2
Create Date: 2026-12-02 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9a2c6e0d4b17"
down_revision: str | None = "3f9e8b71c5d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("class_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Text(), nullable=False),
        sa.Column("grades", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("district_id", "class_id", name=op.f("pk_classes")),
    )


def downgrade() -> None:
    op.drop_table("classes")
