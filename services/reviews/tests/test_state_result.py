"""The achievement criterion as an externally entered state-accountability result (REVIEWS_ACHIEVEMENT_CRITERION
=state_result): readiness names it until it is entered as met, and the school is then recognized."""

import pytest
from plc_shared.components import by_name
from plc_shared.testing import migrated_database
from reviews.config import Settings
from reviews.main import create_app
from reviews.testing import api, apply, ratings, staffed_school


@pytest.fixture(scope="module")
async def app(create_database, kafka_settings):
    url = await migrated_database(create_database, by_name("reviews"))
    settings = Settings(
        database_url=url, kafka=kafka_settings, log_level="WARNING", run_relay=False, run_consumers=False,
        achievement_criterion="state_result",
    )  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def unmet(admin) -> list[str]:
    return (await admin.get("/recognitions/readiness")).json()[0]["unmet"]


async def test_a_state_result_is_the_achievement_criterion(app, sessions):
    await apply(sessions, *staffed_school("d1", "s1"))
    async with api(app, "district_admin", "d1") as admin:
        await admin.put("/program/schools/s1", json={"regional_center": "SW", "entry_year": 2025})
        rubric = (await admin.get("/rubrics/current")).json()
        review = (await admin.post("/schools/s1/reviews", json={"kind": "site", "on": "2027-04-01"})).json()
        await admin.put(f"/reviews/{review['id']}/ratings", json=ratings(rubric, level=3))
        await admin.post(f"/reviews/{review['id']}/submit")
        assert (await admin.post(f"/reviews/{review['id']}/finalize")).status_code == 200
        assert (
            await admin.put("/schools/s1/narratives/2026", json={"text": "reflection"})
        ).status_code == 204
        assert await unmet(admin) == ["no state-accountability result entered for 2026"]
        body = {"met": False, "source": "MSIP"}
        assert (await admin.put("/schools/s1/state-results/2026", json=body)).status_code == 204
        assert await unmet(admin) == ["state-accountability target not met in 2026"]
        assert (
            await admin.put("/schools/s1/state-results/2026", json={**body, "met": True})
        ).status_code == 204
        assert [r["level"] for r in (await admin.get("/recognitions")).json()] == ["exemplary"]
        bad = await admin.put("/schools/s1/state-results/1999", json=body)
        assert bad.status_code == 422 and bad.json()["errors"][0]["location"] == ["path", "school_year"]
