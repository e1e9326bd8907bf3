"""tenant scoped keys

Every key and index starts with district_id (SIS ids are unique within a district only); rows are converted
in place. Tables that had no district_id get it from the rows that name the same result or school:

* results: from its scores, else the flags naming it, else every district its student is known in (a result
  id is a uuid, so a copy per candidate district can never meet another district's result); a result with
  none of these is dropped: nothing else of it is held (its scores were all replaced or voided);
* assessment_rules: the district of the school's rules, else every district that school id is known in
  (before, the override applied to all of them); an override of a school known nowhere is dropped.

Also: the changes feed's position on flags (`change_xid` with the flag id, a trigger on update), and the
`schools` / `students` tables, filled from what the database already knows.

Revision ID: 7c1e2d9a4b10
Revises: 2fb31a5bd371
Create Date: 2026-12-02 11:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c1e2d9a4b10"
down_revision: str | None = "2fb31a5bd371"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (district, school) and (district, student) pairs the database knows, whichever table names them
SCHOOLS_KNOWN = """
    SELECT district_id, school_id FROM result_scores UNION SELECT district_id, school_id FROM flags
    UNION SELECT district_id, school_id FROM student_tiers UNION SELECT district_id, school_id FROM school_rules
    UNION SELECT district_id, school_id FROM interventions UNION SELECT district_id, school_id FROM assignments
"""
STUDENTS_KNOWN = """
    SELECT district_id, student_id, school_id FROM result_scores
    UNION SELECT district_id, student_id, school_id FROM flags
    UNION SELECT district_id, student_id, school_id FROM student_tiers
    UNION SELECT district_id, student_id, school_id FROM assignments
