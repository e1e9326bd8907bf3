"""The flags page: open and recently resolved flags, live (htmx polls the changes feed), resolve, assign."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from plc_shared.errors import BadRequest
from pydantic import BaseModel, Field, ValidationError

from web.auth import CurrentUser
from web.client import ApiError, UserApi, seg
from web.flags.assignment_endpoints import router as assignment_router
from web.flags.service import IV, FlagFilters, FlagsView, changed, flags_view
from web.forms import form_problem
from web.pages import render

router = APIRouter(tags=["flags"])
router.include_router(assignment_router)  # an assignment's page: progress, record a point, exit
Tier = Annotated[str | None, Query(pattern="^[123]?$", description="1, 2, 3 or empty (every tier)")]
Kind = Annotated[str | None, Query(pattern="^(support|enrichment)?$", description="empty: both kinds")]
Layout = Annotated[
    str | None, Query(pattern="^(flags|students)?$", description="one row per flag or per student")
]
After = Annotated[
    str | None, Query(max_length=2000, description="the API's cursor the page of open flags starts after")
]
ASSIGN_LABELS = {"intervention_id": "Intervention", "planned_weeks": "Weeks", "goal": "Goal score (%)"}


class Kept(BaseModel):
    """The page's filters and layout, carried by every action's form (a hidden `back` field), so that the answer
    comes back to the same list: assigning or resolving no longer resets the filters."""

    school_id: str = Field(min_length=1, max_length=100)
    class_id: str = Field("", max_length=100)
    standard_id: str = Field("", max_length=200)
    tier: str = Field("", pattern="^[123]?$")
    kind: str = Field("", pattern="^(support|enrichment)?$")
    layout: str = Field("", pattern="^(flags|students)?$")
    after: str = Field("", max_length=2000)  # the page of open flags: the API's cursor, opaque

    @classmethod
    def parse(cls, back: str) -> Kept:
        try:
            return cls.model_validate(dict(parse_qsl(back)))
        except ValidationError as exc:
            raise BadRequest("The form's way back to the flags is not one this page wrote.") from exc

    def query(self, **extra: str) -> str:
        return urlencode({k: v for k, v in {**self.model_dump(), **extra}.items() if v})

    def url(self, **extra: str) -> str:
        return "/app/flags?" + self.query(**extra)

    def filters(self) -> FlagFilters:
        return _filters(self.school_id, self.class_id, self.standard_id, self.tier, self.kind)


async def default_school(api: UserApi, user: CurrentUser) -> str | None:
    if user.schools:
        return user.schools[0]
    schools = await api.get_or([], "/assessments/roster/schools")
    return schools[0]["sourced_id"] if schools else None


async def _view(request: Request, api: UserApi, kept: Kept, cursor: str | None = None) -> FlagsView:
    size = request.app.state.settings.flags_page_size
    return await flags_view(api, kept.filters(), cursor, after=kept.after or None, size=size)


def _bad_cursor(exc: ApiError) -> bool:
    """The API refused the page's cursor (cut, edited, or from another list)."""
    return exc.status == 422 and any(e.get("location") == ["query", "cursor"] for e in exc.errors or [])


def _filters(
    school_id: str, class_id: str | None, standard_id: str | None, tier: str | None, kind: str | None
) -> FlagFilters:
    """Empty form fields mean "every" (the filter form sends them empty)."""
    return FlagFilters(
        school_id, class_id or None, standard_id or None, int(tier) if tier else None, kind or None
    )


