"""SQL of the assessments service. Set-based statements for everything that handles many rows at once.

The result ingestion path (tens of thousands of rows per request) talks to asyncpg directly inside the request's
transaction: one `unnest` upsert and one COPY instead of thousands of bound statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from plc_shared.db import Repository, driver
from sqlalchemy import Text, and_, any_, case, cast, delete, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models


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

    async def classes(
        self, district_id: str, schools: frozenset[str] | None, school_id: str | None
    ) -> list[models.Class]:
        c = models.Class
        stmt = select(c).where(c.district_id == district_id, c.status == "active")
        if schools is not None:
            stmt = stmt.where(c.school_id.in_(schools))
        if school_id:
            stmt = stmt.where(c.school_id == school_id)
        return list((await self.session.scalars(stmt.order_by(c.title, c.sourced_id))).all())

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


class StandardRepository(Repository[models.Standard]):
    model = models.Standard

    async def by_code(self, district_id: str, code: str) -> models.Standard | None:
        stmt = select(models.Standard).where(
            models.Standard.district_id == district_id, models.Standard.code == code
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def flags(self, district_id: str, standard_ids: Sequence[str]) -> list[models.EssentialFlag]:
        if not standard_ids:
            return []
        flag = models.EssentialFlag
        return await self._flags(flag.district_id == district_id, flag.standard_id.in_(set(standard_ids)))

    async def _flags(self, *where: Any) -> list[models.EssentialFlag]:
        stmt = select(models.EssentialFlag).where(*where).order_by(models.EssentialFlag.id)
        return list((await self.session.scalars(stmt)).all())

    async def flag(self, standard: models.Standard, scope: str, value: str, marked_by: str) -> None:
        stmt = insert(models.EssentialFlag).values(
            standard_id=standard.id,
            district_id=standard.district_id,
            scope=scope,
            scope_value=value,
            marked_by=marked_by,
        )
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def unflag(self, standard: models.Standard, scope: str, value: str) -> int:
        stmt = delete(models.EssentialFlag).where(
            models.EssentialFlag.district_id == standard.district_id,
            models.EssentialFlag.standard_id == standard.id,
            models.EssentialFlag.scope == scope,
            models.EssentialFlag.scope_value == value,
        )
        return (await self.session.execute(stmt)).rowcount

    async def essential_ids(self, district_id: str, grades: Sequence[str]) -> set[str]:
        """Standards essential for one of these grades, or for a course of one of these grades."""
        stmt = text(
            "SELECT f.standard_id FROM essential_flags f WHERE f.district_id = :d AND ("
            " (f.scope = 'grade' AND f.scope_value = ANY(:g))"
            " OR (f.scope = 'course' AND EXISTS (SELECT 1 FROM courses c"
            "     WHERE c.district_id = f.district_id AND c.sourced_id = f.scope_value"
            "     AND (c.grades && :g OR cardinality(:g) = 0))))"
        )
        rows = await self.session.execute(stmt, {"d": district_id, "g": list(grades)})
        return {r[0] for r in rows}


class AssessmentRepository(Repository[models.Assessment]):
    model = models.Assessment

    async def for_update(self, district_id: str, id_: str) -> models.Assessment | None:
        a = models.Assessment
        stmt = select(a).where(a.district_id == district_id, a.id == id_).with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()

    async def objectives(self, district_id: str, assessment_ids: Sequence[str]) -> list[models.Objective]:
        o = models.Objective
        stmt = select(o).where(o.district_id == district_id, o.assessment_id.in_(set(assessment_ids)))
        return list((await self.session.scalars(stmt.order_by(o.id))).all())

    async def items(self, district_id: str, assessment_ids: Sequence[str]) -> list[models.Item]:
        i = models.Item
        stmt = select(i).where(i.district_id == district_id, i.assessment_id.in_(set(assessment_ids)))
        return list((await self.session.scalars(stmt.order_by(i.id))).all())

    async def replace_structure(
        self, district_id: str, assessment_id: str, objectives: list[dict], items: list[dict]
    ) -> None:
        i, o = models.Item, models.Objective
        await self.session.execute(
            delete(i).where(i.district_id == district_id, i.assessment_id == assessment_id)
        )
        await self.session.execute(
            delete(o).where(o.district_id == district_id, o.assessment_id == assessment_id)
        )
        # Parents come before their children in `objectives` (depth-first), so one insert keeps the FK valid.
        if objectives:
            await self.session.execute(insert(models.Objective), objectives)
        if items:
            await self.session.execute(insert(models.Item), items)

    async def set_status(self, assessment: models.Assessment, status: str, **stamps: Any) -> None:
        await self.session.execute(
            update(models.Assessment)
            .where(
                models.Assessment.district_id == assessment.district_id, models.Assessment.id == assessment.id
            )
            .values(status=status, **stamps)
        )


RESULT_COLUMNS = (
    "id",
    "assessment_id",
    "student_id",
    "attempt",
    "district_id",
    "school_id",
    "class_ids",
    "score_status",
    "total_score",
    "percent",
    "performance_level",
    "objective_scores",
    "item_scores",
    "standard_scores",
    "assessed_on",
    "recorded_at",
    "source_modified_at",
    "sourced_id",
    "text_score",
    "comment",
)
_RESULT_TYPES = (
    "uuid",
    "text",
    "text",
    "int",
    "text",
    "text",
    "text",  # class ids joined with \x1f (unnest cannot take ragged 2-D arrays)
    "text",
    "float8",
    "float8",
    "text",
    "text",  # the three JSON documents as text, cast to jsonb in the SELECT
    "text",
    "text",
    "date",
    "timestamptz",
    "timestamptz",
    "text",
    "text",
    "text",
)
_SELECT_CASTS = {
    "class_ids": "CASE WHEN u.class_ids = '' THEN '{}'::text[] ELSE string_to_array(u.class_ids, chr(31)) END",
    "objective_scores": "u.objective_scores::jsonb",
    "item_scores": "u.item_scores::jsonb",
    "standard_scores": "u.standard_scores::jsonb",
}
_CLASS_IDS = RESULT_COLUMNS.index("class_ids")
_SEP = "\x1f"
_UPDATED = [c for c in RESULT_COLUMNS if c not in ("id", "assessment_id", "student_id", "attempt")]
# A write without a source time keeps the stored one (so an older timed re-send is still recognised).
_SET = {
    "source_modified_at": "source_modified_at = COALESCE(excluded.source_modified_at, results.source_modified_at)",
    # A native write (no sourcedId) keeps the OneRoster identity of the result it corrects.
    "sourced_id": "sourced_id = COALESCE(excluded.sourced_id, results.sourced_id)",
}
UPSERT_RESULTS = (
    f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}, revision, voided_at)"
    f" SELECT {', '.join(_SELECT_CASTS.get(c, 'u.' + c) for c in RESULT_COLUMNS)}, 1, NULL"
    f" FROM unnest({', '.join(f'${i + 1}::{t}[]' for i, t in enumerate(_RESULT_TYPES))})"
    f" AS u({', '.join(RESULT_COLUMNS)})"
    " ON CONFLICT (district_id, assessment_id, student_id, attempt) DO UPDATE SET "
    + ", ".join(_SET.get(c, f"{c} = excluded.{c}") for c in _UPDATED)
    + ", revision = results.revision + 1, voided_at = NULL"
    " RETURNING id, assessment_id, student_id, attempt, revision, (xmax = 0) AS inserted"
)
SELECT_EXISTING = (
    "SELECT r.id, r.assessment_id, r.student_id, r.attempt, r.school_id, r.score_status, r.total_score,"
    " r.objective_scores, r.item_scores, r.assessed_on, r.revision, r.voided_at, r.source_modified_at,"
    " r.sourced_id, r.text_score, r.comment"
    " FROM results r JOIN unnest($2::text[], $3::text[], $4::int[]) AS k(a, s, n)"
    " ON r.district_id = $1 AND r.assessment_id = k.a AND r.student_id = k.s AND r.attempt = k.n"
    " ORDER BY r.id FOR UPDATE OF r"
)


class ResultRepository(Repository[models.Result]):
    model = models.Result

    async def by_key(
        self, district_id: str, assessment_id: str, student_id: str, attempt: int
    ) -> models.Result | None:
        stmt = select(models.Result).where(
            models.Result.district_id == district_id,
            models.Result.assessment_id == assessment_id,
            models.Result.student_id == student_id,
            models.Result.attempt == attempt,
        )
        # Results are written through asyncpg directly: never trust a copy already in the identity map.
        stmt = stmt.execution_options(populate_existing=True)
        return (await self.session.scalars(stmt)).one_or_none()

    async def students(self, district_id: str, ids: Sequence[str]) -> dict[str, asyncpg.Record]:
        conn = await driver(self.session)
        rows = await conn.fetch(
            "SELECT sourced_id, school_ids FROM students"
            " WHERE sourced_id = ANY($1::text[]) AND district_id = $2 AND status = 'active'",
            list(ids),
            district_id,
        )
        return {r["sourced_id"]: r for r in rows}

    async def student_classes(self, district_id: str, ids: Sequence[str]) -> dict[tuple[str, str], list[str]]:
        """(student, school) -> the student's active class enrollments in that school."""
        conn = await driver(self.session)
        rows = await conn.fetch(
            "SELECT user_id, school_id, class_id FROM enrollments"
            " WHERE user_id = ANY($1::text[]) AND district_id = $2 AND role = 'student' AND status = 'active'"
            " ORDER BY class_id",
            list(ids),
            district_id,
        )
        classes: dict[tuple[str, str], list[str]] = {}
        for r in rows:
            classes.setdefault((r["user_id"], r["school_id"]), []).append(r["class_id"])
        return classes

    async def existing(
        self, district_id: str, keys: Sequence[tuple[str, str, int]]
    ) -> dict[tuple, asyncpg.Record]:
        """The district's stored results for these natural keys, locked until the transaction ends."""
        conn = await driver(self.session)
        columns = list(zip(*keys, strict=True)) if keys else [(), (), ()]
        rows = await conn.fetch(SELECT_EXISTING, district_id, *(list(c) for c in columns))
        return {(r["assessment_id"], r["student_id"], r["attempt"]): r for r in rows}

    async def upsert(self, rows: Sequence[Sequence[Any]]) -> list[asyncpg.Record]:
        """Rows in RESULT_COLUMNS order; returns id, key, revision and whether the row was inserted."""
        if not rows:
            return []
        conn = await driver(self.session)
        columns = [list(c) for c in zip(*rows, strict=True)]
        columns[_CLASS_IDS] = [_SEP.join(ids) for ids in columns[_CLASS_IDS]]
        return await conn.fetch(UPSERT_RESULTS, *columns)

    async def set_sourced_ids(self, district_id: str, pairs: Sequence[tuple[uuid.UUID, str]]) -> None:
        """Give unchanged results (written before without one) their OneRoster sourcedId: no new revision."""
        conn = await driver(self.session)
        await conn.execute(
            "UPDATE results r SET sourced_id = u.s FROM unnest($2::uuid[], $3::text[]) AS u(i, s)"
            " WHERE r.district_id = $1 AND r.id = u.i",
            district_id,
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )

    async def identities(
        self, district_id: str, sourced_ids: Sequence[str], keys: Sequence[tuple[str, str]]
    ) -> list[asyncpg.Record]:
        """The district's results that have one of these sourcedIds or one of these (assessment, student)
        keys: what a OneRoster write needs to find each result's attempt (importer.assign_attempts)."""
        conn = await driver(self.session)
        return await conn.fetch(
            "SELECT r.sourced_id, r.assessment_id, r.student_id, r.attempt, r.voided_at FROM results r"
            " WHERE r.district_id = $1 AND (r.sourced_id = ANY($2::text[]) OR (r.assessment_id, r.student_id)"
            " IN (SELECT * FROM unnest($3::text[], $4::text[])))"
            " ORDER BY r.assessment_id, r.student_id, r.attempt",
            district_id,
            list(sourced_ids),
            [k[0] for k in keys],
            [k[1] for k in keys],
        )

    async def insert_new(self, rows: Sequence[Sequence[Any]]) -> bool:
        """COPY rows whose keys did not exist (revision 1): much cheaper than the upsert. False, with nothing
        written, when a concurrent request inserted one of the keys meanwhile (the caller upserts instead)."""
        if not rows:
            return True
        conn = await driver(self.session)
        savepoint = conn.transaction()  # nested in the request's transaction: a SAVEPOINT
        await savepoint.start()
        try:
            await conn.copy_records_to_table(
                "results", records=[(*r, 1) for r in rows], columns=[*RESULT_COLUMNS, "revision"]
            )
        except asyncpg.UniqueViolationError:
            await savepoint.rollback()
            return False
        except BaseException:
            await savepoint.rollback()
            raise
        await savepoint.commit()
        return True

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

    async def for_assessment(
        self,
        district_id: str,
        assessment_id: str,
        *,
        schools: frozenset[str] | None,
        class_id: str | None,
        limit: int,
        offset: int,
    ) -> list[models.Result]:
        r = models.Result
        stmt = select(r).where(r.district_id == district_id, r.assessment_id == assessment_id)
        stmt = stmt.where(r.voided_at.is_(None))
        if schools is not None:
            stmt = stmt.where(r.school_id.in_(schools))
        if class_id:
            stmt = stmt.where(literal(class_id) == any_(r.class_ids))
        stmt = stmt.order_by(r.student_id, r.attempt).limit(limit).offset(offset)
        return list((await self.session.scalars(stmt)).all())

    async def teachers(self, district_id: str, class_ids: set[str]) -> dict[str, list[str]]:
        if not class_ids:
            return {}
        c = models.Class
        stmt = select(c.sourced_id, c.teacher_ids).where(
            c.district_id == district_id, c.sourced_id.in_(class_ids)
        )
        return {row[0]: list(row[1]) for row in await self.session.execute(stmt)}

    async def void(self, result_id: uuid.UUID, voided_at: Any) -> int:
        stmt = (
            update(models.Result)
            .where(models.Result.id == result_id)
            .values(voided_at=voided_at, revision=models.Result.revision + 1)
            .returning(models.Result.revision)
        )
        return (await self.session.execute(stmt)).scalar_one()