"""


def upgrade() -> None:
    _results()
    _rekey("result_scores", "district_id, result_id, standard_id")
    _reindex("result_scores", "ix_result_scores_student_standard", "student_id, standard_id")
    op.execute("CREATE INDEX ix_result_scores_district_school ON result_scores (district_id, school_id)")
    _flags()
    _rekey("student_tiers", "district_id, student_id")
    _reindex("student_tiers", "ix_student_tiers_school_tier", "school_id, tier")
    _rekey("school_rules", "district_id, school_id")
    _assessment_rules()
    _reindex("interventions", "ix_interventions_school", "school_id")
    _reindex("assignments", "ix_assignments_student", "student_id")
    _rosters()


def _rekey(table: str, columns: str) -> None:
    op.execute(
        f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}, ADD CONSTRAINT pk_{table} PRIMARY KEY ({columns})"
    )


def _reindex(table: str, old: str, columns: str) -> None:
    """`ix_<table>_<cols>` on (cols) becomes `ix_<table>_district_<cols>` on (district_id, cols)."""
    op.execute(f"DROP INDEX {old}")
    new = old.replace(f"ix_{table}_", f"ix_{table}_district_")
    op.execute(f"CREATE INDEX {new} ON {table} (district_id, {columns})")


def _results() -> None:
    op.execute("ALTER TABLE results DROP CONSTRAINT pk_results, ADD COLUMN district_id text")
    op.execute(
        "UPDATE results r SET district_id = s.district_id FROM (SELECT DISTINCT ON (result_id) result_id,"
        " district_id FROM result_scores ORDER BY result_id, district_id) s WHERE s.result_id = r.result_id"
    )
    op.execute(
        "UPDATE results r SET district_id = f.district_id FROM (SELECT DISTINCT ON (rid) rid, district_id FROM"
        " (SELECT result_id AS rid, district_id FROM flags UNION ALL SELECT resolved_by_result_id, district_id"
        " FROM flags) x WHERE rid IS NOT NULL ORDER BY rid, district_id) f"
        " WHERE f.rid = r.result_id AND r.district_id IS NULL"
    )
    op.execute(
        "INSERT INTO results (district_id, result_id, revision, student_id, first_recorded_at, voided)"
        " SELECT DISTINCT k.district_id, r.result_id, r.revision, r.student_id, r.first_recorded_at, r.voided"
        f" FROM results r JOIN ({STUDENTS_KNOWN}) k ON k.student_id = r.student_id WHERE r.district_id IS NULL"
    )
    op.execute("DELETE FROM results WHERE district_id IS NULL")
    op.execute(
        "ALTER TABLE results ALTER COLUMN district_id SET NOT NULL,"
        " ADD CONSTRAINT pk_results PRIMARY KEY (district_id, result_id)"
    )


def _flags() -> None:
    for index in (
        "uq_flags_open_student_standard_kind",
        "ix_flags_school_status",
        "ix_flags_student_standard",
    ):
        op.execute(f"DROP INDEX {index}")
    op.execute(
        "CREATE UNIQUE INDEX uq_flags_open_district_student_standard_kind ON flags"
        " (district_id, student_id, standard_id, kind) WHERE status = 'open'"
    )
    op.execute("CREATE INDEX ix_flags_district_school_status ON flags (district_id, school_id, status)")
    op.execute(
        "CREATE INDEX ix_flags_district_student_standard ON flags (district_id, student_id, standard_id)"
    )
    # the changes feed: a flag's position is (id of the transaction of its last change, flag id); existing
    # flags all take this migration's transaction
    op.execute("ALTER TABLE flags ADD COLUMN change_xid bigint")
    op.execute("UPDATE flags SET change_xid = pg_current_xact_id()::text::bigint")
    op.execute(
        "ALTER TABLE flags ALTER COLUMN change_xid SET DEFAULT pg_current_xact_id()::text::bigint,"
        " ALTER COLUMN change_xid SET NOT NULL"
    )
    op.execute(
        "CREATE FUNCTION flags_track_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " NEW.change_xid := pg_current_xact_id()::text::bigint; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER flags_track_change BEFORE UPDATE ON flags FOR EACH ROW EXECUTE FUNCTION flags_track_change()"
    )
    op.execute("CREATE INDEX ix_flags_district_change ON flags (district_id, change_xid, id)")


def _assessment_rules() -> None:
    op.execute(
        "ALTER TABLE assessment_rules DROP CONSTRAINT pk_assessment_rules, ADD COLUMN district_id text"
    )
    op.execute(
        "UPDATE assessment_rules a SET district_id = s.district_id FROM school_rules s"
        " WHERE s.school_id = a.school_id"
    )
    op.execute(
        "INSERT INTO assessment_rules (district_id, school_id, assessment_id, proficiency_cut, mastery_cut)"
        " SELECT DISTINCT k.district_id, a.school_id, a.assessment_id, a.proficiency_cut, a.mastery_cut"
        f" FROM assessment_rules a JOIN ({SCHOOLS_KNOWN}) k ON k.school_id = a.school_id"
        " WHERE a.district_id IS NULL"
    )
    op.execute("DELETE FROM assessment_rules WHERE district_id IS NULL")
    op.execute(
        "ALTER TABLE assessment_rules ALTER COLUMN district_id SET NOT NULL, ADD CONSTRAINT pk_assessment_rules"
        " PRIMARY KEY (district_id, school_id, assessment_id)"
    )


def _rosters() -> None:
    op.execute(
        "CREATE TABLE schools (district_id text NOT NULL, school_id text NOT NULL, status text NOT NULL,"
        " rostered_at timestamptz NOT NULL DEFAULT '-infinity', CONSTRAINT pk_schools PRIMARY KEY (district_id, school_id))"
    )
    op.execute(
        "CREATE TABLE students (district_id text NOT NULL, student_id text NOT NULL, school_ids text[] NOT NULL,"
        " status text NOT NULL, rostered_at timestamptz NOT NULL DEFAULT '-infinity',"
        " CONSTRAINT pk_students PRIMARY KEY (district_id, student_id))"
    )
    for table in ("schools", "students"):
        op.execute(f"COMMENT ON COLUMN {table}.status IS 'active | tobedeleted (OneRoster)'")
        op.execute(f"COMMENT ON COLUMN {table}.rostered_at IS 'occurred_at of the roster event applied'")
    op.execute(
        f"INSERT INTO schools (district_id, school_id, status) SELECT district_id, school_id, 'active' FROM ({SCHOOLS_KNOWN}) k"
    )
    op.execute(
        "INSERT INTO students (district_id, student_id, school_ids, status) SELECT district_id, student_id,"
        f" array_agg(DISTINCT school_id ORDER BY school_id), 'active' FROM ({STUDENTS_KNOWN}) k"
        " GROUP BY district_id, student_id"
    )


def downgrade() -> None:
    """Back to keys without the district: fails (duplicate key) when two districts share an id, as it must."""
    op.execute("DROP TABLE students")
    op.execute("DROP TABLE schools")
    for table, old, columns in (
        ("assignments", "ix_assignments_student", "student_id"),
        ("interventions", "ix_interventions_school", "school_id"),
        ("student_tiers", "ix_student_tiers_school_tier", "school_id, tier"),
        ("result_scores", "ix_result_scores_student_standard", "student_id, standard_id"),
    ):
        op.execute(f"DROP INDEX {old.replace(f'ix_{table}_', f'ix_{table}_district_')}")
        op.execute(f"CREATE INDEX {old} ON {table} ({columns})")
    op.execute("DROP INDEX ix_result_scores_district_school")
    _rekey("assessment_rules", "school_id, assessment_id")
    op.execute("ALTER TABLE assessment_rules DROP COLUMN district_id")
    _rekey("school_rules", "school_id")
    _rekey("student_tiers", "student_id")
    _rekey("result_scores", "result_id, standard_id")
    _rekey("results", "result_id")
    op.execute("ALTER TABLE results DROP COLUMN district_id")
    op.execute("DROP TRIGGER flags_track_change ON flags")
    op.execute("DROP FUNCTION flags_track_change()")
    for index in (
        "ix_flags_district_change",
        "uq_flags_open_district_student_standard_kind",
        "ix_flags_district_school_status",
        "ix_flags_district_student_standard",
    ):
        op.execute(f"DROP INDEX {index}")
    op.execute("ALTER TABLE flags DROP COLUMN change_xid")
    op.execute(
        "CREATE UNIQUE INDEX uq_flags_open_student_standard_kind ON flags (student_id, standard_id, kind)"
        " WHERE status = 'open'"
    )
    op.execute("CREATE INDEX ix_flags_school_status ON flags (school_id, status)")
    op.execute("CREATE INDEX ix_flags_student_standard ON flags (student_id, standard_id)")
