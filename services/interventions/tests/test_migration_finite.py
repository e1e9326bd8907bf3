"""Non-finite numbers stored before the schemas refused them (issue 21) are repaired by the migration, and
the database refuses them from then on: an assignment stored with `baseline: NaN` made its every read fail."""

import uuid

import pytest
from plc_shared.components import by_name
from plc_shared.db import create_engine
from plc_shared.migrate import upgrade_async
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

BEFORE = "7c1d2e9f4a60"  # result scores keep their attempt
INTERVENTION = uuid.uuid4()
WITH_POINTS, WITHOUT_POINTS, SOUND = (uuid.uuid4() for _ in range(3))


def assignment(id_: uuid.UUID, baseline: str, goal: str) -> str:
    return (
        "INSERT INTO assignments (id, district_id, intervention_id, school_id, student_id, start_on,"
        " planned_weeks, champion, baseline, goal, goal_date, monitoring_every_days, status) VALUES"
        f" ('{id_}', 'd1', '{INTERVENTION}', 's1', 'stu-{id_}', '2026-09-07', 6, 'staff-1', '{baseline}',"
        f" '{goal}', '2026-10-19', 7, 'active')"
    )


ROWS = [
    "INSERT INTO interventions (id, district_id, school_id, name, tier, kind, delivery, dosage_minutes_per_week,"
    f" staff, schedule, directive) VALUES ('{INTERVENTION}', 'd1', 's1', 'Reteach', 2, 'small group',"
    " 'pull-out', 60, '{}', '', true)",
    assignment(WITH_POINTS, "NaN", "Infinity"),
    assignment(WITHOUT_POINTS, "-Infinity", "70"),
    assignment(SOUND, "40", "70"),
    "INSERT INTO progress_points (assignment_id, measured_on, score) VALUES"
    f" ('{WITH_POINTS}', '2026-09-07', 'NaN'), ('{WITH_POINTS}', '2026-09-14', 44),"
    f" ('{WITH_POINTS}', '2026-09-21', 49), ('{SOUND}', '2026-09-14', 'Infinity'), ('{SOUND}', '2026-09-21', 45)",
]


@pytest.fixture
async def engine(create_database):
    url = await create_database(f"interventions_finite_{uuid.uuid4().hex[:6]}")
    component = by_name("interventions")
    await upgrade_async(component, url, revision=BEFORE)
    engine = create_engine(url, pool_size=2)
    async with engine.begin() as conn:
        for statement in ROWS:
            await conn.execute(text(statement))
    await upgrade_async(component, url)
    yield engine
    await engine.dispose()


async def rows(engine, sql: str) -> list[tuple]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql))]


async def test_non_finite_values_are_repaired_and_finite_ones_kept(engine):
    found = dict(
        (id_, (baseline, goal))
        for id_, baseline, goal in await rows(engine, "SELECT id, baseline, goal FROM assignments")
    )
    assert found == {WITH_POINTS: (44.0, 44.0), WITHOUT_POINTS: (0.0, 70.0), SOUND: (40.0, 70.0)}
    points = await rows(
        engine, "SELECT assignment_id, score FROM progress_points ORDER BY assignment_id, measured_on"
    )
    assert sorted(points) == sorted([(WITH_POINTS, 44.0), (WITH_POINTS, 49.0), (SOUND, 45.0)])


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
async def test_the_database_refuses_a_non_finite_value_from_now_on(engine, value):
    for statement, constraint in [
        (
            f"UPDATE assignments SET baseline = '{value}' WHERE id = '{SOUND}'",
            "ck_assignments_baseline_finite",
        ),
        (f"UPDATE assignments SET goal = '{value}' WHERE id = '{SOUND}'", "ck_assignments_goal_finite"),
        (f"UPDATE progress_points SET score = '{value}'", "ck_progress_points_score_finite"),
    ]:
        with pytest.raises(IntegrityError, match=constraint):
            async with engine.begin() as conn:
                await conn.execute(text(statement))
