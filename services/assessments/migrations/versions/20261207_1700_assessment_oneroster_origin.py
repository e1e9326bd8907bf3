"""whether an assessment was created through OneRoster (a native CFA is served as an assessmentLineItem)

Revision ID: 8e52f3a1b7c4
Revises: 7c41d2e9a0f3 (OneRoster categories)
Create Date: 2026-12-07 17:00:00

Backfill: an assessment that holds any OneRoster lineItem field (class, category, grading period, dates,
resultValueMin, score scale, the source's dateLastModified, a description) or an objective made from a OneRoster
learning objective was created through OneRoster; the others were made natively.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e52f3a1b7c4"
down_revision: str | None = "7c41d2e9a0f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "assessments",
        sa.Column(
            "oneroster",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="created through OneRoster (gradebook binding or CSV); a CFA made here (native) is not, and "
            "is served as an assessmentLineItem (gradebook.rules.collection_of)",
        ),
    )
    op.execute(
        """
        UPDATE assessments a SET oneroster = true
        WHERE a.class_id IS NOT NULL OR a.category_id IS NOT NULL OR a.grading_period_id IS NOT NULL
           OR a.assign_date IS NOT NULL OR a.due_date IS NOT NULL OR a.result_value_min IS NOT NULL
           OR a.score_scale_id IS NOT NULL OR a.source_modified_at IS NOT NULL OR a.description IS NOT NULL
           OR EXISTS (
               SELECT 1 FROM objectives o
               WHERE o.district_id = a.district_id AND o.assessment_id = a.id
                 AND o.description LIKE 'OneRoster learning objective (%'
           )
        """
    )


def downgrade() -> None:
    op.drop_column("assessments", "oneroster")
