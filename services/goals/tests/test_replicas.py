"""Consumer replicas move the same goals at the same time (each from its own partitions, i.e. students): the
running sums must add up, never lose one replica's update. Two batches in two concurrent transactions on
real PostgreSQL, as two replicas commit them."""

import asyncio
from datetime import date

from goals import models
from goals.consumers import handle_results
from goals.testing import api, apply, assessment, result, school
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events import CloudEvent
from sqlalchemy import select

D = "drep"


async def test_two_replicas_moving_the_same_goals_at_once_lose_nothing(app):
    engine = create_engine(app.state.settings.database_url, pool_size=4)
    sessions = make_sessionmaker(engine)
    try:
        await apply(sessions, school(D, "s1"), assessment(D, "r1", ["rs1"]))
        body = {
            "title": "Both replicas", "measure": {"kind": "proficient", "assessment_id": "r1"},
            "population": {"kind": "school"}, "baseline": {"value": 10.0}, "target": 90.0,
            "start": "2026-09-01", "deadline": "2027-05-20",
        }  # fmt: skip
        async with api(app, "district_admin", D) as admin:
            ids = []
            for title in ("Both replicas", "Both replicas, average"):
                measure = {**body["measure"], "kind": "average" if "average" in title else "proficient"}
                goal = (
                    await admin.post("/schools/s1/goals", json={**body, "title": title, "measure": measure})
                ).json()
                assert (await admin.post(f"/goals/{goal['id']}/activate")).status_code == 200
                ids.append(goal["id"])

        def batch(prefix: str, scores: list[float]) -> list[CloudEvent]:
            return [
                CloudEvent.wrap(
                    result(D, f"{prefix}{i}", "s1", "r1", {"rs1": s}, on=date(2026, 10, 1 + i % 20))
                )
                for i, s in enumerate(scores)
            ]

        first, second = batch("a", [80.0] * 30 + [40.0] * 10), batch("b", [90.0] * 5 + [50.0] * 45)

        async def replica(envelopes) -> None:
            async with sessions() as session, session.begin():
                await handle_results(session, envelopes)

        for _ in range(3):  # a few rounds: the interleaving is up to the event loop
            await asyncio.gather(replica(first), replica(second))
            first, second = batch("a", [80.0] * 30 + [40.0] * 10), batch("b", [90.0] * 5 + [50.0] * 45)
        async with sessions() as session:
            g = models.Goal
            rows = dict(
                (str(i), (n, d))
                for i, n, d in (
                    await session.execute(select(g.id, g.numerator, g.denominator).where(g.district_id == D))
                )
            )
        # 90 students (a0..a39, b0..b49), each with their latest result (every round re-scores the same students)
        assert rows[ids[0]] == (35.0, 90)
        assert rows[ids[1]][1] == 90 and abs(rows[ids[1]][0] - (30 * 80 + 10 * 40 + 5 * 90 + 45 * 50)) < 1e-6
    finally:
        await engine.dispose()
