"""flags school index leads with school

`ix_flags_district_school_status` (district_id, school_id, status) also matched the results consumer's
per-student lookups on its district and status alone, skipping the school: without statistics on a district
(a new table, a new district's first import) the planner took it and read every open flag of the district for
each (student, standard) of a batch. Leading with the school, only the school listings it is for can use it.

Revision ID: 5b8e1f3a7c92
Revises: 9d4f6a2c1e58
Create Date: 2026-12-02 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b8e1f3a7c92"
down_revision: str | None = "9d4f6a2c1e58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_flags_district_school_status", table_name="flags")
    op.create_index("ix_flags_school_district_status", "flags", ["school_id", "district_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_flags_school_district_status", table_name="flags")
    op.create_index("ix_flags_district_school_status", "flags", ["district_id", "school_id", "status"])
