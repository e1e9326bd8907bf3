"""SQL of the pyramid: the catalog of interventions and the students' assignments. Every query names the
district: ids are unique within a district only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from plc_shared.db import Repository
from sqlalchemy import and_, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.models import Assignment, Intervention, ProgressPoint, ResultScore


class InterventionRepository(Repository[Intervention]):
    model = Intervention

    async def in_district(self, district_id: str, intervention_id: uuid.UUID) -> Intervention | None:
        return await _one(self.session, Intervention, district_id, intervention_id)


class AssignmentRepository(Repository[Assignment]):
    model = Assignment

    async def in_district(self, district_id: str, assignment_id: uuid.UUID) -> Assignment | None:
        return await _one(self.session, Assignment, district_id, assignment_id)

    async def lock_student(self, district_id: str, student_id: str) -> None:
        """A transaction-scoped advisory lock on one student's assignments (released at commit/rollback)."""
        key = f"plc.interventions.assign/{district_id}/{student_id}"
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )

    async def active(
        self, district_id: str, student_id: str, intervention_id: uuid.UUID, standard_id: str | None
    ) -> Assignment | None:
        """The student's active assignment of this intervention on this standard (None: no standard), if any."""
        same_standard = (
            Assignment.standard_id.is_(None) if standard_id is None else Assignment.standard_id == standard_id
        )
        stmt = select(Assignment).where(
            Assignment.district_id == district_id,
            Assignment.student_id == student_id,
            Assignment.intervention_id == intervention_id,
            Assignment.status == "active",
            same_standard,
        )
        return (await self.session.scalars(stmt.limit(1))).first()

    async def points(self, district_id: str, assignment_id: uuid.UUID) -> list[ProgressPoint]:
        stmt = (
            select(ProgressPoint)
            .join(Assignment, Assignment.id == ProgressPoint.assignment_id)
            .where(Assignment.district_id == district_id, ProgressPoint.assignment_id == assignment_id)
        )
        return list((await self.session.scalars(stmt.order_by(ProgressPoint.measured_on))).all())

    async def effectiveness(self, district_id: str, school_id: str) -> Sequence:
        """Per intervention: assigned students, those with a result on the standard after the start, and
        those whose first such result reached the proficiency cut."""
        next_result = (
            select(ResultScore.percent, ResultScore.proficiency_cut)
            .where(
                ResultScore.district_id == Assignment.district_id,
                ResultScore.student_id == Assignment.student_id,
                ResultScore.standard_id == Assignment.standard_id,
                ResultScore.assessed_on >= Assignment.start_on,
            )
            .order_by(
                ResultScore.assessed_on, ResultScore.attempt, ResultScore.result_id
            )  # the counting order
            .limit(1)
            .lateral()
        )
        stmt = (
            select(
                Intervention.id,
                Intervention.name,
                func.count(Assignment.id),
                func.count(next_result.c.percent),
                func.count().filter(next_result.c.percent >= next_result.c.proficiency_cut),
            )
            .join(
                Assignment,
                and_(Assignment.intervention_id == Intervention.id, Assignment.district_id == district_id),
                isouter=True,
            )
            .join(next_result, literal(True), isouter=True)
            .where(Intervention.district_id == district_id, Intervention.school_id == school_id)
            .group_by(Intervention.id, Intervention.name)
            .order_by(Intervention.name)
        )
        return (await self.session.execute(stmt)).all()

    async def monitored(self, district_id: str, school_id: str) -> list[tuple[Assignment, list[tuple]]]:
        """The school's assignments, each with its progress points (measured on, score), oldest first."""
        assignments = list(
            (
                await self.session.scalars(
                    select(Assignment).where(
                        Assignment.district_id == district_id, Assignment.school_id == school_id
                    )
                )
            ).all()
        )
        stmt = (
            select(ProgressPoint.assignment_id, ProgressPoint.measured_on, ProgressPoint.score)
            .where(ProgressPoint.assignment_id.in_([a.id for a in assignments]))
            .order_by(ProgressPoint.measured_on, ProgressPoint.id)
        )
        points: dict[uuid.UUID, list[tuple]] = {a.id: [] for a in assignments}
        for assignment_id, on, score in (await self.session.execute(stmt)).all() if assignments else []:
            points[assignment_id].append((on, score))
        return [(a, points[a.id]) for a in assignments]


async def _one(session: AsyncSession, model, district_id: str, id_: uuid.UUID):
    """The row with this id in this district; None for a missing one and for another district's alike."""
    stmt = select(model).where(model.district_id == district_id, model.id == id_)
    return (await session.scalars(stmt)).one_or_none()
