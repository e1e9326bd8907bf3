"""Tenancy: two districts with the same school, student, standard and assessment ids never meet, and a route
naming another district's school, student or uuid answers 404 exactly as for one that does not exist.

The write and read routes come from the app's route table: a new route without a case here fails the test."""

import json
import re
import uuid

from fastapi.routing import iter_route_contexts
from interventions.models import Base
from interventions.testing import api, apply, recorded, rostered
from sqlalchemy import select, text

D1, D2 = "d1", "d2"
WRITES = {"PUT", "POST", "PATCH", "DELETE"}
UUIDS = {"intervention_id", "assignment_id", "flag_id"}


def ids() -> dict:
    """Fresh ids, the same in both districts (SIS ids collide across districts)."""
    tag = uuid.uuid4().hex[:6]
    return {"school": f"s-{tag}", "student": f"stu-{tag}", "assessment": f"a-{tag}", "other": f"stu2-{tag}"}


async def test_two_districts_with_the_same_ids_each_see_exactly_their_own(app):
    i = ids()
    school, student, other = i["school"], i["student"], i["other"]
    for district in (D1, D2):
        await apply(
            app.state.sessionmaker, *rostered(district, (school,), {student: (school,), other: (school,)})
        )
    async with api(app, "district_admin", D1) as d1, api(app, "district_admin", D2) as d2:
        rules = {"proficiency_cut": 60, "mastery_cut": 99, "escalation_open_flags": 1}
        assert (await d1.put(f"/interventions/v1/schools/{school}/rules", json=rules)).status_code == 200
        cuts = {"proficiency_cut": 40, "mastery_cut": 95}
        url = f"/interventions/v1/schools/{school}/assessments/{i['assessment']}/cuts"
        assert (await d2.put(url, json=cuts)).status_code == 204
        same = {"school": school, "assessment": i["assessment"]}
        await apply(
            app.state.sessionmaker,
            recorded(student, {"A": 55}, district=D1, **same),  # d1: below its school's 60 → flag, tier 2
            recorded(student, {"A": 55, "B": 20}, district=D2, **same),  # d2: 40 cut → only B flags, tier 1
            recorded(other, {"A": 96}, district=D2, **same),  # d2: enrichment at its 95 (d1's 99 would not)
        )
        mine = {
            d: (await c.get("/interventions/v1/flags", params={"school_id": school})).json()
            for d, c in ((D1, d1), (D2, d2))
        }
        got_rules = {
            d: (await c.get(f"/interventions/v1/schools/{school}/rules")).json()
            for d, c in ((D1, d1), (D2, d2))
        }
        tiers = {
            d: (await c.get(f"/interventions/v1/schools/{school}/tiers")).json()
            for d, c in ((D1, d1), (D2, d2))
        }
    flags = {
        d: sorted((f["student_id"], f["standard_id"], f["kind"], f["cut"]) for f in v)
        for d, v in mine.items()
    }
    assert flags == {
        D1: [(student, "A", "support", 60)],
        D2: [(student, "B", "support", 40), (other, "A", "enrichment", 95)],
    }
    assert (got_rules[D1]["proficiency_cut"], got_rules[D1]["escalation_open_flags"]) == (60, 1)
    assert (got_rules[D2]["proficiency_cut"], got_rules[D2]["escalation_open_flags"]) == (None, 3)
    counts = {d: [(t["tier"], t["count"]) for t in v["tiers"]] for d, v in tiers.items()}
    # the school's roster is both students in each district: d1's `other` has no result yet, still tier 1
    assert counts == {D1: [(1, 1), (2, 1), (3, 0)], D2: [(1, 2), (2, 0), (3, 0)]}


