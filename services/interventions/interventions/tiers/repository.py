"""SQL of the students' tiers. Every query names the district: ids are unique within a district only."""

from __future__ import annotations

from plc_shared.db import Repository
from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import insert

from interventions.models import Assignment, Flag, Student, StudentTier, TierChange


class TierRepository(Repository[StudentTier]):
    model = StudentTier

    async def upsert(self, values: dict) -> None:
        stmt = insert(StudentTier).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[StudentTier.district_id, StudentTier.student_id],
            set_={k: stmt.excluded[k] for k in values if k not in ("district_id", "student_id")},
        )
        await self.session.execute(stmt)

    async def in_school(self, district_id: str, school_id: str, min_tier: int = 1) -> list[StudentTier]:
        stmt = select(StudentTier).where(
            StudentTier.district_id == district_id,
            StudentTier.school_id == school_id,
            StudentTier.tier >= min_tier,
        )
        return list((await self.session.scalars(stmt)).all())

    async def students_in_school(self, district_id: str, school_id: str) -> int:
        """The school's students: on its roster (`StudentRostered`), or first seen in a result there."""
        stmt = select(func.count()).where(
            Student.district_id == district_id,
            Student.status == "active",
            literal(school_id) == Student.school_ids.any_(),
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def served(self, district_id: str, school_id: str) -> set[str]:
        """Students of the school with an active intervention."""
        stmt = select(Assignment.student_id).where(
            Assignment.district_id == district_id,
            Assignment.school_id == school_id,
            Assignment.status == "active",
        )
        return set((await self.session.scalars(stmt)).all())

    async def latest_flag_school(self, district_id: str, student_id: str) -> str | None:
        """The school of the student's most recent flag."""
        stmt = (
            select(Flag.school_id)
            .where(Flag.district_id == district_id, Flag.student_id == student_id)
            .order_by(Flag.opened_at.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def classes_of(self, district_id: str, student_ids: list[str]) -> dict[str, list[str]]:
        """The roster's classes of these students."""
        stmt = select(Student.student_id, Student.class_ids).where(
            Student.district_id == district_id, Student.student_id.in_(student_ids)
        )
        return {row[0]: list(row[1]) for row in await self.session.execute(stmt)}

    async def changes(self, district_id: str, school_id: str) -> list[tuple]:
        """The school's tier changes (student, from tier, to tier, changed at), in the order they happened."""
        stmt = (
            select(TierChange.student_id, TierChange.from_tier, TierChange.to_tier, TierChange.changed_at)
            .where(TierChange.district_id == district_id, TierChange.school_id == school_id)
            .order_by(TierChange.changed_at, TierChange.id)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]