@router.get("/flags")
async def flags_page(
    request: Request,
    user: CurrentUser,
    api: UserApi,
    school_id: str | None = None,
    class_id: str | None = None,
    standard_id: str | None = None,
    tier: Tier = None,
    kind: Kind = None,
    layout: Layout = None,
    after: After = None,
    done: Annotated[str | None, Query(pattern="^(resolved|assigned)$")] = None,
    assignment: uuid.UUID | None = None,
) -> Response:
    """Open flags of a school a page at a time (Next follows the API's cursor) and the recently resolved ones,
    by class, standard and tier, one row per flag or per student; updated live."""
    school_id = school_id or await default_school(api, user)
    if school_id is None:
        return render(request, "flags.html", user, view=None, done=None, assignment=None, kept=None)
    kept = Kept.model_validate(
        {"school_id": school_id, "class_id": class_id or "", "standard_id": standard_id or "",
         "tier": tier or "", "kind": kind or "", "layout": layout or "", "after": after or ""}
    )  # fmt: skip
    try:
        view = await _view(request, api, kept)
    except ApiError as exc:
        if not _bad_cursor(exc):
            raise
        first = kept.url(after="")
        return render(request, "flags.html", user, 422, view=None, done=None, assignment=None, first=first)
    return render(request, "flags.html", user, view=view, done=done, assignment=assignment, kept=kept)


@router.get("/flags/live")
async def flags_live(
    request: Request,
    user: CurrentUser,
    api: UserApi,
    school_id: str,
    cursor: str,
    class_id: str | None = None,
    standard_id: str | None = None,
    tier: Tier = None,
    kind: Kind = None,
    layout: Layout = None,
    after: After = None,
) -> Response:
    """What the page polls: 204 (nothing to swap) until a flag of the school opens or resolves."""
    if not await changed(api, school_id, cursor):
        return Response(status_code=204)
    kept = Kept.model_validate(
        {"school_id": school_id, "class_id": class_id or "", "standard_id": standard_id or "",
         "tier": tier or "", "kind": kind or "", "layout": layout or "", "after": after or ""}
    )  # fmt: skip
    view = await _view(request, api, kept, cursor)
    return render(request, "_flag_tables.html", user, view=view, kept=kept)


@router.post("/flags/{flag_id}/resolve")
async def resolve(
    flag_id: uuid.UUID,
    user: CurrentUser,
    api: UserApi,
    back: Annotated[str, Form(max_length=1000)],
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:
    """Resolve a flag by the team's decision, with its reason; back to the same filters."""
    kept = Kept.parse(back)
    await api.post(f"{IV}/flags/{seg(flag_id)}/resolve", {"reason": reason})
    return RedirectResponse(kept.url(done="resolved"), status_code=303)


@router.post("/flags/{flag_id}/assign")
async def assign(
    request: Request,
    flag_id: uuid.UUID,
    user: CurrentUser,
    api: UserApi,
    back: Annotated[str, Form(max_length=1000)],
    student_id: Annotated[str, Form()],
    standard_id: Annotated[str, Form()],
    baseline: Annotated[float, Form()],
    intervention_id: Annotated[str, Form()] = "",
    goal: Annotated[str, Form()] = "",
    planned_weeks: Annotated[str, Form()] = "6",
) -> Response:
    """Assign an intervention of the school's pyramid to the flagged student, on the flag's standard; back to the
    same filters. The API's refusal (already assigned: 409; a field: 422) comes back on the flag's form."""
    kept = Kept.parse(back)
    typed = {"intervention_id": intervention_id, "goal": goal, "planned_weeks": planned_weeks}
    start = date.today()
    weeks = int(planned_weeks) if planned_weeks.strip().isdigit() else 0
    body = {
        "intervention_id": intervention_id or None,
        "student_id": student_id,
        "standard_id": standard_id,
        "start_on": start.isoformat(),
        "planned_weeks": weeks or planned_weeks,
        "champion": user.principal.subject,
        "baseline": baseline,
        "goal": goal or None,
        "goal_date": (start + timedelta(weeks=weeks or 1)).isoformat(),
    }
    try:
        created = await api.post(f"{IV}/assignments", body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        view = await _view(request, api, kept)
        failed = {"flag_id": str(flag_id), "problem": form_problem(exc, ASSIGN_LABELS), "typed": typed}
        return render(
            request,
            "flags.html",
            user,
            exc.status,
            view=view,
            kept=kept,
            failed=failed,
            done=None,
            assignment=None,
        )
    return RedirectResponse(kept.url(done="assigned", assignment=created["id"]), status_code=303)
