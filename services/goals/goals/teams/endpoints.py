"""HTTP endpoints of teams (thin: parse, call the service, return)."""

import uuid

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from goals.auth import Leader, Reader
from goals.teams import schemas, service

router = APIRouter(tags=["teams"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}


@router.post("/schools/{school_id}/teams", response_model=schemas.TeamRead, status_code=201, responses=ERRORS)
async def create_team(school_id: str, data: schemas.TeamWrite, session: DbSession, principal: Leader):
    """Form the school's leadership team (4-6 members, an administrator among them) or a collaborative team."""
    return await service.create_team(session, principal=principal, school_id=school_id, data=data)


@router.get("/schools/{school_id}/teams", response_model=list[schemas.TeamRead], responses=ERRORS)
async def list_teams(school_id: str, session: DbSession, principal: Reader):
    """The school's teams, the leadership team first."""
    return await service.list_teams(session, principal=principal, school_id=school_id)


@router.get("/teams/{team_id}", response_model=schemas.TeamRead, responses=ERRORS)
async def get_team(team_id: uuid.UUID, session: DbSession, principal: Reader):
    """One team: members with their roster roles, classes and essential standards."""
    return service.read(await service.get_team(session, principal=principal, team_id=team_id))


@router.put("/teams/{team_id}", response_model=schemas.TeamRead, responses=ERRORS)
async def update_team(team_id: uuid.UUID, data: schemas.TeamWrite, session: DbSession, principal: Leader):
    """Change a team's members, classes or standards (a leadership team keeps the rule)."""
    return await service.update_team(session, principal=principal, team_id=team_id, data=data)
