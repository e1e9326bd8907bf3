"""analysis standings: each student's counting values on an assessment, kept as results change (issue 25: the
district-wide analysis read and analysed every attempt of a sixth of the district on every request)

`analysis_students`: one row per (district, assessment, student) with a live result: the values the counting
rule picks (analysis.rules.standing) as arrays PostgreSQL aggregates directly, and the student's data-meeting
record as JSON text. `analysis_stale`: the keys whose results changed since their row was computed, appended by
statement-level triggers on `results` (every write path: API, CSV, OneRoster, COPY), so no writer can forget
it and none waits for a refresh. The analysis brings an assessment's stale rows up to date before it reads them; a periodic job keeps the
stale set small (analysis.service).

Revision ID: 5c1e7a9d3b20
Revises: 2e9c6b4a8f17 (results by district and student)
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5c1e7a9d3b20"
down_revision: str | None = "2e9c6b4a8f17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS, FLOATS, BOOLS = postgresql.ARRAY(sa.Text), postgresql.ARRAY(sa.Float), postgresql.ARRAY(sa.Boolean)
KEY = ("district_id", "assessment_id", "student_id")


def upgrade() -> None:
    op.create_table(
        "analysis_students",
        *(sa.Column(name, sa.Text, nullable=False) for name in KEY),
        sa.Column("school_id", sa.Text, nullable=False),
        sa.Column("class_ids", TEXTS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("percent", sa.Float, comment="the overall figure's counting attempt; NULL: not scored"),
        sa.Column("performance_level", sa.Text),
        sa.Column("standard_ids", TEXTS, nullable=False),
        sa.Column("standard_percents", FLOATS, nullable=False),
        sa.Column("standard_codes", TEXTS, nullable=False),
        sa.Column("standard_essential", BOOLS, nullable=False),
        sa.Column("standard_proficient", BOOLS, nullable=False),
        sa.Column("standard_mastered", BOOLS, nullable=False),
        sa.Column("item_codes", TEXTS, nullable=False),
        sa.Column("item_points", FLOATS, nullable=False),
        sa.Column("record", sa.Text, nullable=False, comment="the student's record in the analysis, as JSON"),
        sa.PrimaryKeyConstraint(*KEY, name="pk_analysis_students"),
        sa.ForeignKeyConstraint(
            ["district_id", "assessment_id"],
            ["assessments.district_id", "assessments.id"],
            name="fk_analysis_students_district_id_assessments",
            ondelete="CASCADE",
        ),
    )
    # No unique key: a writer's trigger only appends (never waits on a key a refresh holds, never conflicts),
    # a refresh takes every row of its keys (duplicates included).
    op.create_table("analysis_stale", *(sa.Column(name, sa.Text, nullable=False) for name in KEY))
    op.create_index(
        "ix_analysis_stale_district_id_assessment_id", "analysis_stale", ["district_id", "assessment_id"]
    )
    # Statement-level triggers over the transition tables: one INSERT ... SELECT per statement, however many
    # rows it wrote (a bulk of 50,000 results, a COPY).
    key = "district_id, assessment_id, student_id"
    for event, tables, rows in (
        ("INSERT", "NEW TABLE AS after", f"SELECT {key} FROM after"),
        ("UPDATE", "OLD TABLE AS before NEW TABLE AS after",
         f"SELECT {key} FROM before UNION SELECT {key} FROM after"),
        ("DELETE", "OLD TABLE AS before", f"SELECT {key} FROM before"),
    ):  # fmt: skip
        name = f"results_{event.lower()}_stale"
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" INSERT INTO analysis_stale ({key}) SELECT DISTINCT {key} FROM ({rows}) changed;"
            " RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON results REFERENCING {tables}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    # The results stored before this revision: every key is stale once (the periodic job computes them).
    op.execute(
        "INSERT INTO analysis_stale SELECT DISTINCT district_id, assessment_id, student_id FROM results"
        " WHERE voided_at IS NULL"
    )


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER results_{event}_stale ON results")
        op.execute(f"DROP FUNCTION results_{event}_stale()")
    op.drop_table("analysis_stale")
    op.drop_table("analysis_students")
