"""tiers count the roster

The tier distribution's denominator is the school's students from `students` (its roster, or first seen in a
result there) instead of a count over every result score of the school, so `result_scores` loses the index
that count needed: one index less to maintain on the table every result writes to.

Revision ID: 9d4f0b6c2e31
Revises: 7c1e2d9a4b10
Create Date: 2026-12-02 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9d4f0b6c2e31"
down_revision: str | None = "7c1e2d9a4b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_result_scores_district_school", table_name="result_scores")


def downgrade() -> None:
    op.create_index("ix_result_scores_district_school", "result_scores", ["district_id", "school_id"])
