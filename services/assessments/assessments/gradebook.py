"""The OneRoster 1.2 gradebook REST binding mapped onto our assessments and results.

- lineItems ↔ common formative assessments; assessmentLineItems ↔ common summative and benchmark assessments.
  A PUT of an unknown sourcedId creates the assessment, published, with max score `resultValueMax` and the
  default cuts (70 / 90 %); a PUT of a known one changes its title. DELETE (or status tobedeleted) closes it.
- results / assessmentResults ↔ results (attempt 1), identified by their OneRoster sourcedId, written through
  the same pipeline as every other result (so each write is one event); DELETE (or tobedeleted) voids it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.errors import Conflict, NotFound
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models, service
from assessments.exceptions import AssessmentNotFound, InvalidResult
from assessments.line_items import DEFAULT_MASTERY_CUT, DEFAULT_PROFICIENCY_CUT
from assessments.repository import AssessmentRepository, ResultRepository
from assessments.schemas import ResultRead, ResultWrite

LINE_ITEM_KINDS = {
    "lineItems": ("common_formative",),
    "assessmentLineItems": ("common_summative", "benchmark"),
}
SCORE_STATUSES = ("exempt", "fully graded", "not submitted", "partially graded", "submitted")


class Ref(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str


class LineItemIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str | None = None
    status: str = "active"
    title: str
    resultValueMin: float | None = None
    resultValueMax: float | None = Field(None, gt=0)
    school: Ref | None = None
    # `class` is a Python keyword; it is read from the extra fields.


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str | None = None
    status: str = "active"
    lineItem: Ref | None = None
    assessmentLineItem: Ref | None = None
    student: Ref
    scoreStatus: str
    score: float | str | None = None
    scoreDate: str | None = None
    dateLastModified: str | None = None


# --- line items -----------------------------------------------------------------------------------------------
async def put_line_item(
    session: AsyncSession, principal: Principal, *, collection: str, sourced_id: str, body: LineItemIn
) -> tuple[dict[str, Any], bool]:
    district_id = auth.require_district_writer(principal)
    repo = AssessmentRepository(session)
    existing = await repo.get_in_district(district_id, sourced_id)
    if body.status == "tobedeleted":
        if existing is None:
            raise AssessmentNotFound(sourced_id)
        await _close(session, principal, existing)
        return await get_line_item(session, principal, collection=collection, sourced_id=sourced_id), False
    if existing is None:
        if body.resultValueMax is None:
            raise InvalidResult(
                "resultValueMax is required to create a line item.",
                errors=[{"field": "resultValueMax", "reason": "required"}],
            )
        await _create(session, principal, collection, sourced_id, body)
    else:
        existing.title = body.title
        await session.flush()
    created = existing is None
    return await get_line_item(session, principal, collection=collection, sourced_id=sourced_id), created


async def _create(
    session: AsyncSession, principal: Principal, collection: str, sourced_id: str, body: LineItemIn
) -> None:
    school_id = body.school.sourcedId if body.school else None
    class_ref = (body.model_extra or {}).get("class")
    if school_id is None and isinstance(class_ref, dict) and class_ref.get("sourcedId"):
        found = await session.get(models.Class, (principal.tenant, class_ref["sourcedId"]))
        school_id = found.school_id if found is not None else None
    assessment = models.Assessment(
        id=sourced_id,
        district_id=principal.tenant,
        school_id=school_id,
        title=body.title,
        kind=LINE_ITEM_KINDS[collection][0],
        grades=[],
        performance_levels=[],
        max_score=body.resultValueMax,
        proficiency_cut=DEFAULT_PROFICIENCY_CUT,
        mastery_cut=DEFAULT_MASTERY_CUT,
        status="draft",
        created_by=principal.subject,
    )
    await AssessmentRepository(session).add(assessment, flush=True)
    await service.transition(session, principal, assessment_id=sourced_id, to="published")


async def _close(session: AsyncSession, principal: Principal, assessment: models.Assessment) -> None:
    if assessment.status == "published":
        await service.transition(session, principal, assessment_id=assessment.id, to="closed")


async def get_line_item(
    session: AsyncSession, principal: Principal, *, collection: str, sourced_id: str
) -> dict[str, Any]:
    read = await service.get_assessment(session, principal, assessment_id=sourced_id)
    if read.kind not in LINE_ITEM_KINDS[collection]:
        raise AssessmentNotFound(sourced_id)
    return line_item_json(read)


async def list_line_items(session: AsyncSession, principal: Principal, *, collection: str) -> list[dict]:
    found = await service.list_assessments(session, principal, status=None, school_id=None)
    return [line_item_json(a) for a in found if a.kind in LINE_ITEM_KINDS[collection]]


async def delete_line_item(
    session: AsyncSession, principal: Principal, *, collection: str, sourced_id: str
) -> None:
    await get_line_item(session, principal, collection=collection, sourced_id=sourced_id)
    auth.require_district_writer(principal)
    assessment = await AssessmentRepository(session).get_in_district(principal.tenant, sourced_id)
    await _close(session, principal, assessment)


def line_item_json(a) -> dict[str, Any]:
    return {
        "sourcedId": a.id,
        "status": "tobedeleted" if a.status == "closed" else "active",
        "dateLastModified": (a.closed_at or a.published_at or datetime.now(UTC)).isoformat(),
        "title": a.title,
        "school": {"sourcedId": a.school_id, "type": "org"} if a.school_id else None,
        "resultValueMin": 0.0,
        "resultValueMax": a.max_score,
    }


# --- results --------------------------------------------------------------------------------------------------
async def put_result(
    session: AsyncSession, principal: Principal, *, collection: str, sourced_id: str, body: ResultIn
) -> tuple[dict[str, Any], bool]:
    line_item = body.assessmentLineItem if collection == "assessmentResults" else body.lineItem
    if line_item is None:
        field = "assessmentLineItem" if collection == "assessmentResults" else "lineItem"
        raise InvalidResult(f"{field} is required.", errors=[{"field": field, "reason": "required"}])
    key = (line_item.sourcedId, body.student.sourcedId, 1)
    results = ResultRepository(session)
    claimed = await _by_sourced_id(session, principal, sourced_id)
    if claimed is not None and (claimed.assessment_id, claimed.student_id, claimed.attempt) != key:
        raise Conflict(f"Result sourcedId '{sourced_id}' names another student or line item.")
    if body.status == "tobedeleted":
        await service.void_result(session, principal, key=key, if_match=None)
        return {"sourcedId": sourced_id, "status": "tobedeleted"}, False
    write = {
        "assessment_id": key[0],
        "student_id": key[1],
        "score_status": body.scoreStatus,
        "total_score": body.score,
        "assessed_on": body.scoreDate[:10] if body.scoreDate else None,
        "source_modified_at": body.dateLastModified,
    }
    try:
        parsed = ResultWrite.model_validate(write)
    except ValueError as exc:
        raise InvalidResult(
            "The result is not valid.", errors=[{"field": "scoreStatus", "reason": str(exc)}]
        ) from None
    read, created = await service.put_result(session, principal, body=parsed, if_match=None)
    stored = await results.by_key(principal.tenant, *key)
    stored.sourced_id = sourced_id
    await session.flush()
    return result_json(read, sourced_id, collection), created


async def get_result(
    session: AsyncSession, principal: Principal, *, collection: str, sourced_id: str
) -> dict:
    stored = await _by_sourced_id(session, principal, sourced_id)
    if stored is None:
        raise NotFound(f"Result '{sourced_id}' was not found.")
    read = await service.get_result(
        session, principal, key=(stored.assessment_id, stored.student_id, stored.attempt)
    )
    return result_json(read, sourced_id, collection)


async def list_results(
    session: AsyncSession, principal: Principal, *, collection: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Results written through this binding (they have a sourcedId), in the caller's scope, oldest first."""
    district_id = auth.require_role(principal, auth.STUDENT_READERS, "read student results")
    kinds = LINE_ITEM_KINDS["lineItems" if collection == "results" else "assessmentLineItems"]
    r = models.Result
    stmt = (
        select(r)
        .join(
            models.Assessment,
            (models.Assessment.district_id == r.district_id) & (models.Assessment.id == r.assessment_id),
        )
        .where(
            r.district_id == district_id,
            r.sourced_id.is_not(None),
            r.voided_at.is_(None),
            models.Assessment.kind.in_(kinds),
        )
        .order_by(r.recorded_at, r.id)
        .limit(limit)
        .offset(offset)
    )
    schools = principal.visible_schools()
    if schools is not None:
        stmt = stmt.where(r.school_id.in_(schools))
    found = (await session.scalars(stmt)).all()
    audit_read(principal, "oneroster.results.list", [x.student_id for x in found])
    return [result_json(ResultRead.model_validate(x), x.sourced_id, collection) for x in found]


