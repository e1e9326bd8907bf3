"""SQL of the evidence from data: the teams, goals, common assessments and support a school's events told."""

from __future__ import annotations

from datetime import date

from plc_shared.db import Repository
from sqlalchemy import and_, select

from reviews import models


class EvidenceRepository(Repository[models.Team]):
    model = models.Team

    async def teams(self, district_id: str, school_id: str) -> list[models.Team]:
        return await self.list(models.Team.district_id == district_id, models.Team.school_id == school_id)

    async def goals(self, district_id: str, school_id: str) -> list[models.Goal]:
        stmt = select(models.Goal).where(
            models.Goal.district_id == district_id, models.Goal.school_id == school_id
        )
        return list((await self.session.scalars(stmt)).all())

    async def common_formative_given(
        self, district_id: str, school_id: str, start: date, end: date
    ) -> list[tuple[str, list[str], list[str]]]:
        res, a = models.Result, models.Assessment
        stmt = (
            select(res.assessment_id, res.class_ids, a.standard_ids)
            .join(a, and_(a.district_id == res.district_id, a.assessment_id == res.assessment_id))
            .where(
                res.district_id == district_id, res.school_id == school_id, a.kind == "common_formative",
                ~res.voided, res.assessed_on >= start, res.assessed_on < end,
            )
            .distinct()
        )  # fmt: skip
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    async def support(self, district_id: str, school_id: str) -> tuple[list, list]:
        flags = select(models.Flag.student_id, models.Flag.flagged_at).where(
            models.Flag.district_id == district_id,
            models.Flag.school_id == school_id,
            models.Flag.kind == "support",
        )
        a = models.Assignment
        assignments = select(a.student_id, a.assigned_at, a.exited_on.is_not(None)).where(
            a.district_id == district_id, a.school_id == school_id
        )
        return (
            [tuple(r) for r in (await self.session.execute(flags)).all()],
            [tuple(r) for r in (await self.session.execute(assignments)).all()],
        )
