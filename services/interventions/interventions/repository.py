"""SQL of the pyramid's HTTP side (the consumer's SQL is in flag_repository.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from plc_shared.db import Repository
from sqlalchemy import and_, any_, func, literal, select
from sqlalchemy.dialects.postgresql import insert

from interventions.models import (
    AssessmentRules,
    Assignment,
    Flag,
    Intervention,
    ProgressPoint,
    ResultScore,
    SchoolRules,
    StudentTier,
)


class RulesRepository(Repository[SchoolRules]):
    model = SchoolRules

    async def upsert(self, values: dict) -> None:
        stmt = insert(SchoolRules).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[SchoolRules.school_id],
            set_={k: stmt.excluded[k] for k in values if k != "school_id"} | {"updated_at": func.now()},
        )
        await self.session.execute(stmt)

    async def upsert_assessment(self, values: dict) -> None:
        stmt = insert(AssessmentRules).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[AssessmentRules.school_id, AssessmentRules.assessment_id],
            set_={"proficiency_cut": stmt.excluded.proficiency_cut, "mastery_cut": stmt.excluded.mastery_cut},
        )
        await self.session.execute(stmt)


class InterventionRepository(Repository[Intervention]):
    model = Intervention


class AssignmentRepository(Repository[Assignment]):
    model = Assignment

    async def points(self, assignment_id: uuid.UUID) -> list[ProgressPoint]:
        stmt = select(ProgressPoint).where(ProgressPoint.assignment_id == assignment_id)
        return list((await self.session.scalars(stmt.order_by(ProgressPoint.measured_on))).all())

    async def active_students(self, district_id: str, school_id: str) -> set[str]:
        stmt = select(Assignment.student_id).where(
            Assignment.district_id == district_id,
            Assignment.school_id == school_id,
            Assignment.status == "active",
        )
        return set((await self.session.scalars(stmt)).all())

    async def effectiveness(self, district_id: str, school_id: str) -> Sequence:
        """Per intervention: assigned students, those with a result on the standard after the start, and
        those whose first such result reached the proficiency cut."""
        next_result = (
            select(ResultScore.percent, ResultScore.proficiency_cut)
            .where(
                ResultScore.student_id == Assignment.student_id,
                ResultScore.standard_id == Assignment.standard_id,
                ResultScore.assessed_on >= Assignment.start_on,
            )
            .order_by(ResultScore.assessed_on, ResultScore.first_recorded_at)
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
            .join(Assignment, Assignment.intervention_id == Intervention.id, isouter=True)
            .join(next_result, literal(True), isouter=True)
            .where(Intervention.district_id == district_id, Intervention.school_id == school_id)
            .group_by(Intervention.id, Intervention.name)
            .order_by(Intervention.name)
        )
        return (await self.session.execute(stmt)).all()


class TierRepository(Repository[StudentTier]):
    model = StudentTier

    async def upsert(self, values: dict) -> None:
        stmt = insert(StudentTier).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[StudentTier.student_id],
            set_={k: stmt.excluded[k] for k in values if k != "student_id"},
        )
        await self.session.execute(stmt)

    async def in_school(self, district_id: str, school_id: str, min_tier: int = 1) -> list[StudentTier]:
        stmt = select(StudentTier).where(
            StudentTier.district_id == district_id,
            StudentTier.school_id == school_id,
            StudentTier.tier >= min_tier,
        )
        return list((await self.session.scalars(stmt)).all())

    async def students_with_results(self, district_id: str, school_id: str) -> int:
        stmt = select(func.count(func.distinct(ResultScore.student_id))).where(
            ResultScore.district_id == district_id, ResultScore.school_id == school_id
        )
        return (await self.session.execute(stmt)).scalar_one()


class FlagRepository(Repository[Flag]):
    model = Flag

    async def open_flags(
        self,
        *,
        district_id: str,
        school_ids: Sequence[str] | None,
        class_ids: frozenset[str] | None,
        class_id: str | None,
        standard_id: str | None,
        kind: str | None,
        tier: int | None,
        limit: int,
        offset: int = 0,
    ) -> Sequence:
        tier_col = func.coalesce(StudentTier.tier, 1)
        stmt = (
            select(Flag, tier_col, func.extract("epoch", func.now() - Flag.opened_at) / 86400)
            .join(StudentTier, StudentTier.student_id == Flag.student_id, isouter=True)
            .where(Flag.status == "open", Flag.district_id == district_id)
        )
        conditions = [
            (school_ids is not None, lambda: Flag.school_id.in_(school_ids)),
            (class_ids is not None, lambda: Flag.class_ids.overlap(list(class_ids))),
            (class_id is not None, lambda: literal(class_id) == any_(Flag.class_ids)),
            (standard_id is not None, lambda: Flag.standard_id == standard_id),
            (kind is not None, lambda: Flag.kind == kind),
            (tier is not None, lambda: tier_col == tier),
        ]
        stmt = stmt.where(and_(True, *[make() for wanted, make in conditions if wanted]))
        stmt = stmt.order_by(Flag.opened_at, Flag.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).all()

    async def school_of(self, student_id: str) -> tuple[str, str] | None:
        """(district, school) of the student's most recent flag."""
        stmt = (
            select(Flag.district_id, Flag.school_id)
            .where(Flag.student_id == student_id)
            .order_by(Flag.opened_at.desc())
            .limit(1)
        )
        row = (await self.session.execute(stmt)).first()
        return tuple(row) if row else None
