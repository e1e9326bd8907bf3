"""HTTP endpoints of the interventions service (thin: parse, call the service, return)."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from interventions import charts, flags, rules, schemas, service, views
from interventions.auth import FeedReader, Leader, Reader, Staff
from interventions.repository import FlagFilters


def _defaults(request: Request) -> rules.Escalation:
    """The service's default escalation and overdue rules (settings), for schools without their own."""
    return request.app.state.settings.escalation()


Defaults = Annotated[rules.Escalation, Depends(_defaults)]
FlagStatus = Literal["open", "resolved", "all"]
router = APIRouter(prefix="/v1", tags=["interventions"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}
SVG = {"content": {"image/svg+xml": {}}}


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


@router.post(
    "/schools/{school_id}/interventions",
    response_model=schemas.InterventionRead,
    status_code=201,
    responses=ERRORS,
)
async def create_intervention(
    school_id: str, data: schemas.InterventionCreate, session: DbSession, principal: Leader
):
    """Add an intervention to the school's catalog (the pyramid)."""
    return await service.create_intervention(session, principal=principal, school_id=school_id, data=data)


@router.get(
    "/schools/{school_id}/interventions", response_model=list[schemas.InterventionRead], responses=ERRORS
)
async def list_interventions(school_id: str, session: DbSession, principal: Reader):
    """The school's catalog of interventions, by tier."""
    return await service.list_interventions(session, principal=principal, school_id=school_id)


@router.post("/assignments", response_model=schemas.AssignmentRead, status_code=201, responses=ERRORS)
async def assign(data: schemas.AssignmentCreate, session: DbSession, principal: Staff):
    """Assign a student to an intervention (start, duration, champion, goal, monitoring frequency)."""
    return await service.assign(session, principal=principal, data=data)


@router.post("/assignments/{assignment_id}/progress", response_model=schemas.ProgressRead, responses=ERRORS)
async def add_progress(
    assignment_id: uuid.UUID, data: schemas.ProgressCreate, session: DbSession, principal: Staff
):
    """Record a progress-monitoring data point."""
    return await service.add_progress(session, principal=principal, assignment_id=assignment_id, data=data)


@router.get("/assignments/{assignment_id}/progress", response_model=schemas.ProgressRead, responses=ERRORS)
async def get_progress(assignment_id: uuid.UUID, session: DbSession, principal: Reader):
    """Progress points, rate of improvement and the goal line's rate."""
    return await service.progress(session, principal=principal, assignment_id=assignment_id)


@router.get("/assignments/{assignment_id}/chart.svg", response_class=Response, responses={200: SVG, **ERRORS})
async def progress_chart(assignment_id: uuid.UUID, session: DbSession, principal: Reader):
    """The student's progress-monitoring points with the goal line (SVG)."""
    assignment, read = await service.assignment_with_progress(
        session, principal=principal, assignment_id=assignment_id
    )
    svg = charts.progress_svg(
        [(p.measured_on, p.score) for p in read.points],
        start=assignment.start_on,
        baseline=assignment.baseline,
        goal_date=assignment.goal_date,
        goal=assignment.goal,
        title=f"Progress of {assignment.student_id}",
    )
    return Response(svg, media_type="image/svg+xml")


@router.post("/assignments/{assignment_id}/exit", response_model=schemas.AssignmentRead, responses=ERRORS)
async def exit_assignment(
    assignment_id: uuid.UUID, data: schemas.ExitCreate, session: DbSession, principal: Staff
):
    """Exit a student from an intervention with the reason and the evidence (optionally a new tier)."""
    return await service.exit_assignment(session, principal=principal, assignment_id=assignment_id, data=data)


@router.put("/students/{student_id}/tier", response_model=schemas.TierRead, responses=ERRORS)
async def decide_tier(student_id: str, data: schemas.TierDecision, session: DbSession, principal: Leader):
    """An explicit tier decision (the only way, besides an exit, for a tier to come down)."""
    return await service.decide_tier(session, principal=principal, student_id=student_id, data=data)


@router.get("/flags", response_model=list[schemas.FlagRead], responses=ERRORS)
async def list_flags(
    session: DbSession,
    principal: Reader,
    status: FlagStatus = "open",
    school_id: str | None = None,
    class_id: str | None = None,
    standard_id: str | None = None,
    kind: Literal["support", "enrichment"] | None = None,
    tier: Annotated[int | None, Query(ge=1, le=3)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Flags the caller may see (open by default), oldest first, with their age, tier and resolution."""
    filters = FlagFilters(class_id=class_id, standard_id=standard_id, kind=kind, tier=tier)
    return await flags.flagged(
        session,
        principal=principal,
        status=status,
        school_id=school_id,
        filters=filters,
        limit=limit,
        offset=offset,
    )


@router.get("/flags/changes", response_model=schemas.FlagChanges, responses=ERRORS)
async def flag_changes(
    session: DbSession,
    principal: FeedReader,
    cursor: str | None = None,
    school_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):
    """Flags opened or resolved after the cursor, in change order, and the cursor to resume from."""
    return await flags.changes(session, principal=principal, cursor=cursor, school_id=school_id, limit=limit)


@router.post("/flags/{flag_id}/resolve", response_model=schemas.FlagRead, responses=ERRORS)
async def resolve_flag(
    flag_id: uuid.UUID, data: schemas.FlagResolution, session: DbSession, principal: Staff
):
    """Resolve an open flag by an explicit decision of the team."""
    return await flags.resolve_flag(session, principal=principal, flag_id=flag_id, data=data)


@router.get("/schools/{school_id}/tiers", response_model=schemas.Distribution, responses=ERRORS)
async def tiers(school_id: str, session: DbSession, principal: Reader):
    """The school's tier distribution against the 80 / 15 / 5 guidance."""
    return await views.distribution(session, principal=principal, school_id=school_id)


@router.get("/schools/{school_id}/tiers.svg", response_class=Response, responses={200: SVG, **ERRORS})
async def tiers_chart(school_id: str, session: DbSession, principal: Reader):
    """The school's tier distribution as an SVG bar chart with the guidance marked."""
    read = await views.distribution(session, principal=principal, school_id=school_id)
    svg = charts.distribution_svg(
        [(t.tier, t.share, t.guidance) for t in read.tiers], title=f"Tiers at {school_id}"
    )
    return Response(svg, media_type="image/svg+xml")


@router.get("/schools/{school_id}/overdue", response_model=list[schemas.OverdueRead], responses=ERRORS)
async def overdue(school_id: str, session: DbSession, principal: Reader, defaults: Defaults):
    """Tier 2/3 students with no active intervention after the school's K school days."""
    return await views.overdue(session, principal=principal, school_id=school_id, defaults=defaults)


@router.get(
    "/schools/{school_id}/effectiveness", response_model=list[schemas.EffectivenessRead], responses=ERRORS
)
async def effectiveness(school_id: str, session: DbSession, principal: Reader):
    """Per intervention: share of assigned students whose next result on the standard was proficient."""
    return await views.effectiveness(session, principal=principal, school_id=school_id)
