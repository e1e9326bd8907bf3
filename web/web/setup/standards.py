"""Setup: the district's standards and essential outcomes, added one by one or imported from a CASE framework."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from web.auth import CurrentUser
from web.client import Api, ApiError, UserApi, seg
from web.forms import field_errors, refusal
from web.pages import render

router = APIRouter(tags=["setup"])


class StandardForm(BaseModel):
    code: str = Field("", max_length=200)
    statement: str = Field("", max_length=4000)
    subject: str = Field("", max_length=100)
    grade: str = Field("", max_length=20)

    def body(self) -> dict:
        optional = {"subject": self.subject.strip() or None, "grade": self.grade.strip() or None}
        return {"code": self.code.strip(), "statement": self.statement.strip(), **optional}


class EssentialForm(BaseModel):
    standard_id: str = Field("", max_length=200)
    grade: str = Field("", max_length=20)


async def _page(request: Request, user, api: Api, status: int = 200, **context) -> Response:
    standards = await api.get("/assessments/standards")
    context.setdefault("form", StandardForm())
    problem = context.get("problem")
    return render(request, "setup_standards.html", user, status_code=status, standards=standards,
                  errors=field_errors(problem), **context)  # fmt: skip


@router.get("/setup/standards")
async def standards_page(request: Request, user: CurrentUser, api: UserApi) -> Response:
    """The district's standards with their essential flags; forms to add one, import a CASE framework, and mark
    a standard essential for a grade."""
    return await _page(request, user, api)


@router.post("/setup/standards")
async def add_standard(
    request: Request, user: CurrentUser, api: UserApi, form: Annotated[StandardForm, Form()]
) -> Response:
    """Add a standard; the API's refusal is shown on the form, as typed."""
    try:
        await api.post("/assessments/standards", form.body())
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _page(request, user, api, 422, form=form, problem=exc, problem_of="add")
    return RedirectResponse("/app/setup/standards", status_code=303)


@router.post("/setup/standards/case")
async def import_case(
    request: Request, user: CurrentUser, api: UserApi, framework: Annotated[UploadFile, File()]
) -> Response:
    """Send a CASE framework file (a CFPackage JSON) to the assessments service; show its report."""
    data = await framework.read()
    try:
        if not data:
            raise ApiError(
                400, {"title": "No file", "detail": "Choose a CASE framework file (.json) to import."}
            )
        report = await api.post_bytes("/assessments/imports/case", data, "application/json")
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _page(request, user, api, 422, problem=exc, problem_of="case")
    return await _page(request, user, api, report=report, filename=framework.filename)


@router.post("/setup/standards/essential")
async def mark_essential(
    request: Request, user: CurrentUser, api: UserApi, form: Annotated[EssentialForm, Form()]
) -> Response:
    """Mark a standard essential for a grade (an essential outcome the teams guarantee)."""
    try:
        await api.put(
            f"/assessments/standards/{seg(form.standard_id)}/essential",
            {"scope": "grade", "value": form.grade},
        )
    except ApiError as exc:
        if not refusal(exc) and exc.status != 404:
            raise
        return await _page(request, user, api, 422, problem=exc, problem_of="essential", essential=form)
    return RedirectResponse("/app/setup/standards", status_code=303)