async def d2_world(app) -> dict:
    """Objects that exist only in d2 (a school, student, intervention, assignment and flag)."""
    i = ids()
    school, student = i["school"], i["student"]
    await apply(app.state.sessionmaker, *rostered(D2, (school,), {student: (school,)}))
    await apply(app.state.sessionmaker, recorded(student, {"A": 10}, district=D2, school=school))
    async with api(app, "district_admin", D2) as d2:
        body = {
            "name": "Small group",
            "tier": 2,
            "kind": "small group",
            "delivery": "pull-out",
            "dosage_minutes_per_week": 60,
        }
        intervention = (await d2.post(f"/interventions/v1/schools/{school}/interventions", json=body)).json()
        assignment = (
            await d2.post("/interventions/v1/assignments", json=assignment_body(intervention["id"], student))
        ).json()
        [flag] = (await d2.get("/interventions/v1/flags", params={"school_id": school})).json()
    return {
        "school_id": school,
        "student_id": student,
        "assessment_id": i["assessment"],
        "intervention_id": intervention["id"],
        "assignment_id": assignment["id"],
        "flag_id": flag["id"],
    }


def assignment_body(intervention_id: str, student: str) -> dict:
    return {
        "intervention_id": intervention_id,
        "student_id": student,
        "standard_id": "A",
        "start_on": "2026-09-07",
        "planned_weeks": 6,
        "champion": "staff-7",
        "baseline": 40,
        "goal": 70,
        "goal_date": "2026-10-19",
    }


# One valid body per write route (method, path template); the ids in the path and body are d2's.
WRITE_BODIES = {
    ("PUT", "/interventions/v1/schools/{school_id}/rules"): lambda w: {"escalation_open_flags": 1},
    ("PUT", "/interventions/v1/schools/{school_id}/assessments/{assessment_id}/cuts"): lambda w: {
        "proficiency_cut": 10,
        "mastery_cut": 20,
    },
    ("POST", "/interventions/v1/schools/{school_id}/interventions"): lambda w: {
        "name": "x",
        "tier": 2,
        "kind": "k",
        "delivery": "d",
        "dosage_minutes_per_week": 1,
    },
    ("PATCH", "/interventions/v1/interventions/{intervention_id}"): lambda w: {"name": "y", "retired": True},
    ("POST", "/interventions/v1/assignments"): lambda w: assignment_body(
        w["intervention_id"], w["student_id"]
    ),
    ("POST", "/interventions/v1/assignments/{assignment_id}/progress"): lambda w: {
        "measured_on": "2026-09-10",
        "score": 50,
    },
    ("POST", "/interventions/v1/assignments/{assignment_id}/exit"): lambda w: {
        "exited_on": "2026-10-01",
        "reason": "r",
        "evidence": "e",
        "to_tier": 1,
    },
    ("PUT", "/interventions/v1/students/{student_id}/tier"): lambda w: {"tier": 1, "reason": "r"},
    ("POST", "/interventions/v1/flags/{flag_id}/resolve"): lambda w: {"reason": "r"},
}
# Read routes naming a d2 object in their path, and the query parameters that name one.
READ_QUERIES = [
    ("/interventions/v1/flags", {"school_id": "{school_id}"}),
    ("/interventions/v1/flags", {"school_id": "{school_id}", "status": "all"}),
    ("/interventions/v1/flags/changes", {"school_id": "{school_id}"}),
    ("/interventions/v1/flags/by-class", {"school_id": "{school_id}"}),
    ("/interventions/v1/flags/by-class", {"school_id": "{school_id}", "status": "all", "kind": "support"}),
]


def routes(app, methods: set[str]) -> set[tuple[str, str]]:
    """(method, path) of the app's routes under /interventions/ (FastAPI ≥ 0.165 keeps included routers
    nested in `app.routes`: `iter_route_contexts` walks them with their full paths)."""
    found = set()
    for route in iter_route_contexts(app.routes):
        for method in getattr(route, "methods", None) or ():
            if method in methods and (route.path or "").startswith("/interventions/"):
                found.add((method, route.path))
    return found


async def d2_rows(app) -> list:
    """Every row of d2 (and every progress point): what a d1 caller must never change."""
    rows = []
    async with app.state.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "district_id" in table.c:
                stmt = select(table).where(table.c.district_id == D2).order_by(*table.primary_key.columns)
                rows.append((table.name, [tuple(r) for r in await conn.execute(stmt)]))
        rows.append(
            ("progress_points", (await conn.execute(text("SELECT count(*) FROM progress_points"))).all())
        )
    return rows


def fill(template: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)


def missing_like(world: dict) -> dict:
    """Ids of the same kinds that exist nowhere."""
    return {k: str(uuid.uuid4()) if k in UUIDS else f"nowhere-{v}" for k, v in world.items()}


