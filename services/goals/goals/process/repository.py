"""SQL of the process steps before goals: foundation versions, team norms, critical issues, and the counts of
the school's standing."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models


class ProcessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_school(self, district_id: str, school_id: str) -> None:
        """Serialise the school's foundation saves (each takes the next version number)."""
        s = models.School
        await self.session.execute(
            select(s.school_id)
            .where(s.district_id == district_id, s.school_id == school_id)
            .with_for_update()
        )

    async def foundations(
        self, district_id: str, school_id: str, *, limit: int | None = None
    ) -> list[models.FoundationVersion]:
        """The school's foundation versions, newest first."""
        f = models.FoundationVersion
        stmt = (
            select(f)
            .where(f.district_id == district_id, f.school_id == school_id)
            .order_by(f.version.desc())
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    async def norms(self, district_id: str, team_ids: list[uuid.UUID]) -> dict[uuid.UUID, models.TeamNorms]:
        n = models.TeamNorms
        stmt = select(n).where(n.district_id == district_id, n.team_id.in_(team_ids))
        return {row.team_id: row for row in (await self.session.scalars(stmt)).all()}

    async def issues(self, district_id: str, team_ids: list[uuid.UUID]) -> list[models.CriticalIssue]:
        c = models.CriticalIssue
        stmt = select(c).where(c.district_id == district_id, c.team_id.in_(team_ids)).order_by(c.issue)
        return list((await self.session.scalars(stmt)).all())

    async def active_goals(self, district_id: str, school_id: str) -> list[tuple[uuid.UUID, bool]]:
        """The school's active goals: (id, whether it is a team goal)."""
        g = models.Goal
        stmt = select(g.id, g.team_id.is_not(None)).where(
            g.district_id == district_id, g.school_id == school_id, g.status == "active"
        )
        return [(i, bool(t)) for i, t in (await self.session.execute(stmt)).all()]

    async def cycle_phases(self, district_id: str, goal_ids: list[uuid.UUID]) -> dict[str, int]:
        c = models.Cycle
        stmt = (
            select(c.phase, func.count())
            .where(c.district_id == district_id, c.goal_id.in_(goal_ids))
            .group_by(c.phase)
        )
        return {phase: n for phase, n in (await self.session.execute(stmt)).all()}

    def add(self, row: object) -> None:
        self.session.add(row)
