"""results by (district, assessment): the summative results that count are found through the district's few
summative assessments, not a sequential scan of every result of the district (issue 25: the
implementation-achievement analysis read 935,000 results to use 15,000)

Revision ID: 7b2d4f8e1a36
Revises: 5d3c9b7e2a41 (reviewer names)
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7b2d4f8e1a36"
down_revision: str | None = "5d3c9b7e2a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_results_district_assessment", "results", ["district_id", "assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_results_district_assessment", table_name="results")
