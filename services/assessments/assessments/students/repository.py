"""SQL of one student's record: the roster row, their schools and classes, their results with the assessments'
titles and the standards' codes and statements. Every query names the district."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models


class StudentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def student(self, district_id: str, student_id: str) -> models.Student | None:
        found = await self.session.get(models.Student, (district_id, student_id))
        return found if found is not None and found.status == "active" else None

    async def classes(self, district_id: str, student_id: str) -> list[models.Class]:
        """The active classes the student is actively enrolled in."""
        c, e = models.Class, models.Enrollment
        stmt = (
            select(c)
            .join(e, (e.district_id == c.district_id) & (e.class_id == c.sourced_id))
            .where(e.district_id == district_id, e.user_id == student_id, e.role == "student")
            .where(e.status == "active", c.status == "active")
            .order_by(c.title, c.sourced_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def schools(self, district_id: str, school_ids: Collection[str]) -> dict[str, str]:
        o = models.Org
        stmt = select(o.sourced_id, o.name).where(o.district_id == district_id, o.sourced_id.in_(school_ids))
        return {row[0]: row[1] for row in await self.session.execute(stmt)}

    async def results(
        self, district_id: str, student_id: str, schools: Collection[str]
    ) -> list[tuple[models.Result, models.Assessment]]:
        """Live (not voided) results in the given schools, newest first."""
        r, a = models.Result, models.Assessment
        stmt = (
            select(r, a)
            .join(a, (a.district_id == r.district_id) & (a.id == r.assessment_id))
            .where(r.district_id == district_id, r.student_id == student_id, r.voided_at.is_(None))
            .where(r.school_id.in_(schools))
            .order_by(r.assessed_on.desc(), r.recorded_at.desc(), r.attempt.desc())
        )
        return [(row[0], row[1]) for row in await self.session.execute(stmt)]

    async def standards(self, district_id: str, standard_ids: Collection[str]) -> dict[str, models.Standard]:
        if not standard_ids:
            return {}
        s = models.Standard
        stmt = select(s).where(s.district_id == district_id, s.id.in_(standard_ids))
        return {found.id: found for found in (await self.session.scalars(stmt)).all()}
