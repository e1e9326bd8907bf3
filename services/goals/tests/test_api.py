"""Teams and goals over HTTP: the leadership rule, SMART activation, versions, progress from events, tenancy."""

from datetime import date

import pytest
from goals.testing import api, apply, assessment, result, school, staff, voided
from plc_shared.db import create_engine, make_sessionmaker

D = "d1"
SETUP = [
    school(D, "s1"),
    school("d2", "s1"),
    staff(D, "admin", "administrator", "s1"),
    *[staff(D, f"t{i}", "teacher", "s1") for i in range(7)],
    assessment(D, "a1", ["std1"]),
]
GOAL = {
    "title": "Fractions",
    "measure": {"kind": "proficient", "assessment_id": "a1"},
    "population": {"kind": "school"},
    "baseline": {"value": 20.0},
    "target": 80.0,
    "start": "2026-09-01",
    "deadline": "2027-05-20",
}


@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=2)
    maker = make_sessionmaker(engine)
    await apply(maker, *SETUP)
    yield maker
    await engine.dispose()


@pytest.mark.parametrize(
    ("members", "status"),
    [
        (["admin", "t0", "t1"], 422),
        (["admin", "t0", "t1", "t2", "t3", "t4", "t5"], 422),
        (["t0", "t1", "t2", "t3"], 422),
        (["admin", "t0", "t1", "nobody"], 422),
    ],
)
async def test_a_leadership_team_breaking_the_rule_is_a_422_naming_it(app, sessions, members, status):
    async with api(app, "school_leader", D, ["s1"]) as client:
        body = {"kind": "leadership", "name": "LT", "member_ids": members}
        response = await client.post("/schools/s1/teams", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["body", "members"]


async def test_teams_goals_activation_versions_and_progress(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        lt = await leader.post(
            "/schools/s1/teams",
            json={"kind": "leadership", "name": "LT", "member_ids": ["admin", "t0", "t1", "t2"]},
        )
        assert lt.status_code == 201, lt.text
        assert {m["role"] for m in lt.json()["members"]} == {"administrator", "teacher"}
        bad = await leader.post(
            "/schools/s1/goals", json={**GOAL, "measure": {"kind": "proficient", "assessment_id": "zz"}}
        )
        assert bad.status_code == 201  # a draft may fail
        refused = await leader.post(f"/goals/{bad.json()['id']}/activate")
        assert refused.status_code == 422 and refused.json()["failing_letters"] == ["M"]
        goal = (await leader.post("/schools/s1/goals", json=GOAL)).json()
        assert goal["smart"]["passed"], goal["smart"]
        active = await leader.post(f"/goals/{goal['id']}/activate")
        assert active.status_code == 200 and active.json()["status"] == "active"
        events = [
            result(D, f"stu{i}", "s1", "a1", {"std1": 50.0 + 10 * i}, on=date(2026, 10, 1)) for i in range(4)
        ]
        await apply(sessions, *events)
        assert (await leader.get(f"/goals/{goal['id']}")).json()["value"] == 50.0  # 70 and 80 of 50..80
        await apply(sessions, voided(events[3], 2))
        after = (await leader.get(f"/goals/{goal['id']}")).json()
        assert (after["value"], after["n"]) == (pytest.approx(100 / 3), 3)
        edited = await leader.patch(f"/goals/{goal['id']}", json={"target": 90.0})
        assert edited.json()["version"] == 2
        versions = (await leader.get(f"/goals/{goal['id']}/versions")).json()
        assert [(v["version"], v["target"]) for v in versions] == [(1, 80.0), (2, 90.0)]
        series = (await leader.get(f"/goals/{goal['id']}/progress")).json()
        assert series["points"] and series["points"][-1]["expected"] is not None
        listed = (await leader.get("/schools/s1/goals")).json()
        assert {g["id"] for g in listed} == {goal["id"], bad.json()["id"]}


async def test_bad_input_names_the_field(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        worse = await leader.post("/schools/s1/goals", json={**GOAL, "target": 10.0})
        late = await leader.post("/schools/s1/goals", json={**GOAL, "deadline": "2026-01-01"})
    assert worse.status_code == 422 and worse.json()["errors"][0]["loc"] == ["body", "target"]
    assert late.status_code == 422 and late.json()["errors"][0]["loc"] == ["body", "deadline"]


async def test_another_districts_school_and_goal_are_404_like_missing_ones(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=GOAL)).json()
    async with api(app, "district_admin", "d2") as other:
        assert (await other.get(f"/goals/{goal['id']}")).status_code == 404
        assert (await other.get("/goals/00000000-0000-0000-0000-000000000000")).status_code == 404
        assert (await other.get("/schools/s9/goals")).status_code == 404
    async with api(app, "teacher", D, ["s1"], subject="t5") as teacher:  # not a member of any team
        assert (await teacher.post("/schools/s1/goals", json=GOAL)).status_code == 403
