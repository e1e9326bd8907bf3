"""A batch of result events moves goals exactly as the same events one by one: the results consumer works a
fetch out at once (each fact against the goals it may count for and those holding an entry of its result, a
goal's definition checked again under its lock), and none of that may show in the progress.

Two districts get the same goals and the same events: one in a single batch, the other one event per batch;
every goal's sums, counting entries, point rows and API series must be equal. (Not the entries that count for
nothing: one by one, a result voided after it counted leaves one; in a batch, a result whose last revision is
its void never wrote one.) Then a goal changed by another transaction
between the batch's read and its lock: the batch is worked out again on the goal as it is then."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from goals import models
from goals.consumers import handle_results
from goals.progress.repository import ProgressRepository
from goals.testing import api, apply, assessment, klass, result, school, student, voided
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events import CloudEvent
from sqlalchemy import select

BATCH, ONE_BY_ONE, CHANGED = "db-batch", "db-single", "db-changed"
START, DEADLINE = "2026-09-01", "2027-05-20"
GOALS = {
    "standard": ({"kind": "proficient", "standard_id": "bs"}, {"kind": "school"}),
    "average": ({"kind": "average", "assessment_id": "ba"}, {"kind": "school"}),
    "growth": (
        {"kind": "growth", "pre_assessment_id": "ba", "post_assessment_id": "bb", "min_growth": 5},
        {"kind": "school"},
    ),
    "class c1": ({"kind": "proficient", "assessment_id": "ba"}, {"kind": "classes", "class_ids": ["c1"]}),
}


@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=4)
    maker = make_sessionmaker(engine)
    for d in (BATCH, ONE_BY_ONE, CHANGED):
        await apply(
            maker,
            school(d, "s1"),
            klass(d, "c1", "s1", "4"),
            klass(d, "c2", "s1", "4"),
            assessment(d, "ba", ["bs", "bt"]),
            assessment(d, "bb", ["bt"]),
            *(student(d, s, "s1", "4") for s in ("x", "y", "z")),
        )
    yield maker
    await engine.dispose()


async def make_goals(app, district: str) -> dict[str, str]:
    ids = {}
    async with api(app, "district_admin", district) as admin:
        for title, (measure, population) in GOALS.items():
            body = {"title": title, "measure": measure, "population": population, "baseline": {"value": 5.0},
                    "target": 95.0, "start": START, "deadline": DEADLINE}  # fmt: skip
            made = (await admin.post("/schools/s1/goals", json=body)).json()
            assert (await admin.post(f"/goals/{made['id']}/activate")).status_code == 200
            ids[title] = made["id"]
    return ids


def events(d: str) -> list:
    """Records, corrections (new scores, a standard dropped, another class, a back-dated date), a retake,
    voids and a stale revision, several of them of one result and all of two goals or more."""
    ids = [uuid.uuid4() for _ in range(5)]

    def r(student_id, assessment_id, scores, on, n, revision=1, **kw):
        return result(d, student_id, "s1", assessment_id, scores, on=on, result_id=ids[n], revision=revision,
                      corrected=revision > 1, **kw)  # fmt: skip

    first = r("x", "ba", {"bs": 80.0, "bt": 40.0}, date(2026, 10, 1), 0, classes=("c1",))
    pre_y = r("y", "ba", {"bs": 50.0, "bt": 50.0}, date(2026, 9, 20), 2, classes=("c1",))
    return [
        first,
        r("x", "ba", {"bs": 60.0, "bt": 90.0}, date(2026, 10, 1), 0, revision=2, classes=("c1",)),
        r("x", "ba", {"bs": 95.0}, date(2026, 10, 5), 1, classes=("c1",), attempt=2),  # a retake
        pre_y,
        r("y", "bb", {"bt": 70.0}, date(2026, 11, 1), 3, classes=("c2",)),  # y's post-test
        r("x", "ba", {"bt": 75.0}, date(2026, 10, 1), 0, revision=3, classes=("c2",)),  # bs dropped, class c2
        r("x", "ba", {"bs": 99.0}, date(2026, 9, 25), 1, revision=2, classes=("c1",)),  # back-dated retake
        r("z", "ba", {"bs": 30.0, "bt": 30.0}, date(2026, 9, 15), 4),
        r(
            "x", "ba", {"bs": 20.0}, date(2026, 9, 25), 1, revision=1, classes=("c1",)
        ),  # stale: changes nothing
        voided(first, 4),
        r(
            "z", "ba", {"bs": 90.0, "bt": 90.0}, date(2027, 6, 1), 4, revision=2
        ),  # corrected out of the window
        voided(pre_y, 2),
    ]


async def state(app, sessions, district: str, ids: dict[str, str]) -> dict:
    g, e, p = models.Goal, models.GoalEntry, models.ProgressPoint
    out = {}
    async with sessions() as session, api(app, "district_admin", district) as admin:
        for title, goal_id in ids.items():
            gid = uuid.UUID(goal_id)
            sums = (await session.execute(select(g.numerator, g.denominator).where(g.id == gid))).one()
            entries = (
                await session.execute(
                    select(e.student_id, e.revision, e.role, e.assessed_on, e.attempt, e.percent, e.cut)
                    .where(e.district_id == district, e.goal_id == gid, e.role.is_not(None))
                    .order_by(e.student_id, e.assessed_on, e.attempt)
                )
            ).all()
            points = (
                await session.execute(
                    select(p.on, p.version, p.dnum, p.dden, p.entries)
                    .where(p.district_id == district, p.goal_id == gid)
                    .order_by(p.on)
                )
            ).all()
            series = (await admin.get(f"/goals/{goal_id}/progress")).json()
            out[title] = (tuple(sums), entries, points, series["points"], series["status"])
    return out


async def test_a_batch_of_records_corrections_and_voids_moves_goals_as_one_event_at_a_time(app, sessions):
    batch_ids, single_ids = await make_goals(app, BATCH), await make_goals(app, ONE_BY_ONE)
    await apply(sessions, *events(BATCH))
    for event in events(ONE_BY_ONE):
        await apply(sessions, event)
    batched = await state(app, sessions, BATCH, batch_ids)
    single = await state(app, sessions, ONE_BY_ONE, single_ids)
    assert batched == single
    # and what that is: x counts with the retake (95, corrected to 99 and back-dated to 09-25) after the first
    # result was moved out of bs and class c1, then voided; y's pre-test voided (no growth); z out of the window
    assert batched["standard"][0] == (1.0, 1)
    assert batched["average"][0] == (99.0, 1)
    assert batched["growth"][0] == (0.0, 0)
    assert batched["class c1"][0] == (1.0, 1)


async def test_a_goal_changed_between_the_batchs_read_and_its_lock_is_worked_out_as_it_is_then(
    app, sessions, monkeypatch
):
    """Another transaction makes a new version of the goal (a new target: the goal is built again from the
    results committed so far, without this batch's) after the batch read the goal and before it locks it: the
    batch sees the new version under the lock and adds its results to it."""
    goal_id = (await make_goals(app, CHANGED))["class c1"]
    lock = ProgressRepository.lock_rows

    async def new_version_first(self, district_id, ids):
        async with api(app, "district_admin", CHANGED) as admin:
            assert (await admin.patch(f"/goals/{goal_id}", json={"target": 90.0})).status_code == 200
        monkeypatch.setattr(ProgressRepository, "lock_rows", lock)
        return await lock(self, district_id, ids)

    monkeypatch.setattr(ProgressRepository, "lock_rows", new_version_first)
    batch = [
        result(CHANGED, s, "s1", "ba", {"bs": score}, on=date(2026, 10, 2), classes=("c1",))
        for s, score in (("x", 80.0), ("y", 60.0), ("z", 90.0))
    ]
    async with sessions() as session, session.begin():
        await handle_results(session, [CloudEvent.wrap(e) for e in batch])
    g, p = models.Goal, models.ProgressPoint
    async with sessions() as session:
        goal = (await session.execute(select(g).where(g.id == uuid.UUID(goal_id)))).scalar_one()
        points = (await session.execute(select(p.version, p.dnum, p.dden).where(p.goal_id == goal.id))).all()
    assert (goal.version, goal.numerator, goal.denominator) == (2, 2.0, 3)
    assert points == [(2, 2.0, 3)]
