"""SQL of one student's interventions record. Every query names the district: ids are unique within a
district only."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.models import Assignment, Flag, Intervention, ProgressPoint, StudentTier, TierChange


class StudentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def flags(self, district_id: str, student_id: str) -> list[Flag]:
        stmt = select(Flag).where(Flag.district_id == district_id, Flag.student_id == student_id)
        return list((await self.session.scalars(stmt.order_by(Flag.opened_at, Flag.id))).all())

    async def tier(self, district_id: str, student_id: str) -> StudentTier | None:
        return await self.session.get(StudentTier, (district_id, student_id))

    async def tier_changes(self, district_id: str, student_id: str) -> list[TierChange]:
        stmt = select(TierChange).where(
            TierChange.district_id == district_id, TierChange.student_id == student_id
        )
        return list((await self.session.scalars(stmt.order_by(TierChange.id.desc()))).all())

    async def assignments(self, district_id: str, student_id: str) -> list[tuple[Assignment, Intervention]]:
        """The student's assignments with their interventions, newest first."""
        stmt = (
            select(Assignment, Intervention)
            .join(Intervention, Intervention.id == Assignment.intervention_id)
            .where(Assignment.district_id == district_id, Assignment.student_id == student_id)
            .where(Intervention.district_id == district_id)
            .order_by(Assignment.start_on.desc(), Assignment.created_at.desc())
        )
        return [(row[0], row[1]) for row in await self.session.execute(stmt)]

    async def points(self, assignment_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[ProgressPoint]]:
        """Progress points of assignments already read in the caller's district, by assignment, oldest first."""
        found: dict[uuid.UUID, list[ProgressPoint]] = {a: [] for a in assignment_ids}
        if not found:
            return found
        stmt = select(ProgressPoint).where(ProgressPoint.assignment_id.in_(found))
        for point in await self.session.scalars(stmt.order_by(ProgressPoint.measured_on, ProgressPoint.id)):
            found[point.assignment_id].append(point)
        return found
