"""Status thresholds per district: a district admin reads and sets them (0 < at_risk < on_track <= 1, else a
422 naming the field), and a goal's status uses its district's values."""

from datetime import date

import pytest
from goals.testing import api, apply, assessment, result, school
from plc_shared.db import create_engine, make_sessionmaker

D = "dt1"
GOAL = {
    "title": "Average in reading",
    "measure": {"kind": "average", "assessment_id": "th1"},
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
    await apply(maker, school(D, "s1"), school("dt2", "s1"), assessment(D, "th1", []))
    yield maker
    await engine.dispose()


@pytest.mark.parametrize(
    ("on_track", "at_risk", "field"),
    [
        (0.9, 0.9, "at_risk"),
        (0.7, 0.8, "at_risk"),
        (0.9, 0.0, "at_risk"),
        (0.9, -0.1, "at_risk"),
        (1.1, 0.7, "on_track"),
        (0.0, 0.5, "on_track"),
    ],
)
async def test_thresholds_out_of_order_or_range_are_a_422_naming_the_field(app, on_track, at_risk, field):
    async with api(app, "district_admin", D) as admin:
        response = await admin.put("/thresholds", json={"on_track": on_track, "at_risk": at_risk})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == ["body", field], response.text


async def test_only_a_district_admin_sets_them_and_each_district_has_its_own(app):
    async with api(app, "school_leader", "dt2", ["s1"]) as leader:
        assert (await leader.put("/thresholds", json={"on_track": 0.8, "at_risk": 0.5})).status_code == 403
        assert (await leader.get("/thresholds")).json() == {
            "on_track": 0.9,
            "at_risk": 0.7,
            "source": "default",
        }
    async with api(app, "district_admin", "dt2") as admin:
        done = await admin.put("/thresholds", json={"on_track": 1.0, "at_risk": 0.5})
        assert done.status_code == 200 and done.json()["source"] == "district"
        assert (await admin.get("/thresholds")).json() == {
            "on_track": 1.0,
            "at_risk": 0.5,
            "source": "district",
        }
    async with api(app, "district_admin", "dt3") as other:
        assert (await other.get("/thresholds")).json()["source"] == "default"


async def test_a_goals_status_uses_its_districts_thresholds(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=GOAL)).json()
        assert (await leader.post(f"/goals/{goal['id']}/activate")).status_code == 200
        # one student's latest score: 32 on Nov 1, where the aimline expects 20 + 60 * 61/261 = 34.0
        for on, score in ((date(2026, 10, 1), 25.0), (date(2026, 10, 15), 28.0), (date(2026, 11, 1), 32.0)):
            await apply(sessions, result(D, "stu", "s1", "th1", {"std": score}, on=on))
        progress = (await leader.get(f"/goals/{goal['id']}/progress")).json()
        assert [p["value"] for p in progress["points"]][-1] == 32.0
        assert progress["status"] == "at risk"  # 12 / 14.0 = 0.86 of the expected gain: below 0.9
        async with api(app, "district_admin", D) as admin:
            assert (
                await admin.put("/thresholds", json={"on_track": 0.85, "at_risk": 0.6})
            ).status_code == 200
        assert (await leader.get(f"/goals/{goal['id']}/progress")).json()["status"] == "on track"
        assert (await leader.get(f"/goals/{goal['id']}")).json()["progress_status"] == "on track"
        listed = (await leader.get("/schools/s1/goals")).json()
        assert [g["progress_status"] for g in listed] == ["on track"]
        async with api(app, "district_admin", D) as admin:
            await admin.put("/thresholds", json={"on_track": 0.95, "at_risk": 0.9})
        assert (await leader.get(f"/goals/{goal['id']}/progress")).json()["status"] == "off track"
