"""Result events → committed flags, against a raw aiokafka consumer reading the same events, in one run.

    uv run python bench/flags.py [--events 50000] [--students 10000] [--steady-rate 500] [--steady-seconds 60]

Uses PLC_BENCH_POSTGRES_URL (else PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded one) and
KAFKA_BOOTSTRAP_SERVERS (else a Tansu broker it starts). The service side is the real code path: the
interventions results consumer (the shared ConsumerRunner with results_consumer()'s batch handler: inbox,
set-based flag evaluation, outbox rows, one transaction per fetch) on a migrated database, run as --replicas
processes (default 2) in one consumer group, as a deployment scales it, each on uvloop as under uvicorn; all
are in the group and idle when the burst is published. The burst comes from a child process too: it builds
the events, then sends them all as pre-built record batches (partitioned by key like the default
partitioner) when told to; its CPU is on the same two cores, as light as it can be. The clock starts when it
is told and stops when every event is committed (counted from the replicas' after-commit reports; the inbox
is checked once at the end). Latency of a flag = its batch's commit time - max(result recorded_at, burst
start). The raw side is
one aiokafka consumer (no group) reading the same 50,000 records from the beginning.
Then (unless --steady-seconds 0) the steady phase, end to end through the real services: the assessments
service (assessments.main:create_app) and the interventions service (interventions.main:create_app) each run
as its own uvicorn process (CPU apart from this load generator, configured through KAFKA_*/ASSESSMENTS_*/
INTERVENTIONS_* environment as in production: own migrated database, same broker and a fresh topic prefix,
idempotence off for Tansu, the same default dev AuthSettings). A district is built through the assessments API
(assessments.testing.District: 300 students, and one published assessment per 300 results so that every
result is a new (student, assessment): the open support flags of an assessment's standard never resolve).
Results are POSTed one by one to /assessments/results at --steady-rate (default 500/s) for --steady-seconds
(default 60): the n-th is due at start + n/rate, at most 16 in flight; item scores put the first standard
below its cut in about a third of them (the second standard is always proficient, never mastered).
Latency of a below-cut result = when its flag is first seen through GET /interventions/v1/flags - when its
POST was sent. Visibility is polled by one background task, not per flag: every ~20 ms it lists the open
support flags (district_admin token, one request per standard that has a pending result: usually one or two
standards, at most 300 rows each) and stamps each pending (student, standard) the first time it is listed, so
the figure includes up to ~20 ms of polling granularity. Prints the achieved POST rate (and says so when the
machine does not sustain the asked rate) and `steady <rate> results/s through the assessments API for <s>s:
POST→visible flag p50 <x> ms, p99 <y> ms (<k> flags)`; processes are stopped with SIGTERM, databases dropped.
Last line: events_per_s=<n> p50_ms=<n> p99_ms=<n> raw_per_s=<n>.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from assessments.config import Settings as AssessmentsSettings
from assessments.testing import District
from interventions.consumers import LATENCIES, results_consumer
from interventions.models import inbox
from plc_shared import infra
from plc_shared.app import tune_gc
from plc_shared.auth import Role
from plc_shared.components import by_name
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events import CloudEvent
from plc_shared.events.assessments import ResultRecorded, StandardScore
from plc_shared.ids import new_id
from plc_shared.inbox import ConsumerRunner
from plc_shared.kafka import ensure_topics
from plc_shared.migrate import upgrade_async
from plc_shared.settings import KafkaSettings
from plc_shared.topics import RESULTS
from sqlalchemy import func, select

STEADY_STUDENTS = 300  # students per assessment in the steady phase: each flags list polled is that small
STEADY_IN_FLIGHT = 16  # concurrent POSTs at most


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
        result_id=new_id(),  # as the assessments service makes them
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
    return event.key().encode(), CloudEvent.wrap(event).to_bytes()  # district id/student id


async def send_all(bootstrap: str, topic: str, events: list[tuple[bytes, bytes]]) -> None:
    """All events at once, as pre-built record batches (the producer's per-message path costs more CPU than
    the consumer it is loading, on the same cores); partitions by key as the default partitioner does."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_batch_size=256 * 1024)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        choose = DefaultPartitioner()
        by_partition: dict[int, list[tuple[bytes, bytes]]] = {}
        for key, value in events:
            by_partition.setdefault(choose(key, partitions, partitions), []).append((key, value))
        sends = []
        for partition, records in by_partition.items():
            batch = producer.create_batch()
            for key, value in records:
                if batch.append(key=key, value=value, timestamp=None) is None:  # full: send, start another
                    sends.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = producer.create_batch()
                    batch.append(key=key, value=value, timestamp=None)
            sends.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*sends)
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


