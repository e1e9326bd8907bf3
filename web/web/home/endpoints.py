"""The start page: where the signed-in user can go."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import MaybeUser
from web.client import Api
from web.pages import render

router = APIRouter(tags=["home"])


@router.get("/")
async def home(request: Request, user: MaybeUser) -> Response:
    """The user's schools and assessments, or the sign-in page."""
    if user is None:
        return RedirectResponse("/app/signin", status_code=303)
    api = Api(request.app.state.http, user.token)
    schools = await api.get_or([], "/assessments/roster/schools")
    assessments = await api.get_or([], "/assessments/assessments")
    return render(request, "home.html", user, schools=schools, assessments=assessments)
