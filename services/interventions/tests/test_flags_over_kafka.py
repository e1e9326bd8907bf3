"""Result events through a real broker into the running service: exact flags, replays, a paused broker."""

import asyncio
import contextlib
import json
import uuid

import pytest
from interventions.config import Settings
from interventions.main import create_app
from interventions.models import Flag, StudentTier, inbox
from interventions.testing import expected_open, publish, recorded, rostered, stream
from plc_shared import infra
from plc_shared.components import by_name
from plc_shared.db import create_engine
from plc_shared.events import CloudEvent
from plc_shared.kafka import ensure_topics
from plc_shared.testing import consume, eventually, migrated_database
from plc_shared.topics import FLAGS, RESULTS, ROSTER, dead_letter
from sqlalchemy import func, select, text


@contextlib.asynccontextmanager
async def service(create_database, kafka):
    url = await migrated_database(create_database, by_name("interventions"))
    app = create_app(Settings(database_url=url, kafka=kafka, log_level="WARNING"))
    engine = create_engine(url, pool_size=2)
    try:
        async with app.router.lifespan_context(app):
            yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def kafka(kafka_settings):
    return kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )


async def open_flags(engine) -> set[tuple[str, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Flag.student_id, Flag.standard_id, Flag.kind).where(Flag.status == "open")
        )
        return {tuple(r) for r in rows}


async def all_flags(engine) -> list[tuple]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(Flag.id, Flag.status, Flag.result_id, Flag.score).order_by(Flag.id))
        return [tuple(r) for r in rows]


async def handled(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()


async def test_published_results_become_exactly_the_expected_flags_and_a_replay_changes_nothing(
    create_database, kafka
):
    events = stream(students=300, results_per_student=3)
    envelopes = [CloudEvent.wrap(e) for e in events]
    await ensure_topics(kafka, [RESULTS])
    async with service(create_database, kafka) as engine:
        await publish(kafka.bootstrap_servers, kafka.topic(RESULTS.name), envelopes)
        assert await eventually(lambda: _count_is(engine, len(envelopes)), timeout_s=60)
        assert await open_flags(engine) == expected_open(events)
        before = await all_flags(engine)
        # the same envelopes (same ids) and the same results re-wrapped (new ids, same revisions)
        again = envelopes + [CloudEvent.wrap(e) for e in events]
        await publish(kafka.bootstrap_servers, kafka.topic(RESULTS.name), again)
        assert await eventually(lambda: _count_is(engine, 2 * len(envelopes)), timeout_s=60)
        assert await all_flags(engine) == before
        expected = await _events_for(engine, before)
        flagged = await consume(
            kafka.bootstrap_servers, kafka.topic(FLAGS.name), until=lambda r: len(r) >= expected
        )
        await asyncio.sleep(1)
        assert len(flagged) == expected


async def test_a_paused_broker_delays_but_loses_no_flag(create_database, kafka_settings):
    with infra.Tansu() as broker:
        await broker.astart()
        kafka = kafka_settings.model_copy(update={"bootstrap_servers": broker.bootstrap_servers})
        events = stream(students=200, results_per_student=4, seed=11)
        envelopes = [CloudEvent.wrap(e) for e in events]
        await ensure_topics(kafka, [RESULTS])
        async with service(create_database, kafka) as engine:
            half = len(envelopes) // 2
            await publish(broker.bootstrap_servers, kafka.topic(RESULTS.name), envelopes[:half])
            sending = asyncio.create_task(
                publish(
                    broker.bootstrap_servers,
                    kafka.topic(RESULTS.name),
                    envelopes[half:],
                    request_timeout_ms=120_000,
                )
            )
            broker.pause()
            await asyncio.sleep(30)
            broker.resume()
            await sending
            assert await eventually(lambda: _count_is(engine, len(envelopes)), timeout_s=90)
            assert await open_flags(engine) == expected_open(events)


async def test_two_districts_with_the_same_ids_over_the_broker_never_meet(create_database, kafka):
    """Roster and results of two districts using the same school, student, standard and assessment ids."""
    roster = [*rostered("d1", ("s1",), {"stu-1": ("s1",)}), *rostered("d2", ("s1",), {"stu-1": ("s1",)})]
    results = [
        recorded("stu-1", {"A": 40, "B": 80}, district="d1", school="s1"),
        recorded("stu-1", {"A": 95, "B": 10}, district="d2", school="s1"),
    ]
    await ensure_topics(kafka, [RESULTS, ROSTER])
    async with service(create_database, kafka) as engine:
        await publish(kafka.bootstrap_servers, kafka.topic(ROSTER.name), [CloudEvent.wrap(e) for e in roster])
        await publish(
            kafka.bootstrap_servers, kafka.topic(RESULTS.name), [CloudEvent.wrap(e) for e in results]
        )
        assert await eventually(lambda: _count_is(engine, len(roster) + len(results)), timeout_s=60)
        async with engine.connect() as conn:
            flags = (
                await conn.execute(
                    select(Flag.district_id, Flag.student_id, Flag.standard_id, Flag.kind).where(
                        Flag.status == "open"
                    )
                )
            ).all()
            known = (await conn.execute(text("SELECT district_id, student_id, status FROM students"))).all()
    assert sorted(tuple(f) for f in flags) == [
        ("d1", "stu-1", "A", "support"),
        ("d2", "stu-1", "A", "enrichment"),
        ("d2", "stu-1", "B", "support"),
    ]
    assert sorted(tuple(k) for k in known) == [("d1", "stu-1", "active"), ("d2", "stu-1", "active")]


async def _events_for(engine, flags: list[tuple]) -> int:
    """StudentFlagged per flag, FlagResolved per resolved flag, TierChanged per step up a tier."""
    async with engine.connect() as conn:
        steps = (await conn.execute(select(func.coalesce(func.sum(StudentTier.tier - 1), 0)))).scalar_one()
    return len(flags) + sum(status == "resolved" for _, status, *_ in flags) + steps


async def _count_is(engine, n: int) -> bool:
    return await handled(engine) >= n


async def test_a_result_that_cannot_be_read_is_dead_lettered_and_its_batch_still_flags(
    create_database, kafka
):
    events = stream(students=20, results_per_student=2, seed=5)
    envelopes = [CloudEvent.wrap(e) for e in events]
    poison = CloudEvent(
        source="/plc/assessments",
        type="org.plc.assessments.result.recorded.v1",
        data={"student_id": events[0].student_id, "revision": 0},
    )
    await ensure_topics(kafka, [RESULTS])
    async with service(create_database, kafka) as engine:
        await publish(
            kafka.bootstrap_servers, kafka.topic(RESULTS.name), [*envelopes[:10], poison, *envelopes[10:]]
        )
        assert await eventually(lambda: _count_is(engine, len(envelopes)), timeout_s=60)
        assert await open_flags(engine) == expected_open(events)
        dead = await consume(
            kafka.bootstrap_servers,
            kafka.topic(dead_letter("interventions-results").name),
            until=lambda r: len(r) >= 1,
        )
    assert [json.loads(r.value)["id"] for r in dead] == [str(poison.id)]
    assert b"ValidationError" in dict(dead[0].headers)["dlq-error"]
