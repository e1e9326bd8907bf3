"""The data meeting: one common assessment, the four questions' answers side by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from web.auth import CurrentUser
from web.client import UserApi
from web.export import csv_response
from web.meeting.service import meeting, tables
from web.pages import render

router = APIRouter(tags=["data meeting"])


@router.get("/meetings")
async def meetings(request: Request, user: CurrentUser, api: UserApi) -> Response:
    """The assessments a team can hold a data meeting on."""
    assessments = await api.get_or([], "/assessments/assessments")
    return render(request, "meetings.html", user, assessments=assessments)


@router.get("/meetings/{assessment_id}")
async def meeting_page(
    request: Request, assessment_id: str, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """Proficiency per standard and per teacher, item analysis, students below the cut, enrichment."""
    school_id = school_id or (user.schools[0] if user.schools else None)
    found = await meeting(api, assessment_id, school_id)
    return render(request, "meeting.html", user, m=found, school_id=school_id)


@router.get("/meetings/{assessment_id}/export.csv")
async def meeting_export(
    assessment_id: str,
    user: CurrentUser,
    api: UserApi,
    table: Annotated[str, Query(pattern="^(standards|teachers|grid|below|enrichment|items)$")],
    school_id: str | None = None,
) -> Response:
    """One table of the data meeting as CSV: the page's own rows, for the same user and scope."""
    school_id = school_id or (user.schools[0] if user.schools else None)
    found = await meeting(api, assessment_id, school_id, drawn=False)
    return csv_response(f"{found.assessment['title']}-{table}", tables(found)[table])