def replicas_of(url: str, kafka: KafkaSettings, batch: int, count: int) -> infra.ConsumerReplicas:
    """The interventions results consumer as `count` processes in one consumer group (a deployment scales it
    so: replicas with INTERVENTIONS_RUN_CONSUMERS), started once and kept running through both phases (a
    restart would make the broker wait for the old member's session to expire before the group rebalances).
    Each is this script with --replica (see `replica`): it reports its assignment and, after each commit, the
    events it committed and the recorded_at of each result that moved a flag."""
    command = [sys.executable, __file__, "--replica", url, kafka.bootstrap_servers, kafka.topic_prefix]
    return infra.ConsumerReplicas([*command, "--batch", str(batch)], count, RESULTS.partitions)


async def replica(url: str, bootstrap: str, prefix: str, batch: int) -> None:
    """One consumer replica (a child of replicas_of): the service's consumer, its after-commit hook wrapped to
    report on stdout; SIGTERM stops it gracefully (the batch in progress commits)."""
    engine = create_engine(url, pool_size=4)
    kafka = kafka_settings(bootstrap, prefix)

    service = results_consumer()

    def committed(session, events) -> None:
        service.after_commit(session, events)  # what the service does after each commit
        recorded = " ".join(f"{r.timestamp():.6f}" for r in session.info.get(LATENCIES, ()))
        print(f"committed {len(events)} {time.time():.6f} {recorded}", flush=True)

    spec = dataclasses.replace(service, after_commit=committed)
    runner = ConsumerRunner(
        spec, sessionmaker=make_sessionmaker(engine), inbox=inbox, kafka=kafka, max_records=batch
    )
    tune_gc()  # as the service process does when it starts its consumer
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, runner.stop)
    task = asyncio.create_task(runner.run())
    reported = None
    try:
        while not task.done():
            if runner.assignment != reported:
                reported = runner.assignment
                print(f"assigned {len(reported)}", flush=True)
            await asyncio.wait([task], timeout=0.05)
        task.result()
    finally:
        await engine.dispose()


async def burst(
    replicas: infra.ConsumerReplicas, kafka: KafkaSettings, engine, n: int, students: int
) -> tuple[float, list[float]]:
    """The producer is a child process too (as the assessments relay is in production); it builds the events
    first and sends them when told to, which starts the clock."""
    topic = kafka.topic(RESULTS.name)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--publish-to",
        kafka.bootstrap_servers,
        topic,
        "--events",
        str(n),
        "--students",
        str(students),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        if await child.stdout.readline() != b"ready\n":
            raise RuntimeError(f"the publisher failed (exit {await child.wait()})")
        replicas.reset()
        floor, started = time.time(), time.perf_counter()
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        await replicas.wait_for(n)
        if (held := await handled(engine)) != n:
            raise RuntimeError(f"{n} events committed but the inbox holds {held}")
        elapsed = time.perf_counter() - started
        if await child.wait() != 0:
            raise RuntimeError(f"the publisher exited with {child.returncode}")
        return elapsed, replicas.latencies(floor)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


async def publish(bootstrap: str, topic: str, n: int, students: int) -> None:
    """The child of burst(): build the events, say ready, send them all when the parent says go."""
    events = make_events(n, students)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await send_all(bootstrap, topic, [(k, v) for k, v in events])


class Process:
    """One service as its own uvicorn process (CPU apart from the load generator, as in production), configured
    through the environment the way `plc up` configures it; stopped with SIGTERM (graceful lifespan shutdown)."""

    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.port = infra.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app, self.env = app, {**os.environ, **env}

    async def __aenter__(self) -> Process:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            self.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
            env=self.env,
        )
        async with httpx.AsyncClient(base_url=self.url) as http:
            deadline = time.perf_counter() + 60
            while True:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"{self.app} exited with {self.proc.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/readyz")).status_code == 200:
                        return self
                if time.perf_counter() > deadline:
                    await self.__aexit__()
                    raise RuntimeError(f"{self.app} not ready after 60 s")
                await asyncio.sleep(0.2)

    async def __aexit__(self, *exc) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout=30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def steady_scores(rng: random.Random) -> tuple[dict[str, float], bool]:
    """Item scores of District.assessment(): standard 1 (Q1+Q2, cut 70 %) below the cut in about a third of
    the results, standard 2 (Q3, cut 80 %, mastery 95 %) always proficient and never mastered, so the only
    flags are support flags on standard 1."""
    below = rng.random() < 1 / 3
    points = rng.randint(2, 6) if below else rng.randint(7, 8)  # of 10; 7 is the cut, 9 mastery
    q1 = min(points, 5)
    return {"Q1": q1, "Q2": points - q1, "Q3": rng.choice((8, 9))}, below


