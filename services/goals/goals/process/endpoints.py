"""HTTP endpoints of the process steps before goals (thin: parse, call the service, return)."""

import uuid

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from goals.auth import Leader, Reader, Writer
from goals.process import schemas, service

router = APIRouter(tags=["process"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 422)}


@router.put("/schools/{school_id}/foundation", response_model=schemas.FoundationRead, responses=ERRORS)
async def save_foundation(
    school_id: str, data: schemas.FoundationWrite, session: DbSession, principal: Leader
):
    """Save the school's mission, vision, values and collective commitments as a new version."""
    return await service.save_foundation(session, principal=principal, school_id=school_id, data=data)


@router.get("/schools/{school_id}/foundation", response_model=schemas.FoundationRead, responses=ERRORS)
async def get_foundation(school_id: str, session: DbSession, principal: Reader):
    """The school's current foundation (its latest version); 404 until one is written."""
    return await service.foundation(session, principal=principal, school_id=school_id)


@router.get(
    "/schools/{school_id}/foundation/versions", response_model=list[schemas.FoundationRead], responses=ERRORS
)
async def foundation_versions(school_id: str, session: DbSession, principal: Reader):
    """Every version of the school's foundation, newest first."""
    return await service.foundation_history(session, principal=principal, school_id=school_id)


@router.get("/schools/{school_id}/process", response_model=schemas.ProcessRead, responses=ERRORS)
async def process(school_id: str, session: DbSession, principal: Reader):
    """The school's evidence on the process chart: foundation version, teams' norms and checklists, goals, PDSA."""
    return await service.standing(session, principal=principal, school_id=school_id)


@router.get("/teams/{team_id}/norms", response_model=schemas.NormsRead, responses=ERRORS)
async def get_norms(team_id: uuid.UUID, session: DbSession, principal: Reader):
    """The team's norms and protocols (empty lists until written)."""
    return await service.norms(session, principal=principal, team_id=team_id)


@router.put("/teams/{team_id}/norms", response_model=schemas.NormsRead, responses=ERRORS)
async def save_norms(team_id: uuid.UUID, data: schemas.NormsWrite, session: DbSession, principal: Writer):
    """Write the team's norms and protocols (its members and the school's leaders)."""
    return await service.save_norms(session, principal=principal, team_id=team_id, data=data)


@router.get("/teams/{team_id}/checklist", response_model=schemas.ChecklistRead, responses=ERRORS)
async def get_checklist(team_id: uuid.UUID, session: DbSession, principal: Reader):
    """The team's checklist of the 18 critical issues for teams: status, note, who moved it and when."""
    return await service.checklist(session, principal=principal, team_id=team_id)


@router.put("/teams/{team_id}/checklist", response_model=schemas.ChecklistRead, responses=ERRORS)
async def save_checklist(
    team_id: uuid.UUID, data: schemas.ChecklistWrite, session: DbSession, principal: Writer
):
    """Set the status and note of some of the 18 issues (only the changed ones are re-stamped)."""
    return await service.save_checklist(session, principal=principal, team_id=team_id, data=data)
