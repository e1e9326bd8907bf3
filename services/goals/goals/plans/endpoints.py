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


@router.post("/schools/{school_id}/goals/smart", response_model=schemas.SmartCheck, responses=ERRORS)
async def check_draft(school_id: str, data: schemas.GoalCreate, session: DbSession, principal: Writer):
    """The SMART check of a goal being written, letter by letter, without saving it."""
    return await service.check_draft(session, principal=principal, school_id=school_id, data=data)


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


CYCLE = "/goals/{goal_id}/cycles/{cycle_id}"


@router.post("/goals/{goal_id}/cycles", response_model=schemas.CycleRead, status_code=201, responses=ERRORS)
async def create_cycle(goal_id: uuid.UUID, data: schemas.CyclePlan, session: DbSession, principal: Writer):
    """Plan a PDSA cycle of an active goal: question, change idea, a prediction of the measure by a date, tasks."""
    return await service.create_cycle(session, principal=principal, goal_id=goal_id, data=data)


@router.get("/goals/{goal_id}/cycles", response_model=list[schemas.CycleRead], responses=ERRORS)
async def list_cycles(goal_id: uuid.UUID, session: DbSession, principal: Reader):
    """The goal's PDSA cycles, oldest first."""
    return await service.list_cycles(session, principal=principal, goal_id=goal_id)


@router.get(CYCLE, response_model=schemas.CycleRead, responses=ERRORS)
async def get_cycle(goal_id: uuid.UUID, cycle_id: uuid.UUID, session: DbSession, principal: Reader):
    """One PDSA cycle with every phase recorded so far."""
    return await service.get_cycle(session, principal=principal, goal_id=goal_id, cycle_id=cycle_id)


@router.patch(f"{CYCLE}/plan", response_model=schemas.CycleRead, responses=ERRORS)
async def update_plan(
    goal_id: uuid.UUID,
    cycle_id: uuid.UUID,
    data: schemas.CyclePlanUpdate,
    session: DbSession,
    principal: Writer,
):
    """Edit the plan (a prediction included) while the cycle is in Plan."""
    return await service.update_plan(
        session, principal=principal, goal_id=goal_id, cycle_id=cycle_id, data=data
    )


@router.post(f"{CYCLE}/do", response_model=schemas.CycleRead, responses=ERRORS)
async def record_do(
    goal_id: uuid.UUID, cycle_id: uuid.UUID, data: schemas.CycleDo, session: DbSession, principal: Writer
):
    """Do: dates, carried out as planned?, observations (422 without a prediction in the plan)."""
    return await service.record_do(
        session, principal=principal, goal_id=goal_id, cycle_id=cycle_id, data=data
    )


@router.post(f"{CYCLE}/study", response_model=schemas.CycleRead, responses=ERRORS)
async def record_study(
    goal_id: uuid.UUID,
    cycle_id: uuid.UUID,
    data: schemas.CycleStudyCreate,
    session: DbSession,
    principal: Writer,
):
    """Study: the window's progress points, observed vs predicted and the run-chart signals (422 without a
    result on or after the Do start)."""
    return await service.record_study(
        session, principal=principal, goal_id=goal_id, cycle_id=cycle_id, data=data
    )


@router.post(f"{CYCLE}/act", response_model=schemas.CycleRead, responses=ERRORS)
async def record_act(
    goal_id: uuid.UUID, cycle_id: uuid.UUID, data: schemas.CycleAct, session: DbSession, principal: Writer
):
    """Act: adopt, adapt or abandon with a rationale; closes the cycle, and `adapt` opens the next one
    prefilled (its `next_cycle_id`)."""
    return await service.record_act(
        session, principal=principal, goal_id=goal_id, cycle_id=cycle_id, data=data
    )
