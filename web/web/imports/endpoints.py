"""Import: a OneRoster 1.2 CSV package uploaded to the assessments service, with its row-level report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from plc_shared.errors import BadRequest

from web.auth import CurrentUser
from web.client import ApiError, UserApi
from web.pages import render

router = APIRouter(tags=["import"])


@router.get("/import")
async def import_page(request: Request, user: CurrentUser) -> Response:
    """The upload form (district admins); a progress bar while the package uploads."""
    return render(request, "import.html", user, report=None)


@router.post("/import")
async def upload(
    request: Request, user: CurrentUser, api: UserApi, package: Annotated[UploadFile, File()]
) -> Response:
    """Send the package to the assessments service; show what was accepted and every refused row, with why."""
    data = await package.read()
    if not data:
        raise BadRequest("Choose a OneRoster package (a .zip file) to upload.")
    partial = request.headers.get("hx-request") == "true"
    try:
        report = await api.post_bytes("/assessments/imports/oneroster", data, "application/zip")
    except ApiError as exc:
        if not partial:
            raise
        # The form swaps error answers too (hx-on::before-swap): the problem shows where the report would.
        problem = exc.to_problem(request.url.path)
        return render(
            request, "_import_report.html", user, exc.status, report=None, problem=problem, partial=True
        )
    page = "_import_report.html" if partial else "import.html"
    return render(request, page, user, report=report, filename=package.filename, partial=partial)
