"""OneRoster 1.2: the gradebook REST binding mapped onto our assessments and results, and the CSV import.

- A CSV package (oneroster.package reads it) is imported by oneroster.importer, in the request's transaction.

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
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.catalog import service as catalog
from assessments.catalog.repository import AssessmentRepository
from assessments.exceptions import (
    AssessmentNotFound,
    FieldRequired,
    InvalidPackage,
    ResultFieldInvalid,
    ResultSourcedIdNotFound,
    ResultSourcedIdTaken,
)
from assessments.oneroster.importer import DEFAULT_MASTERY_CUT, DEFAULT_PROFICIENCY_CUT, Importer
from assessments.oneroster.package import PackageInvalid, read_package
from assessments.oneroster.repository import GradebookRepository
from assessments.oneroster.schemas import LineItemIn, ResultIn
from assessments.results import service as results_service
from assessments.results.repository import ResultRepository
from assessments.results.schemas import ResultRead, ResultWrite

LINE_ITEM_KINDS = {
    "lineItems": ("common_formative",),
    "assessmentLineItems": ("common_summative", "benchmark"),
}
SCORE_STATUSES = ("exempt", "fully graded", "not submitted", "partially graded", "submitted")


# --- line items -----------------------------------------------------------------------------------------------
async def put_line_item(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, body: LineItemIn
) -> tuple[dict[str, Any], bool]:
    district_id = auth.require_district_writer(principal)
    repo = AssessmentRepository(session)
    existing = await repo.get_in_district(district_id, sourced_id)
    if body.status == "tobedeleted":
        if existing is None:
            raise AssessmentNotFound(sourced_id)
        await _close(session, principal=principal, assessment=existing)
        return await get_line_item(
            session, principal=principal, collection=collection, sourced_id=sourced_id
        ), False
    if existing is None:
        if body.resultValueMax is None:
            raise FieldRequired("resultValueMax", "create a line item")
        await _create(session, principal=principal, collection=collection, sourced_id=sourced_id, body=body)
    else:
        existing.title = body.title
        await session.flush()
    created = existing is None
    return await get_line_item(
        session, principal=principal, collection=collection, sourced_id=sourced_id
    ), created


async def _create(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, body: LineItemIn
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
    await catalog.transition(session, principal=principal, assessment_id=sourced_id, to="published")


async def _close(session: AsyncSession, *, principal: Principal, assessment: models.Assessment) -> None:
    if assessment.status == "published":
        await catalog.transition(session, principal=principal, assessment_id=assessment.id, to="closed")


async def get_line_item(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str
) -> dict[str, Any]:
    read = await catalog.get_assessment(session, principal=principal, assessment_id=sourced_id)
    if read.kind not in LINE_ITEM_KINDS[collection]:
        raise AssessmentNotFound(sourced_id)
    return line_item_json(read)


async def list_line_items(session: AsyncSession, *, principal: Principal, collection: str) -> list[dict]:
    found = await catalog.list_assessments(session, principal=principal, status=None, school_id=None)
    return [line_item_json(a) for a in found if a.kind in LINE_ITEM_KINDS[collection]]


async def delete_line_item(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str
) -> None:
    await get_line_item(session, principal=principal, collection=collection, sourced_id=sourced_id)
    auth.require_district_writer(principal)
    assessment = await AssessmentRepository(session).get_in_district(principal.tenant, sourced_id)
    await _close(session, principal=principal, assessment=assessment)


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
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, body: ResultIn
) -> tuple[dict[str, Any], bool]:
    line_item = body.assessmentLineItem if collection == "assessmentResults" else body.lineItem
    if line_item is None:
        field = "assessmentLineItem" if collection == "assessmentResults" else "lineItem"
        raise FieldRequired(field)
    key = (line_item.sourcedId, body.student.sourcedId, 1)
    results = ResultRepository(session)
    claimed = await _by_sourced_id(session, principal=principal, sourced_id=sourced_id)
    if claimed is not None and (claimed.assessment_id, claimed.student_id, claimed.attempt) != key:
        raise ResultSourcedIdTaken(sourced_id)
    if body.status == "tobedeleted":
        await results_service.void_result(session, principal=principal, key=key, if_match=None)
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
        raise ResultFieldInvalid("scoreStatus", str(exc)) from None
    read, created = await results_service.put_result(session, principal=principal, body=parsed, if_match=None)
    stored = await results.by_key(principal.tenant, *key)
    stored.sourced_id = sourced_id
    await session.flush()
    return result_json(read, sourced_id, collection), created


async def get_result(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str
) -> dict:
    stored = await _by_sourced_id(session, principal=principal, sourced_id=sourced_id)
    if stored is None:
        raise ResultSourcedIdNotFound(sourced_id)
    read = await results_service.get_result(
        session, principal=principal, key=(stored.assessment_id, stored.student_id, stored.attempt)
    )
    return result_json(read, sourced_id, collection)


async def list_results(
    session: AsyncSession, *, principal: Principal, collection: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Results written through this binding (they have a sourcedId), in the caller's scope, oldest first."""
    district_id = auth.require_role(principal, auth.STUDENT_READERS, "read student results")
    kinds = LINE_ITEM_KINDS["lineItems" if collection == "results" else "assessmentLineItems"]
    found = await GradebookRepository(session).results(
        district_id, kinds, schools=principal.visible_schools(), limit=limit, offset=offset
    )
    audit_read(principal, "oneroster.results.list", [x.student_id for x in found])
    return [result_json(ResultRead.model_validate(x), x.sourced_id, collection) for x in found]


async def delete_result(session: AsyncSession, *, principal: Principal, sourced_id: str) -> None:
    stored = await _by_sourced_id(session, principal=principal, sourced_id=sourced_id)
    if stored is None:
        raise ResultSourcedIdNotFound(sourced_id)
    await results_service.void_result(
        session,
        principal=principal,
        key=(stored.assessment_id, stored.student_id, stored.attempt),
        if_match=None,
    )


async def _by_sourced_id(
    session: AsyncSession, *, principal: Principal, sourced_id: str
) -> models.Result | None:
    return await GradebookRepository(session).by_sourced_id(principal.tenant, sourced_id)


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


# --- CSV import -----------------------------------------------------------------------------------------------
async def import_oneroster(session: AsyncSession, *, principal: Principal, data: bytes) -> dict[str, Any]:
    """Everything valid in the package is written in this transaction; the report lists the rest."""
    try:
        package = read_package(data)
    except PackageInvalid as exc:
        raise InvalidPackage(exc.reason, exc.errors) from None
    return await Importer(session, principal, package).run()
