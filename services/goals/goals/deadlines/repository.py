"""SQL of settling: the active goals whose deadline has passed, claimed so one replica settles each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models


class DeadlineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_due(self, today: date, limit: int) -> list[models.Goal]:
        """Active goals whose deadline is before `today`, locked for this transaction. A goal another replica
        is settling is skipped (SKIP LOCKED), one it has settled is no longer active: each is settled once."""
        g = models.Goal
        stmt = (
            select(g)
            .where(g.status == "active", g.deadline < today)
            .order_by(g.deadline, g.district_id, g.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(stmt)).all())
