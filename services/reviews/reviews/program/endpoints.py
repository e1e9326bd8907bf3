"""HTTP endpoints of program schools (thin: parse, call the service, return)."""

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from reviews.auth import Admin, Reader
from reviews.program import schemas, service

router = APIRouter(tags=["program"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 422)}


@router.get("/program/district", response_model=schemas.DistrictRead, responses=ERRORS)
async def get_district(session: DbSession, principal: Reader):
    """The district's building count, program schools and whether it is a district implementation."""
    return await service.get_district(session, principal=principal)


@router.put("/program/district", response_model=schemas.DistrictRead, responses=ERRORS)
async def set_district(data: schemas.DistrictWrite, session: DbSession, principal: Admin):
    """Enter the district's building count (otherwise the roster's active schools are counted)."""
    return await service.set_district(session, principal=principal, data=data)


@router.get("/program/schools", response_model=list[schemas.ProgramSchoolRead], responses=ERRORS)
async def list_schools(session: DbSession, principal: Reader):
    """The district's program schools the caller sees: training year, district implementation, teams."""
    return await service.list_schools(session, principal=principal)


@router.get("/program/schools/{school_id}", response_model=schemas.ProgramSchoolRead, responses=ERRORS)
async def get_school(school_id: str, session: DbSession, principal: Reader):
    """One program school with its leadership team (the 4-6 with an administrator rule) and teams."""
    return await service.get_school(session, principal=principal, school_id=school_id)


@router.put("/program/schools/{school_id}", response_model=schemas.ProgramSchoolRead, responses=ERRORS)
async def enter_school(
    school_id: str, data: schemas.ProgramSchoolWrite, session: DbSession, principal: Admin
):
    """Enter a rostered school into the program (its leadership team must keep the rule), or update it."""
    return await service.enter_school(session, principal=principal, school_id=school_id, data=data)
