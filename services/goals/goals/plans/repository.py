"""SQL of goals and their versions, and of what the SMART check knows (the district's assessments)."""

from __future__ import annotations

import uuid

from plc_shared.db import Repository
from sqlalchemy import select

from goals import models


class GoalRepository(Repository[models.Goal]):
    model = models.Goal

    async def of_school(
        self, district_id: str, school_id: str, team_id: uuid.UUID | None = None
    ) -> list[models.Goal]:
        where = [models.Goal.district_id == district_id, models.Goal.school_id == school_id]
        if team_id is not None:
            where.append(models.Goal.team_id == team_id)
        return await self.list(*where, order_by=(models.Goal.created_at, models.Goal.id))

    async def versions(self, district_id: str, goal_id: uuid.UUID) -> list[models.GoalVersion]:
        v = models.GoalVersion
        stmt = select(v).where(v.district_id == district_id, v.goal_id == goal_id).order_by(v.version)
        return list((await self.session.scalars(stmt)).all())

    async def known(self, district_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """The district's published assessments and the standards they measure."""
        a = models.Assessment
        stmt = select(a.assessment_id, a.standard_ids).where(
            a.district_id == district_id, a.status == "published"
        )
        rows = (await self.session.execute(stmt)).all()
        return frozenset(r[0] for r in rows), frozenset(s for r in rows for s in r[1])


class CycleRepository(Repository[models.Cycle]):
    model = models.Cycle

    async def of_goal(self, district_id: str, goal_id: uuid.UUID) -> list[models.Cycle]:
        c = models.Cycle
        return await self.list(
            c.district_id == district_id, c.goal_id == goal_id, order_by=(c.created_at, c.id)
        )
