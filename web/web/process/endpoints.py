"""The PLC process pages: the school's place on the process chart, its foundation (edit + history), a team's
norms, protocols and checklist of the 18 critical issues, and a common assessment's quality check. A form the
service refuses is shown again with what was typed and each message next to its field."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import CurrentUser
from web.client import ApiError, UserApi, seg
from web.flags.endpoints import default_school
from web.pages import render
from web.process import service
from web.process.service import GV, field_errors, lines
from web.roster import names_for

router = APIRouter(tags=["process"])
LEADERS = ("district_admin", "school_leader")


def _refused(exc: ApiError) -> None:
    if exc.status != 422:
        raise exc


@router.get("/process")
async def process_page(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """Where the school stands on the PLC process chart, each step with its evidence and rubric indicators."""
    school_id = school_id or await default_school(api, user)
    if school_id is None:
        return render(request, "process.html", user, school_id=None, steps=[], words={}, names=None)
    (steps, words), names = await service.standing(api, school_id), await names_for(api, school_id)
    return render(request, "process.html", user, school_id=school_id, steps=steps, words=words, names=names)


async def _foundation_page(
    request, user, api, school_id: str, form: dict, problem: ApiError | None
) -> Response:
    history = await api.get(f"{GV}/schools/{seg(school_id)}/foundation/versions")
    names = await names_for(api, school_id)
    return render(
        request, "foundation.html", user, status_code=422 if problem else 200, school_id=school_id, form=form,
        history=history, names=names, errors=field_errors(problem), problem=problem,
        can_edit=user.principal.role.value in LEADERS,
    )  # fmt: skip


@router.get("/schools/{school_id}/foundation")
async def foundation_page(request: Request, school_id: str, user: CurrentUser, api: UserApi) -> Response:
    """The school's mission, vision, values and collective commitments, every version, and (leaders) the form."""
    current = await api.get_or(None, f"{GV}/schools/{seg(school_id)}/foundation")
    form = {
        "mission": current["mission"] if current else "",
        "vision": current["vision"] if current else "",
        "values": "\n".join(current["values"]) if current else "",
        "collective_commitments": "\n".join(current["collective_commitments"]) if current else "",
    }
    return await _foundation_page(request, user, api, school_id, form, None)


@router.post("/schools/{school_id}/foundation")
async def save_foundation(request: Request, school_id: str, user: CurrentUser, api: UserApi) -> Response:
    """Save the foundation as its next version."""
    typed = await request.form()
    form = {k: str(typed.get(k, "")) for k in ("mission", "vision", "values", "collective_commitments")}
    body = {
        **form,
        "values": lines(form["values"]),
        "collective_commitments": lines(form["collective_commitments"]),
    }
    try:
        await api.put(f"{GV}/schools/{seg(school_id)}/foundation", body)
    except ApiError as exc:
        _refused(exc)
        return await _foundation_page(request, user, api, school_id, form, exc)
    return RedirectResponse(f"/app/schools/{seg(school_id)}/foundation", status_code=303)


async def _practice_page(
    request, user, api, team_id: uuid.UUID, norms_form: dict | None = None, checklist_form: dict | None = None,
    problem: ApiError | None = None, which: str = "",
) -> Response:  # fmt: skip
    team, norms = (
        await api.get(f"{GV}/teams/{seg(team_id)}"),
        await api.get(f"{GV}/teams/{seg(team_id)}/norms"),
    )
    checklist = await api.get(f"{GV}/teams/{seg(team_id)}/checklist")
    names = await names_for(api, team["school_id"])
    if norms_form is None:
        norms_form = {"norms": "\n".join(norms["norms"]), "protocols": "\n".join(norms["protocols"])}
    if checklist_form is None:
        checklist_form = {i["issue"]: {"status": i["status"], "note": i["note"]} for i in checklist["items"]}
    is_member = user.principal.subject in {m["user_id"] for m in team["members"]}
    return render(
        request, "team_practice.html", user, status_code=422 if problem else 200, team=team, norms=norms,
        checklist=checklist, names=names, norms_form=norms_form, checklist_form=checklist_form,
        can_edit=is_member or user.principal.role.value in LEADERS, problem=problem, which=which,
        errors=field_errors(problem, [str(n) for n in range(1, 19)]),
    )  # fmt: skip


@router.get("/teams/{team_id}/practice")
async def practice_page(request: Request, team_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """The team's norms and protocols and its checklist of the 18 critical issues for teams."""
    return await _practice_page(request, user, api, team_id)


@router.post("/teams/{team_id}/norms")
async def save_norms(request: Request, team_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    typed = await request.form()
    form = {k: str(typed.get(k, "")) for k in ("norms", "protocols")}
    try:
        await api.put(f"{GV}/teams/{seg(team_id)}/norms", {k: lines(v) for k, v in form.items()})
    except ApiError as exc:
        _refused(exc)
        return await _practice_page(request, user, api, team_id, norms_form=form, problem=exc, which="norms")
    return RedirectResponse(f"/app/teams/{seg(team_id)}/practice#norms-h", status_code=303)


@router.post("/teams/{team_id}/checklist")
async def save_checklist(request: Request, team_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    body = service.checklist_body(await request.form())
    try:
        await api.put(f"{GV}/teams/{seg(team_id)}/checklist", body)
    except ApiError as exc:
        _refused(exc)
        typed = {i["issue"]: {"status": i["status"], "note": i["note"]} for i in body["items"]}
        return await _practice_page(
            request, user, api, team_id, checklist_form=typed, problem=exc, which="checklist"
        )
    return RedirectResponse(f"/app/teams/{seg(team_id)}/practice#checklist-h", status_code=303)


async def _quality_page(
    request, user, api, assessment_id: str, form: dict | None, problem, sent: list[str]
) -> Response:
    assessment = await api.get(f"/assessments/assessments/{seg(assessment_id)}")
    check = await api.get(f"/assessments/assessments/{seg(assessment_id)}/quality")
    if form is None:
        form = {k["key"]: {"rating": k["rating"] or "", "note": k["note"]} for k in check["keys"]}
    return render(
        request, "assessment_quality.html", user, status_code=422 if problem else 200, assessment=assessment,
        check=check, form=form, problem=problem, errors=field_errors(problem, sent),
        can_edit=user.principal.role.value in (*LEADERS, "teacher"),
    )  # fmt: skip


@router.get("/assessments/{assessment_id}/quality")
async def quality_page(request: Request, assessment_id: str, user: CurrentUser, api: UserApi) -> Response:
    """The assessment checked against the five keys of quality assessment: rating and note per key."""
    return await _quality_page(request, user, api, assessment_id, None, None, [])


@router.post("/assessments/{assessment_id}/quality")
async def save_quality(request: Request, assessment_id: str, user: CurrentUser, api: UserApi) -> Response:
    typed = await request.form()
    check = await api.get(f"/assessments/assessments/{seg(assessment_id)}/quality")
    keys = [k["key"] for k in check["keys"]]
    body = service.quality_body(typed, keys)
    form = {
        k: {"rating": str(typed.get(f"rating_{k}", "")), "note": str(typed.get(f"note_{k}", ""))}
        for k in keys
    }
    try:
        await api.put(f"/assessments/assessments/{seg(assessment_id)}/quality", body)
    except ApiError as exc:
        _refused(exc)
        sent = [r["key"] for r in body["ratings"]]
        return await _quality_page(request, user, api, assessment_id, form, exc, sent)
    return RedirectResponse(f"/app/assessments/{seg(assessment_id)}/quality", status_code=303)
