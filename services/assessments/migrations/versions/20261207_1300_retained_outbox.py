"""retained outbox: outbox_sent (partitioned by day), outbox_broker, inbox pruning index

Revision ID: 1aab55e6a1d6
Revises: 7e2b4c9d1f03
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

from alembic import op
from plc_shared.outbox import downgrade_from_retained_outbox, upgrade_to_retained_outbox

revision: str = "1aab55e6a1d6"
down_revision: str | None = "7e2b4c9d1f03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_to_retained_outbox(op)


def downgrade() -> None:
    downgrade_from_retained_outbox(op)
