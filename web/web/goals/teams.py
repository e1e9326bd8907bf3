"""Teams: a school's leadership team and collaborative teams (members with their roster role, classes, the
essential standards they own), formed and edited with the goals service's rules, and one team's goals."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import CurrentUser
from web.client import Api, ApiError, UserApi, seg
from web.flags.endpoints import default_school
from web.forms import form_problem
from web.goals.service import GV, TeamForm
from web.pages import render
from web.roster import names_for

router = APIRouter(tags=["teams"])
TeamFields = Annotated[TeamForm, Form()]
# The team form's fields by label (a refusal is named by them, web/forms.py).
TEAM_LABELS = {"kind": "Kind", "name": "Name", "member_ids": "Members", "members": "Members",
               "class_ids": "Classes", "standard_ids": "Essential standards the team owns", "grades": "Grades"}  # fmt: skip


@router.get("/teams")
async def teams_page(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """The school's leadership team and collaborative teams."""
    school_id = school_id or await default_school(api, user)
    if school_id is None:
        return render(request, "teams.html", user, school_id=None, teams=[], names=None)
    teams, names = await asyncio.gather(
        api.get(f"{GV}/schools/{seg(school_id)}/teams"), names_for(api, school_id)
    )
    return render(request, "teams.html", user, school_id=school_id, teams=teams, names=names)


async def _form_page(
    request: Request,
    user,
    api: Api,
    school_id: str,
    form: TeamForm,
    team: dict | None,
    problem: ApiError | None,
) -> Response:
    names, teams = await asyncio.gather(
        names_for(api, school_id), api.get_or([], f"{GV}/schools/{seg(school_id)}/teams")
    )
    # The school's staff the pages can know: its staff on the roster, its classes' teachers and its teams'
    # members (with their roster role), by name; anyone else on the roster is typed in by id.
    roles = names.staff_roles | {m["user_id"]: m["role"] for t in teams for m in t["members"]}
    ids = (
        {t for teachers in names.class_teachers.values() for t in teachers}
        | set(roles)
        | set(form.member_ids)
    )
    staff = [(u, roles.get(u)) for u in sorted(ids, key=lambda u: (names.teacher(u), u))]
    return render(
        request, "team_form.html", user, status_code=422 if problem else 200, school_id=school_id, form=form,
        team=team, names=names, staff=staff, problem=problem,
        fp=form_problem(problem, TEAM_LABELS) if problem else None,
    )  # fmt: skip


@router.get("/teams/new")
async def new_team(request: Request, user: CurrentUser, api: UserApi, school_id: str) -> Response:
    """The form of a new team: members from the school's staff on the roster, classes, standards."""
    return await _form_page(request, user, api, school_id, TeamForm(school_id=school_id), None, None)


@router.post("/teams")
async def create_team(request: Request, user: CurrentUser, api: UserApi, form: TeamFields) -> Response:
    """Form the team; the service's rule (e.g. a leadership team of 4-6 with an administrator) is shown next to
    the form when it is broken."""
    school_id = form.school_id
    try:
        team = await api.post(f"{GV}/schools/{seg(school_id)}/teams", form.body())
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _form_page(request, user, api, school_id, form, None, exc)
    return RedirectResponse(f"/app/teams/{team['id']}", status_code=303)


@router.get("/teams/{team_id}")
async def team_page(request: Request, team_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """One team: members with their roster role, classes, essential standards, and its goals."""
    team = await api.get(f"{GV}/teams/{seg(team_id)}")
    goals, names = await asyncio.gather(
        api.get(f"{GV}/schools/{seg(team['school_id'])}/goals", team_id=str(team_id)),
        names_for(api, team["school_id"]),
    )
    return render(request, "team.html", user, team=team, goals=goals, names=names)


@router.get("/teams/{team_id}/edit")
async def edit_team(request: Request, team_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    team = await api.get(f"{GV}/teams/{seg(team_id)}")
    form = TeamForm(
        school_id=team["school_id"], kind=team["kind"], name=team["name"], member_ids=[m["user_id"] for m in team["members"]],
        class_ids=team["class_ids"], standard_ids=team["standard_ids"], grades=", ".join(team["grades"]),
    )  # fmt: skip
    return await _form_page(request, user, api, team["school_id"], form, team, None)


@router.post("/teams/{team_id}")
async def update_team(
    request: Request, team_id: uuid.UUID, user: CurrentUser, api: UserApi, form: TeamFields
) -> Response:
    team = await api.get(f"{GV}/teams/{seg(team_id)}")
    try:
        await api.put(f"{GV}/teams/{seg(team_id)}", {**form.body(), "kind": team["kind"]})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _form_page(request, user, api, team["school_id"], form, team, exc)
    return RedirectResponse(f"/app/teams/{team_id}", status_code=303)
