"""Setup: common assessments built in the browser — items aligned to standards, the cuts, then published."""

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
ROWS = 6  # item rows on the form; empty ones are ignored


class CfaForm(BaseModel):
    id: str = Field("", max_length=200)
    title: str = Field("", max_length=500)
    grade: str = Field("", max_length=20)
    school_id: str = Field("", max_length=100)
    proficiency_cut: str = Field("70", max_length=10)
    mastery_cut: str = Field("90", max_length=10)
    item_code: list[str] = Field(default_factory=list, max_length=ROWS)
    item_points: list[str] = Field(default_factory=list, max_length=ROWS)
    item_standard: list[str] = Field(default_factory=list, max_length=ROWS)
    publish: str = ""

    def items(self) -> list[tuple[str, str, str]]:
        rows = zip(self.item_code, self.item_points, self.item_standard, strict=False)
        return [(c.strip(), p.strip(), s) for c, p, s in rows if c.strip() or p.strip()]

    def body(self) -> dict:
        """One objective per aligned standard (its points: its items'), so results may come by item or objective."""
        items = [{"code": c, "max_points": _number(p), "standard_id": s or None, "objective_code": s or None}
                 for c, p, s in self.items()]  # fmt: skip
        objectives: dict[str, float] = {}
        for item in items:
            if item["standard_id"] and isinstance(item["max_points"], float):
                objectives[item["standard_id"]] = objectives.get(item["standard_id"], 0) + item["max_points"]
        total = sum(i["max_points"] for i in items if isinstance(i["max_points"], float))
        return {
            **({"id": self.id.strip()} if self.id.strip() else {}),
            "title": self.title.strip(), "kind": "common_formative", "grades": [self.grade.strip()] if self.grade.strip() else [],
            "school_id": self.school_id or None, "max_score": total, "proficiency_cut": _number(self.proficiency_cut),
            "mastery_cut": _number(self.mastery_cut), "items": items,
            "objectives": [{"code": s, "max_points": p, "standard_ids": [s]} for s, p in objectives.items()],
        }  # fmt: skip


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text  # the API says what is wrong with it, by field


async def _page(request: Request, user, api: Api, status: int = 200, **ctx) -> Response:
    assessments, standards, schools = await asyncio.gather(
        api.get("/assessments/assessments"),
        api.get("/assessments/standards"),
        api.get_or([], "/assessments/roster/schools"),
    )
    ctx.setdefault("form", CfaForm())
    return render(request, "setup_assessments.html", user, status_code=status, assessments=assessments,
                  standards=standards, schools=schools, rows=ROWS, errors=field_errors(ctx.get("problem")),
                  **ctx)  # fmt: skip


@router.get("/setup/assessments")
async def assessments_page(request: Request, user: CurrentUser, api: UserApi) -> Response:
    """The district's assessments and the form of a new common formative assessment."""
    return await _page(request, user, api)


@router.post("/setup/assessments")
async def build_cfa(
    request: Request, user: CurrentUser, api: UserApi, form: Annotated[CfaForm, Form()]
) -> Response:
    """Create the CFA (and publish it when asked); the API's refusal is shown on the form, as typed."""
    try:
        created = await api.post("/assessments/assessments", form.body())
        if form.publish:
            await api.post(f"/assessments/assessments/{seg(created['id'])}/publish")
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _page(request, user, api, 422, form=form, problem=exc)
    return RedirectResponse("/app/setup/assessments", status_code=303)
