"""OneRoster 1.2 gradebook fields: line item class, dates, category, description, score scale, value range;
result textScore and comment; the district's score scales (scoreScales.csv)

Every new column is nullable, so the rows already stored stay as they are (a line item created before this
revision reads resultValueMin 0, no class, no dates); nothing is dropped or recreated.

Revision ID: c3f1a9e27b50
Revises: 5b0d2e7c9a14
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3f1a9e27b50"
down_revision: str | None = "5b0d2e7c9a14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINE_ITEM_COLUMNS = (
    ("description", sa.Text(), "OneRoster lineItem description"),
    ("class_id", sa.Text(), "OneRoster lineItem class sourcedId"),
    ("category_id", sa.Text(), "OneRoster lineItem category sourcedId"),
    ("grading_period_id", sa.Text(), "OneRoster lineItem gradingPeriod / academicSession sourcedId"),
    ("assign_date", sa.DateTime(timezone=True), "OneRoster lineItem assignDate"),
    ("due_date", sa.DateTime(timezone=True), "OneRoster lineItem dueDate"),
    ("result_value_min", sa.Float(), "OneRoster resultValueMin (the maximum is max_score)"),
    ("score_scale_id", sa.Text(), "OneRoster lineItem scoreScale sourcedId"),
    ("source_modified_at", sa.DateTime(timezone=True), "the source's modification time (dateLastModified)"),
)


def upgrade() -> None:
    for name, type_, comment in LINE_ITEM_COLUMNS:
        op.add_column("assessments", sa.Column(name, type_, nullable=True, comment=comment))
    op.add_column("results", sa.Column("text_score", sa.Text(), nullable=True, comment="OneRoster textScore"))
    op.add_column("results", sa.Column("comment", sa.Text(), nullable=True, comment="OneRoster comment"))
    op.create_table(
        "score_scales",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("sourced_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("org_id", sa.Text(), nullable=True),
        sa.Column("course_id", sa.Text(), nullable=True),
        sa.Column("class_id", sa.Text(), nullable=True),
        sa.Column(
            "values",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
            comment="scoreScaleValue: [{itemValueLHS, itemValueRHS}]",
        ),
        sa.PrimaryKeyConstraint("district_id", "sourced_id", name=op.f("pk_score_scales")),
    )


def downgrade() -> None:
    op.drop_table("score_scales")
    op.drop_column("results", "comment")
    op.drop_column("results", "text_score")
    for name, _type, _comment in reversed(LINE_ITEM_COLUMNS):
        op.drop_column("assessments", name)
