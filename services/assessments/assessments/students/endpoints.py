"""HTTP API of one student's record: who they are, their classes and their results (audited)."""

from fastapi import APIRouter, Depends
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from assessments.auth import StudentReader
from assessments.students import schemas, service

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 422)}
router = APIRouter(prefix="/students", tags=["students"], dependencies=[Depends(permission_area("results"))])


@router.get("/{student_id}", response_model=schemas.StudentRecord, responses=ERRORS)
async def student_record(student_id: str, session: DbSession, principal: StudentReader):
    """A student: name, grades, schools and classes, and their results newest first with each standard (audited)."""
    return await service.student_record(session, principal=principal, student_id=student_id)
