"""SQL of the pyramid's HTTP side (the consumer's SQL is in flag_repository.py). Every query names the
district: ids are unique within a district only."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from plc_shared.db import Repository
from sqlalchemy import and_, any_, func, literal, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.models import (
    AssessmentRules,
    Assignment,
    Flag,
    Intervention,
    ProgressPoint,
    ResultScore,
    School,
    SchoolRules,
    Student,
    StudentTier,
)


class RosterRepository:
    """The districts' schools and students as far as this service knows them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_school(self, district_id: str, school_id: str) -> bool:
        return await self.session.get(School, (district_id, school_id)) is not None

    async def student(self, district_id: str, student_id: str) -> Student | None:
        return await self.session.get(Student, (district_id, student_id))

    async def seen(self, schools: set[tuple[str, str]], students: set[tuple[str, str, str]]) -> None:
        """Schools and (district, student, school)s named by result events: new ones become known (`active`,
        never rostered); known ones keep what the roster says. Rows go in key order, so concurrent batches
        never deadlock on them."""
        first_school = {}
        for district, student, school in sorted(students):
            first_school.setdefault((district, student), school)
        if schools:
            d, s = zip(*sorted(schools), strict=True)
            await self.session.execute(
                text(
                    "INSERT INTO schools (district_id, school_id, status) SELECT d, s, 'active'"
                    " FROM unnest(CAST(:d AS text[]), CAST(:s AS text[])) AS u(d, s) ON CONFLICT DO NOTHING"
                ),
                {"d": list(d), "s": list(s)},
            )
        if first_school:
            (d, st), sc = zip(*first_school, strict=True), list(first_school.values())
            await self.session.execute(
                text(
                    "INSERT INTO students (district_id, student_id, school_ids, status)"
                    " SELECT d, st, ARRAY[sc], 'active' FROM unnest(CAST(:d AS text[]), CAST(:st AS text[]),"
                    " CAST(:sc AS text[])) AS u(d, st, sc) ON CONFLICT DO NOTHING"
                ),
                {"d": list(d), "st": list(st), "sc": sc},
            )

    async def rostered(self, schools: list[dict], students: list[dict]) -> None:
        """What the roster says wins over what results showed; an older roster event never overwrites a
        newer one (replays under new event ids included)."""
        for model, key, rows in ((School, "school_id", schools), (Student, "student_id", students)):
            if rows:
                stmt = insert(model).values(sorted(rows, key=lambda r: (r["district_id"], r[key])))
                stmt = stmt.on_conflict_do_update(
                    index_elements=["district_id", key],
                    set_={k: stmt.excluded[k] for k in rows[0] if k not in ("district_id", key)},
                    where=model.rostered_at <= stmt.excluded.rostered_at,
                )
                await self.session.execute(stmt)


class RulesRepository(Repository[SchoolRules]):
    model = SchoolRules

    async def upsert(self, values: dict) -> None:
        stmt = insert(SchoolRules).values(values)
        keys = ("district_id", "school_id")
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={k: stmt.excluded[k] for k in values if k not in keys} | {"updated_at": func.now()},
        )
        await self.session.execute(stmt)

    async def upsert_assessment(self, values: dict) -> None:
        stmt = insert(AssessmentRules).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[
                AssessmentRules.district_id,
                AssessmentRules.school_id,
                AssessmentRules.assessment_id,
            ],
            set_={"proficiency_cut": stmt.excluded.proficiency_cut, "mastery_cut": stmt.excluded.mastery_cut},
        )
        await self.session.execute(stmt)


class InterventionRepository(Repository[Intervention]):
    model = Intervention

    async def in_district(self, district_id: str, intervention_id: uuid.UUID) -> Intervention | None:
        return await _one(self.session, Intervention, district_id, intervention_id)


