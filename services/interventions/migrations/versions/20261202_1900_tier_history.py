"""tier history

`tier_changes`: one row per change of a student's tier, written by a trigger on `student_tiers`, so the
results consumer's escalations, leaders' decisions and exits are all recorded whichever path wrote them. The
tiers held today start the history (their previous tier is unknown: NULL).

Revision ID: 9d4f6a2c1e58
Revises: 7c1e2d9a4b10
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9d4f6a2c1e58"
down_revision: str | None = "7c1e2d9a4b10"
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
    # when the tier or the decision behind it (reason, rule, who) changed.
    op.execute(
        "CREATE FUNCTION student_tiers_history() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' OR (OLD.tier, OLD.reason, OLD.rule, OLD.decided_by)"
        " IS DISTINCT FROM (NEW.tier, NEW.reason, NEW.rule, NEW.decided_by) THEN"
        " INSERT INTO tier_changes (district_id, student_id, school_id, from_tier, to_tier, reason, rule,"
        " decided_by, changed_at) VALUES (NEW.district_id, NEW.student_id, NEW.school_id,"
        " CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE OLD.tier END, NEW.tier, NEW.reason, NEW.rule,"
        " NEW.decided_by, clock_timestamp()); END IF; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER student_tiers_history AFTER INSERT OR UPDATE ON student_tiers"
        " FOR EACH ROW EXECUTE FUNCTION student_tiers_history()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER student_tiers_history ON student_tiers")
    op.execute("DROP FUNCTION student_tiers_history()")
    op.execute("DROP TABLE tier_changes")
