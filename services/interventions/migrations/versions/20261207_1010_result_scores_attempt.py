"""result scores keep their attempt (the counting rule)

Which of a student's results counts on a standard is now the one rule of the suite (`plc_shared.counting`):
the latest by assessment date, then by attempt — no longer by when this service first saw the result. The
attempt travels in every result event; this column keeps it beside each score.

Scores stored before this revision get attempt 1 (the events that carried their attempt were not kept). Among
those, results of one date are ordered by their result id, which is time-ordered (the one recorded later
counts) — what the first-recording order gave before. Each such result takes its true attempt with its next
correction or re-send.

Revision ID: 7c1d2e9f4a60
Revises: 3a7d5e9c1b24
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1d2e9f4a60"
down_revision: str | None = "3a7d5e9c1b24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("result_scores", sa.Column("attempt", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    op.drop_column("result_scores", "attempt")
