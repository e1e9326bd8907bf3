"""assignments and progress points hold finite numbers only

A baseline or goal of NaN or ±Infinity was accepted before the schemas refused non-finite numbers (issue 21),
and then every read of the assignment (its page, its progress, the chart figures) failed. Repaired here, then
refused by the database too:
- a non-finite baseline becomes the assignment's first finite progress score (by date), or 0 without one;
- a non-finite goal becomes the (repaired) baseline: a flat goal line the team can edit;
- a progress point with a non-finite score is not a measurement: it is deleted.
PostgreSQL orders NaN above every number and counts NaN = NaN as true, so the CHECK names the three values.

Revision ID: 9e4b7a1c2d35
Revises: 601b870c9de4 (the retained outbox)
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9e4b7a1c2d35"
down_revision: str | None = "601b870c9de4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NON_FINITE = "('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)"
CHECKS = {"assignments": ("baseline", "goal"), "progress_points": ("score",)}


def finite(column: str) -> str:
    return f"{column} NOT IN {NON_FINITE}"


def upgrade() -> None:
    op.execute(f"DELETE FROM progress_points WHERE NOT {finite('score')}")
    op.execute(
        "UPDATE assignments a SET baseline = COALESCE((SELECT p.score FROM progress_points p"
        " WHERE p.assignment_id = a.id ORDER BY p.measured_on, p.id LIMIT 1), 0)"
        f" WHERE NOT {finite('baseline')}"
    )
    op.execute(f"UPDATE assignments SET goal = baseline WHERE NOT {finite('goal')}")
    for table, columns in CHECKS.items():
        for column in columns:
            op.create_check_constraint(op.f(f"ck_{table}_{column}_finite"), table, finite(column))


def downgrade() -> None:
    for table, columns in CHECKS.items():
        for column in columns:
            op.drop_constraint(op.f(f"ck_{table}_{column}_finite"), table, type_="check")