async def steady_api(admin_url: str, bootstrap: str, rate: int, seconds: int) -> list[str]:
    """The end-to-end steady phase (see the module docstring); returns the lines to print."""
    tag = uuid.uuid4().hex[:6]
    names = {svc: f"plc_bench_flags_{svc}_{tag}" for svc in ("assessments", "interventions")}
    urls = {}
    for svc, name in names.items():
        await infra.create_database(admin_url, name)
        urls[svc] = infra.url_with_database(admin_url, name)
        await upgrade_async(by_name(svc), urls[svc])
    kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=f"bench{tag}.", enable_idempotence=False)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "KAFKA_ENABLE_IDEMPOTENCE": "false",
        "ASSESSMENTS_DATABASE_URL": urls["assessments"],
        "INTERVENTIONS_DATABASE_URL": urls["interventions"],
        "ASSESSMENTS_LOG_LEVEL": "WARNING",
        "INTERVENTIONS_LOG_LEVEL": "WARNING",
    }
    try:
        await ensure_topics(kafka, [RESULTS])
        async with (
            Process("assessments.main:create_app", env) as assessments,
            Process("interventions.main:create_app", env) as interventions,
        ):
            return await _steady(assessments.url, interventions.url, rate, seconds)
    finally:
        for name in names.values():
            await infra.drop_database(admin_url, name)


