"""HTTP endpoints of tiers: a leader's decision, the school's distribution, the overdue list."""

from typing import Annotated

from fastapi import APIRouter, Query
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from interventions.auth import Leader, Reader, StudentReader
from interventions.config import Defaults
from interventions.tiers import schemas, service

router = APIRouter(prefix="/v1", tags=["interventions"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}


@router.put("/students/{student_id}/tier", response_model=schemas.TierRead, responses=ERRORS)
async def decide_tier(student_id: str, data: schemas.TierDecision, session: DbSession, principal: Leader):
    """An explicit tier decision (the only way, besides an exit, for a tier to come down)."""
    return await service.decide_tier(session, principal=principal, student_id=student_id, data=data)


@router.get("/schools/{school_id}/tiers", response_model=schemas.Distribution, responses=ERRORS)
async def tiers(school_id: str, session: DbSession, principal: Reader):
    """The school's tier distribution against the 80 / 15 / 5 guidance."""
    return await service.distribution(session, principal=principal, school_id=school_id)


@router.get("/schools/{school_id}/tiers/history", response_model=schemas.TierHistory, responses=ERRORS)
async def tiers_history(
    school_id: str, session: DbSession, principal: Reader, weeks: Annotated[int, Query(ge=1, le=52)] = 12
):
    """The school's tier distribution at the end of each of the last `weeks` weeks (a leader's dashboard)."""
    return await service.history(session, principal=principal, school_id=school_id, weeks=weeks)


@router.get("/schools/{school_id}/overdue", response_model=list[schemas.OverdueRead], responses=ERRORS)
async def overdue(school_id: str, session: DbSession, principal: StudentReader, defaults: Defaults):
    """Tier 2/3 students with no active intervention after the school's K school days."""
    return await service.overdue(session, principal=principal, school_id=school_id, defaults=defaults)
