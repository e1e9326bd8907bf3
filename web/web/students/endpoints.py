"""The student page (audited by the services it reads): results, flags, tier with its history, interventions
with their progress charts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import CurrentUser
from web.client import UserApi
from web.pages import render
from web.students.service import student_view

router = APIRouter(tags=["students"])


@router.get("/students/{student_id}")
async def student_page(request: Request, student_id: str, user: CurrentUser, api: UserApi) -> Response:
    """One student: results per standard, open and resolved flags, tier and history, interventions."""
    view = await student_view(api, student_id)
    return render(request, "student.html", user, s=view)
