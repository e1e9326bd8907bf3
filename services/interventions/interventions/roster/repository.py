"""The districts' schools and students as this service knows them (from roster events, or first seen in a
result event). Every query names the district: ids are unique within a district only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, Text, cast, exists, text
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.models import School, Student


def in_classes(district: ColumnElement, student: ColumnElement) -> Callable[[Sequence[str]], ColumnElement]:
    """For `plc_shared.scope.student_filter`: the row's student is, on the roster, in one of the classes."""

    def condition(classes: Sequence[str]) -> ColumnElement:
        return exists().where(
            Student.district_id == district,
            Student.student_id == student,
            Student.class_ids.overlap(cast(list(classes), ARRAY(Text))),
        )

    return condition


class RosterRepository:
    """The districts' schools and students as far as this service knows them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_school(self, district_id: str, school_id: str) -> bool:
        return await self.session.get(School, (district_id, school_id)) is not None

    async def student(self, district_id: str, student_id: str) -> Student | None:
        return await self.session.get(Student, (district_id, student_id))

    async def seen(
        self, schools: set[tuple[str, str]], students: set[tuple[str, str, str, tuple[str, ...]]]
    ) -> None:
        """Schools and (district, student, school, classes) named by result events: new ones become known
        (`active`, never rostered, in the result's school and classes); known ones keep what the roster says.
        Rows go in key order, so concurrent batches never deadlock on them."""
        first: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
        for district, student, school, classes in sorted(students):
            first.setdefault((district, student), (school, classes))
        if schools:
            d, s = zip(*sorted(schools), strict=True)
            await self.session.execute(
                text(
                    "INSERT INTO schools (district_id, school_id, status) SELECT d, s, 'active'"
                    " FROM unnest(CAST(:d AS text[]), CAST(:s AS text[])) AS u(d, s) ON CONFLICT DO NOTHING"
                ),
                {"d": list(d), "s": list(s)},
            )
        if first:
            (d, st), where = zip(*first, strict=True), list(first.values())
            # classes travel as one text per student (unnest cannot take ragged arrays), joined with \x1f
            await self.session.execute(
                text(
                    "INSERT INTO students (district_id, student_id, school_ids, class_ids, status)"
                    " SELECT d, st, ARRAY[sc], CASE WHEN c = '' THEN '{}'::text[] ELSE string_to_array(c, chr(31))"
                    " END, 'active' FROM unnest(CAST(:d AS text[]), CAST(:st AS text[]), CAST(:sc AS text[]),"
                    " CAST(:c AS text[])) AS u(d, st, sc, c) ON CONFLICT DO NOTHING"
                ),
                {
                    "d": list(d),
                    "st": list(st),
                    "sc": [w[0] for w in where],
                    "c": ["\x1f".join(w[1]) for w in where],
                },
            )

    async def rostered(self, schools: list[dict], students: list[dict]) -> None:
        """What the roster says wins over what results showed; an older roster event never overwrites a
        newer one (replays under new event ids included). A student row without `class_ids` (an event
        published before they were added) keeps the classes known."""
        groups: dict[tuple[type, str, frozenset[str]], list[dict]] = {}
        for model, key, rows in ((School, "school_id", schools), (Student, "student_id", students)):
            for row in rows:
                groups.setdefault((model, key, frozenset(row)), []).append(row)
        for (model, key, columns), rows in groups.items():
            stmt = insert(model).values(sorted(rows, key=lambda r: (r["district_id"], r[key])))
            stmt = stmt.on_conflict_do_update(
                index_elements=["district_id", key],
                set_={k: stmt.excluded[k] for k in sorted(columns) if k not in ("district_id", key)},
                where=model.rostered_at <= stmt.excluded.rostered_at,
            )
            await self.session.execute(stmt)
