"""Goals: the school's goals with status, value and chart; a new goal with its SMART check as the user types."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import CurrentUser
from web.client import ApiError, UserApi
from web.flags.endpoints import default_school, svg
from web.goals.service import GV, GoalForm, missing_fields, school_goals
from web.pages import render

router = APIRouter(tags=["goals"])
GoalFields = Annotated[GoalForm, Form()]


@router.get("/goals")
async def goals_page(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """The school's and its teams' goals: status, current value against the target, progress."""
    school_id = school_id or await default_school(api, user)
    goals, teams = await school_goals(api, school_id) if school_id else ([], {})
    return render(request, "goals.html", user, goals=goals, teams=teams, school_id=school_id)


@router.get("/goals/new")
async def new_goal(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """The goal form; the SMART letters update as it is filled in."""
    school_id = school_id or await default_school(api, user)
    assessments = await api.get_or([], "/assessments/assessments")
    today = date.today()
    form = GoalForm(
        school_id=school_id or "", start=today.isoformat(), deadline=date(today.year + 1, 5, 31).isoformat()
    )
    return render(request, "goal_new.html", user, school_id=school_id, assessments=assessments, form=form)


@router.post("/goals/check")
async def check(request: Request, user: CurrentUser, api: UserApi, form: GoalFields) -> Response:
    """The goals service's SMART check of the form as it is now (nothing is saved)."""
    try:
        result = await api.post(f"{GV}/schools/{form.school_id}/goals/smart", form.body())
    except ApiError as exc:
        if exc.status != 422:
            raise
        return render(request, "_smart.html", user, smart=None, missing=missing_fields(exc.errors))
    return render(request, "_smart.html", user, smart=result, missing=[])


@router.post("/goals")
async def create(user: CurrentUser, api: UserApi, form: GoalFields) -> Response:
    """Save the goal as a draft (a draft may still fail a letter; activating it may not)."""
    created = await api.post(f"{GV}/schools/{form.school_id}/goals", form.body())
    return RedirectResponse(f"/app/goals/{created['id']}", status_code=303)


@router.get("/goals/{goal_id}")
async def goal_page(request: Request, goal_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """One goal: its SMART check, value, status and progress chart."""
    goal = await api.get(f"{GV}/goals/{goal_id}")
    return render(request, "goal.html", user, goal=goal)


@router.post("/goals/{goal_id}/activate")
async def activate(goal_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """Activate a draft that passes every letter."""
    await api.post(f"{GV}/goals/{goal_id}/activate")
    return RedirectResponse(f"/app/goals/{goal_id}", status_code=303)


@router.get("/charts/goals/{goal_id}.svg")
async def goal_chart(goal_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """The goals service's progress chart of the goal."""
    return await svg(api, f"{GV}/goals/{goal_id}/chart.svg")
