"""Scope inside a district, straight to the service and through a real gateway: every route by {teacher of another class, teacher of
another school, leader of another school, reviewer, analyst, SIS key without the permission} answers as
documented (plc_shared.scope: goals name no student; a school's teams and goals are its staff's, reviewers' and
analysts' to read, their leaders' and team members' to write) and changes nothing. The routes come from the
app's route table: a route without a case fails."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from gateway.testing import prove_scope, served_behind_gateway
from goals import models
from goals.main import create_app
from goals.testing import apply, assessment, result, school, staff
from plc_shared.auth import Role
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.scope_matrix import (
    LEADER_WRITE,
    SCHOOL_READ,
    Call,
    Case,
    Expect,
    as_role,
    expect,
    fill,
    service_routes,
)

M, F, A = Expect.MISSING, Expect.FORBIDDEN, Expect.ALLOWED
G = "/goals/v1"
WRITE_GOAL = expect(F, M, M, F, F, F)  # leaders and the team's members; a school out of scope is missing
DISTRICT_READ = expect(A, A, A, A, A, F)
DISTRICT_ADMIN = expect(F, F, F, F, F, F)


def goal_body(w) -> dict:
    return {
        "title": "Fractions",
        "measure": {"kind": "proficient", "assessment_id": w["assessment"]},
        "population": {"kind": "school"},
        "baseline": {"value": 20.0},
        "target": 80.0,
        "start": "2026-09-01",
        "deadline": "2027-05-20",
    }


def team_body(w) -> dict:
    return {"kind": "leadership", "name": "LT", "member_ids": [w["admin"], w["t1"], w["t2"], w["t3"]]}


FOUNDATION = {
    "mission": "Learning for all",
    "vision": "Every student reads by grade 3",
    "values": ["Students first"],
    "collective_commitments": ["We monitor each student's learning"],
}
PLAN = {"question": "Do exit tickets help?", "change_idea": "Daily exit tickets"}


def case(method: str, route: str, wanted, call: Call | None = None) -> Case:
    return Case(method, route, wanted, (call or Call(method, route),))


CASES = (
    case(
        "POST",
        f"{G}/schools/{{school_id}}/teams",
        LEADER_WRITE,
        Call(
            "POST",
            f"{G}/schools/{{school_a}}/teams",
            lambda w: {"kind": "collaborative", "name": "Grade 4", "member_ids": [w["t1"]]},
        ),
    ),
    case(
        "GET", f"{G}/schools/{{school_id}}/teams", SCHOOL_READ, Call("GET", f"{G}/schools/{{school_a}}/teams")
    ),
    case("GET", f"{G}/teams/{{team_id}}", SCHOOL_READ, Call("GET", f"{G}/teams/{{team}}")),
    case("PUT", f"{G}/teams/{{team_id}}", LEADER_WRITE, Call("PUT", f"{G}/teams/{{team}}", team_body)),
    case(
        "POST",
        f"{G}/schools/{{school_id}}/goals",
        WRITE_GOAL,
        Call("POST", f"{G}/schools/{{school_a}}/goals", goal_body),
    ),
    case(
        "POST",
        f"{G}/schools/{{school_id}}/goals/smart",
        WRITE_GOAL,
        Call("POST", f"{G}/schools/{{school_a}}/goals/smart", goal_body),
    ),
    case(
        "GET", f"{G}/schools/{{school_id}}/goals", SCHOOL_READ, Call("GET", f"{G}/schools/{{school_a}}/goals")
    ),
    case("GET", f"{G}/goals/{{goal_id}}", SCHOOL_READ, Call("GET", f"{G}/goals/{{goal}}")),
    case("GET", f"{G}/goals/{{goal_id}}/smart", SCHOOL_READ, Call("GET", f"{G}/goals/{{goal}}/smart")),
    case("GET", f"{G}/goals/{{goal_id}}/versions", SCHOOL_READ, Call("GET", f"{G}/goals/{{goal}}/versions")),
    case("GET", f"{G}/goals/{{goal_id}}/progress", SCHOOL_READ, Call("GET", f"{G}/goals/{{goal}}/progress")),
    case("GET", f"{G}/goals/{{goal_id}}/cycles", SCHOOL_READ, Call("GET", f"{G}/goals/{{goal}}/cycles")),
    case(
        "GET",
        f"{G}/goals/{{goal_id}}/cycles/{{cycle_id}}",
        SCHOOL_READ,
        Call("GET", f"{G}/goals/{{goal}}/cycles/{{cycle}}"),
    ),
    case(
        "PUT",
        f"{G}/schools/{{school_id}}/foundation",
        LEADER_WRITE,
        Call("PUT", f"{G}/schools/{{school_a}}/foundation", lambda w: FOUNDATION),
    ),
    case(
        "GET",
        f"{G}/schools/{{school_id}}/foundation",
        SCHOOL_READ,
        Call("GET", f"{G}/schools/{{school_a}}/foundation"),
    ),
    case(
        "GET",
        f"{G}/schools/{{school_id}}/foundation/versions",
        SCHOOL_READ,
        Call("GET", f"{G}/schools/{{school_a}}/foundation/versions"),
    ),
    case(
        "GET",
        f"{G}/schools/{{school_id}}/process",
        SCHOOL_READ,
        Call("GET", f"{G}/schools/{{school_a}}/process"),
    ),
    case("GET", f"{G}/teams/{{team_id}}/norms", SCHOOL_READ, Call("GET", f"{G}/teams/{{team}}/norms")),
    case(
        "PUT",
        f"{G}/teams/{{team_id}}/norms",
        WRITE_GOAL,
        Call("PUT", f"{G}/teams/{{team}}/norms", lambda w: {"norms": ["Start on time"]}),
    ),
    case(
        "GET", f"{G}/teams/{{team_id}}/checklist", SCHOOL_READ, Call("GET", f"{G}/teams/{{team}}/checklist")
    ),
    case(
        "PUT",
        f"{G}/teams/{{team_id}}/checklist",
        WRITE_GOAL,
        Call(
            "PUT",
            f"{G}/teams/{{team}}/checklist",
            lambda w: {"items": [{"issue": 1, "status": "done", "note": "norms agreed"}]},
        ),
    ),
    case("GET", f"{G}/thresholds", DISTRICT_READ),
    case(
        "PUT",
        f"{G}/thresholds",
        DISTRICT_ADMIN,
        Call("PUT", f"{G}/thresholds", lambda w: {"on_track": 0.8, "at_risk": 0.6}),
    ),
    case(
        "PATCH",
        f"{G}/goals/{{goal_id}}",
        WRITE_GOAL,
        Call("PATCH", f"{G}/goals/{{goal}}", lambda w: {"target": 85.0}),
    ),
    case(
        "POST", f"{G}/goals/{{goal_id}}/activate", WRITE_GOAL, Call("POST", f"{G}/goals/{{draft}}/activate")
    ),
    case(
        "POST",
        f"{G}/goals/{{goal_id}}/cycles",
        WRITE_GOAL,
        Call("POST", f"{G}/goals/{{goal}}/cycles", lambda w: PLAN),
    ),
    case(
        "PATCH",
        f"{G}/goals/{{goal_id}}/cycles/{{cycle_id}}/plan",
        WRITE_GOAL,
        Call(
            "PATCH",
            f"{G}/goals/{{goal}}/cycles/{{cycle}}/plan",
            lambda w: {"prediction": {"value": 60.0, "by": "2026-11-15"}},
        ),
    ),
    case(
        "POST",
        f"{G}/goals/{{goal_id}}/cycles/{{cycle_id}}/do",
        WRITE_GOAL,
        Call(
            "POST",
            f"{G}/goals/{{goal}}/cycles/{{cycle}}/do",
            lambda w: {"started_on": "2026-10-01", "as_planned": True},
        ),
    ),
    case(
        "POST",
        f"{G}/goals/{{goal_id}}/cycles/{{cycle_id}}/study",
        WRITE_GOAL,
        Call("POST", f"{G}/goals/{{goal}}/cycles/{{cycle}}/study", lambda w: {}),
    ),
    case(
        "POST",
        f"{G}/goals/{{goal_id}}/cycles/{{cycle_id}}/act",
        WRITE_GOAL,
        Call(
            "POST",
            f"{G}/goals/{{goal}}/cycles/{{cycle}}/act",
            lambda w: {"decision": "adopt", "rationale": "r"},
        ),
    ),
)


def test_every_route_has_a_case(app):
    assert service_routes(app) == {(c.method, c.route) for c in CASES}


async def build_world(app) -> dict[str, str]:
    """School A with its staff, a leadership team, an active school goal with a PDSA cycle, a draft goal,
    results and a foundation; school B. The adversaries are on no team."""
    tag = uuid.uuid4().hex[:6]
    w = {
        "district": f"dscope-{tag}",
        **{
            k: f"{k}-{tag}"
            for k in ("school_a", "school_b", "class_a1", "class_a2", "class_b1", "assessment")
        },
        **{k: f"{k}-{tag}" for k in ("admin", "t1", "t2", "t3")},
    }
    d, a = w["district"], w["school_a"]
    engine = create_engine(app.state.settings.database_url, pool_size=1)
    try:
        events = [school(d, a), school(d, w["school_b"]), staff(d, w["admin"], "administrator", a)]
        events += [staff(d, w[t], "teacher", a) for t in ("t1", "t2", "t3")]
        events += [assessment(d, w["assessment"], ["std1"])]
        await apply(make_sessionmaker(engine), *events)
        async with as_role(app, Role.SCHOOL_LEADER, d, [a]) as leader:
            made = await leader.post(f"{G}/schools/{a}/teams", json=team_body(w))
            assert made.status_code == 201, made.text
            w["team"] = made.json()["id"]
            for key in ("goal", "draft"):
                w[key] = (await leader.post(f"{G}/schools/{a}/goals", json=goal_body(w))).json()["id"]
            assert (await leader.post(f"{G}/goals/{w['goal']}/activate")).status_code == 200
            results = [
                result(d, f"stu{i}-{tag}", a, w["assessment"], {"std1": 60.0 + 10 * i}, on=date(2026, 10, 2))
                for i in range(3)
            ]
            await apply(make_sessionmaker(engine), *results)
            cycle = await leader.post(f"{G}/goals/{w['goal']}/cycles", json=PLAN)
            assert cycle.status_code == 201, cycle.text
            w["cycle"] = cycle.json()["id"]
            saved = await leader.put(f"{G}/schools/{a}/foundation", json=FOUNDATION)
            assert saved.status_code == 200, saved.text
    finally:
        await engine.dispose()
    return w


gateway_url = served_behind_gateway("goals", create_app)


@pytest.mark.parametrize("via", ["service", "gateway"])
async def test_every_route_answers_every_adversary_as_documented_and_changes_nothing(app, via, gateway_url):
    w = await build_world(app)
    await prove_scope(via, CASES, w, (), app, gateway_url, models.Base.metadata)
    await owners_get_it(app, w)


async def owners_get_it(app, w: dict[str, str]) -> None:
    """The school's leader (a district admin for the district's thresholds) makes every call."""
    leader = as_role(app, Role.SCHOOL_LEADER, w["district"], [w["school_a"]])
    admin = as_role(app, Role.DISTRICT_ADMIN, w["district"])
    async with leader, admin:
        for c in CASES:
            owner = admin if c.expect is DISTRICT_ADMIN else leader
            for call in c.calls:
                body = call.json(w) if call.json else None
                answer = await owner.request(call.method, fill(call.path, w), json=body)
                # the PDSA steps keep their gates (a Study needs a result after the Do): a 422 is the step's
                assert answer.is_success or (answer.status_code == 422 and "/cycles/" in c.route), (
                    c.method,
                    c.route,
                    answer.text,
                )
