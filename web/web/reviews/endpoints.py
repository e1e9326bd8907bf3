"""Site reviews: a school's reviews, its history with the implementation level over time, recognition readiness,
the district-implementation analytics with the reviews service's charts, and the rubric form a reviewer fills in
with the evidence from data beside it; save, submit, finalize."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from plc_shared.auth import Role
from plc_shared.errors import NotFound, UnprocessableContent

from web.auth import CurrentUser
from web.client import ApiError, UserApi, seg
from web.flags.endpoints import default_school as roster_default_school
from web.forms import form_problem
from web.pages import render
from web.reviews import service
from web.reviews.evidence import in_words
from web.roster import names_for

router = APIRouter(tags=["reviews"])
RV = "/reviews/v1"
ACTIONS = ("submit", "finalize")


async def default_school(api: UserApi, user: CurrentUser) -> str | None:
    """The user's first school; for a district-wide user the first school of the program (reviews are of
    program schools), else the roster's first."""
    if user.schools:
        return user.schools[0]
    program = await api.get_or([], f"{RV}/program/schools")
    return program[0]["school_id"] if program else await roster_default_school(api, user)


@router.get("/reviews")
async def reviews_page(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """The school's reviews, oldest first, with their scores; a reviewer starts a new one here. Analysts read
    aggregates only: their reviews page is the analytics."""
    if user.principal.role is Role.ANALYST:
        return RedirectResponse("/app/reviews/analytics", status_code=303)
    school_id = school_id or await default_school(api, user)
    # A school not (yet) in the review program is a 404 of the API: the page says so instead of a dead end.
    reviews = await api.get_or(None, f"{RV}/schools/{seg(school_id)}/reviews") if school_id else []
    names = await service.school_names(api)
    return render(
        request,
        "reviews.html",
        user,
        reviews=reviews,
        school_id=school_id,
        school=names.get(school_id or "", school_id),
        today=date.today(),
    )


@router.post("/reviews")
async def start_review(
    user: CurrentUser,
    api: UserApi,
    school_id: Annotated[str, Form(max_length=100)],
    kind: Annotated[str, Form(pattern="^(pre|interim|site)$")],
    on: Annotated[date, Form()],
) -> Response:
    """Start a review of the school on the district's current rubric (a draft)."""
    created = await api.post(f"{RV}/schools/{seg(school_id)}/reviews", {"kind": kind, "on": on.isoformat()})
    return RedirectResponse(f"/app/reviews/{created['id']}", status_code=303)


@router.get("/reviews/history")
async def history_page(
    request: Request, user: CurrentUser, api: UserApi, school_id: str | None = None
) -> Response:
    """Every review of the school with its date, kind, level, score and reviewers; the level over time."""
    school_id = school_id or await default_school(api, user)
    found = await service.history(api, school_id, user.principal.subject, user.name) if school_id else None
    return render(request, "reviews_history.html", user, history=found, school_year=service.school_year)


@router.get("/reviews/readiness")
async def readiness_page(request: Request, user: CurrentUser, api: UserApi) -> Response:
    """Which program schools are ready for Exemplary or Sustaining Exemplary recognition, what each still lacks."""
    schools, recognitions, names = await service.readiness(api)
    return render(
        request,
        "reviews_readiness.html",
        user,
        schools=schools,
        recognitions=recognitions,
        names=names,
        levels=service.RECOGNITION,
        school_year=service.school_year,
    )


@router.get("/reviews/analytics")
async def analytics_page(
    request: Request,
    user: CurrentUser,
    api: UserApi,
    scope: Annotated[str, Query(pattern="^(district|program)$")] = "district",
) -> Response:
    """The district-implementation analytics: verdicts with their n and methods, the service's charts inlined,
    and the program schools by name (program scope, all districts' aggregates: analysts only)."""
    found = await service.analytics(api, scope)
    return render(
        request,
        "reviews_analytics.html",
        user,
        analytics=found,
        titles=service.CHARTS,
        school_year=service.school_year,
    )


@router.get("/reviews/{review_id}")
async def review_page(request: Request, review_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """The rubric form: every indicator (targeted first) with its level descriptors, notes and evidence."""
    return await _review_page(request, user, api, review_id)


async def _review_page(
    request: Request,
    user,
    api,
    review_id: uuid.UUID,
    *,
    failed: ApiError | None = None,
    typed: dict | None = None,
) -> Response:
    """The review; after a refusal (409/422) with what was typed and each message beside its indicator's field."""
    review = await api.get(f"{RV}/reviews/{seg(review_id)}")
    school_id = review["school_id"]
    rubric, evidence, teams, names = await asyncio.gather(
        api.get(f"{RV}/rubrics/{seg(review['rubric_id'])}"),
        api.get_or({}, f"{RV}/schools/{seg(school_id)}/evidence/{seg(review['school_year'])}"),
        api.get_or([], f"/goals/v1/schools/{seg(school_id)}/teams"),
        names_for(api, school_id),
    )
    indicators = {i["id"]: (strand, i) for strand in rubric["strands"] for i in strand["indicators"]}
    data = review.get("data_evidence") or evidence or {}
    reviewers = service.reviewer_names(review, user.principal.subject, user.name, names.teacher)
    return render(
        request,
        "review.html",
        user,
        status_code=failed.status if failed else 200,
        review=review,
        rubric=rubric,
        indicators=indicators,
        evidence=in_words(data, {str(t["id"]): t["name"] for t in teams}, names),
        school=names.school(school_id),
        kind=service.KINDS.get(review["kind"], review["kind"]),
        year=service.school_year(review["school_year"]),
        reviewers=reviewers,
        fp=form_problem(failed, *_fields(indicators)) if failed else None,
        typed=typed,
    )


def _fields(indicators: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The rubric form's fields by label, and the API's paths to them (`ratings.<indicator>.evidence`)."""
    labels, aliases = {}, {}
    for indicator, (strand, ind) in indicators.items():
        for part, words in (("level", "Level"), ("notes", "Notes"), ("evidence", "Evidence seen")):
            labels[f"{part}.{indicator}"] = f"{words} — {strand['name']}: {ind['text']}"
            aliases[f"ratings.{indicator}.{part}"] = f"{part}.{indicator}"
        aliases[f"ratings.{indicator}"] = f"level.{indicator}"  # "a site review rates every indicator"
    return labels, aliases


@router.post("/reviews/{review_id}/ratings")
async def save_ratings(request: Request, review_id: uuid.UUID, user: CurrentUser, api: UserApi) -> Response:
    """Save the levels, notes and evidence the form holds (indicators left unrated are left out)."""
    form = await request.form()
    ratings = {}
    for key, value in form.multi_items():
        if key.startswith("level.") and value != "":
            indicator = key.removeprefix("level.")
            if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 4):
                raise UnprocessableContent(
                    f"The level of indicator {indicator!r} is not a level number.",
                    errors=[{"location": ["form", key], "message": "A level is a whole number (0 to 3)"}],
                )
            evidence = str(form.get(f"evidence.{indicator}", ""))
            ratings[indicator] = {
                "level": int(value),
                "notes": str(form.get(f"notes.{indicator}", "")),
                "evidence": [line.strip() for line in evidence.splitlines() if line.strip()],
            }
    try:
        await api.put(f"{RV}/reviews/{seg(review_id)}/ratings", {"ratings": ratings})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        typed = {k: str(v) for k, v in form.multi_items() if k != "csrftoken"}
        return await _review_page(request, user, api, review_id, failed=exc, typed=typed)
    return RedirectResponse(f"/app/reviews/{review_id}?saved=1", status_code=303)


@router.post("/reviews/{review_id}/{action}")
async def act(
    request: Request, review_id: uuid.UUID, action: str, user: CurrentUser, api: UserApi
) -> Response:
    """Submit a draft (every required evidence present) or finalize a submitted review (immutable after); a
    refusal comes back on the rubric form, each message beside its indicator's field."""
    if action not in ACTIONS:
        raise NotFound(f"No review action {action!r}.")
    try:
        await api.post(f"{RV}/reviews/{seg(review_id)}/{seg(action)}")
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _review_page(request, user, api, review_id, failed=exc)
    return RedirectResponse(f"/app/reviews/{review_id}", status_code=303)
