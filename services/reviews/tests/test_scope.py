"""Scope inside a district, straight to the service and through a real gateway: every route by {teacher of another class, teacher of
another school, leader of another school, reviewer, analyst, SIS key without the permission} answers as
documented (plc_shared.scope: reviews name no student; a school's reviews are its staff's and its reviewers' to
read, its reviewers' to write; analysts read the analytics) and changes nothing. The routes come from the app's
route table: a route without a case fails."""

from __future__ import annotations

import uuid

import pytest
from gateway.testing import prove_scope, served_behind_gateway
from plc_shared.auth import Role
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.scope_matrix import (
    LEADER_WRITE,
    Call,
    Case,
    Expect,
    as_role,
    expect,
    fill,
    service_routes,
)
from reviews import models
from reviews.main import create_app
from reviews.testing import apply, school, staffed_school

M, F, A = Expect.MISSING, Expect.FORBIDDEN, Expect.ALLOWED
R = "/reviews/v1"
AGGREGATES = expect(A, A, A, A, A, F)  # the rubric and the analytics: analysts too
DISTRICT_READ = expect(A, A, A, A, F, F)  # the district's program: its staff and reviewers
SCHOOL_READ = expect(A, M, M, A, F, F)  # a program school's reviews, evidence: its staff and reviewers
ADMIN = expect(F, F, F, F, F, F)
REVIEW_WRITE = expect(F, F, F, F, F, F)  # the review's own reviewers (the adversary reviewer is not one)
NEW_REVIEW = expect(F, F, F, A, F, F)  # a reviewer assigned to the school starts one
ENTRY = {"regional_center": "Central", "entry_year": 2024}


def case(method: str, route: str, wanted, call: Call | None = None) -> Case:
    return Case(method, route, wanted, (call or Call(method, route),))


CASES = (
    case("GET", f"{R}/rubrics", AGGREGATES),
    case("GET", f"{R}/rubrics/current", AGGREGATES),
    case("GET", f"{R}/rubrics/{{rubric_id}}", AGGREGATES, Call("GET", f"{R}/rubrics/{{rubric}}")),
    case("POST", f"{R}/rubrics", ADMIN, Call("POST", f"{R}/rubrics", lambda w: {"name": "x"})),
    case("GET", f"{R}/program/district", DISTRICT_READ),
    case(
        "PUT",
        f"{R}/program/district",
        ADMIN,
        Call("PUT", f"{R}/program/district", lambda w: {"building_count": 9}),
    ),
    case("GET", f"{R}/program/schools", DISTRICT_READ),
    case(
        "GET",
        f"{R}/program/schools/{{school_id}}",
        SCHOOL_READ,
        Call("GET", f"{R}/program/schools/{{school_a}}"),
    ),
    case(
        "PUT",
        f"{R}/program/schools/{{school_id}}",
        ADMIN,
        Call("PUT", f"{R}/program/schools/{{school_a}}", lambda w: ENTRY),
    ),
    case(
        "POST",
        f"{R}/schools/{{school_id}}/reviews",
        NEW_REVIEW,
        Call("POST", f"{R}/schools/{{school_a}}/reviews", lambda w: {"kind": "interim", "on": "2026-10-01"}),
    ),
    case(
        "GET",
        f"{R}/schools/{{school_id}}/reviews",
        SCHOOL_READ,
        Call("GET", f"{R}/schools/{{school_a}}/reviews"),
    ),
    case("GET", f"{R}/reviews/{{review_id}}", SCHOOL_READ, Call("GET", f"{R}/reviews/{{review}}")),
    case(
        "GET",
        f"{R}/schools/{{school_id}}/evidence/{{school_year}}",
        SCHOOL_READ,
        Call("GET", f"{R}/schools/{{school_a}}/evidence/2026"),
    ),
    case(
        "PUT",
        f"{R}/schools/{{school_id}}/narratives/{{school_year}}",
        LEADER_WRITE,
        Call("PUT", f"{R}/schools/{{school_a}}/narratives/2026", lambda w: {"text": "We learned"}),
    ),
    case(
        "PUT",
        f"{R}/schools/{{school_id}}/state-results/{{school_year}}",
        ADMIN,
        Call(
            "PUT",
            f"{R}/schools/{{school_a}}/state-results/2026",
            lambda w: {"met": True, "source": "state report"},
        ),
    ),
    case("GET", f"{R}/recognitions", DISTRICT_READ),
    case("GET", f"{R}/recognitions/readiness", DISTRICT_READ),
    case("GET", f"{R}/analytics/district-implementation", AGGREGATES),
    case("GET", f"{R}/analytics/implementation-achievement", AGGREGATES),
    case("GET", f"{R}/analytics/trends", AGGREGATES),
    case(
        "PUT",
        f"{R}/reviews/{{review_id}}/ratings",
        REVIEW_WRITE,
        Call(
            "PUT", f"{R}/reviews/{{review}}/ratings", lambda w: {"ratings": {"culture.mission": {"level": 2}}}
        ),
    ),
    case(
        "POST",
        f"{R}/reviews/{{review_id}}/submit",
        REVIEW_WRITE,
        Call("POST", f"{R}/reviews/{{review}}/submit"),
    ),
    case(
        "POST",
        f"{R}/reviews/{{review_id}}/finalize",
        REVIEW_WRITE,
        Call("POST", f"{R}/reviews/{{review}}/finalize"),
    ),
    case(
        "POST",
        f"{R}/reviews/{{review_id}}/corrections",
        REVIEW_WRITE,
        Call("POST", f"{R}/reviews/{{review}}/corrections"),
    ),
)


