"""The points migration (20261207_1015) converts a database filled at the previous revision: each goal's series
reads as before, except that its last point is brought to the goal's current sums (old rows could lag behind
them after a back-dated correction), and the consumer goes on from there."""

import uuid
from datetime import date

import pytest
from goals.points.repository import PointRepository
from goals.testing import apply, assessment, result, school
from plc_shared.components import by_name
from plc_shared.db import make_sessionmaker
from plc_shared.testing import upgraded_from

BEFORE = "9a2c6e0d4b17"  # roster classes: points stored as (value, n)
PERCENT, AVERAGE = uuid.uuid4(), uuid.uuid4()
BODY = (
    '{{"title": "t", "measure": {{"kind": "{kind}", "assessment_id": "ma"}}, "population": {{"kind": "school"}},'
    ' "baseline": {{"value": 10}}, "target": 90, "start": "2026-09-01", "deadline": "2027-05-20"}}'
)
ROWS = [
    "INSERT INTO goals (district_id, id, school_id, status, version, body, assessment_ids, numerator, denominator,"
    " progress_status) VALUES"
    f" ('dm', '{PERCENT}', 's1', 'active', 1, '{BODY.format(kind='proficient')}', '{{ma}}', 3, 4, 'on track'),"
    f" ('dm', '{AVERAGE}', 's1', 'active', 1, '{BODY.format(kind='average')}', '{{ma}}', 150, 2, 'on track')",
    'INSERT INTO progress_points (district_id, goal_id, "on", version, value, n) VALUES'
    f" ('dm', '{PERCENT}', '2026-09-10', 1, NULL, 0), ('dm', '{PERCENT}', '2026-09-18', 1, 50, 2),"
    f" ('dm', '{PERCENT}', '2026-09-20', 1, 50, 4),"  # stale: the goal's sums say 3 of 4
    f" ('dm', '{AVERAGE}', '2026-10-01', 1, 70, 1), ('dm', '{AVERAGE}', '2026-10-02', 1, 75, 2)",
]


@pytest.fixture
async def engine(create_database):
    async with upgraded_from(create_database, by_name("goals"), BEFORE, ROWS) as engine:
        yield engine


async def test_the_series_reads_as_before_and_ends_at_the_goals_sums(engine):
    async with make_sessionmaker(engine)() as session:
        series = await PointRepository(session).points("dm", [PERCENT, AVERAGE])
    assert [(on.isoformat(), num, den) for on, num, den, _ in series[PERCENT]] == [
        ("2026-09-10", 0.0, 0), ("2026-09-18", 1.0, 2), ("2026-09-20", 3.0, 4),
    ]  # fmt: skip
    assert [(num, den) for _, num, den, _ in series[AVERAGE]] == [(70.0, 1), (150.0, 2)]


async def test_the_consumer_goes_on_from_the_converted_points(engine):
    maker = make_sessionmaker(engine)
    await apply(maker, school("dm", "s1"), assessment("dm", "ma", []))
    late = result("dm", "new", "s1", "ma", {}, on=date(2026, 9, 25)).model_copy(
        update={"percent": 90.0, "total_score": 90.0}
    )
    await apply(maker, late)
    async with maker() as session:
        series = await PointRepository(session).points("dm", [PERCENT])
    assert [(on.isoformat(), num, den) for on, num, den, _ in series[PERCENT]][-1] == ("2026-09-25", 4.0, 5)