def same_problem(foreign, missing, world: dict, nowhere: dict) -> None:
    """Another district's object answers exactly as a missing one: status, and body but for the id named."""
    assert foreign.status_code == missing.status_code == 404, (foreign.text, missing.text)
    body = missing.text
    for key, value in nowhere.items():
        body = body.replace(str(value), str(world[key]))
    assert foreign.json() == json.loads(body)


async def test_every_write_route_on_another_districts_ids_is_a_404_and_changes_nothing(app):
    assert routes(app, WRITES) == set(WRITE_BODIES), "every write route needs a case in WRITE_BODIES"
    world = await d2_world(app)
    nowhere = missing_like(world)
    before = await d2_rows(app)
    async with api(app, "district_admin", D1) as d1:
        for (method, template), body in sorted(WRITE_BODIES.items()):
            foreign = await d1.request(method, fill(template, world), json=body(world))
            missing = await d1.request(method, fill(template, nowhere), json=body(nowhere))
            same_problem(foreign, missing, world, nowhere)
    assert await d2_rows(app) == before


async def test_every_read_route_on_another_districts_ids_is_a_404(app):
    world = await d2_world(app)
    nowhere = missing_like(world)
    reads = sorted(path for _, path in routes(app, {"GET"}) if "{" in path)
    assert reads, "the app has read routes naming objects"
    async with api(app, "district_admin", D1) as d1:
        for template in reads:
            same_problem(
                await d1.get(fill(template, world)), await d1.get(fill(template, nowhere)), world, nowhere
            )
        for path, params in READ_QUERIES:
            foreign = await d1.get(path, params={k: fill(v, world) for k, v in params.items()})
            missing = await d1.get(path, params={k: fill(v, nowhere) for k, v in params.items()})
            same_problem(foreign, missing, world, nowhere)
    async with api(app, "district_admin", D2) as d2:  # and d2 itself still sees them
        for template in reads:
            assert (await d2.get(fill(template, world))).status_code == 200, template


async def test_a_school_of_the_callers_own_district_outside_its_token_is_a_404_like_a_missing_one(app):
    """Issue 21 changed this from a 403 (which told the caller the school exists): out of scope is missing."""
    i = ids()
    await apply(app.state.sessionmaker, *rostered(D1, (i["school"],)))
    async with api(app, "school_leader", D1, schools=["elsewhere"]) as c:
        foreign = await c.get(f"/interventions/v1/schools/{i['school']}/rules")
        missing = await c.get("/interventions/v1/schools/nowhere/rules")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"] == missing.json()["detail"].replace("nowhere", i["school"])
    async with api(
        app, "school_leader", D2, schools=[i["school"]]
    ) as c:  # the same id in d2's token: unknown there
        assert (await c.get(f"/interventions/v1/schools/{i['school']}/rules")).status_code == 404


async def test_assigning_another_districts_student_to_ones_own_intervention_is_a_404(app):
    world = await d2_world(app)
    school = ids()["school"]
    await apply(app.state.sessionmaker, *rostered(D1, (school,)))
    async with api(app, "district_admin", D1) as d1:
        body = {"name": "x", "tier": 2, "kind": "k", "delivery": "d", "dosage_minutes_per_week": 1}
        mine = (await d1.post(f"/interventions/v1/schools/{school}/interventions", json=body)).json()
        foreign = await d1.post(
            "/interventions/v1/assignments", json=assignment_body(mine["id"], world["student_id"])
        )
        missing = await d1.post("/interventions/v1/assignments", json=assignment_body(mine["id"], "nobody"))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["title"] == missing.json()["title"] == "Student not found"


async def test_a_rostered_student_without_flags_can_get_a_tier_decision_at_a_school_the_caller_sees(app):
    i = ids()
    await apply(app.state.sessionmaker, *rostered(D1, (i["school"],), {i["student"]: (i["school"],)}))
    async with api(app, "school_leader", D1, schools=[i["school"]]) as c:
        decided = await c.put(
            f"/interventions/v1/students/{i['student']}/tier", json={"tier": 2, "reason": "r"}
        )
    assert decided.status_code == 200 and decided.json()["school_id"] == i["school"]
