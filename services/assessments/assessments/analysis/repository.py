"""SQL of the analysis: an assessment's live results (every attempt: the rules pick the one that counts per
student and figure) as the aggregation reads them, and class teachers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import any_, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models


class AnalysisRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_analysis(
        self,
        district_id: str,
        assessment_id: str,
        *,
        schools: frozenset[str] | None,
        school_id: str | None,
        class_id: str | None,
        grade: str | None,
    ) -> list[Any]:
        r = models.Result
        stmt = select(
            r.id,
            r.attempt,
            r.assessed_on,
            r.score_status,
            r.student_id,
            r.school_id,
            r.class_ids,
            r.percent,
            r.performance_level,
            r.standard_scores,
            r.item_scores,
        ).where(r.district_id == district_id, r.assessment_id == assessment_id, r.voided_at.is_(None))
        if schools is not None:
            stmt = stmt.where(r.school_id.in_(schools))
        if school_id:
            stmt = stmt.where(r.school_id == school_id)
        if class_id:
            stmt = stmt.where(literal(class_id) == any_(r.class_ids))
        if grade:
            s = models.Student
            stmt = stmt.join(s, (s.district_id == r.district_id) & (s.sourced_id == r.student_id)).where(
                literal(grade) == any_(models.Student.grades)
            )
        return list((await self.session.execute(stmt)).all())

    async def teachers(self, district_id: str, class_ids: set[str]) -> dict[str, list[str]]:
        if not class_ids:
            return {}
        c = models.Class
        stmt = select(c.sourced_id, c.teacher_ids).where(
            c.district_id == district_id, c.sourced_id.in_(class_ids)
        )
        return {row[0]: list(row[1]) for row in await self.session.execute(stmt)}
