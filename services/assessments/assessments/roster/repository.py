"""SQL of the roster: upserts by (district, sourcedId) and the active rows a district's readers see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plc_shared import scope
from plc_shared.auth import Principal
from sqlalchemy import Select, Text, cast, exists, func, literal, literal_column, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models
from assessments.auth import in_classes


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, model: type[models.Base], rows: list[dict[str, Any]]) -> set[str]:
        """Insert or update by (district, sourcedId): another district's row with the same sourcedId is another
        row. Returns the sourcedIds written."""
        if not rows:
            return set()
        table = model.__table__
        stmt = insert(table)
        columns = {c: stmt.excluded[c] for c in rows[0] if c not in ("district_id", "sourced_id")}
        stmt = stmt.on_conflict_do_update(
            index_elements=["district_id", "sourced_id"], set_=columns
        ).returning(table.c.sourced_id)
        done: set[str] = set()
        for start in range(0, len(rows), 5_000):
            done.update((await self.session.scalars(stmt, rows[start : start + 5_000])).all())
        return done

    async def existing_ids(self, model: type[models.Base], district_id: str, ids: Sequence[str]) -> set[str]:
        table = model.__table__
        stmt = select(table.c.sourced_id).where(
            table.c.district_id == district_id,
            table.c.status == "active",
            table.c.sourced_id.in_(set(ids)),
        )
        return set((await self.session.scalars(stmt)).all())


# A class's teachers as ClassRead lists them (schemas.TeacherRead): each of teacher_ids in order, named when the
# roster has them as active staff, else the id alone.
TEACHERS = literal_column(
    "(SELECT coalesce(json_agg(json_build_object('sourced_id', u.teacher_id, 'given_name', st.given_name,"
    " 'family_name', st.family_name) ORDER BY u.ord), '[]'::json)"
    " FROM unnest(classes.teacher_ids) WITH ORDINALITY AS u(teacher_id, ord)"
    " LEFT JOIN staff st ON st.district_id = classes.district_id AND st.status = 'active'"
    " AND st.sourced_id = u.teacher_id)"
).label("teachers")


class RosterReader:
    """Active roster rows of one district, optionally limited to some schools."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def schools(self, district_id: str, schools: frozenset[str] | None) -> list[models.Org]:
        stmt = select(models.Org).where(
            models.Org.district_id == district_id, models.Org.type == "school", models.Org.status == "active"
        )
        if schools is not None:
            stmt = stmt.where(models.Org.sourced_id.in_(schools))
        return list((await self.session.scalars(stmt.order_by(models.Org.name))).all())

    def classes(self, district_id: str, schools: frozenset[str] | None, school_id: str | None) -> Select:
        """The active classes (of the caller's schools, of `school_id`) with their `teachers`: teacher_ids in
        order, with the names of those the roster has as active staff. The select of ClassRead's columns, for
        plc_shared.db.json_list (a district has thousands of classes)."""
        c = models.Class
        stmt = select(*c.__table__.columns, TEACHERS).where(
            c.district_id == district_id, c.status == "active"
        )
        if schools is not None:
            stmt = stmt.where(c.school_id.in_(schools))
        if school_id:
            stmt = stmt.where(c.school_id == school_id)
        return stmt

    def students_in_scope(
        self, principal: Principal, school_id: str | None, assessment_id: str | None = None
    ) -> Select:
        """Active students of the caller's district the caller may see (plc_shared.scope: their schools; a
        teacher, the students actively enrolled in their classes), of `school_id` if given, with a live result
        on `assessment_id` if given (a data meeting names its students, not the whole district's): the select of
        their columns, for plc_shared.db.json_list (a district-wide meeting reads 15,000 of them)."""
        s = models.Student
        stmt = select(*s.__table__.columns).where(s.district_id == principal.tenant, s.status == "active")
        stmt = stmt.where(
            *scope.student_filter(principal, school=None, in_classes=in_classes(s.district_id, s.sourced_id))
        )
        schools = principal.visible_schools()
        if schools is not None:
            stmt = stmt.where(s.school_ids.op("&&")(cast(sorted(schools), ARRAY(Text))))
        if school_id:
            stmt = stmt.where(literal(school_id) == s.school_ids.any_())
        if assessment_id is not None:
            r = models.Result
            stmt = stmt.where(
                exists().where(
                    r.district_id == s.district_id,
                    r.assessment_id == assessment_id,
                    r.student_id == s.sourced_id,
                    r.voided_at.is_(None),
                )
            )
        return stmt

    async def class_students(self, district_id: str, class_id: str) -> list[models.Student]:
        s, e = models.Student, models.Enrollment
        stmt = (
            select(s)
            .join(e, (e.district_id == s.district_id) & (e.user_id == s.sourced_id))
            .where(e.district_id == district_id, e.class_id == class_id, e.role == "student")
            .where(e.status == "active", s.status == "active")
            .order_by(s.family_name, s.given_name, s.sourced_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def staff(
        self, district_id: str, schools: frozenset[str] | None, school_id: str | None
    ) -> list[models.Staff]:
        """Active staff of the district, of some schools (a staff member of several schools counts in each)."""
        s = models.Staff
        stmt = select(s).where(s.district_id == district_id, s.status == "active")
        if schools is not None:
            stmt = stmt.where(s.school_ids.op("&&")(cast(sorted(schools), ARRAY(Text))))
        if school_id:
            stmt = stmt.where(literal(school_id) == s.school_ids.any_())
        return list(
            (await self.session.scalars(stmt.order_by(s.family_name, s.given_name, s.sourced_id))).all()
        )

    async def staff_of_subject(self, district_id: str, subject: str) -> models.Staff | None:
        """The district's active staff member whose sourcedId, else whose identifier, is `subject`."""
        s = models.Staff
        stmt = select(s).where(
            s.district_id == district_id,
            s.status == "active",
            or_(s.sourced_id == subject, s.identifier == subject),
        )
        found = list(
            (await self.session.scalars(stmt.order_by((s.sourced_id != subject), s.sourced_id))).all()
        )
        return found[0] if found else None

    async def staff_by_id(self, district_id: str, ids: set[str]) -> dict[str, models.Staff]:
        """The district's active staff of these ids (the names of classes' teachers)."""
        if not ids:
            return {}
        s = models.Staff
        stmt = select(s).where(s.district_id == district_id, s.status == "active", s.sourced_id.in_(ids))
        return {row.sourced_id: row for row in (await self.session.scalars(stmt)).all()}

    async def students_with_classes(
        self, district_id: str, student_ids: list[str]
    ) -> list[tuple[models.Student, list[str]]]:
        """The students (any status) with the classes each is actively enrolled in, by sourcedId."""
        s, e = models.Student, models.Enrollment
        enrolled = (
            select(func.array_agg(aggregate_order_by(e.class_id, e.class_id)))
            .where(e.district_id == s.district_id, e.user_id == s.sourced_id)
            .where(e.role == "student", e.status == "active")
            .scalar_subquery()
        )
        stmt = (
            select(s, enrolled)
            .where(s.district_id == district_id, s.sourced_id.in_(student_ids))
            .order_by(s.sourced_id)
        )
        return [(row[0], list(row[1] or [])) for row in await self.session.execute(stmt)]
