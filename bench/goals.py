"""Result events → goal progress, against a raw aiokafka consumer reading the same events, in one run.

    uv run python bench/goals.py [--events 50000] [--goals 200] [--students 5000] [--batch 5000] [--replicas 2]

Uses PLC_BENCH_POSTGRES_URL (else PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded one) and
KAFKA_BOOTSTRAP_SERVERS (else a Tansu broker it starts): plc_shared.infra.Infrastructure.

Setup (not timed): a migrated goals database; the roster (10 schools, `--students` students in grades 3-5,
30 classes) and 12 published assessments on 6 standards through the service's roster consumer handler; then
`--goals` school goals made and activated through the goals API (in process), spread over the schools and
measures (proficient on an assessment, proficient on a standard across assessments, average, growth from a
pre to a post assessment; school, grades or classes populations). Every result event touches at least one
active goal of its school.

The burst: `--events` ResultRecorded events (about 6 % of them corrections of an earlier result, 3 % voids)
built by a child process (the publisher, as the assessments relay is in production) and sent as pre-built
record batches when told to. The service side is the real code path: the goals results consumer (the shared
ConsumerRunner with results_consumer()'s batch handler: inbox, the results store, per-student entries, running
sums, progress points, throttled GoalProgressUpdated rows in the outbox; one transaction per fetch), as
`--replicas` processes (default 2, one per core here) in one consumer group as a deployment scales it, each on
uvloop, all in the group and idle when the burst starts. The clock starts when the
publisher is told to go and stops when every event is committed (after-commit reports; the inbox is checked
at the end). Latency of a result = its batch's commit time - max(the result's commit at the source (its
envelope time), burst start): a result's commit to its goals' progress update. The raw side is one aiokafka
consumer (no group) reading the same records from the beginning, after the burst.

Last line: events_per_s=<n> raw_per_s=<n> p99_ms=<n>

This file is named like the service's package: run as a script, its folder would come first on the import
path and `import goals` would find this file. So it runs itself again under `python -P` (safe path: the
script's folder is not prepended) before importing anything of the service.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and not sys.flags.safe_path:
    os.execv(sys.executable, [sys.executable, "-P", *sys.argv])  # noqa: S606 - this script, again

import argparse
import asyncio
import dataclasses
import random
import signal
import time
import uuid
from datetime import date, timedelta

import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from goals.config import Settings
from goals.consumers import handle_roster, results_consumer
from goals.main import create_app
from goals.models import Goal, inbox
from goals.testing import api, assessment, klass, result, school, student, voided
from plc_shared import infra
from plc_shared.app import tune_gc
from plc_shared.components import by_name
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events import CloudEvent
from plc_shared.inbox import ConsumerRunner
from plc_shared.kafka import ensure_topics
from plc_shared.migrate import upgrade_async
from plc_shared.settings import KafkaSettings
from plc_shared.topics import RESULTS
from sqlalchemy import func, select

DISTRICT, SCHOOLS = "bench-d", 10
ASSESSMENTS = {f"a{i:02d}": [f"std{i % 6}", f"std{(i + 1) % 6}"] for i in range(12)}
START, DEADLINE = date(2026, 9, 1), date(2027, 5, 28)


def roster(students: int) -> list:
    events = [school(DISTRICT, f"s{s}") for s in range(SCHOOLS)]
    events += [
        klass(DISTRICT, f"s{s}-c{c}", f"s{s}", str(3 + c % 3)) for s in range(SCHOOLS) for c in range(3)
    ]
    events += [student(DISTRICT, f"stu{n:05d}", f"s{n % SCHOOLS}", str(3 + n % 3)) for n in range(students)]
    return events + [assessment(DISTRICT, a, stds) for a, stds in ASSESSMENTS.items()]


def goal_bodies(count: int) -> list[tuple[str, dict]]:
    """`count` school goals over the schools, each school's covering every assessment (so every result
    touches a goal), with standards, averages, growth and narrower populations mixed in."""
    names, out = sorted(ASSESSMENTS), []
    for i in range(count):
        sid, k = f"s{i % SCHOOLS}", i // SCHOOLS
        a = names[k % len(names)]
        measure = [
            {"kind": "proficient", "assessment_id": a},
            {"kind": "average", "assessment_id": a},
            {"kind": "proficient", "standard_id": f"std{k % 6}"},
            {
                "kind": "growth",
                "pre_assessment_id": a,
                "post_assessment_id": names[(k + 1) % 12],
                "min_growth": 5,
            },
        ][(k // len(names)) % 4]
        population = [
            {"kind": "school"},
            {"kind": "grades", "grades": [str(3 + k % 3)]},
            {"kind": "classes", "class_ids": [f"{sid}-c{k % 3}"]},
        ][0 if k < len(names) else k % 3]
        body = {
            "title": f"Bench goal {i}", "measure": measure, "population": population, "target": 95.0,
            "baseline": {"value": 5.0}, "start": START.isoformat(), "deadline": DEADLINE.isoformat(),
        }  # fmt: skip
        out.append((sid, body))
    return out


def make_events(n: int, students: int, seed: int = 5) -> list[tuple[bytes, bytes]]:
    """n result events (recorded, ~6 % corrections of an earlier result, ~3 % voids), keyed by student."""
    rng, out, recent = random.Random(seed), [], []  # recent: the latest revision of results still open
    names, span = sorted(ASSESSMENTS), (DEADLINE - START).days
    while len(out) < n:
        roll = rng.random()
        if recent and roll < 0.06:
            i = rng.randrange(len(recent))
            old = recent[i]
            scores = {s.standard_id: float(rng.randint(30, 100)) for s in old.standards}
            event = result(
                DISTRICT, old.student_id, old.school_id, old.assessment_id, scores, on=old.assessed_on,
                classes=tuple(old.class_ids), result_id=old.result_id, revision=old.revision + 1, corrected=True,
            )  # fmt: skip
            recent[i] = event
        elif recent and roll < 0.09:
            i = rng.randrange(len(recent))
            recent[i], recent[-1] = recent[-1], recent[i]
            old = recent.pop()
            event = voided(old, old.revision + 1)
        else:
            k = rng.randrange(students)
            sid = f"s{k % SCHOOLS}"
            a = rng.choice(names)
            scores = {s: float(rng.randint(30, 100)) for s in ASSESSMENTS[a]}
            event = result(
                DISTRICT, f"stu{k:05d}", sid, a, scores, on=START + timedelta(days=rng.randrange(span)),
                classes=(f"{sid}-c{k % 3}",),
            )  # fmt: skip
            recent.append(event)
        out.append((event.key().encode(), CloudEvent.wrap(event).to_bytes()))
    return out


async def send_all(bootstrap: str, topic: str, events: list[tuple[bytes, bytes]]) -> None:
    """All events as pre-built record batches, partitioned by key as the default partitioner does."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_batch_size=256 * 1024)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        choose, by_partition, sends = DefaultPartitioner(), {}, []
        for key, value in events:
            by_partition.setdefault(choose(key, partitions, partitions), []).append((key, value))
        for partition, records in by_partition.items():
            batch = producer.create_batch()
            for key, value in records:
                if batch.append(key=key, value=value, timestamp=None) is None:
                    sends.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = producer.create_batch()
                    batch.append(key=key, value=value, timestamp=None)
            sends.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def publish(bootstrap: str, topic: str, n: int, students: int) -> None:
    """The publisher child: build the events, say ready, send them all when the parent says go."""
    events = make_events(n, students)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await send_all(bootstrap, topic, events)


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


