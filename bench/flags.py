"""Result events → committed flags, against a raw aiokafka consumer reading the same events, in one run.

    uv run python bench/flags.py [--events 50000] [--students 10000]

Uses PLC_BENCH_POSTGRES_URL (else PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded one) and
KAFKA_BOOTSTRAP_SERVERS (else a Tansu broker it starts). The service side is the real code path: the
interventions results consumer (BatchConsumerRunner + handle_results: inbox, set-based flag evaluation,
outbox rows, one transaction per fetched batch) on a migrated database, already running and idle when the
burst is published. The clock starts when the first event is sent and stops when the inbox holds every
event. Latency of a flag = its batch's commit time - max(result recorded_at, burst start). The raw side is
one aiokafka consumer (no group) reading the same 50,000 records from the beginning.
Last line: events_per_s=<n> p50_ms=<n> p99_ms=<n> raw_per_s=<n>.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from interventions.consumers import BatchConsumerRunner, handle_results, results_consumer
from interventions.models import inbox
from plc_shared import infra
from plc_shared.components import by_name
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events import CloudEvent
from plc_shared.events.assessments import ResultRecorded, StandardScore
from plc_shared.kafka import ensure_topics
from plc_shared.migrate import upgrade_async
from plc_shared.settings import KafkaSettings
from plc_shared.topics import RESULTS
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from outbox import infrastructure


def make_events(n: int, students: int) -> list[tuple[bytes, bytes]]:
    """Results of `students` students on 4 standards, 2 standards each, roughly a third below the cut."""
    rng = random.Random(1)
    out = []
    day = datetime(2026, 9, 1, tzinfo=UTC)
    for i in range(n):
        student = f"student-{i % students:06d}"
        scores = [
            StandardScore(
                standard_id=std,
                points=p,
                max_points=100,
                percent=p,
                proficiency_cut=70,
                mastery_cut=90,
                proficient=p >= 70,
                mastered=p >= 90,
            )
            for std, p in ((s, float(rng.randint(30, 100))) for s in rng.sample("ABCD", 2))
        ]
        event = ResultRecorded(
            result_id=uuid.uuid4(),
            revision=1,
            student_id=student,
            district_id="district-1",
            school_id=f"school-{i % students % 40:02d}",
            class_ids=[f"class-{i % students % 400:03d}"],
            assessment_id=f"assessment-{i // students}",
            attempt=1,
            score_status="fully graded",
            total_score=None,
            max_score=100,
            percent=None,
            proficiency_cut=70,
            mastery_cut=90,
            standards=scores,
            assessed_on=(day + timedelta(days=i // students)).date(),
            recorded_at=datetime.now(UTC),
        )
        out.append((student.encode(), CloudEvent.wrap(event).to_bytes()))
    return out


async def send_all(bootstrap: str, topic: str, events: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024
    )
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k) for k, v in events]
        for future in futures:
            await future
    finally:
        await producer.stop()


async def time_raw(bootstrap: str, topic: str, n: int) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    try:
        started, seen = time.perf_counter(), 0
        while seen < n:
            batches = await consumer.getmany(timeout_ms=200, max_records=2_000)
            seen += sum(len(b) for b in batches.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def time_service(engine, kafka: KafkaSettings, events, batch: int) -> tuple[float, list[float]]:
    runner = BatchConsumerRunner(
        results_consumer(),
        handle_results,
        sessionmaker=make_sessionmaker(engine),
        inbox=inbox,
        kafka=kafka,
        max_records=batch,
    )
    latencies: list[float] = []
    burst = {"start": None}

    def committed(at: datetime, recorded: list[datetime]) -> None:
        start = burst["start"]
        latencies.extend((at - max(r, start)).total_seconds() for r in recorded)

    runner.on_committed = committed
    task = asyncio.create_task(runner.run())
    try:
        await asyncio.sleep(3)  # joined the group, partitions assigned, polling an empty topic
        burst["start"] = datetime.now(UTC)
        started = time.perf_counter()
        await send_all(kafka.bootstrap_servers, kafka.topic(RESULTS.name), events)
        while await handled(engine) < len(events):
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        return time.perf_counter() - started, latencies
    finally:
        runner.stop()
        await asyncio.wait_for(task, timeout=30)


async def handled(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


async def bench(admin_url: str, bootstrap: str, n: int, students: int, batch: int) -> None:
    name = f"plc_bench_flags_{uuid.uuid4().hex[:6]}"
    await infra.create_database(admin_url, name)
    url = infra.url_with_database(admin_url, name)
    await upgrade_async(by_name("interventions"), url)
    engine = create_engine(url, pool_size=4)
    kafka = KafkaSettings(
        bootstrap_servers=bootstrap,
        topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
        enable_idempotence=os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "false") == "true",
    )
    try:
        await ensure_topics(kafka, [RESULTS])
        events = make_events(n, students)
        elapsed, latencies = await time_service(engine, kafka, events, batch)
        raw = await time_raw(bootstrap, kafka.topic(RESULTS.name), n)
        async with engine.connect() as conn:
            flags = (
                await conn.execute(select(func.count()).select_from(inbox.metadata.tables["flags"]))
            ).scalar_one()
        p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
        print(f"events={n} students={students} batch={batch} flags={flags} flag_changes={len(latencies)}")
        print(
            f"service: {n / elapsed:,.0f} events/s ({elapsed:.2f}s, publish included)  raw consumer: {n / raw:,.0f}/s"
        )
        print(f"events_per_s={n / elapsed:.0f} p50_ms={p50:.0f} p99_ms={p99:.0f} raw_per_s={n / raw:.0f}")
    finally:
        await engine.dispose()
        await infra.drop_database(admin_url, name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=2_000)
    args = parser.parse_args()
    async with infrastructure() as (admin_url, bootstrap):
        await bench(admin_url, bootstrap, args.events, args.students, args.batch)


if __name__ == "__main__":
    asyncio.run(main())
