"""An assignment's page: its progress (table and chart), record a progress point, exit.

Both forms post with htmx and swap the assignment back in place with a status message; without JavaScript they
post normally and come back to the page. The API decides what is valid: its problem (status, detail and field
errors, e.g. a score above 100) is shown next to the form, with what the user typed kept."""

from __future__ import annotations

import math
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import CurrentUser
from web.client import ApiError, UserApi, seg
from web.flags.assignment import EXIT_REASONS, LABELS, assignment_view
from web.flags.service import IV
from web.forms import form_problem
from web.pages import render

router = APIRouter(tags=["flags"])
DONE = {
    "progress": "The progress point is recorded.",
    "exited": "The student is exited from the intervention.",
}


@router.get("/assignments/{assignment_id}")
async def assignment_page(
    request: Request,
    assignment_id: uuid.UUID,
    user: CurrentUser,
    api: UserApi,
    done: Annotated[str | None, Query(pattern="^(progress|exited)$")] = None,
) -> Response:
    """One assignment: the student, the goal, the progress table and chart; record progress, exit."""
    view = await assignment_view(api, str(assignment_id))
    return _render(request, user, view, message=DONE.get(done or ""))


@router.post("/assignments/{assignment_id}/progress")
async def record_progress(
    request: Request,
    assignment_id: uuid.UUID,
    user: CurrentUser,
    api: UserApi,
    measured_on: Annotated[str, Form()],
    score: Annotated[str, Form()],
) -> Response:
    """Record a progress-monitoring point; the table and the chart show it."""
    typed = {"measured_on": measured_on, "score": score}
    body = {**typed, "score": _number(score)}
    return await _act(request, user, api, assignment_id, "progress", body, typed)


@router.post("/assignments/{assignment_id}/exit")
async def exit_student(
    request: Request,
    assignment_id: uuid.UUID,
    user: CurrentUser,
    api: UserApi,
    exited_on: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    evidence: Annotated[str, Form()],
    to_tier: Annotated[str, Form()] = "",
    goal_met_confirmed: Annotated[bool, Form()] = False,
) -> Response:
    """Exit the student with the reason, the evidence and optionally the tier after the exit ("Goal met" below
    the goal needs the confirmation box)."""
    typed = {"exited_on": exited_on, "reason": reason, "evidence": evidence, "to_tier": to_tier}
    body = {**typed, "to_tier": _number(to_tier), "goal_met_confirmed": goal_met_confirmed}
    typed["goal_met_confirmed"] = "on" if goal_met_confirmed else ""
    return await _act(request, user, api, assignment_id, "exit", body, typed)


async def _act(
    request: Request,
    user: CurrentUser,
    api: UserApi,
    assignment_id: uuid.UUID,
    action: str,
    body: dict,
    typed: dict[str, str],
) -> Response:
    """Post to the API. On success: the assignment again with a status message (htmx) or a redirect to the
    page. On the API's 409/422: the page or partial with the problem by the form and what was typed kept."""
    partial = request.headers.get("hx-request") == "true"
    try:
        await api.post(f"{IV}/assignments/{seg(assignment_id)}/{seg(action)}", body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        view = await assignment_view(api, str(assignment_id))
        failed = {"form": action, "problem": form_problem(exc, LABELS), "typed": typed}
        return _render(request, user, view, partial=partial, failed=failed, status_code=exc.status)
    done = "progress" if action == "progress" else "exited"
    if not partial:
        return RedirectResponse(f"/app/assignments/{assignment_id}?done={done}", status_code=303)
    view = await assignment_view(api, str(assignment_id))
    return _render(request, user, view, partial=True, message=DONE[done])


def _render(request: Request, user: CurrentUser, view, partial: bool = False, **context: Any) -> Response:
    template = "_assignment.html" if partial else "assignment.html"
    return render(
        request, template, user, v=view, reasons=EXIT_REASONS, partial=partial, **{"failed": None, **context}
    )


def _number(value: str) -> float | str | None:
    """A number field as the API takes it: empty is absent; what is not a number goes as typed (the API's
    problem then names the field)."""
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value  # NaN / Infinity cannot be sent as JSON