async def _steady(assessments_url: str, interventions_url: str, rate: int, seconds: int) -> list[str]:
    limits = httpx.Limits(max_connections=STEADY_IN_FLIGHT, max_keepalive_connections=STEADY_IN_FLIGHT)
    async with (
        httpx.AsyncClient(base_url=assessments_url, limits=limits, timeout=30) as api,
        httpx.AsyncClient(base_url=interventions_url, timeout=30) as flags_api,
    ):
        district = await District(api, AssessmentsSettings()).build(students_per_class=STEADY_STUDENTS // 2)
        total = rate * seconds
        count = total // STEADY_STUDENTS + 2  # one result per (student, assessment): never an update
        assessments = []
        for start in range(0, count, 4):
            assessments += await asyncio.gather(
                *(district.assessment() for _ in range(start, min(count, start + 4)))
            )
        admin = district.token(Role.DISTRICT_ADMIN)
        sis = district.sis
        rng = random.Random(3)
        pending: dict[tuple[str, str], float] = {}  # (student, standard 1) -> when its POST was sent
        latencies: list[float] = []
        errors: list[str] = []

        async def poll() -> None:
            """Every ~20 ms: the open support flags of each standard with a pending student (one request per
            standard, at most STEADY_STUDENTS rows); a pending flag is stamped the first time it is seen."""
            while True:
                standards = sorted({s for _, s in pending})
                replies = await asyncio.gather(
                    *(
                        flags_api.get(
                            "/interventions/v1/flags",
                            params={"standard_id": s, "kind": "support", "limit": 1000},
                            headers=admin,
                        )
                        for s in standards
                    )
                )
                seen = time.perf_counter()
                for reply in replies:
                    reply.raise_for_status()
                    for flag in reply.json():
                        sent = pending.pop((flag["student_id"], flag["standard_id"]), None)
                        if sent is not None:
                            latencies.append(seen - sent)
                await asyncio.sleep(0.02)

        async def post(i: int, track: bool) -> None:
            assessment = assessments[i // STEADY_STUDENTS]
            student = district.students[i % STEADY_STUDENTS]
            items, below = steady_scores(rng)
            body = {"assessment_id": assessment["id"], "student_id": student, "item_scores": items}
            sent = time.perf_counter()
            if below and track:
                pending[(student, assessment["standards"][0])] = sent
            try:
                reply = await api.post("/assessments/results", json=body, headers=sis)
                if reply.status_code != 201:
                    errors.append(f"{reply.status_code} {reply.text[:200]}")
            except httpx.HTTPError as error:
                errors.append(repr(error))
            finally:
                slots.release()

        slots = asyncio.Semaphore(STEADY_IN_FLIGHT)
        poller = asyncio.create_task(poll())
        try:
            # Warm-up (not measured): the first assessment's results until their flags show, so that the
            # consumer has joined its group and the relay and the connections are up.
            warm = [asyncio.create_task(post(i, False)) for i in range(50) if await slots.acquire()]
            await asyncio.gather(*warm)
            while not await _flag_count(flags_api, admin, assessments[0]["standards"][0]):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            await asyncio.sleep(1)
            offset = STEADY_STUDENTS  # measured results start with the second assessment
            tasks, late = [], 0
            started = time.perf_counter()
            end = started + seconds
            for n in range(total):  # the n-th POST is due at started + n / rate; none after `seconds`
                due = started + n / rate
                if (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                elif -wait > 0.05:
                    late += 1
                await slots.acquire()  # STEADY_IN_FLIGHT already waiting: the service is behind
                if time.perf_counter() >= end:
                    slots.release()
                    break
                tasks.append(asyncio.create_task(post(offset + n, True)))
            await asyncio.gather(*tasks)
            posted = time.perf_counter() - started
            deadline = time.perf_counter() + 30
            while pending and time.perf_counter() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
    achieved = len(tasks) / posted
    verdict = (
        "sustained"
        if achieved >= 0.98 * rate
        else f"NOT sustained: this machine managed {achieved:.0f}/s, so the flag figures are at that rate"
    )
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    return [
        f"steady posting: {len(tasks)} results in {posted:.1f}s = {achieved:.0f} results/s achieved of {rate}/s"
        f" ({verdict}; {late} sent >50 ms late, {len(errors)} errors, {len(pending)} flags never seen)"
        + (f"; first error: {errors[0]}" if errors else ""),
        f"steady {rate} results/s through the assessments API for {seconds}s: POST→visible flag"
        f" p50 {p50:.0f} ms, p99 {p99:.0f} ms ({len(latencies)} flags)",
    ]


async def _flag_count(http: httpx.AsyncClient, headers: dict, standard: str) -> int:
    reply = await http.get(
        "/interventions/v1/flags", params={"standard_id": standard, "limit": 1000}, headers=headers
    )
    reply.raise_for_status()
    return len(reply.json())


def kafka_settings(bootstrap: str, prefix: str) -> KafkaSettings:
    """Idempotent producers only when asked (the local Tansu broker rejects them)."""
    idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "false") == "true"
    return KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=prefix, enable_idempotence=idempotence)


async def handled(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


async def bench(
    admin_url: str,
    bootstrap: str,
    n: int,
    students: int,
    batch: int,
    replicas: int,
    rate: int,
    seconds: int,
) -> None:
    name = f"plc_bench_flags_{uuid.uuid4().hex[:6]}"
    await infra.create_database(admin_url, name)
    url = infra.url_with_database(admin_url, name)
    await upgrade_async(by_name("interventions"), url)
    engine = create_engine(url, pool_size=4)
    kafka = kafka_settings(bootstrap, f"bench{uuid.uuid4().hex[:6]}.")
    try:
        await ensure_topics(kafka, [RESULTS])
        async with replicas_of(url, kafka, batch, replicas) as group:
            elapsed, latencies = await burst(group, kafka, engine, n, students)
        raw = await time_raw(bootstrap, kafka.topic(RESULTS.name), n)  # the burst's 50,000 only
        calm = await steady_api(admin_url, bootstrap, rate, seconds) if seconds > 0 else []
        async with engine.connect() as conn:
            flags = (
                await conn.execute(select(func.count()).select_from(inbox.metadata.tables["flags"]))
            ).scalar_one()
        p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
        for line in calm:
            print(line)
        print(
            f"events={n} students={students} batch={batch} consumer_replicas={replicas} burst_flag_changes={len(latencies)} flag_rows_after_both_phases={flags}"
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
    parser.add_argument(
        "--replicas", type=int, default=2, help="consumer processes in the group (default: one per core here)"
    )
    parser.add_argument("--steady-rate", type=int, default=500, help="results/s of the steady phase")
    parser.add_argument("--steady-seconds", type=int, default=60, help="0 skips the steady phase")
    parser.add_argument("--publish-to", nargs=2, metavar=("BOOTSTRAP", "TOPIC"), help=argparse.SUPPRESS)
    parser.add_argument("--replica", nargs=3, metavar=("URL", "BOOTSTRAP", "PREFIX"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish_to:  # the burst's producer process
        await publish(*args.publish_to, args.events, args.students)
        return
    if args.replica:  # one consumer replica of the burst
        await replica(*args.replica, args.batch)
        return
    async with infra.Infrastructure() as (admin_url, bootstrap):
        await bench(
            admin_url,
            bootstrap,
            args.events,
            args.students,
            args.batch,
            args.replicas,
            args.steady_rate,
            args.steady_seconds,
        )


if __name__ == "__main__":
    # uvloop, as uvicorn runs the services (and so their consumers) when it is installed
    uvloop.run(main())
