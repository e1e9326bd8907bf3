"""A generated school year through the real broker into the running service: every goal's progress equals an
independent computation from the events, after the live stream and again after a replay of the same events.

The acceptance's size by default (CI runs it): 2 schools, 8 teams, 32 goals, 20,000 results and with their
corrections and voids ~22,400 result events, then a replay of 44,800 (the same envelopes and the same results
re-wrapped). Measured: 49.5 s for the test on the shared 2-core machine at load average ~8
(`GOALS_YEAR_RESULTS=20000 pytest ... --durations=3`). GOALS_YEAR_RESULTS=3000 for a quick local run.
"""

import contextlib
import os
import uuid
from collections import defaultdict

import pytest
from goals.config import Settings
from goals.main import create_app
from goals.models import Goal, inbox
from goals.testing import api, school_year
from plc_shared.components import by_name
from plc_shared.db import create_engine
from plc_shared.events import CloudEvent
from plc_shared.kafka import ensure_topics
from plc_shared.testing import eventually, migrated_database, publish
from plc_shared.topics import ASSESSMENTS, RESULTS, ROSTER
from sqlalchemy import func, select

RESULTS_N = int(os.environ.get("GOALS_YEAR_RESULTS", "20000"))


@pytest.fixture
def kafka(kafka_settings):
    return kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )


@contextlib.asynccontextmanager
async def service(create_database, kafka):
    url = await migrated_database(create_database, by_name("goals"))
    app = create_app(Settings(database_url=url, kafka=kafka, log_level="WARNING"))
    engine = create_engine(url, pool_size=2)
    try:
        async with app.router.lifespan_context(app):
            yield app, engine
    finally:
        await engine.dispose()


def independent(year, goals: list[dict]) -> dict[str, tuple[float, int]]:
    """From the events alone: each result's last revision, voids dropped; per goal and student the latest
    result (assessed_on, attempt, id) that falls in the goal's school, population and window."""
    final = {}
    for e in year.results:
        if e.result_id not in final or final[e.result_id].revision < e.revision:
            final[e.result_id] = e
    grades = {s.student_id: set(s.grades) for s in year.setup if type(s).__name__ == "StudentRostered"}
    out = {}
    for g in goals:
        m, b = g["body"]["measure"], g["body"]
        per_student = defaultdict(list)
        for e in final.values():
            if not hasattr(e, "standards") or e.school_id != g["school_id"]:
                continue
            if not (b["start"] <= e.assessed_on.isoformat() <= b["deadline"]):
                continue
            if g["class_ids"] and not set(g["class_ids"]) & set(e.class_ids):
                continue
            if g["grades"] and not set(g["grades"]) & grades[e.student_id]:
                continue
            for role, score in _roles(m, e):
                per_student[e.student_id].append(((e.assessed_on, e.attempt, str(e.result_id)), role, score))
        num, den = 0.0, 0
        for rows in per_student.values():
            if m["kind"] == "growth":
                pre = max((r for r in rows if r[1] == "pre"), default=None)
                post = max((r for r in rows if r[1] == "post"), default=None)
                if pre and post:
                    num, den = num + (post[2][0] - pre[2][0] >= m["min_growth"]), den + 1
            elif rows:
                percent, cut = max(rows)[2]
                num, den = num + (percent if m["kind"] == "average" else percent >= cut), den + 1
        out[g["id"]] = (num, den)
    return out


def _roles(m, e):
    if m["kind"] == "growth":
        role = {m["pre_assessment_id"]: "pre", m["post_assessment_id"]: "post"}.get(e.assessment_id)
        return [(role, (e.percent, None))] if role else []
    if m.get("standard_id"):
        return [
            ("score", (s.percent, s.proficiency_cut))
            for s in e.standards
            if s.standard_id == m["standard_id"]
        ]
    return [("score", (e.percent, e.proficiency_cut))] if e.assessment_id == m["assessment_id"] else []


async def stored(engine) -> dict[str, tuple[float, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Goal.id, Goal.numerator, Goal.denominator).where(Goal.status == "active")
        )
        return {str(i): (n, d) for i, n, d in rows}


async def handled(engine, consumer: str) -> int:
    async with engine.connect() as conn:
        stmt = select(func.count()).select_from(inbox).where(inbox.c.consumer == consumer)
        return (await conn.execute(stmt)).scalar_one()


async def create_goals(app, year) -> list[dict]:
    made, teams = [], []
    async with api(app, "district_admin", year.district) as admin:
        for t in year.teams:
            response = await admin.post(f"/schools/{t['school_id']}/teams", json=t["body"])
            assert response.status_code == 201, response.text
            teams.append(response.json())
        parents = {}
        for g in year.goals:
            team = teams[g["team"]] if g["team"] is not None else None
            extra = {"team_id": team["id"], "parent_goal_id": parents[g["school_id"]]} if team else {}
            response = await admin.post(f"/schools/{g['school_id']}/goals", json={**g["body"], **extra})
            assert response.status_code == 201, response.text
            goal = response.json()
            parents.setdefault(g["school_id"], goal["id"])
            activated = await admin.post(f"/goals/{goal['id']}/activate")
            assert activated.status_code == 200, activated.text
            pop = g["body"]["population"]
            classes = team["class_ids"] if pop["kind"] == "team" else pop.get("class_ids", [])
            made.append({**g, "id": goal["id"], "class_ids": classes, "grades": pop.get("grades", [])})
    return made


async def test_a_school_year_live_and_replayed_equals_an_independent_computation(create_database, kafka):
    year = school_year(results=RESULTS_N)
    await ensure_topics(kafka, [RESULTS, ROSTER, ASSESSMENTS])
    async with service(create_database, kafka) as (app, engine):
        setup = [CloudEvent.wrap(e) for e in year.setup]
        roster = [e for e in setup if "assessment.published" not in e.type]
        await publish(kafka.bootstrap_servers, kafka.topic(ROSTER.name), roster)
        await publish(
            kafka.bootstrap_servers, kafka.topic(ASSESSMENTS.name), [e for e in setup if e not in roster]
        )
        assert await eventually(lambda: _count(engine, "goals-roster", len(setup)), timeout_s=60)
        goals = await create_goals(app, year)
        assert len(goals) >= 30 and len(year.teams) >= 6
        envelopes = [CloudEvent.wrap(e) for e in year.results]
        await publish(kafka.bootstrap_servers, kafka.topic(RESULTS.name), envelopes)
        assert await eventually(lambda: _count(engine, "goals-results", len(envelopes)), timeout_s=60)
        want = independent(year, goals)
        assert sum(d for _, d in want.values()) > 0
        assert _close(await stored(engine), want)
        # a replay: the same envelopes (same ids) and the same results re-wrapped (new ids, same revisions)
        again = envelopes + [CloudEvent.wrap(e) for e in year.results]
        await publish(kafka.bootstrap_servers, kafka.topic(RESULTS.name), again)
        assert await eventually(lambda: _count(engine, "goals-results", 2 * len(envelopes)), timeout_s=60)
        assert _close(await stored(engine), want)


def _close(got: dict, want: dict) -> bool:
    assert got.keys() == want.keys()
    for goal_id, (num, den) in want.items():
        assert got[goal_id][1] == den, goal_id
        assert got[goal_id][0] == pytest.approx(num, abs=1e-6), goal_id
    return True


async def _count(engine, consumer: str, n: int) -> bool:
    return await handled(engine, consumer) >= n
