"""Setup: the review program — the district's building count, the schools it entered, the rubric in use."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from web.auth import CurrentUser
from web.client import Api, ApiError, UserApi, seg
from web.forms import field_errors, refusal
from web.pages import render

router = APIRouter(tags=["setup"])
RV = "/reviews/v1"


class EntryForm(BaseModel):
    school_id: str = Field("", max_length=100)
    regional_center: str = Field("", max_length=200)
    entry_year: str = Field("", max_length=6)

    def body(self) -> dict:
        year = self.entry_year.strip()
        return {
            "regional_center": self.regional_center.strip(),
            "entry_year": int(year) if year.isdigit() else year,
        }


class DistrictForm(BaseModel):
    building_count: str = Field("", max_length=6)


async def _page(request: Request, user, api: Api, status: int = 200, **ctx) -> Response:
    district, enrolled, schools, rubric = await asyncio.gather(
        api.get_or(None, f"{RV}/program/district"),
        api.get_or([], f"{RV}/program/schools"),
        api.get_or([], "/assessments/roster/schools"),
        api.get_or(None, f"{RV}/rubrics/current"),
    )
    ctx.setdefault("form", EntryForm())
    names = {s["sourced_id"]: s["name"] for s in schools}
    entered = {e["school_id"] for e in enrolled}
    return render(request, "setup_program.html", user, status_code=status, district=district, enrolled=enrolled,
                  names=names, candidates=[s for s in schools if s["sourced_id"] not in entered], rubric=rubric,
                  errors=field_errors(ctx.get("problem")), **ctx)  # fmt: skip


@router.get("/setup/program")
async def program_page(request: Request, user: CurrentUser, api: UserApi) -> Response:
    """The district in the review program, its program schools, and the rubric reviews use."""
    return await _page(request, user, api)


@router.post("/setup/program/schools")
async def enter_school(
    request: Request, user: CurrentUser, api: UserApi, form: Annotated[EntryForm, Form()]
) -> Response:
    """Enter a school in the program (it needs its leadership team first: the service says so)."""
    try:
        await api.put(f"{RV}/program/schools/{seg(form.school_id)}", form.body())
    except ApiError as exc:
        if not refusal(exc) and exc.status != 404:
            raise
        return await _page(request, user, api, 422, form=form, problem=exc, problem_of="school")
    return RedirectResponse("/app/setup/program", status_code=303)


@router.post("/setup/program/district")
async def set_district(
    request: Request, user: CurrentUser, api: UserApi, form: Annotated[DistrictForm, Form()]
) -> Response:
    """The district's building count (empty: count the roster's schools)."""
    count = form.building_count.strip()
    try:
        await api.put(
            f"{RV}/program/district", {"building_count": (int(count) if count.isdigit() else count) or None}
        )
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _page(request, user, api, 422, problem=exc, problem_of="district", district_form=form)
    return RedirectResponse("/app/setup/program", status_code=303)
