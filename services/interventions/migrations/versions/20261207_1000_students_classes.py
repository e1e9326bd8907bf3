"""students' classes

Teachers see the students of their classes (plc_shared.scope): the service learns each student's classes
from the roster (`StudentRostered.class_ids`, published again whenever the student's enrollments change) and,
for a student first seen in a result, from that result's classes. Existing students get the classes their
flags named (the rule teachers were scoped by until now), so no teacher loses sight of a student at the
upgrade; the next roster event of a student replaces them with the roster's (re-send the enrollments, e.g.
`PUT /assessments/roster/enrollments` or a OneRoster import, to refresh every student at once).

Revision ID: 3a7d5e9c1b24
Revises: 5b8e1f3a7c92
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3a7d5e9c1b24"
down_revision: str | None = "5b8e1f3a7c92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "students",
        sa.Column("class_ids", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.execute(
        "UPDATE students s SET class_ids = c.ids FROM ("
        " SELECT district_id, student_id, array_agg(DISTINCT class_id ORDER BY class_id) AS ids"
        " FROM flags, unnest(class_ids) AS class_id GROUP BY district_id, student_id) c"
        " WHERE s.district_id = c.district_id AND s.student_id = c.student_id"
    )


def downgrade() -> None:
    op.drop_column("students", "class_ids")
