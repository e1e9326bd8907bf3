"""SQL of the OneRoster bindings: the gradebook's collections (filter, sort, limit, offset) and results by their
sourcedId, and a bulk file's retirement of the district's rows it does not name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models
from assessments.exceptions import FilterValueInvalid

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

    async def by_sourced_id(self, district_id: str, sourced_id: str) -> models.Result | None:
        r = models.Result
        stmt = select(r).where(r.district_id == district_id, r.sourced_id == sourced_id)
        return (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()

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
    """FilterValueInvalid (400 invaliddata) when the value does not fit the field."""
    try:
        return _convert(kind, value)
    except ValueError:
        raise FilterValueInvalid(value, kind) from None


def _convert(kind: str, value: str) -> Any:
    if kind == "number":
        return float(value)
    if kind == "date":
        return date.fromisoformat(value[:10])
    if kind == "datetime":
        parsed = datetime.fromisoformat(value if "T" in value else f"{value[:10]}T00:00:00+00:00")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def retire(self, model: type[models.Base], district_id: str, kept: list[str]) -> None:
        """A bulk file is the whole set: the district's rows it does not name are marked tobedeleted."""
        await self.session.execute(
            text(
                f"UPDATE {model.__tablename__} SET status = 'tobedeleted'"
                " WHERE district_id = :d AND NOT (sourced_id = ANY(:kept))"
            ),
            {"d": district_id, "kept": kept},
        )
