"""HTTP endpoints of a school's rules and assessment cuts (thin: parse, call the service, return)."""

from fastapi import APIRouter, Response
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from interventions.auth import Leader, Reader
from interventions.config import Defaults
from interventions.school_rules import schemas, service

router = APIRouter(prefix="/v1", tags=["interventions"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}


@router.get("/schools/{school_id}/rules", response_model=schemas.RulesRead, responses=ERRORS)
async def get_rules(school_id: str, session: DbSession, principal: Reader, defaults: Defaults):
    """The school's flag cuts (if overridden), escalation and overdue rules."""
    return await service.get_rules(session, principal=principal, school_id=school_id, defaults=defaults)


@router.put("/schools/{school_id}/rules", response_model=schemas.RulesRead, responses=ERRORS)
async def put_rules(school_id: str, data: schemas.RulesUpdate, session: DbSession, principal: Leader):
    """Set the school's rules (applied to results that arrive from now on)."""
    return await service.set_rules(session, principal=principal, school_id=school_id, data=data)


@router.put("/schools/{school_id}/assessments/{assessment_id}/cuts", status_code=204, responses=ERRORS)
async def put_assessment_cuts(
    school_id: str, assessment_id: str, data: schemas.AssessmentCuts, session: DbSession, principal: Leader
):
    """Override the cuts of one assessment in one school."""
    await service.set_assessment_cuts(
        session, principal=principal, school_id=school_id, assessment_id=assessment_id, data=data
    )
    return Response(status_code=204)
