"""Achieved / missed at the deadline: stored once, GoalAchieved / GoalMissed in the outbox exactly once with
several sweeps at the same time, and a late correction after the deadline neither moves the goal nor
re-publishes anything. Real PostgreSQL (the app fixture's database)."""

import asyncio
from datetime import UTC, date, datetime

import pytest
from goals import models
from goals.config import Settings
from goals.deadlines.service import settle_due
from goals.main import create_app
from goals.testing import api, apply, assessment, result, school
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.testing import eventually
from sqlalchemy import select

D = "d1"
GOAL = {
    "title": "Fractions by November",
    "measure": {"kind": "proficient", "assessment_id": "dl1"},
    "population": {"kind": "school"},
    "baseline": {"value": 20.0},
    "target": 50.0,
    "start": "2026-09-01",
    "deadline": "2026-11-30",
}
ACHIEVED, MISSED = "org.plc.goals.goal.achieved.v1", "org.plc.goals.goal.missed.v1"
PROGRESS = "org.plc.goals.goal.progress.updated.v1"


@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=4)
    maker = make_sessionmaker(engine)
    await apply(
        maker,
        school(D, "s1"),
        assessment(D, "dl1", ["dstd1"]),
        assessment(D, "dl2", ["dstd2"]),
        assessment(D, "dl3", []),
    )
    yield maker
    await engine.dispose()


async def outbox_types(sessions, goal_id: str) -> list[str]:
    outbox = models.Base.metadata.tables["outbox"]
    async with sessions() as session:
        stmt = select(outbox.c.event_type).where(outbox.c.key == f"{D}/{goal_id}").order_by(outbox.c.id)
        return list((await session.scalars(stmt)).all())


async def active_goal(leader, body: dict) -> str:
    goal = (await leader.post("/schools/s1/goals", json=body)).json()
    activated = await leader.post(f"/goals/{goal['id']}/activate")
    assert activated.status_code == 200, activated.text
    return goal["id"]


async def sweep(sessions, now: datetime) -> int:
    async with sessions() as session, session.begin():
        return await settle_due(session, now)


async def test_goals_are_settled_once_at_their_deadline_and_a_late_correction_changes_nothing(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        reaching = await active_goal(leader, GOAL)
        short = await active_goal(leader, {**GOAL, "title": "Ambitious", "target": 90.0})
        scores = [80.0, 75.0, 90.0, 40.0]  # 3 of 4 proficient: 75 %
        events = [
            result(D, f"st{i}", "s1", "dl1", {"dstd1": s}, on=date(2026, 11, 20))
            for i, s in enumerate(scores)
        ]
        await apply(sessions, *events)
        assert (await leader.get(f"/goals/{short}")).json()["value"] == 75.0

        on_the_day = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
        assert await sweep(sessions, on_the_day) == 0  # the deadline day itself still counts
        after = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
        settled = await asyncio.gather(*[sweep(sessions, after) for _ in range(4)])  # four replicas at once
        assert sum(settled) == 2
        assert (await outbox_types(sessions, reaching)).count(ACHIEVED) == 1
        assert (await outbox_types(sessions, short)).count(MISSED) == 1
        assert ACHIEVED not in await outbox_types(sessions, short)

        read = (await leader.get(f"/goals/{reaching}")).json()
        assert (read["status"], read["progress_status"]) == ("achieved", "achieved")
        missed = (await leader.get(f"/goals/{short}")).json()
        assert (missed["status"], missed["progress_status"]) == ("missed", "missed")
        assert (await leader.get(f"/goals/{short}/progress")).json()["status"] == "missed"

        before = await outbox_types(sessions, short)
        late = result(
            D, "st3", "s1", "dl1", {"dstd1": 95.0}, on=date(2026, 11, 20), result_id=events[3].result_id,
            revision=2, corrected=True,
        )  # fmt: skip
        # the correction would make the short goal 100 % (reached) were it still active
        await apply(sessions, late)
        assert await sweep(sessions, datetime(2026, 12, 2, tzinfo=UTC)) == 0
        assert await outbox_types(sessions, short) == before
        again = (await leader.get(f"/goals/{short}")).json()
        assert (again["status"], again["value"]) == ("missed", 75.0)
        assert (await leader.patch(f"/goals/{short}", json={"target": 70.0})).status_code == 409


async def test_a_goal_without_results_is_missed_and_a_decrease_goal_is_judged_in_its_direction(app, sessions):
    body = {**GOAL, "measure": {"kind": "proficient", "assessment_id": "dl2"}}
    async with api(app, "school_leader", D, ["s1"]) as leader:
        no_data = {**body, "title": "No data", "measure": {"kind": "proficient", "assessment_id": "dl3"}}
        empty = await active_goal(leader, no_data)
        lower = await active_goal(
            leader, {**body, "title": "Fewer below", "direction": "decrease", "baseline": {"value": 90.0},
                     "target": 60.0},
        )  # fmt: skip
        await apply(
            sessions,
            *[
                result(D, f"lw{i}", "s1", "dl2", {"dstd2": 90.0 if i else 10.0}, on=date(2026, 11, 2))
                for i in range(2)
            ],
        )
        # 50 % proficient ≤ the target 60 %: reached, going down
        assert await sweep(sessions, datetime(2026, 12, 1, tzinfo=UTC)) == 2
        assert (await leader.get(f"/goals/{empty}")).json()["status"] == "missed"
        assert (await leader.get(f"/goals/{lower}")).json()["status"] == "achieved"
    # Activated, then (since 2026-12-07) its status as the API showed it once its deadline had passed on the
    # wall clock ("missed": GoalProgressUpdated announces every status the API shows), then settled once.
    types = await outbox_types(sessions, empty)
    assert (types[0], types[-1]) == ("org.plc.goals.goal.activated.v1", MISSED) and set(types[1:-1]) <= {
        PROGRESS
    }


async def test_the_service_runs_the_sweep_in_its_background(app, sessions):
    base = app.state.settings
    settings = Settings(
        database_url=base.database_url, kafka=base.kafka, log_level="WARNING", run_relay=False,
        run_consumers=False, settle_interval_s=0.05,
    )  # fmt: skip
    async with api(app, "school_leader", D, ["s1"]) as leader:
        body = {**GOAL, "title": "Due yesterday", "start": "2026-01-05", "deadline": "2026-06-30"}
        goal_id = await active_goal(leader, body)
        background = create_app(settings)
        async with background.router.lifespan_context(background):
            assert await eventually(lambda: _missed(sessions, goal_id), timeout_s=10)
        assert (await outbox_types(sessions, goal_id)).count(MISSED) == 1


async def _missed(sessions, goal_id: str) -> bool:
    async with sessions() as session:
        g = models.Goal
        return await session.scalar(select(g.status).where(g.district_id == D, g.id == goal_id)) == "missed"