async def delete_result(session: AsyncSession, principal: Principal, *, sourced_id: str) -> None:
    stored = await _by_sourced_id(session, principal, sourced_id)
    if stored is None:
        raise NotFound(f"Result '{sourced_id}' was not found.")
    await service.void_result(
        session, principal, key=(stored.assessment_id, stored.student_id, stored.attempt), if_match=None
    )


async def _by_sourced_id(
    session: AsyncSession, principal: Principal, sourced_id: str
) -> models.Result | None:
    r = models.Result
    stmt = select(r).where(r.district_id == principal.tenant, r.sourced_id == sourced_id)
    return (await session.scalars(stmt)).one_or_none()


def result_json(read, sourced_id: str, collection: str) -> dict[str, Any]:
    reference = "assessmentLineItem" if collection == "assessmentResults" else "lineItem"
    return {
        "sourcedId": sourced_id,
        "status": "active",
        "dateLastModified": read.recorded_at.isoformat(),
        reference: {"sourcedId": read.assessment_id},
        "student": {"sourcedId": read.student_id},
        "scoreStatus": read.score_status,
        "score": read.total_score,
        "scoreDate": read.assessed_on.isoformat(),
        "metadata": {
            "percent": read.percent,
            "performanceLevel": read.performance_level,
            "revision": read.revision,
        },
    }
