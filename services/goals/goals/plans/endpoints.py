"""HTTP endpoints of goals (thin: parse, call the service, return)."""

import uuid

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from goals.auth import Reader, Writer
from goals.plans import schemas, service

router = APIRouter(tags=["goals"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}


@router.post("/schools/{school_id}/goals", response_model=schemas.GoalRead, status_code=201, responses=ERRORS)
async def create_goal(school_id: str, data: schemas.GoalCreate, session: DbSession, principal: Writer):
    """Draft a school goal, or a team goal (with `team_id` and the school goal it serves)."""
    return await service.create_goal(session, principal=principal, school_id=school_id, data=data)


@router.get("/schools/{school_id}/goals", response_model=list[schemas.GoalRead], responses=ERRORS)
async def list_goals(school_id: str, session: DbSession, principal: Reader, team_id: uuid.UUID | None = None):
    """The school's goals (or one team's) with value, status and projection."""
    return await service.list_goals(session, principal=principal, school_id=school_id, team_id=team_id)


@router.get("/goals/{goal_id}", response_model=schemas.GoalRead, responses=ERRORS)
async def get_goal(goal_id: uuid.UUID, session: DbSession, principal: Reader):
    """One goal with its SMART check, value, status and projection."""
    return await service.read(session, await service.get_goal(session, principal=principal, goal_id=goal_id))


@router.patch("/goals/{goal_id}", response_model=schemas.GoalRead, responses=ERRORS)
async def update_goal(goal_id: uuid.UUID, data: schemas.GoalUpdate, session: DbSession, principal: Writer):
    """Edit a goal; an active goal's measure, target or dates make a new version."""
    return await service.update_goal(session, principal=principal, goal_id=goal_id, data=data)


@router.post("/goals/{goal_id}/activate", response_model=schemas.GoalRead, responses=ERRORS)
async def activate(goal_id: uuid.UUID, session: DbSession, principal: Writer):
    """Activate a draft that passes every SMART letter (422 listing the failing letters otherwise)."""
    return await service.activate(session, principal=principal, goal_id=goal_id)


@router.get("/goals/{goal_id}/smart", response_model=schemas.SmartCheck, responses=ERRORS)
async def smart_check(goal_id: uuid.UUID, session: DbSession, principal: Reader):
    """The SMART check of the goal's current version, a reason per letter."""
    return await service.smart_check(session, principal=principal, goal_id=goal_id)


@router.get("/goals/{goal_id}/versions", response_model=list[schemas.VersionRead], responses=ERRORS)
async def versions(goal_id: uuid.UUID, session: DbSession, principal: Reader):
    """Every version of the goal, oldest first."""
    return await service.versions(session, principal=principal, goal_id=goal_id)
