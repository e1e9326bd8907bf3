"""HTTP endpoints of the implementation analytics (thin: parse, call the service, return)."""

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from reviews.analytics import schemas, service
from reviews.auth import AggregateReader

router = APIRouter(tags=["analytics"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 422)}


@router.get(
    "/analytics/district-implementation", response_model=schemas.DistrictImplementation, responses=ERRORS
)
async def district_implementation(
    session: DbSession, principal: AggregateReader, scope: schemas.Scope = "district"
):
    """Share of schools in district implementations, Exemplary/Sustaining vs the others, with the tests named."""
    return await service.district_implementation(session, principal=principal, scope=scope)


@router.get(
    "/analytics/implementation-achievement",
    response_model=schemas.ImplementationAchievement,
    responses=ERRORS,
)
async def implementation_achievement(
    session: DbSession, principal: AggregateReader, scope: schemas.Scope = "district"
):
    """Rubric percent vs percent proficient on summative assessments: Pearson and Spearman r, Fisher-z intervals."""
    return await service.implementation_achievement(session, principal=principal, scope=scope)


@router.get("/analytics/trends", response_model=schemas.Trends, responses=ERRORS)
async def trends(session: DbSession, principal: AggregateReader, scope: schemas.Scope = "district"):
    """Strand and indicator means by school year, by training year and by district implementation."""
    return await service.trends(session, principal=principal, scope=scope)
