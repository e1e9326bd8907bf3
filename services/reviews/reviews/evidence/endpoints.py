"""HTTP endpoints of the evidence from data (thin: parse, call the service, return)."""

from typing import Annotated

from fastapi import APIRouter, Path
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from reviews.auth import Reader
from reviews.evidence import schemas, service

router = APIRouter(tags=["evidence"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 422)}


@router.get(
    "/schools/{school_id}/evidence/{school_year}", response_model=schemas.EvidenceRead, responses=ERRORS
)
async def get_evidence(
    school_id: str, school_year: Annotated[int, Path(ge=2000, le=2100)], session: DbSession, principal: Reader
):
    """What the goals, assessments and interventions events say about the school's year, per indicator."""
    return await service.get_evidence(
        session, principal=principal, school_id=school_id, school_year=school_year
    )
