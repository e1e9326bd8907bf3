"""Result events → committed flags, against a raw aiokafka consumer reading the same events, in one run.

    uv run python bench/flags.py [--events 50000] [--students 10000]

Uses PLC_BENCH_POSTGRES_URL (else PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded one) and
KAFKA_BOOTSTRAP_SERVERS (else a Tansu broker it starts). The service side is the real code path: the
interventions results consumer (BatchConsumerRunner + handle_results: inbox, set-based flag evaluation,
outbox rows, one transaction per fetched batch) on a migrated database, already running and idle when the
burst is published. The clock starts when the first event is sent and stops when the inbox holds every
event. Latency of a flag = its batch's commit time - max(result recorded_at, burst start). The raw side is
one aiokafka consumer (no group) reading the same 50,000 records from the beginning.
Then (unless --steady-seconds 0) a steady phase: 500 results/s sent one by one through Kafka for 20 s,
printing p50/p99 of result recorded_at -> flag committed (the issue's steady figure is measured through the
assessments API; that service is not on this branch, so this is the Kafka-side part of it).
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
from interventions.consumers import BatchConsumerRunner, handle_results, results_consumer, tune_gc
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


def make_events(n: int, students: int, offset: int = 0) -> list[tuple[bytes, bytes]]:
    """Results of `students` students on 4 standards, 2 standards each, roughly a third below the cut."""
    rng = random.Random(1 + offset)
    return [make_event(i, students, rng) for i in range(offset, offset + n)]


def make_event(i: int, students: int, rng: random.Random) -> tuple[bytes, bytes]:
    day = datetime(2026, 9, 1, tzinfo=UTC)
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
    return student.encode(), CloudEvent.wrap(event).to_bytes()


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


class Service:
    """The interventions results consumer, started once and kept running through both phases (a restart
    would make the broker wait for the old member's session to expire before the group rebalances)."""

    def __init__(self, engine, kafka: KafkaSettings, batch: int) -> None:
        self.engine, self.kafka = engine, kafka
        self.runner = BatchConsumerRunner(
            results_consumer(),
            handle_results,
            sessionmaker=make_sessionmaker(engine),
            inbox=inbox,
            kafka=kafka,
            max_records=batch,
        )
        self.runner.on_committed = self._committed
        self.latencies: list[float] = []
        self.floor: datetime | None = None  # latencies count from max(recorded_at, floor)

    def _committed(self, at: datetime, recorded: list[datetime]) -> None:
        floor = self.floor
        self.latencies.extend((at - (max(r, floor) if floor else r)).total_seconds() for r in recorded)

    async def __aenter__(self) -> Service:
        tune_gc()  # as the service process does when it starts its consumer
        self.task = asyncio.create_task(self.runner.run())
        await asyncio.sleep(3)  # joined the group, partitions assigned, polling an empty topic
        return self

    async def __aexit__(self, *exc) -> None:
        self.runner.stop()
        await asyncio.wait_for(self.task, timeout=30)

    async def wait_for(self, n: int) -> None:
        while await handled(self.engine) < n:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.02)


async def burst(service: Service, events) -> tuple[float, list[float]]:
    service.latencies, service.floor = [], datetime.now(UTC)
    started = time.perf_counter()
    await send_all(service.kafka.bootstrap_servers, service.kafka.topic(RESULTS.name), events)
    await service.wait_for(len(events))
    return time.perf_counter() - started, service.latencies


async def steady(service: Service, rate: int, seconds: int, students: int, offset: int) -> list[float]:
    """`rate` results/s for `seconds`, each recorded the moment it is sent: latency from recorded_at to the
    commit of the flag change, as a teacher would see it in steady use."""
    service.latencies, service.floor = [], None
    producer = AIOKafkaProducer(bootstrap_servers=service.kafka.bootstrap_servers, acks="all", linger_ms=1)
    await producer.start()
    rng, sent, before = random.Random(2), 0, await handled(service.engine)
    try:
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            for _ in range(int(elapsed * rate) - sent):
                key, value = make_event(offset + sent, students, rng)
                await producer.send(service.kafka.topic(RESULTS.name), value=value, key=key)
                sent += 1
            await asyncio.sleep(0.005)
        await producer.flush()
        await service.wait_for(before + sent)
        return service.latencies
    finally:
        await producer.stop()


async def handled(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


async def bench(
    admin_url: str, bootstrap: str, n: int, students: int, batch: int, rate: int, seconds: int
) -> None:
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
        async with Service(engine, kafka, batch) as service:
            elapsed, latencies = await burst(service, events)
            calm = await steady(service, rate, seconds, students, offset=n) if seconds > 0 else []
        raw = await time_raw(bootstrap, kafka.topic(RESULTS.name), n)  # the burst's 50,000 only
        async with engine.connect() as conn:
            flags = (
                await conn.execute(select(func.count()).select_from(inbox.metadata.tables["flags"]))
            ).scalar_one()
        p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
        if seconds > 0:
            print(
                f"steady {rate} results/s for {seconds}s through Kafka: flag latency"
                f" p50 {percentile(calm, 0.5) * 1000:.0f} ms, p99 {percentile(calm, 0.99) * 1000:.0f} ms"
                f" ({len(calm)} flag changes)"
            )
        print(
            f"events={n} students={students} batch={batch} burst_flag_changes={len(latencies)} flag_rows_after_both_phases={flags}"
        )
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
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--steady-rate", type=int, default=500, help="results/s of the steady phase")
    parser.add_argument("--steady-seconds", type=int, default=20, help="0 skips the steady phase")
    args = parser.parse_args()
    async with infrastructure() as (admin_url, bootstrap):
        await bench(
            admin_url,
            bootstrap,
            args.events,
            args.students,
            args.batch,
            args.steady_rate,
            args.steady_seconds,
        )


if __name__ == "__main__":
    asyncio.run(main())
