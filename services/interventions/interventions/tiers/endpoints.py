"""HTTP endpoints of tiers: a leader's decision, the school's distribution (and its chart), the overdue list."""

from fastapi import APIRouter, Response
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from interventions.auth import Leader, Reader, StudentReader
from interventions.config import Defaults
from interventions.tiers import rules, schemas, service

router = APIRouter(prefix="/v1", tags=["interventions"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}
SVG = {"content": {"image/svg+xml": {}}}


@router.put("/students/{student_id}/tier", response_model=schemas.TierRead, responses=ERRORS)
async def decide_tier(student_id: str, data: schemas.TierDecision, session: DbSession, principal: Leader):
    """An explicit tier decision (the only way, besides an exit, for a tier to come down)."""
    return await service.decide_tier(session, principal=principal, student_id=student_id, data=data)


@router.get("/schools/{school_id}/tiers", response_model=schemas.Distribution, responses=ERRORS)
async def tiers(school_id: str, session: DbSession, principal: Reader):
    """The school's tier distribution against the 80 / 15 / 5 guidance."""
    return await service.distribution(session, principal=principal, school_id=school_id)


@router.get("/schools/{school_id}/tiers.svg", response_class=Response, responses={200: SVG, **ERRORS})
async def tiers_chart(school_id: str, session: DbSession, principal: Reader):
    """The school's tier distribution as an SVG bar chart with the guidance marked."""
    read = await service.distribution(session, principal=principal, school_id=school_id)
    svg = rules.distribution_svg(
        [(t.tier, t.share, t.guidance) for t in read.tiers], title=f"Tiers at {school_id}"
    )
    return Response(svg, media_type="image/svg+xml")


@router.get("/schools/{school_id}/overdue", response_model=list[schemas.OverdueRead], responses=ERRORS)
async def overdue(school_id: str, session: DbSession, principal: StudentReader, defaults: Defaults):
    """Tier 2/3 students with no active intervention after the school's K school days."""
    return await service.overdue(session, principal=principal, school_id=school_id, defaults=defaults)
