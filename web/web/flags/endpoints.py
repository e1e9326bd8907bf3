"""The flags page: open and recently resolved flags, live (htmx polls the changes feed), resolve, assign."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import CurrentUser
from web.client import UserApi, seg
from web.flags.assignment_endpoints import router as assignment_router
from web.flags.service import IV, FlagFilters, changed, flags_view
from web.pages import render

router = APIRouter(tags=["flags"])
router.include_router(assignment_router)  # an assignment's page: progress, record a point, exit
Tier = Annotated[str | None, Query(pattern="^[123]?$", description="1, 2, 3 or empty (every tier)")]
Kind = Annotated[str | None, Query(pattern="^(support|enrichment)?$", description="empty: both kinds")]


async def default_school(api: UserApi, user: CurrentUser) -> str | None:
    if user.schools:
        return user.schools[0]
    schools = await api.get_or([], "/assessments/roster/schools")
    return schools[0]["sourced_id"] if schools else None


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
    done: Annotated[str | None, Query(pattern="^(resolved|assigned)$")] = None,
    assignment: uuid.UUID | None = None,
) -> Response:
    """Open and recently resolved flags of a school, by class, standard and tier; updated live."""
    school_id = school_id or await default_school(api, user)
    if school_id is None:
        return render(request, "flags.html", user, view=None, done=None, assignment=None)
    view = await flags_view(api, _filters(school_id, class_id, standard_id, tier, kind))
    return render(request, "flags.html", user, view=view, done=done, assignment=assignment)


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
) -> Response:
    """What the page polls: 204 (nothing to swap) until a flag of the school opens or resolves."""
    if not await changed(api, school_id, cursor):
        return Response(status_code=204)
    view = await flags_view(api, _filters(school_id, class_id, standard_id, tier, kind), cursor)
    return render(request, "_flag_tables.html", user, view=view)


def _back(school_id: str, **extra: str) -> str:
    return "/app/flags?" + urlencode({"school_id": school_id, **extra})


@router.post("/flags/{flag_id}/resolve")
async def resolve(
    flag_id: uuid.UUID,
    user: CurrentUser,
    api: UserApi,
    school_id: Annotated[str, Form()],
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:
    """Resolve a flag by the team's decision, with its reason."""
    await api.post(f"{IV}/flags/{seg(flag_id)}/resolve", {"reason": reason})
    return RedirectResponse(_back(school_id, done="resolved"), status_code=303)


@router.post("/flags/{flag_id}/assign")
async def assign(
    flag_id: uuid.UUID,
    user: CurrentUser,
    api: UserApi,
    school_id: Annotated[str, Form()],
    student_id: Annotated[str, Form()],
    standard_id: Annotated[str, Form()],
    intervention_id: Annotated[uuid.UUID, Form()],
    baseline: Annotated[float, Form()],
    goal: Annotated[float, Form()],
    planned_weeks: Annotated[int, Form(ge=1, le=52)] = 6,
) -> Response:
    """Assign an intervention of the school's pyramid to the flagged student, on the flag's standard."""
    start = date.today()
    created = await api.post(
        f"{IV}/assignments",
        {
            "intervention_id": str(intervention_id),
            "student_id": student_id,
            "standard_id": standard_id,
            "start_on": start.isoformat(),
            "planned_weeks": planned_weeks,
            "champion": user.principal.subject,
            "baseline": baseline,
            "goal": goal,
            "goal_date": (start + timedelta(weeks=planned_weeks)).isoformat(),
        },
    )
    return RedirectResponse(_back(school_id, done="assigned", assignment=created["id"]), status_code=303)