def test_every_route_has_a_case(app):
    assert service_routes(app) == {(c.method, c.route) for c in CASES}


async def build_world(app) -> dict[str, str]:
    """School A in the program with a draft review by its reviewer; school B rostered."""
    tag = uuid.uuid4().hex[:6]
    w = {
        "district": f"dscope-{tag}",
        **{k: f"{k}-{tag}" for k in ("school_a", "school_b", "class_a1", "class_a2", "class_b1", "reviewer")},
    }
    d, a = w["district"], w["school_a"]
    engine = create_engine(app.state.settings.database_url, pool_size=1)
    try:
        await apply(make_sessionmaker(engine), *staffed_school(d, a), school(d, w["school_b"]))
    finally:
        await engine.dispose()
    async with as_role(app, Role.DISTRICT_ADMIN, d) as admin:
        assert (await admin.put(f"{R}/program/schools/{a}", json=ENTRY)).status_code == 200
        w["rubric"] = (await admin.get(f"{R}/rubrics/current")).json()["id"]
    async with as_role(app, Role.REVIEWER, d, [a], subject=w["reviewer"]) as reviewer:
        made = await reviewer.post(f"{R}/schools/{a}/reviews", json={"kind": "site", "on": "2026-10-15"})
        assert made.status_code == 201, made.text
        w["review"] = made.json()["id"]
    return w


gateway_url = served_behind_gateway("reviews", create_app)


@pytest.mark.parametrize("via", ["service", "gateway"])
async def test_every_route_answers_every_adversary_as_documented_and_changes_nothing(app, via, gateway_url):
    w = await build_world(app)
    await prove_scope(via, CASES, w, (), app, gateway_url, models.Base.metadata)
    await owners_get_it(app, w)


async def owners_get_it(app, w: dict[str, str]) -> None:
    """The school's leader reads, its reviewer writes the review, the district admin runs the program."""
    d, a = w["district"], w["school_a"]
    leader = as_role(app, Role.SCHOOL_LEADER, d, [a])
    admin = as_role(app, Role.DISTRICT_ADMIN, d)
    reviewer = as_role(app, Role.REVIEWER, d, [a], subject=w["reviewer"])
    async with leader, admin, reviewer:
        for c in CASES:
            owner = (
                admin if c.expect is ADMIN else reviewer if c.expect in (REVIEW_WRITE, NEW_REVIEW) else leader
            )
            for call in c.calls:
                body = call.json(w) if call.json else None
                answer = await owner.request(call.method, fill(call.path, w), json=body)
                # a review keeps its workflow's gates (submit needs every rating): a 409/422 is the review's
                workflow = c.expect is REVIEW_WRITE and answer.status_code in (409, 422)
                assert answer.is_success or workflow or c.route.endswith("/rubrics"), (c.route, answer.text)
