"""HTTP endpoints of assessments' quality checks (thin: parse, call the service, return)."""

from fastapi import APIRouter, Depends
from plc_shared.auth import CurrentPrincipal, permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from assessments.auth import AssessmentManager
from assessments.quality import schemas, service

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 422)}
router = APIRouter(tags=["assessment quality"], dependencies=[Depends(permission_area("assessments"))])


@router.get("/assessments/{assessment_id}/quality", response_model=schemas.QualityRead, responses=ERRORS)
async def get_quality(assessment_id: str, session: DbSession, principal: CurrentPrincipal):
    """The assessment's check against the five keys of quality assessment (keys not rated yet have no rating)."""
    return await service.read_check(session, principal=principal, assessment_id=assessment_id)


@router.put("/assessments/{assessment_id}/quality", response_model=schemas.QualityRead, responses=ERRORS)
async def rate_quality(
    assessment_id: str, data: schemas.QualityWrite, session: DbSession, principal: AssessmentManager
):
    """Rate the assessment on some or all of the five keys, each with a note (needed unless the key is met)."""
    return await service.rate(session, principal=principal, assessment_id=assessment_id, data=data)


@router.get("/quality-checks", response_model=list[schemas.QualitySummary], responses=ERRORS)
async def quality_checks(session: DbSession, principal: CurrentPrincipal, school_id: str | None = None):
    """How far each assessment you see (of one school with `school_id`) is checked against the five keys."""
    return await service.summaries(session, principal=principal, school_id=school_id)
