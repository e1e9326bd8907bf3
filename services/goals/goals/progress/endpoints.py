"""HTTP endpoints of progress (thin: parse, call the service, return)."""

import uuid
from datetime import date

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from goals.auth import DistrictAdmin, Reader
from goals.plans.schemas import GoalBody
from goals.plans.service import get_goal
from goals.points import service as point_service
from goals.progress import rules, schemas, service

router = APIRouter(tags=["progress"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404)}


@router.get("/goals/{goal_id}/progress", response_model=schemas.Series, responses=ERRORS)
async def goal_series(goal_id: uuid.UUID, session: DbSession, principal: Reader):
    """One goal's progress points with the expected value on the aimline, its status and projection."""
    goal = await get_goal(session, principal=principal, goal_id=goal_id)
    body = GoalBody.model_validate(goal.body)
    points = await point_service.series(session, goal)
    base = body.baseline.value if body.baseline else None
    return schemas.Series(
        goal_id=goal.id, version=goal.version, baseline=base, target=body.target, start=body.start,
        deadline=body.deadline,
        status=point_service.status_now(
            goal, body, points, date.today(), await point_service.thresholds_of(session, goal.district_id)
        ),
        projection=rules.projection([(p[0], p[1]) for p in points], body.deadline),
        points=[
            schemas.Point(
                on=on, value=value, n=n, version=version,
                expected=None if base is None else rules.expected(base, body.target, body.start, body.deadline, on),
            )
            for on, value, n, version in points
        ],
    )  # fmt: skip


@router.get("/thresholds", response_model=schemas.ThresholdsRead, responses=ERRORS)
async def read_thresholds(session: DbSession, principal: Reader):
    """The caller's district's status thresholds (share of the expected gain: on track, at risk)."""
    return await service.get_thresholds(session, principal=principal)


@router.put("/thresholds", response_model=schemas.ThresholdsRead, responses={**ERRORS, 422: PROBLEM_RESPONSE})
async def write_thresholds(data: schemas.ThresholdsUpdate, session: DbSession, principal: DistrictAdmin):
    """Set the district's status thresholds (0 < at_risk < on_track <= 1); statuses use them from now on."""
    return await service.set_thresholds(session, principal=principal, data=data)
