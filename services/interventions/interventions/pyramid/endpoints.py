"""HTTP endpoints of the pyramid: catalog, assignments, progress, exits, effectiveness."""

import uuid

from fastapi import APIRouter, Query
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from interventions.auth import Leader, Reader, Staff, StudentReader
from interventions.pyramid import schemas, service

router = APIRouter(prefix="/v1", tags=["interventions"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}


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
async def list_interventions(
    school_id: str,
    session: DbSession,
    principal: Reader,
    include_retired: bool = Query(
        False, description="also the retired entries (their assignments keep them)"
    ),
):
    """The school's catalog of interventions, by tier: the ones offered, or every one with `include_retired`."""
    return await service.list_interventions(
        session, principal=principal, school_id=school_id, include_retired=include_retired
    )


@router.patch("/interventions/{intervention_id}", response_model=schemas.InterventionRead, responses=ERRORS)
async def update_intervention(
    intervention_id: uuid.UUID, data: schemas.InterventionUpdate, session: DbSession, principal: Leader
):
    """Edit a catalog entry (JSON merge patch) or retire it (`retired: true`; not offered for new
    assignments, its assignments keep it). Another school's or district's entry is a 404 like a missing one."""
    return await service.update_intervention(
        session, principal=principal, intervention_id=intervention_id, data=data
    )


@router.post("/assignments", response_model=schemas.AssignmentRead, status_code=201, responses=ERRORS)
async def assign(data: schemas.AssignmentCreate, session: DbSession, principal: Staff):
    """Assign a student to an intervention (start, duration, champion, goal, monitoring frequency)."""
    return await service.assign(session, principal=principal, data=data)


@router.get("/assignments/{assignment_id}", response_model=schemas.AssignmentRead, responses=ERRORS)
async def get_assignment(assignment_id: uuid.UUID, session: DbSession, principal: StudentReader):
    """One assignment: intervention, student, goal, status and, once exited, the reason and evidence."""
    return await service.get_assignment(session, principal=principal, assignment_id=assignment_id)


@router.post("/assignments/{assignment_id}/progress", response_model=schemas.ProgressRead, responses=ERRORS)
async def add_progress(
    assignment_id: uuid.UUID, data: schemas.ProgressCreate, session: DbSession, principal: Staff
):
    """Record a progress-monitoring data point."""
    return await service.add_progress(session, principal=principal, assignment_id=assignment_id, data=data)


@router.get("/assignments/{assignment_id}/progress", response_model=schemas.ProgressRead, responses=ERRORS)
async def get_progress(assignment_id: uuid.UUID, session: DbSession, principal: StudentReader):
    """Progress points, rate of improvement and the goal line's rate."""
    return await service.progress(session, principal=principal, assignment_id=assignment_id)


@router.post("/assignments/{assignment_id}/exit", response_model=schemas.AssignmentRead, responses=ERRORS)
async def exit_assignment(
    assignment_id: uuid.UUID, data: schemas.ExitCreate, session: DbSession, principal: Staff
):
    """Exit a student from an intervention with the reason and the evidence (optionally a new tier)."""
    return await service.exit_assignment(session, principal=principal, assignment_id=assignment_id, data=data)


@router.get(
    "/schools/{school_id}/effectiveness", response_model=list[schemas.EffectivenessRead], responses=ERRORS
)
async def effectiveness(school_id: str, session: DbSession, principal: Reader):
    """Per intervention: share of assigned students whose next result on the standard was proficient."""
    return await service.effectiveness(session, principal=principal, school_id=school_id)