class OutboxWriter:
    """Prepared outbox rows (plc_shared.outbox.OUTBOX_COLUMNS order) into the request's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def copy(self, rows: list[tuple]) -> None:
        await models.outbox.write(self.session, rows)


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, district_id: str, key: str, request_hash: str) -> models.IdempotencyKey | None:
        """Reserve the key in this transaction; a concurrent request with the same key waits here until the
        first one commits, then gets the stored row (None when this request is the first)."""
        stmt = (
            insert(models.IdempotencyKey)
            .values(district_id=district_id, key=key, request_hash=request_hash)
            .on_conflict_do_nothing()
            .returning(models.IdempotencyKey.key)
        )
        if (await self.session.execute(stmt)).first() is not None:
            return None
        stored = select(models.IdempotencyKey).where(
            models.IdempotencyKey.district_id == district_id, models.IdempotencyKey.key == key
        )
        return (await self.session.scalars(stored.execution_options(populate_existing=True))).one()

    async def save(self, district_id: str, key: str, status_code: int, response: dict[str, Any]) -> None:
        await self.session.execute(
            update(models.IdempotencyKey)
            .where(models.IdempotencyKey.district_id == district_id, models.IdempotencyKey.key == key)
            .values(status_code=status_code, response=response)
        )


# --- the OneRoster gradebook binding's collection queries (filter, sort, limit, offset) -------------------------
_r, _a = models.Result, models.Assessment
# OneRoster field (filter / sort name) -> (SQL expression, kind); GUIDRefs are filtered by `<ref>.sourcedId`.
RESULT_QUERY_FIELDS: dict[str, tuple[Any, str]] = {
    "sourcedId": (_r.sourced_id, "text"),
    "status": (case((_r.voided_at.is_(None), "active"), else_="tobedeleted"), "text"),
    "dateLastModified": (func.coalesce(_r.source_modified_at, _r.recorded_at), "datetime"),
    "lineItem.sourcedId": (_r.assessment_id, "text"),
    "assessmentLineItem.sourcedId": (_r.assessment_id, "text"),
    "student.sourcedId": (_r.student_id, "text"),
    "scoreStatus": (_r.score_status, "text"),
    "score": (_r.total_score, "number"),
    "scoreDate": (_r.assessed_on, "date"),
    "textScore": (_r.text_score, "text"),
    "comment": (_r.comment, "text"),
}
LINE_ITEM_QUERY_FIELDS: dict[str, tuple[Any, str]] = {
    "sourcedId": (_a.id, "text"),
    "status": (case((_a.status == "closed", "tobedeleted"), else_="active"), "text"),
    "dateLastModified": (func.coalesce(_a.source_modified_at, _a.updated_at), "datetime"),
    "title": (_a.title, "text"),
    "description": (_a.description, "text"),
    "assignDate": (func.coalesce(_a.assign_date, _a.published_at), "datetime"),
    "dueDate": (_a.due_date, "datetime"),
    "class.sourcedId": (_a.class_id, "text"),
    "school.sourcedId": (_a.school_id, "text"),
    "category.sourcedId": (_a.category_id, "text"),
    "gradingPeriod.sourcedId": (_a.grading_period_id, "text"),
    "scoreScale.sourcedId": (_a.score_scale_id, "text"),
    "resultValueMin": (func.coalesce(_a.result_value_min, 0.0), "number"),
    "resultValueMax": (_a.max_score, "number"),
}


class GradebookRepository:
    """Collections of the gradebook binding, always within one district and the caller's schools."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def results(
        self, district_id: str, kinds: Sequence[str], schools: frozenset[str] | None, query: Any
    ) -> tuple[list[models.Result], int]:
        """Live results with a sourcedId (every OneRoster result, CSV or REST) of line items of these kinds."""
        stmt = (
            select(_r)
            .join(_a, (_a.district_id == _r.district_id) & (_a.id == _r.assessment_id))
            .where(_r.district_id == district_id, _r.sourced_id.is_not(None), _r.voided_at.is_(None))
            .where(_a.kind.in_(kinds))
        )
        if schools is not None:
            stmt = stmt.where(_r.school_id.in_(schools))
        return await self._page(stmt, query, RESULT_QUERY_FIELDS, (_r.recorded_at, _r.id))

    async def line_items(
        self, district_id: str, kinds: Sequence[str], schools: frozenset[str] | None, query: Any
    ) -> tuple[list[models.Assessment], int]:
        stmt = select(_a).where(_a.district_id == district_id, _a.kind.in_(kinds), _a.status != "draft")
        if schools is not None:
            stmt = stmt.where(or_(_a.school_id.is_(None), _a.school_id.in_(schools)))
        return await self._page(stmt, query, LINE_ITEM_QUERY_FIELDS, (_a.created_at, _a.id))

    async def _page(self, stmt: Any, query: Any, fields: dict, default_order: tuple) -> tuple[list[Any], int]:
        if query.filter:
            stmt = stmt.where(
                or_(*(and_(*(_condition(fields[p.field], p) for p in group)) for group in query.filter))
            )
        total = (await self.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
        order = [fields[query.sort][0]] if query.sort else []
        order = [c.desc() if query.descending else c.asc() for c in order] + list(default_order)
        stmt = stmt.order_by(*order).limit(query.limit).offset(query.offset)
        return list((await self.session.scalars(stmt)).all()), total


def _condition(field: tuple[Any, str], predicate: Any) -> Any:
    column, kind = field
    if predicate.op == "~":
        escaped = predicate.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return cast(column, Text).ilike(f"%{escaped}%", escape="\\")
    value = _typed(kind, predicate.value)
    return {
        "=": column == value,
        "!=": column != value,
        ">": column > value,
        ">=": column >= value,
        "<": column < value,
        "<=": column <= value,
    }[predicate.op]


def _typed(kind: str, value: str) -> Any:
    """ValueError when the value does not fit the field (the caller answers invaliddata)."""
    if kind == "number":
        return float(value)
    if kind == "date":
        return date.fromisoformat(value[:10])
    if kind == "datetime":
        parsed = datetime.fromisoformat(value if "T" in value else f"{value[:10]}T00:00:00+00:00")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value
