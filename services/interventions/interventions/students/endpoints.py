"""HTTP endpoints of one student's interventions record (audited)."""

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from interventions.auth import Staff
from interventions.students import schemas, service

router = APIRouter(prefix="/v1", tags=["interventions"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 422)}


@router.get("/students/{student_id}", response_model=schemas.StudentInterventionsRead, responses=ERRORS)
async def student_interventions(student_id: str, session: DbSession, principal: Staff):
    """A student's tier and its history, flags open and resolved, interventions with progress (audited)."""
    return await service.student_interventions(session, principal=principal, student_id=student_id)