async def setup(url: str, kafka: KafkaSettings, students: int, goals: int) -> None:
    engine = create_engine(url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await handle_roster(session, [CloudEvent.wrap(e) for e in roster(students)])
    finally:
        await engine.dispose()
    settings = Settings(database_url=url, kafka=kafka, log_level="WARNING", run_relay=False, run_consumers=False,
                        run_periodic=False)  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app), api(app, "district_admin", DISTRICT) as admin:
        for sid, body in goal_bodies(goals):
            made = await admin.post(f"/schools/{sid}/goals", json=body)
            activated = await admin.post(f"/goals/{made.json()['id']}/activate")
            if activated.status_code != 200:
                raise RuntimeError(f"goal not activated: {activated.text[:300]}")


def replicas_of(url: str, kafka: KafkaSettings, batch: int, count: int) -> infra.ConsumerReplicas:
    """The goals results consumer as `count` processes in one consumer group (replicas of a deployment), each
    this script with --replica: it reports its assignment and, after each commit, the source commit time of
    each event."""
    command = [sys.executable, __file__, "--replica", url, kafka.bootstrap_servers, kafka.topic_prefix]
    return infra.ConsumerReplicas([*command, "--batch", str(batch)], count, RESULTS.partitions)


async def replica(url: str, bootstrap: str, prefix: str, batch: int) -> None:
    """One consumer replica: the service's results consumer, its after-commit reported on stdout; SIGTERM
    stops it gracefully (the batch in progress commits)."""
    engine = create_engine(url, pool_size=4)
    kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=prefix, enable_idempotence=False)

    def committed(session, events) -> None:
        sent = " ".join(f"{e.time.timestamp():.6f}" for e in events)
        print(f"committed {len(events)} {time.time():.6f} {sent}", flush=True)

    spec = dataclasses.replace(results_consumer(), after_commit=committed)
    runner = ConsumerRunner(
        spec, sessionmaker=make_sessionmaker(engine), inbox=inbox, kafka=kafka, max_records=batch
    )
    tune_gc()  # as the service process does when it starts its consumers
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, runner.stop)
    task, reported = asyncio.create_task(runner.run()), None
    try:
        while not task.done():
            if runner.assignment != reported:
                reported = runner.assignment
                print(f"assigned {len(reported)}", flush=True)
            await asyncio.wait([task], timeout=0.05)
        task.result()
    finally:
        await engine.dispose()


