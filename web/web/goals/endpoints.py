"""Goals: the school's goals with status, value and chart; a new school or team goal with its SMART check as
the user types; editing an active goal (a new version); the goal's versions and its PDSA cycles."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from web.auth import CurrentUser
from web.charts.goals import goal_chart
from web.client import Api, ApiError, UserApi, seg
from web.flags.endpoints import default_school
from web.goals.service import (
    GV,
    MEASURES,
    EditForm,
    GoalForm,
    missing_fields,
    school_goals,
    study_words,
    version_changes,
)
from web.pages import render
from web.roster import names_for

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
    request: Request,
    user: CurrentUser,
    api: UserApi,
    school_id: str | None = None,
    team_id: uuid.UUID | None = None,
) -> Response:
    """The goal form (a team goal with `team_id`: it names the school goal it serves and covers the team's
    classes); the SMART letters update as it is filled in."""
    team = await api.get(f"{GV}/teams/{seg(team_id)}") if team_id else None
    school_id = team["school_id"] if team else school_id or await default_school(api, user)
    assessments, standards, goals, names = await asyncio.gather(
        api.get_or([], "/assessments/assessments"),
        api.get_or([], "/assessments/standards"),
        api.get_or([], f"{GV}/schools/{seg(school_id)}/goals") if team else asyncio.sleep(0, []),
        names_for(api, school_id) if team else asyncio.sleep(0, None),
    )
    today = date.today()
    form = GoalForm(
        school_id=school_id or "", team_id=str(team_id or ""), start=today.isoformat(),
        deadline=date(today.year + 1, 5, 31).isoformat(),
    )  # fmt: skip
    school_goals_ = [g for g in goals if g["team_id"] is None]
    return render(
        request, "goal_new.html", user, school_id=school_id, assessments=assessments, standards=standards,
        form=form, team=team, school_goals=school_goals_, names=names, measures=MEASURES,
    )  # fmt: skip


@router.post("/goals/check")
async def check(request: Request, user: CurrentUser, api: UserApi, form: GoalFields) -> Response:
    """The goals service's SMART check of the form as it is now (nothing is saved)."""
    try:
        result = await api.post(f"{GV}/schools/{seg(form.school_id)}/goals/smart", form.body())
    except ApiError as exc:
        if exc.status != 422:
            raise
        return render(request, "_smart.html", user, smart=None, missing=missing_fields(exc.errors))
    return render(request, "_smart.html", user, smart=result, missing=[])


@router.post("/goals")
async def create(user: CurrentUser, api: UserApi, form: GoalFields) -> Response:
    """Save the goal as a draft (a draft may still fail a letter; activating it may not)."""
    created = await api.post(f"{GV}/schools/{seg(form.school_id)}/goals", form.body())
    return RedirectResponse(f"/app/goals/{created['id']}", status_code=303)


async def _goal_page(
    request: Request, user, api: Api, goal_id: uuid.UUID, *, problem: ApiError | None = None,
    problem_at: str | None = None,
) -> Response:  # fmt: skip
    goal = await api.get(f"{GV}/goals/{seg(goal_id)}")
    series, versions, cycles, team, parent = await asyncio.gather(
        api.get(f"{GV}/goals/{seg(goal_id)}/progress"),
        api.get_or([], f"{GV}/goals/{seg(goal_id)}/versions"),
        api.get_or([], f"{GV}/goals/{seg(goal_id)}/cycles"),
        api.get_or(None, f"{GV}/teams/{seg(goal['team_id'])}") if goal["team_id"] else asyncio.sleep(0, None),
        api.get_or(None, f"{GV}/goals/{seg(goal['parent_goal_id'])}")
        if goal.get("parent_goal_id")
        else asyncio.sleep(0, None),
    )
    for cycle in cycles:
        cycle["study_words"] = study_words(cycle["study"]) if cycle.get("study") else []
    open_cycle = next((c for c in cycles if c["phase"] != "closed"), None)
    chart = await goal_chart(goal, series, cycles, versions)
    return render(
        request, "goal.html", user, status_code=problem.status if problem else 200, goal=goal, chart=chart,
        versions=version_changes(versions), cycles=cycles, open_cycle=open_cycle, team=team, parent=parent,
        problem=problem, problem_at=problem_at, today=date.today().isoformat(),
    )  # fmt: skip


