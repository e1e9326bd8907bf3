"""Import: a OneRoster 1.2 CSV package uploaded to the assessments service, with its row-level report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from plc_shared.errors import UnprocessableContent

from web.auth import CurrentUser
from web.client import ApiError, UserApi
from web.forms import form_problem
from web.pages import render

router = APIRouter(tags=["import"])
LABELS = {"package": "Package (.zip)"}


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
    partial = request.headers.get("hx-request") == "true"
    try:
        if not data:
            raise UnprocessableContent(
                "Choose a OneRoster package (a .zip file) to upload: this one is empty."
            )
        report = await api.post_bytes("/assessments/imports/oneroster", data, "application/zip")
    except (ApiError, UnprocessableContent) as exc:
        if exc.status >= 500:
            raise
        # The problem shows where the report would, and beside the package field (the form swaps error answers
        # too: data-swap-errors).
        fp = form_problem(exc, LABELS, whole="package")
        page = "_import_report.html" if partial else "import.html"
        return render(request, page, user, exc.status, report=None, fp=fp, partial=partial)
    page = "_import_report.html" if partial else "import.html"
    return render(request, page, user, report=report, filename=package.filename, partial=partial)
