"""HTTP endpoints of recognition (thin: parse, call the service, return)."""

from typing import Annotated

from fastapi import APIRouter, Path
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from reviews.auth import Admin, NarrativeWriter, Reader
from reviews.config import CurrentSettings
from reviews.recognition import schemas, service

router = APIRouter(tags=["recognition"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 422)}
Year = Path(ge=2000, le=2100, description="the school year (2026 = 2026-27)")


@router.put("/schools/{school_id}/narratives/{school_year}", status_code=204, responses=ERRORS)
async def put_narrative(
    school_id: str, school_year: Annotated[int, Year], data: schemas.NarrativeWrite, session: DbSession, principal: NarrativeWriter,
    settings: CurrentSettings,
):  # fmt: skip
    """Submit the school's reflective narrative for a school year (a recognition criterion)."""
    await service.put_narrative(
        session,
        principal=principal,
        school_id=school_id,
        school_year=school_year,
        data=data,
        settings=settings,
    )


@router.put("/schools/{school_id}/state-results/{school_year}", status_code=204, responses=ERRORS)
async def put_state_result(
    school_id: str, school_year: Annotated[int, Year], data: schemas.StateResultWrite, session: DbSession, principal: Admin,
    settings: CurrentSettings,
):  # fmt: skip
    """Enter the school's state-accountability result for a year (the achievement criterion when so set)."""
    await service.put_state_result(
        session,
        principal=principal,
        school_id=school_id,
        school_year=school_year,
        data=data,
        settings=settings,
    )


@router.get("/recognitions", response_model=list[schemas.RecognitionRead], responses=ERRORS)
async def list_recognitions(session: DbSession, principal: Reader):
    """Every Exemplary and Sustaining Exemplary recognition of the district's schools (full history)."""
    return await service.list_recognitions(session, principal=principal)


@router.get("/recognitions/readiness", response_model=list[schemas.Readiness], responses=ERRORS)
async def readiness(session: DbSession, principal: Reader, settings: CurrentSettings):
    """Per program school: the next recognition and exactly which of its criteria are still unmet."""
    return await service.readiness(session, principal=principal, settings=settings)
