"""SQL of the gradebook binding: its collections (filter, sort, limit, offset) within one district and the
caller's schools, results by their sourcedId, and what a line item names (a class's school, a score scale)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models
from assessments.gradebook.rules import in_collection

_r, _a = models.Result, models.Assessment
# OneRoster field (filter / sort name; rules.RESULT_FILTERS / LINE_ITEM_FILTERS give its kind) -> SQL expression.
RESULT_COLUMNS: dict[str, Any] = {
    "sourcedId": _r.sourced_id,
    "status": case((_r.voided_at.is_(None), "active"), else_="tobedeleted"),
    "dateLastModified": func.coalesce(_r.source_modified_at, _r.recorded_at),
    "lineItem.sourcedId": _r.assessment_id,
    "assessmentLineItem.sourcedId": _r.assessment_id,
    "student.sourcedId": _r.student_id,
    "scoreStatus": _r.score_status,
    "score": _r.total_score,
    "scoreDate": _r.assessed_on,
    "textScore": _r.text_score,
    "comment": _r.comment,
}
LINE_ITEM_COLUMNS: dict[str, Any] = {
    "sourcedId": _a.id,
    "status": case((_a.status == "closed", "tobedeleted"), else_="active"),
    "dateLastModified": func.coalesce(_a.source_modified_at, _a.updated_at),
    "title": _a.title,
    "description": _a.description,
    "assignDate": func.coalesce(_a.assign_date, _a.published_at),
    "dueDate": _a.due_date,
    "class.sourcedId": _a.class_id,
    "school.sourcedId": _a.school_id,
    "category.sourcedId": _a.category_id,
    "gradingPeriod.sourcedId": _a.grading_period_id,
    "scoreScale.sourcedId": _a.score_scale_id,
    "resultValueMin": func.coalesce(_a.result_value_min, 0.0),
    "resultValueMax": _a.max_score,
}


_s = models.ScoreScale
SCORE_SCALE_COLUMNS: dict[str, Any] = {
    "sourcedId": _s.sourced_id,
    "status": _s.status,
    "dateLastModified": _s.updated_at,
    "title": _s.title,
    "type": _s.type,
    "class.sourcedId": _s.class_id,
    "course.sourcedId": _s.course_id,
}


class GradebookRepository:
    """Collections of the gradebook binding, always within one district and the caller's schools."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_sourced_id(self, district_id: str, sourced_id: str) -> models.Result | None:
        stmt = select(_r).where(_r.district_id == district_id, _r.sourced_id == sourced_id)
        return (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()

    async def school_of_class(self, district_id: str, class_id: str) -> str | None:
        found = await self.session.get(models.Class, (district_id, class_id))
        return found.school_id if found is not None else None

    async def score_scale(self, district_id: str, scale_id: str) -> list[dict[str, str]] | None:
        found = await self.session.get(models.ScoreScale, (district_id, scale_id))
        return list(found.values) if found is not None else None

    async def results(
        self, district_id: str, collection: str, scope: Sequence[Any], query: Any, within: Sequence = ()
    ) -> tuple[list[models.Result], int]:
        """Live results with a sourcedId (every OneRoster result, CSV or REST) of the line items `collection`
        (lineItems / assessmentLineItems: rules.in_collection) serves,
        within `scope` (what the caller may see: assessments.auth.result_scope) and `within` (a class's,
        a line item's, a student's: conditions on Result and Assessment)."""
        stmt = (
            select(_r)
            .join(_a, (_a.district_id == _r.district_id) & (_a.id == _r.assessment_id))
            .where(_r.district_id == district_id, _r.sourced_id.is_not(None), _r.voided_at.is_(None))
            .where(in_collection(collection), *scope, *within)
        )
        return await self._page(stmt, query, RESULT_COLUMNS, (_r.recorded_at, _r.id))

    async def line_items(
        self,
        district_id: str,
        collection: str,
        schools: frozenset[str] | None,
        query: Any,
        within: Sequence = (),
    ) -> tuple[list[models.Assessment], int]:
        stmt = select(_a).where(
            _a.district_id == district_id, in_collection(collection), _a.status != "draft"
        )
        stmt = stmt.where(*within)
        if schools is not None:
            stmt = stmt.where(or_(_a.school_id.is_(None), _a.school_id.in_(schools)))
        return await self._page(stmt, query, LINE_ITEM_COLUMNS, (_a.created_at, _a.id))

    async def score_scales(self, district_id: str, query: Any) -> tuple[list[models.ScoreScale], int]:
        stmt = select(_s).where(_s.district_id == district_id)
        return await self._page(stmt, query, SCORE_SCALE_COLUMNS, (_s.sourced_id,))

    async def score_scale_object(self, district_id: str, scale_id: str) -> models.ScoreScale | None:
        return await self.session.get(models.ScoreScale, (district_id, scale_id))

    async def _page(self, stmt: Any, query: Any, fields: dict, default_order: tuple) -> tuple[list[Any], int]:
        if query.filter:
            stmt = stmt.where(
                or_(*(and_(*(_condition(fields[p.field], p) for p in group)) for group in query.filter))
            )
        total = (await self.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
        order = [fields[query.sort]] if query.sort else []
        order = [c.desc() if query.descending else c.asc() for c in order] + list(default_order)
        stmt = stmt.order_by(*order).limit(query.limit).offset(query.offset)
        return list((await self.session.scalars(stmt)).all()), total


def _condition(column: Any, predicate: Any) -> Any:
    if predicate.op == "~":
        escaped = predicate.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return cast(column, Text).ilike(f"%{escaped}%", escape="\\")
    value = predicate.value
    return {
        "=": column == value,
        "!=": column != value,
        ">": column > value,
        ">=": column >= value,
        "<": column < value,
        "<=": column <= value,
    }[predicate.op]
