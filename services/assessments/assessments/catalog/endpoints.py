"""HTTP API of the assessments: drafts with their objectives and items, publish and close."""

from fastapi import APIRouter, Depends
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from assessments.auth import AssessmentManager, CurrentPrincipal
from assessments.catalog import schemas, service

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
router = APIRouter(
    prefix="/assessments", tags=["assessments"], dependencies=[Depends(permission_area("assessments"))]
)


@router.post("", status_code=201, response_model=schemas.AssessmentRead, responses=ERRORS)
async def create_assessment(body: schemas.AssessmentCreate, session: DbSession, principal: AssessmentManager):
    """Create a draft assessment with its objectives and items."""
    return await service.create_assessment(session, principal=principal, body=body)


@router.get("", response_model=list[schemas.AssessmentRead], responses=ERRORS)
async def list_assessments(
    session: DbSession, principal: CurrentPrincipal, status: str | None = None, school_id: str | None = None
):
    """The assessments the caller can see (without objectives and items)."""
    return await service.list_assessments(session, principal=principal, status=status, school_id=school_id)


@router.get("/{assessment_id}", response_model=schemas.AssessmentRead, responses=ERRORS)
async def get_assessment(assessment_id: str, session: DbSession, principal: CurrentPrincipal):
    """One assessment with its objectives and items."""
    return await service.get_assessment(session, principal=principal, assessment_id=assessment_id)


@router.put("/{assessment_id}", response_model=schemas.AssessmentRead, responses=ERRORS)
async def update_assessment(
    assessment_id: str, body: schemas.AssessmentUpdate, session: DbSession, principal: CurrentPrincipal
):
    """Replace a draft assessment (409 once it is published)."""
    return await service.update_assessment(
        session, principal=principal, assessment_id=assessment_id, body=body
    )


@router.post("/{assessment_id}/publish", response_model=schemas.AssessmentRead, responses=ERRORS)
async def publish_assessment(assessment_id: str, session: DbSession, principal: CurrentPrincipal):
    """Publish a draft: results are accepted from now on (AssessmentPublished)."""
    return await service.transition(session, principal=principal, assessment_id=assessment_id, to="published")


@router.post("/{assessment_id}/close", response_model=schemas.AssessmentRead, responses=ERRORS)
async def close_assessment(assessment_id: str, session: DbSession, principal: CurrentPrincipal):
    """Close a published assessment: no more results (AssessmentClosed)."""
    return await service.transition(session, principal=principal, assessment_id=assessment_id, to="closed")
