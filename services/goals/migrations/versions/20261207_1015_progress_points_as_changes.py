"""progress points stored as changes (a point is the measure as of its date)

A progress point is now the goal's measure as it stood on its date: over the results assessed up to it
(goals.points.rules). Each row keeps what its date changes — `dnum`, `dden` (the goal's numerator and
denominator) and `entries` (results, or flag events, of that date) — and a point's value is the running sum
of the changes up to it, so a back-dated correction moves every point from its date on.

Rows written before this revision held the goal's value when their batch was applied (`value`, `n`). They are
converted so that the series reads exactly as before (each row's change is its value minus the one before
it), and the last row of each goal is set to the goal's current sums (the old rows could lag behind them after
a back-dated correction). From here on every change moves the points as of their dates.

Revision ID: b6e0a4d2c913
Revises: 9a2c6e0d4b17
Create Date: 2026-12-07 10:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b6e0a4d2c913"
down_revision: str | None = "9a2c6e0d4b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# value = 100 * numerator / denominator, except the average measure (numerator / denominator)
SCALE = "CASE WHEN g.body->'measure'->>'kind' = 'average' THEN 1.0 ELSE 100.0 END"

CONVERT = f"""
WITH c AS (
    SELECT p.district_id, p.goal_id, p."on", p.n AS den,
           CASE WHEN p.value IS NULL OR p.n = 0 THEN 0.0 ELSE p.value * p.n / {SCALE} END AS num
    FROM progress_points p JOIN goals g ON g.district_id = p.district_id AND g.id = p.goal_id
), d AS (
    SELECT district_id, goal_id, "on",
           num - coalesce(lag(num) OVER w, 0) AS dnum, den - coalesce(lag(den) OVER w, 0) AS dden
    FROM c WINDOW w AS (PARTITION BY district_id, goal_id ORDER BY "on")
)
UPDATE progress_points p SET dnum = d.dnum, dden = d.dden, entries = 1
FROM d WHERE p.district_id = d.district_id AND p.goal_id = d.goal_id AND p."on" = d."on"
"""

TO_SUMS = """
WITH last AS (
    SELECT DISTINCT ON (district_id, goal_id) district_id, goal_id, "on"
    FROM progress_points ORDER BY district_id, goal_id, "on" DESC
), total AS (
    SELECT district_id, goal_id, sum(dnum) AS num, sum(dden) AS den FROM progress_points GROUP BY 1, 2
)
UPDATE progress_points p
SET dnum = p.dnum + (g.numerator - total.num), dden = p.dden + (g.denominator - total.den)
FROM last JOIN total USING (district_id, goal_id)
JOIN goals g ON g.district_id = last.district_id AND g.id = last.goal_id
WHERE p.district_id = last.district_id AND p.goal_id = last.goal_id AND p."on" = last."on"
"""

BACK = f"""
WITH s AS (
    SELECT p.district_id, p.goal_id, p."on", {SCALE} AS scale,
           sum(p.dnum) OVER w AS cnum, sum(p.dden) OVER w AS cden
    FROM progress_points p JOIN goals g ON g.district_id = p.district_id AND g.id = p.goal_id
    WINDOW w AS (PARTITION BY p.district_id, p.goal_id ORDER BY p."on")
)
UPDATE progress_points p SET n = s.cden, value = CASE WHEN s.cden > 0 THEN s.cnum / s.cden * s.scale END
FROM s WHERE p.district_id = s.district_id AND p.goal_id = s.goal_id AND p."on" = s."on"
"""


def upgrade() -> None:
    op.add_column("progress_points", sa.Column("dnum", sa.Float(), server_default="0", nullable=False))
    op.add_column("progress_points", sa.Column("dden", sa.Integer(), server_default="0", nullable=False))
    op.add_column("progress_points", sa.Column("entries", sa.Integer(), server_default="0", nullable=False))
    op.execute(CONVERT)
    op.execute(TO_SUMS)
    op.drop_column("progress_points", "value")
    op.drop_column("progress_points", "n")


def downgrade() -> None:
    op.add_column("progress_points", sa.Column("value", sa.Float(), nullable=True))
    op.add_column("progress_points", sa.Column("n", sa.Integer(), server_default="0", nullable=False))
    op.execute(BACK)
    op.drop_column("progress_points", "entries")
    op.drop_column("progress_points", "dden")
    op.drop_column("progress_points", "dnum")
