"""Setup: what a district (and a school) sets up before its first data meeting, one page each."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import CurrentUser
from web.pages import render
from web.setup import assessments, keys, program, pyramid, standards

router = APIRouter(tags=["setup"])
for sub in (standards, assessments, pyramid, keys, program):
    router.include_router(sub.router)


@router.get("/setup")
async def setup_page(request: Request, user: CurrentUser) -> Response:
    """The setup steps in the order a district takes them."""
    return render(request, "setup.html", user)
