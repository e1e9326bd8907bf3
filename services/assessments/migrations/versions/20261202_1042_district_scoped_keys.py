"""district scoped keys

SIS ids are unique within a district only: every key starts with district_id. Objectives and items get a
district_id of their own (copied from their assessment); primary keys become (district_id, id), foreign keys
carry the district, and the uniques and indexes lead with it. Rows are kept: nothing is dropped and recreated.

Revision ID: ad42c43ae849
Revises: 71e506298edd
Create Date: 2026-12-02 10:42:12.024998
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ad42c43ae849"
down_revision: str | None = "71e506298edd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROSTER = ("orgs", "academic_sessions", "courses", "classes", "students", "enrollments")
"""Roster tables: primary key sourced_id -> (district_id, sourced_id), index on district_id dropped."""

KEYED_BY_ID = ("standards", "assessments")
"""Primary key id -> (district_id, id), index on district_id dropped."""


def upgrade() -> None:
    # Objectives and items take their assessment's district (every row has one: assessment_id is NOT NULL
    # and a foreign key, so the backfill leaves no NULL behind and SET NOT NULL cannot fail).
    for table in ("objectives", "items"):
        op.add_column(table, sa.Column("district_id", sa.Text(), nullable=True))
        op.execute(
            f"UPDATE {table} AS t SET district_id = a.district_id FROM assessments AS a WHERE a.id = t.assessment_id"
        )
        op.alter_column(table, "district_id", existing_type=sa.Text(), nullable=False)

    # Foreign keys first: they hold on to the primary keys that are about to change.
    op.drop_constraint(
        op.f("fk_essential_flags_standard_id_standards"), "essential_flags", type_="foreignkey"
    )
    op.drop_constraint(op.f("fk_items_objective_id_objectives"), "items", type_="foreignkey")
    op.drop_constraint(op.f("fk_items_assessment_id_assessments"), "items", type_="foreignkey")
    op.drop_constraint(op.f("fk_objectives_parent_id_objectives"), "objectives", type_="foreignkey")
    op.drop_constraint(op.f("fk_objectives_assessment_id_assessments"), "objectives", type_="foreignkey")
    op.drop_constraint(op.f("fk_results_assessment_id_assessments"), "results", type_="foreignkey")

    for table in ROSTER:
        op.drop_constraint(op.f(f"pk_{table}"), table, type_="primary")
        op.create_primary_key(op.f(f"pk_{table}"), table, ["district_id", "sourced_id"])
    for table in (*KEYED_BY_ID, "objectives", "items"):
        op.drop_constraint(op.f(f"pk_{table}"), table, type_="primary")
        op.create_primary_key(op.f(f"pk_{table}"), table, ["district_id", "id"])

    # Uniques: within a district.
    op.drop_constraint(
        op.f("uq_essential_flags_standard_id_scope_scope_value"), "essential_flags", type_="unique"
    )
    op.create_unique_constraint(
        op.f("uq_essential_flags_district_id_standard_id_scope_scope_value"),
        "essential_flags",
        ["district_id", "standard_id", "scope", "scope_value"],
    )
    op.drop_constraint(op.f("uq_results_assessment_id_student_id_attempt"), "results", type_="unique")
    op.create_unique_constraint(
        op.f("uq_results_district_id_assessment_id_student_id_attempt"),
        "results",
        ["district_id", "assessment_id", "student_id", "attempt"],
    )
    op.drop_constraint(op.f("uq_results_sourced_id"), "results", type_="unique")
    op.create_unique_constraint(
        op.f("uq_results_district_id_sourced_id"), "results", ["district_id", "sourced_id"]
    )

    # Composite foreign keys: a row only ever references rows of its own district. A row whose district
    # differs from the one of the row it references makes these fail (and the whole migration roll back).
    op.create_foreign_key(
        op.f("fk_essential_flags_district_id_standards"),
        "essential_flags",
        "standards",
        ["district_id", "standard_id"],
        ["district_id", "id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_objectives_district_id_assessments"),
        "objectives",
        "assessments",
        ["district_id", "assessment_id"],
        ["district_id", "id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_objectives_district_id_objectives"),
        "objectives",
        "objectives",
        ["district_id", "parent_id"],
        ["district_id", "id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_items_district_id_assessments"),
        "items",
        "assessments",
        ["district_id", "assessment_id"],
        ["district_id", "id"],
        ondelete="CASCADE",
    )
    # No ON DELETE action any more: SET NULL would null the district too.
    op.create_foreign_key(
        op.f("fk_items_district_id_objectives"),
        "items",
        "objectives",
        ["district_id", "objective_id"],
        ["district_id", "id"],
    )
    op.create_foreign_key(
        op.f("fk_results_district_id_assessments"),
        "results",
        "assessments",
        ["district_id", "assessment_id"],
        ["district_id", "id"],
    )

    # Indexes: the primary keys now lead with district_id; lookups by a non-key column lead with it too.
    for table in (*ROSTER, *KEYED_BY_ID):
        op.drop_index(op.f(f"ix_{table}_district_id"), table_name=table)
    op.drop_index(op.f("ix_classes_school_id"), table_name="classes")
    op.drop_index(op.f("ix_enrollments_class_id"), table_name="enrollments")
    op.drop_index("ix_enrollments_user_id_class_id", table_name="enrollments")
    op.create_index(
        "ix_enrollments_district_id_user_id_class_id",
        "enrollments",
        ["district_id", "user_id", "class_id"],
        unique=False,
    )
    op.create_index(
        "ix_enrollments_district_id_class_id", "enrollments", ["district_id", "class_id"], unique=False
    )
    op.drop_index(op.f("ix_objectives_assessment_id"), table_name="objectives")
    op.create_index(
        "ix_objectives_district_id_assessment_id",
        "objectives",
        ["district_id", "assessment_id"],
        unique=False,
    )
    op.drop_index(op.f("ix_items_assessment_id"), table_name="items")
    op.create_index(
        "ix_items_district_id_assessment_id", "items", ["district_id", "assessment_id"], unique=False
    )


def downgrade() -> None:
    """Back to single-column keys. Fails (and changes nothing) once two districts share an id."""
    op.drop_index("ix_items_district_id_assessment_id", table_name="items")
    op.create_index(op.f("ix_items_assessment_id"), "items", ["assessment_id"], unique=False)
    op.drop_index("ix_objectives_district_id_assessment_id", table_name="objectives")
    op.create_index(op.f("ix_objectives_assessment_id"), "objectives", ["assessment_id"], unique=False)
    op.drop_index("ix_enrollments_district_id_class_id", table_name="enrollments")
    op.drop_index("ix_enrollments_district_id_user_id_class_id", table_name="enrollments")
    op.create_index("ix_enrollments_user_id_class_id", "enrollments", ["user_id", "class_id"], unique=False)
    op.create_index(op.f("ix_enrollments_class_id"), "enrollments", ["class_id"], unique=False)
    op.create_index(op.f("ix_classes_school_id"), "classes", ["school_id"], unique=False)
    for table in (*ROSTER, *KEYED_BY_ID):
        op.create_index(op.f(f"ix_{table}_district_id"), table, ["district_id"], unique=False)

    op.drop_constraint(op.f("fk_results_district_id_assessments"), "results", type_="foreignkey")
    op.drop_constraint(op.f("fk_items_district_id_objectives"), "items", type_="foreignkey")
    op.drop_constraint(op.f("fk_items_district_id_assessments"), "items", type_="foreignkey")
    op.drop_constraint(op.f("fk_objectives_district_id_objectives"), "objectives", type_="foreignkey")
    op.drop_constraint(op.f("fk_objectives_district_id_assessments"), "objectives", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_essential_flags_district_id_standards"), "essential_flags", type_="foreignkey"
    )

    op.drop_constraint(op.f("uq_results_district_id_sourced_id"), "results", type_="unique")
    op.create_unique_constraint(op.f("uq_results_sourced_id"), "results", ["sourced_id"])
    op.drop_constraint(
        op.f("uq_results_district_id_assessment_id_student_id_attempt"), "results", type_="unique"
    )
    op.create_unique_constraint(
        op.f("uq_results_assessment_id_student_id_attempt"),
        "results",
        ["assessment_id", "student_id", "attempt"],
    )
    op.drop_constraint(
        op.f("uq_essential_flags_district_id_standard_id_scope_scope_value"),
        "essential_flags",
        type_="unique",
    )
    op.create_unique_constraint(
        op.f("uq_essential_flags_standard_id_scope_scope_value"),
        "essential_flags",
        ["standard_id", "scope", "scope_value"],
    )

    for table in (*KEYED_BY_ID, "objectives", "items"):
        op.drop_constraint(op.f(f"pk_{table}"), table, type_="primary")
        op.create_primary_key(op.f(f"pk_{table}"), table, ["id"])
    for table in ROSTER:
        op.drop_constraint(op.f(f"pk_{table}"), table, type_="primary")
        op.create_primary_key(op.f(f"pk_{table}"), table, ["sourced_id"])

    op.create_foreign_key(
        op.f("fk_results_assessment_id_assessments"), "results", "assessments", ["assessment_id"], ["id"]
    )
    op.create_foreign_key(
        op.f("fk_objectives_assessment_id_assessments"),
        "objectives",
        "assessments",
        ["assessment_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_objectives_parent_id_objectives"),
        "objectives",
        "objectives",
        ["parent_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_items_assessment_id_assessments"),
        "items",
        "assessments",
        ["assessment_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_items_objective_id_objectives"),
        "items",
        "objectives",
        ["objective_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_essential_flags_standard_id_standards"),
        "essential_flags",
        "standards",
        ["standard_id"],
        ["id"],
        ondelete="CASCADE",
    )

    op.drop_column("items", "district_id")
    op.drop_column("objectives", "district_id")
