"""SIGKILL the service process while 10,000 results flow; after a restart the flags are exactly right."""

import asyncio
import os
import signal
import subprocess
import uuid
from collections import Counter

import httpx
import pytest
from interventions.consumers import KIND, normalise
from interventions.models import Flag, StudentTier, inbox
from interventions.results.rules import FlagEngine, Snapshot
from interventions.testing import expected_open, publish, stream
from plc_shared import infra
from plc_shared.components import by_name
from plc_shared.db import create_engine
from plc_shared.events import CloudEvent
from plc_shared.kafka import ensure_topics
from plc_shared.testing import eventually, migrated_database
from plc_shared.topics import RESULTS
from sqlalchemy import func, select

pytestmark = pytest.mark.slow


def start_service(url: str, kafka, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "INTERVENTIONS_DATABASE_URL": url,
        "INTERVENTIONS_LOG_LEVEL": "WARNING",
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "KAFKA_ENABLE_IDEMPOTENCE": "false",
    }
    command = by_name("interventions").serve_command("127.0.0.1", port)
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def reference(events) -> tuple[Counter, dict[tuple[str, str], int]]:
    """Flags and tiers of one uninterrupted pass over the stream (the pure engine, no database)."""
    engine = FlagEngine(Snapshot(), now=events[0].recorded_at)
    for event in events:
        engine.apply(normalise(KIND[event.type], event, {}, {}))
    flags = {**engine.changes.new_flags, **engine.changes.updated_flags}
    counted = Counter((f.student_id, f.standard_id, f.kind, f.status, f.result_id) for f in flags.values())
    return counted, {s: t.tier for s, t in engine.s.tiers.items()}


async def stored_flags(engine) -> Counter:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Flag.student_id, Flag.standard_id, Flag.kind, Flag.status, Flag.result_id)
        )
        return Counter(tuple(r) for r in rows)


async def handled(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()


async def test_sigkill_during_10000_results_loses_and_doubles_nothing(create_database, kafka_settings):
    kafka = kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )
    url = await migrated_database(create_database, by_name("interventions"))
    engine = create_engine(url, pool_size=2)
    events = stream(students=2_000, results_per_student=5, seed=23)
    await ensure_topics(kafka, [RESULTS])
    port = infra.free_port()
    process = start_service(url, kafka, port)
    try:
        await publish(
            kafka.bootstrap_servers, kafka.topic(RESULTS.name), [CloudEvent.wrap(e) for e in events]
        )
        assert await eventually(lambda: _at_least(engine, 1_500), timeout_s=120, interval_s=0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        interrupted_at = await handled(engine)
        assert interrupted_at < len(events), "the kill came too late to interrupt the stream"
        process = start_service(url, kafka, port)
        assert await eventually(lambda: _at_least(engine, len(events)), timeout_s=180)
        await asyncio.sleep(1)  # anything still in flight would show up as an extra row
        assert await handled(engine) == len(events)
        expected_flags, expected_tiers = reference(events)
        assert await stored_flags(engine) == expected_flags
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(StudentTier.district_id, StudentTier.student_id, StudentTier.tier)
            )
            tiers = {(district, student): tier for district, student, tier in rows}
        assert tiers == expected_tiers and len(tiers) > 0
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(Flag.student_id, Flag.standard_id, Flag.kind).where(Flag.status == "open")
            )
            assert {tuple(r) for r in rows} == expected_open(events)
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        [count] = [
            line
            for line in metrics.splitlines()
            if line.startswith("plc_interventions_flag_latency_seconds_count")
        ]
        assert float(count.split()[-1]) > 0  # the restarted process observed the latency of its flags
        assert 'plc_consumer_lag_messages{consumer="interventions-results"' in metrics
    finally:
        process.kill()
        process.wait(timeout=10)
        await engine.dispose()


async def _at_least(engine, n: int) -> bool:
    try:
        return await handled(engine) >= n
    except Exception:  # the database is fine; the first poll may race the migration's last commit
        return False
