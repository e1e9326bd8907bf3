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
from web.forms import form_problem, refusal
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

    @classmethod
    def of(cls, entry: dict) -> InterventionForm:
        """The form of a stored entry (its edit page)."""
        return cls(
            school_id=entry["school_id"], name=entry["name"], tier=str(entry["tier"]), kind=entry["kind"],
            delivery=entry["delivery"], dosage_minutes_per_week=str(entry["dosage_minutes_per_week"]),
            directive="yes" if entry["directive"] else "no",
        )  # fmt: skip

    def body(self) -> dict:
        return {
            "name": self.name.strip(), "tier": _int(self.tier), "kind": self.kind.strip(),
            "delivery": self.delivery.strip(), "dosage_minutes_per_week": _int(self.dosage_minutes_per_week),
            "directive": self.directive == "yes",
        }  # fmt: skip


LABELS = {"name": "Name", "tier": "Tier", "kind": "Kind", "delivery": "Delivery",
          "dosage_minutes_per_week": "Minutes a week", "directive": "Required or invitational"}  # fmt: skip


def _problem(problem) -> dict:
    """The refusal as the form shows it (web/forms.py): `fp` for the summary by label, `errors` beside fields."""
    if problem is None:
        return {"fp": None, "errors": {}}
    fp = form_problem(problem, LABELS)
    return {"fp": fp, "errors": {name: fp.on(name) for name in fp.fields}}


def _int(text: str) -> int | str:
    """A number as typed; what is not one goes to the API as typed, which says why it is refused."""
    return int(text) if text.strip().isdigit() else text


async def _page(
    request: Request, user, api: Api, school_id: str | None, status: int = 200, **ctx
) -> Response:
    schools = await api.get_or([], "/assessments/roster/schools")
    catalog = (  # the retired entries too: listed apart, each with "Offer again"
        await api.get(f"{IV}/schools/{seg(school_id)}/interventions", include_retired="true")
        if school_id
        else []
    )
    ctx.setdefault("form", InterventionForm(school_id=school_id or ""))
    return render(request, "setup_pyramid.html", user, status_code=status, schools=schools, school_id=school_id,
                  catalog=catalog, **_problem(ctx.get("problem")), **ctx)  # fmt: skip


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


class RetireForm(BaseModel):
    school_id: str = Field("", max_length=100)
    retired: str = Field("yes", pattern="^(yes|no)$")


async def _entry(api: Api, school_id: str, intervention_id: str) -> dict:
    """The school's catalog entry (retired or not); the 404 of a missing one otherwise."""
    catalog = await api.get(f"{IV}/schools/{seg(school_id)}/interventions", include_retired="true")
    entry = next((i for i in catalog if i["id"] == intervention_id), None)
    if entry is None:
        raise ApiError(
            404, {"title": "Intervention not found", "detail": "No such intervention in this school."}
        )
    return entry


async def _edit_page(
    request: Request, user, entry: dict, form: InterventionForm, status: int = 200, problem=None
) -> Response:
    return render(request, "setup_pyramid_edit.html", user, status_code=status, entry=entry, form=form,
                  school_id=entry["school_id"], problem=problem, **_problem(problem))  # fmt: skip


@router.get("/setup/pyramid/{intervention_id}")
async def edit_page(
    request: Request, user: CurrentUser, api: UserApi, intervention_id: str, school_id: str
) -> Response:
    """One entry of the pyramid as a form: change it, or retire it."""
    entry = await _entry(api, school_id, intervention_id)
    return await _edit_page(request, user, entry, InterventionForm.of(entry))


@router.post("/setup/pyramid/{intervention_id}")
async def edit_intervention(
    request: Request,
    user: CurrentUser,
    api: UserApi,
    intervention_id: str,
    form: Annotated[InterventionForm, Form()],
) -> Response:
    """Save the entry (JSON merge patch of what the form holds); a refusal is shown on the form, as typed."""
    entry = await _entry(api, form.school_id, intervention_id)
    try:
        await api.patch(f"{IV}/interventions/{seg(intervention_id)}", form.body())
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _edit_page(request, user, entry, form, 422, problem=exc)
    return RedirectResponse(f"/app/setup/pyramid?school_id={quote(form.school_id)}", status_code=303)


@router.post("/setup/pyramid/{intervention_id}/retire")
async def retire_intervention(
    request: Request,
    user: CurrentUser,
    api: UserApi,
    intervention_id: str,
    form: Annotated[RetireForm, Form()],
) -> Response:
    """Retire the entry (no longer offered on flags; its assignments keep it) or offer it again."""
    try:
        await api.patch(f"{IV}/interventions/{seg(intervention_id)}", {"retired": form.retired == "yes"})
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _page(request, user, api, form.school_id, 422, problem=exc)
    return RedirectResponse(f"/app/setup/pyramid?school_id={quote(form.school_id)}", status_code=303)