async def burst(url: str, kafka: KafkaSettings, n: int, students: int, batch: int, replicas: int):
    """(elapsed seconds, latencies) of the burst: the clock runs from `go` to the last commit."""
    topic = kafka.topic(RESULTS.name)
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--publish-to", kafka.bootstrap_servers, topic, "--events", str(n),
        "--students", str(students), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with replicas_of(url, kafka, batch, replicas) as group:
            if await child.stdout.readline() != b"ready\n":
                raise RuntimeError(f"the publisher failed (exit {await child.wait()})")
            floor, started = time.time(), time.perf_counter()
            child.stdin.write(b"go\n")
            await child.stdin.drain()
            await group.wait_for(n)
            elapsed = time.perf_counter() - started
        engine = create_engine(url, pool_size=1)
        async with engine.connect() as conn:
            held = (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()
        await engine.dispose()
        if held != n:
            raise RuntimeError(f"{n} events committed but the inbox holds {held}")
        return elapsed, group.latencies(floor)
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


async def bench(
    admin_url: str, bootstrap: str, n: int, goals: int, students: int, batch: int, replicas: int
) -> None:
    name = f"plc_bench_goals_{uuid.uuid4().hex[:6]}"
    await infra.create_database(admin_url, name)
    url = infra.url_with_database(admin_url, name)
    kafka = KafkaSettings(
        bootstrap_servers=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.", enable_idempotence=False
    )
    try:
        await upgrade_async(by_name("goals"), url)
        await ensure_topics(kafka, [RESULTS])
        await setup(url, kafka, students, goals)
        elapsed, latencies = await burst(url, kafka, n, students, batch, replicas)
        raw = await time_raw(bootstrap, kafka.topic(RESULTS.name), n)
        engine = create_engine(url, pool_size=1)
        async with engine.connect() as conn:
            counted = await conn.execute(
                select(func.count(), func.sum(Goal.denominator)).where(Goal.status == "active")
            )
            active, students_counted = counted.one()
        await engine.dispose()
        print(f"events={n} active_goals={active} students={students} batch={batch} consumer_replicas={replicas}"
              f" students_counted_over_goals={students_counted}")  # fmt: skip
        print(f"goals service: {n / elapsed:,.0f} events/s ({elapsed:.2f}s, publish included)  raw consumer:"
              f" {n / raw:,.0f}/s  result commit → goal progress p50 {percentile(latencies, 0.5) * 1000:.0f} ms")  # fmt: skip
        print(
            f"events_per_s={n / elapsed:.0f} raw_per_s={n / raw:.0f} p99_ms={percentile(latencies, 0.99) * 1000:.0f}"
        )
    finally:
        await infra.drop_database(admin_url, name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--goals", type=int, default=200)
    parser.add_argument("--students", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument(
        "--replicas", type=int, default=2, help="consumer processes in the group (one per core)"
    )
    parser.add_argument("--replica", nargs=3, metavar=("URL", "BOOTSTRAP", "PREFIX"), help=argparse.SUPPRESS)
    parser.add_argument("--publish-to", nargs=2, metavar=("BOOTSTRAP", "TOPIC"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish_to:
        await publish(*args.publish_to, args.events, args.students)
        return
    if args.replica:
        await replica(*args.replica, args.batch)
        return
    async with infra.Infrastructure() as (admin_url, bootstrap):
        await bench(admin_url, bootstrap, args.events, args.goals, args.students, args.batch, args.replicas)


if __name__ == "__main__":
    uvloop.run(main())  # uvloop, as uvicorn runs the service (and so its consumers) when installed
