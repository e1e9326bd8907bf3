"""The districts' schools and students as this service knows them (from roster events, or first seen in a
result event). Every query names the district: ids are unique within a district only."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.models import School, Student


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
