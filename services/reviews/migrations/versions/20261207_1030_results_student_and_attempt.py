"""results keep their student and attempt (the counting rule)

The achievement criterion counts each student once per summative assessment, with the result the suite's
counting rule picks (`plc_shared.counting`: the latest live scored one by assessment date, then attempt). The
result events always carried the student and the attempt; these columns keep them.

Rows stored before this revision have no student (the events that named it were not kept): each of them
counts alone, as all results did before. They take their student with their next revision.

Revision ID: 0c5e7a1f2b84
Revises: 4576b94057e6
Create Date: 2026-12-07 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0c5e7a1f2b84"
down_revision: str | None = "4576b94057e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("results", sa.Column("student_id", sa.Text(), nullable=True))
    op.add_column("results", sa.Column("attempt", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    op.drop_column("results", "attempt")
    op.drop_column("results", "student_id")
