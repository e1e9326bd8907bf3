"""tier history

`tier_changes`: one row per change of a student's tier, written by triggers on `student_tiers`, so the
results consumer's escalations, leaders' decisions and exits are all recorded whichever path wrote them. The
tiers held today start the history (their previous tier is unknown: NULL).

Revision ID: 9d4f6a2c1e58
Revises: 9d4f0b6c2e31
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9d4f6a2c1e58"
down_revision: str | None = "9d4f0b6c2e31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE TABLE tier_changes (id bigserial CONSTRAINT pk_tier_changes PRIMARY KEY,"
        " district_id text NOT NULL, student_id text NOT NULL, school_id text NOT NULL, from_tier integer,"
        " to_tier integer NOT NULL, reason text NOT NULL, rule text, decided_by text,"
        " changed_at timestamptz NOT NULL)"
    )
    op.execute("CREATE INDEX ix_tier_changes_district_student ON tier_changes (district_id, student_id, id)")
    for column, comment in (
        ("from_tier", "NULL: the tier held before history began"),
        ("reason", "escalation | decision | exit"),
        ("rule", "the escalation rule, or the decision''s reason"),
    ):
        op.execute(f"COMMENT ON COLUMN tier_changes.{column} IS '{comment}'")
    op.execute(
        "INSERT INTO tier_changes (district_id, student_id, school_id, to_tier, reason, rule, decided_by,"
        " changed_at) SELECT district_id, student_id, school_id, tier, reason, rule, decided_by, since"
        " FROM student_tiers ORDER BY since, district_id, student_id"
    )
    # A new row starts from tier 1 (every student's tier before any was recorded); an update is recorded
    # when the tier or the decision behind it (reason, rule, who) changed. Statement-level triggers over the
    # transition tables: one INSERT ... SELECT per statement, however many rows the results consumer's
    # set-based upsert wrote (a row-level trigger would run once per row of every batch).
    columns = "district_id, student_id, school_id, from_tier, to_tier, reason, rule, decided_by, changed_at"
    op.execute(
        "CREATE FUNCTION student_tiers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" INSERT INTO tier_changes ({columns}) SELECT n.district_id, n.student_id, n.school_id, 1, n.tier,"
        " n.reason, n.rule, n.decided_by, clock_timestamp() FROM new_rows n ORDER BY n.district_id,"
        " n.student_id; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION student_tiers_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" INSERT INTO tier_changes ({columns}) SELECT n.district_id, n.student_id, n.school_id, o.tier, n.tier,"
        " n.reason, n.rule, n.decided_by, clock_timestamp() FROM new_rows n JOIN old_rows o"
        " ON o.district_id = n.district_id AND o.student_id = n.student_id"
        " WHERE (o.tier, o.reason, o.rule, o.decided_by) IS DISTINCT FROM (n.tier, n.reason, n.rule, n.decided_by)"
        " ORDER BY n.district_id, n.student_id; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER student_tiers_inserted AFTER INSERT ON student_tiers REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION student_tiers_inserted()"
    )
    op.execute(
        "CREATE TRIGGER student_tiers_updated AFTER UPDATE ON student_tiers"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION student_tiers_updated()"
    )


def downgrade() -> None:
    for name in ("student_tiers_inserted", "student_tiers_updated"):
        op.execute(f"DROP TRIGGER {name} ON student_tiers")
        op.execute(f"DROP FUNCTION {name}()")
    op.execute("DROP TABLE tier_changes")