@router.get("/goals/{goal_id}")
async def goal_page(request: Request, goal_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """One goal: its SMART check, value, status, progress chart, versions and PDSA cycles."""
    return await _goal_page(request, user, api, goal_id)


@router.post("/goals/{goal_id}/activate")
async def activate(goal_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """Activate a draft that passes every letter."""
    await api.post(f"{GV}/goals/{seg(goal_id)}/activate")
    return RedirectResponse(f"/app/goals/{goal_id}", status_code=303)


@router.get("/goals/{goal_id}/edit")
async def edit_goal(request: Request, goal_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """Edit the title, the target or the dates (an active goal's target or dates make a new version)."""
    goal = await api.get(f"{GV}/goals/{seg(goal_id)}")
    form = {k: goal[k] for k in ("title", "target", "start", "deadline", "interim_targets")}
    return render(request, "goal_edit.html", user, goal=goal, form=form, problem=None)


@router.post("/goals/{goal_id}/edit")
async def save_goal(
    request: Request, goal_id: uuid.UUID, user: CurrentUser, api: UserApi, form: Annotated[EditForm, Form()]
) -> Response:
    goal = await api.get(f"{GV}/goals/{seg(goal_id)}")
    changes = form.changes(goal)
    if changes:
        try:
            await api.patch(f"{GV}/goals/{seg(goal_id)}", changes)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            return render(
                request, "goal_edit.html", user, status_code=exc.status, goal=goal,
                form={**form.model_dump(), "interim_targets": form.interim_targets()}, problem=exc,
            )  # fmt: skip
    return RedirectResponse(f"/app/goals/{goal_id}#versions", status_code=303)


# --- PDSA cycles: each step posts its form; the service's gate errors are shown on the goal page ----------------
class PlanForm(BaseModel):
    question: str = Field("", max_length=2000)
    change_idea: str = Field("", max_length=2000)
    prediction_value: str = Field("", max_length=30)
    prediction_by: str = Field("", max_length=10)
    task_who: list[str] = Field(default_factory=list, max_length=20)
    task_what: list[str] = Field(default_factory=list, max_length=20)
    task_when: list[str] = Field(default_factory=list, max_length=20)

    def body(self) -> dict[str, Any]:
        tasks = [
            {"who": who.strip(), "what": what.strip(), "when": when or None}
            for who, what, when in zip(self.task_who, self.task_what, self.task_when, strict=False)
            if who.strip() or what.strip()
        ]
        prediction = None
        if self.prediction_value.strip() or self.prediction_by:
            prediction = {"value": self.prediction_value.strip() or None, "by": self.prediction_by or None}
        return {"question": self.question.strip(), "change_idea": self.change_idea.strip(),
                "prediction": prediction, "tasks": tasks}  # fmt: skip


class DoForm(BaseModel):
    started_on: str = Field("", max_length=10)
    ended_on: str = Field("", max_length=10)
    as_planned: str = Field("", pattern="^(yes|no)?$")
    observations: str = Field("", max_length=4000)

    def body(self) -> dict[str, Any]:
        return {"started_on": self.started_on or None, "ended_on": self.ended_on or None,
                "as_planned": {"yes": True, "no": False}.get(self.as_planned),
                "observations": self.observations.strip() or None}  # fmt: skip


class StudyForm(BaseModel):
    notes: str = Field("", max_length=4000)


class ActForm(BaseModel):
    decision: str = Field("", pattern="^(adopt|adapt|abandon)?$")
    rationale: str = Field("", max_length=4000)


async def _step(request, user, api: Api, goal_id: uuid.UUID, where: str, call) -> Response:
    try:
        await call
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _goal_page(request, user, api, goal_id, problem=exc, problem_at=where)
    return RedirectResponse(f"/app/goals/{goal_id}#pdsa", status_code=303)


@router.post("/goals/{goal_id}/cycles")
async def start_cycle(
    request: Request, goal_id: uuid.UUID, user: CurrentUser, api: UserApi, form: Annotated[PlanForm, Form()]
) -> Response:
    """Start a PDSA cycle with its plan."""
    return await _step(
        request, user, api, goal_id, "start", api.post(f"{GV}/goals/{seg(goal_id)}/cycles", form.body())
    )


@router.post("/goals/{goal_id}/cycles/{cycle_id}/plan")
async def edit_plan(
    request: Request, goal_id: uuid.UUID, cycle_id: uuid.UUID, user: CurrentUser, api: UserApi,
    form: Annotated[PlanForm, Form()],
) -> Response:  # fmt: skip
    path = f"{GV}/goals/{seg(goal_id)}/cycles/{seg(cycle_id)}/plan"
    return await _step(request, user, api, goal_id, "plan", api.patch(path, form.body()))


@router.post("/goals/{goal_id}/cycles/{cycle_id}/do")
async def record_do(
    request: Request, goal_id: uuid.UUID, cycle_id: uuid.UUID, user: CurrentUser, api: UserApi,
    form: Annotated[DoForm, Form()],
) -> Response:  # fmt: skip
    path = f"{GV}/goals/{seg(goal_id)}/cycles/{seg(cycle_id)}/do"
    return await _step(request, user, api, goal_id, "do", api.post(path, form.body()))


@router.post("/goals/{goal_id}/cycles/{cycle_id}/study")
async def record_study(
    request: Request, goal_id: uuid.UUID, cycle_id: uuid.UUID, user: CurrentUser, api: UserApi,
    form: Annotated[StudyForm, Form()],
) -> Response:  # fmt: skip
    path = f"{GV}/goals/{seg(goal_id)}/cycles/{seg(cycle_id)}/study"
    return await _step(
        request, user, api, goal_id, "study", api.post(path, {"notes": form.notes.strip() or None})
    )


@router.post("/goals/{goal_id}/cycles/{cycle_id}/act")
async def record_act(
    request: Request, goal_id: uuid.UUID, cycle_id: uuid.UUID, user: CurrentUser, api: UserApi,
    form: Annotated[ActForm, Form()],
) -> Response:  # fmt: skip
    path = f"{GV}/goals/{seg(goal_id)}/cycles/{seg(cycle_id)}/act"
    body = {"decision": form.decision or None, "rationale": form.rationale.strip()}
    return await _step(request, user, api, goal_id, "act", api.post(path, body))
