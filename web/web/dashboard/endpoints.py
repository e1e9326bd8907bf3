"""The school dashboard for leaders (current reality): tiers over time, flags by grade and class, how the
interventions work; each table also as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from web.auth import CurrentUser
from web.client import UserApi
from web.dashboard.service import dashboard, tables
from web.export import csv_response
from web.flags.endpoints import default_school
from web.pages import render

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard")
async def dashboard_page(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    school_id = school_id or await default_school(api, user)
    found = await dashboard(api, school_id) if school_id else None
    return render(request, "dashboard.html", user, d=found)


@router.get("/dashboard/export.csv")
async def dashboard_export(
    user: CurrentUser,
    api: UserApi,
    table: Annotated[str, Query(pattern="^(tiers|flags|effectiveness)$")],
    school_id: str | None = None,
) -> Response:
    """One table of the dashboard as CSV, for the same user and scope as the page."""
    school_id = school_id or await default_school(api, user)
    found = await dashboard(api, school_id, drawn=False) if school_id else None
    if found is None:
        return csv_response(f"dashboard-{table}", (("No school",), []))
    return csv_response(f"{found.school}-{table}", tables(found)[table])
