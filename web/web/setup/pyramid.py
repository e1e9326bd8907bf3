"""Setup: a school's pyramid of interventions (the interventions service's catalog), tier by tier."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from web.auth import CurrentUser
from web.client import Api, ApiError, UserApi, seg
from web.flags.endpoints import default_school
from web.forms import field_errors, refusal
from web.pages import render

router = APIRouter(tags=["setup"])
IV = "/interventions/v1"


class InterventionForm(BaseModel):
    school_id: str = Field("", max_length=100)
    name: str = Field("", max_length=200)
    tier: str = Field("2", max_length=2)
    kind: str = Field("", max_length=100)
    delivery: str = Field("", max_length=200)
    dosage_minutes_per_week: str = Field("", max_length=10)
    directive: str = Field("yes", pattern="^(yes|no)$")

    def body(self) -> dict:
        return {
            "name": self.name.strip(), "tier": _int(self.tier), "kind": self.kind.strip(),
            "delivery": self.delivery.strip(), "dosage_minutes_per_week": _int(self.dosage_minutes_per_week),
            "directive": self.directive == "yes",
        }  # fmt: skip


def _int(text: str) -> int | str:
    """A number as typed; what is not one goes to the API as typed, which says why it is refused."""
    return int(text) if text.strip().isdigit() else text


async def _page(
    request: Request, user, api: Api, school_id: str | None, status: int = 200, **ctx
) -> Response:
    schools = await api.get_or([], "/assessments/roster/schools")
    catalog = await api.get(f"{IV}/schools/{seg(school_id)}/interventions") if school_id else []
    ctx.setdefault("form", InterventionForm(school_id=school_id or ""))
    return render(request, "setup_pyramid.html", user, status_code=status, schools=schools, school_id=school_id,
                  catalog=catalog, errors=field_errors(ctx.get("problem")), **ctx)  # fmt: skip


@router.get("/setup/pyramid")
async def pyramid_page(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """The school's interventions by tier, and the form of a new one."""
    return await _page(request, user, api, school_id or await default_school(api, user))


@router.post("/setup/pyramid")
async def add_intervention(
    request: Request, user: CurrentUser, api: UserApi, form: Annotated[InterventionForm, Form()]
) -> Response:
    """Add an intervention to the school's pyramid; the API's refusal is shown on the form, as typed."""
    try:
        await api.post(f"{IV}/schools/{seg(form.school_id)}/interventions", form.body())
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _page(request, user, api, form.school_id, 422, form=form, problem=exc)
    return RedirectResponse(f"/app/setup/pyramid?school_id={quote(form.school_id)}", status_code=303)
