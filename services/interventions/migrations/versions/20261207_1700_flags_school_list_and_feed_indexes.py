"""a school's flags in list order and its changes feed by school (issue 25)

- (district, school, status, opened_at, id): a school's open flags read oldest first up to the page's LIMIT,
  instead of all of them read and sorted for every page (10,000 open flags at one school);
- (district, school, change_xid, id): a school's changes feed (its tail per poll, its end) without filtering
  the district's whole history through (district, change_xid, id).

Revision ID: 4c8e2a6f1d93
Revises: 4f2a8c6e1d73 (retired interventions)
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4c8e2a6f1d93"
down_revision: str | None = "4f2a8c6e1d73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_flags_district_school_status_opened",
        "flags",
        ["district_id", "school_id", "status", "opened_at", "id"],
    )
    op.create_index(
        "ix_flags_district_school_change", "flags", ["district_id", "school_id", "change_xid", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_flags_district_school_change", table_name="flags")
    op.drop_index("ix_flags_district_school_status_opened", table_name="flags")
