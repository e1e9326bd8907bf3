"""results by (district, student): a student's results without reading every result of their school
(issue 25: the student record filtered the school's results through (district, school))

Revision ID: 2e9c6b4a8f17
Revises: 8e52f3a1b7c4 (OneRoster origin of an assessment)
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2e9c6b4a8f17"
down_revision: str | None = "8e52f3a1b7c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_results_district_id_student_id", "results", ["district_id", "student_id"])


def downgrade() -> None:
    op.drop_index("ix_results_district_id_student_id", table_name="results")
