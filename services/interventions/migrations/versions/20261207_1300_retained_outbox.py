"""retained outbox: outbox_sent (partitioned by day), outbox_broker, inbox pruning index

Revision ID: 601b870c9de4
Revises: 7c1d2e9f4a60
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

from alembic import op
from plc_shared.outbox import downgrade_from_retained_outbox, upgrade_to_retained_outbox

revision: str = "601b870c9de4"
down_revision: str | None = "7c1d2e9f4a60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_to_retained_outbox(op)


def downgrade() -> None:
    downgrade_from_retained_outbox(op)