class AssignmentRepository(Repository[Assignment]):
    model = Assignment

    async def in_district(self, district_id: str, assignment_id: uuid.UUID) -> Assignment | None:
        return await _one(self.session, Assignment, district_id, assignment_id)

    async def points(self, district_id: str, assignment_id: uuid.UUID) -> list[ProgressPoint]:
        stmt = (
            select(ProgressPoint)
            .join(Assignment, Assignment.id == ProgressPoint.assignment_id)
            .where(Assignment.district_id == district_id, ProgressPoint.assignment_id == assignment_id)
        )
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
                ResultScore.district_id == Assignment.district_id,
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

    async def students_with_results(self, district_id: str, school_id: str) -> int:
        stmt = select(func.count(func.distinct(ResultScore.student_id))).where(
            ResultScore.district_id == district_id, ResultScore.school_id == school_id
        )
        return (await self.session.execute(stmt)).scalar_one()


class FlagRepository(Repository[Flag]):
    model = Flag

    async def in_district(self, district_id: str, flag_id: uuid.UUID, *, lock: bool = False) -> Flag | None:
        stmt = select(Flag).where(Flag.district_id == district_id, Flag.id == flag_id)
        return (await self.session.scalars(stmt.with_for_update() if lock else stmt)).one_or_none()

    async def flags(
        self, *, district_id: str, status: str, filters: FlagFilters, limit: int, offset: int
    ) -> Sequence:
        """(flag, tier, age in days) in the district, scope and filters, oldest first."""
        stmt = _with_tier(district_id).where(*filters.conditions())
        if status != "all":
            stmt = stmt.where(Flag.status == status)
        stmt = stmt.order_by(Flag.opened_at, Flag.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).all()

    async def changes(
        self, *, district_id: str, after: tuple[int, int], filters: FlagFilters, limit: int
    ) -> Sequence:
        """Flags whose last change is after `after` = (transaction id, sequence), in that order. Only changes
        of transactions older than every transaction still in flight (the snapshot's xmin) are returned: they
        are all committed, so nothing can appear later before the cursor (see flag_feed.py)."""
        horizon = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        stmt = _with_tier(district_id).where(
            *filters.conditions(),
            Flag.change_xid < horizon,
            tuple_(Flag.change_xid, Flag.change_seq) > tuple_(literal(after[0]), literal(after[1])),
        )
        stmt = stmt.add_columns(Flag.change_xid, Flag.change_seq)
        stmt = stmt.order_by(Flag.change_xid, Flag.change_seq).limit(limit)
        return (await self.session.execute(stmt)).all()

    async def school_of(self, district_id: str, student_id: str) -> str | None:
        """The school of the student's most recent flag."""
        stmt = (
            select(Flag.school_id)
            .where(Flag.district_id == district_id, Flag.student_id == student_id)
            .order_by(Flag.opened_at.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True)
class FlagFilters:
    """What a caller may see (schools, teachers' classes) and what they asked for."""

    school_ids: Collection[str] | None = None
    class_ids: Collection[str] | None = None
    class_id: str | None = None
    standard_id: str | None = None
    kind: str | None = None
    tier: int | None = None

    def conditions(self) -> list:
        wanted = [
            (self.school_ids is not None, lambda: Flag.school_id.in_(list(self.school_ids))),
            (self.class_ids is not None, lambda: Flag.class_ids.overlap(list(self.class_ids))),
            (self.class_id is not None, lambda: literal(self.class_id) == any_(Flag.class_ids)),
            (self.standard_id is not None, lambda: Flag.standard_id == self.standard_id),
            (self.kind is not None, lambda: Flag.kind == self.kind),
            (self.tier is not None, lambda: func.coalesce(StudentTier.tier, 1) == self.tier),
        ]
        return [make() for want, make in wanted if want]


TIER = func.coalesce(StudentTier.tier, 1)


def _with_tier(district_id: str):
    age = func.extract("epoch", func.coalesce(Flag.resolved_at, func.now()) - Flag.opened_at) / 86400
    tiers = and_(StudentTier.district_id == Flag.district_id, StudentTier.student_id == Flag.student_id)
    return (
        select(Flag, TIER, age).join(StudentTier, tiers, isouter=True).where(Flag.district_id == district_id)
    )


async def _one(session: AsyncSession, model, district_id: str, id_: uuid.UUID):
    """The row with this id in this district; None for a missing one and for another district's alike."""
    stmt = select(model).where(model.district_id == district_id, model.id == id_)
    return (await session.scalars(stmt)).one_or_none()
