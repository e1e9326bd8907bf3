"""Outbox relay throughput against a raw aiokafka producer, side by side in one run.

    uv run python bench/outbox.py [--events 50000] [--rounds 2]

Uses PLC_BENCH_POSTGRES_URL (else PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded one) and
KAFKA_BOOTSTRAP_SERVERS (else a Tansu broker it starts). The relay side is the real code path: committed
outbox rows claimed in batches with FOR UPDATE SKIP LOCKED, sent with acks=all, deleted after the acks.
The raw side sends the same payloads with the same keys through one producer with the same settings and
waits for every ack. Last line: relay_per_s=<n> raw_per_s=<n> ratio=<relay/raw>.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid

from plc_shared import infra
from plc_shared.db import create_engine
from plc_shared.events import CloudEvent
from plc_shared.kafka import ensure_topics, make_producer
from plc_shared.outbox import OutboxRelay
from plc_shared.settings import KafkaSettings
from plc_shared.testing import SAMPLES, SampleRecorded, sample_metadata, sample_outbox
from prometheus_client import REGISTRY
from sqlalchemy import func, insert, select


def make_rows(n: int) -> list[dict]:
    """Events shaped like result events: ~5,000 students, a few hundred bytes each."""
    rows = []
    for i in range(n):
        event = SampleRecorded(sample_key=f"student-{i % 5000:05d}", seq=i)
        envelope = CloudEvent.wrap(event)
        envelope.data["padding"] = "x" * 250  # result events carry per-standard scores
        rows.append(
            {
                "event_id": envelope.id,
                "topic": event.topic,
                "key": event.key(),
                "event_type": event.type,
                "payload": envelope.to_bytes(),
                "traceparent": None,
            }
        )
    return rows


async def fill_outbox(engine, rows: list[dict]) -> None:
    async with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            await conn.execute(insert(sample_outbox.table), rows[start : start + 5000])


async def time_relay(engine, kafka: KafkaSettings, batch_size: int, rows: list[dict]) -> float:
    """The relay's real loop (leader lock, pipelined claim/send/ack/delete), running as in a service.

    The relay is already up and idle, as it is in a running service; the clock starts when the 50,000 rows
    are committed and stops when the broker has acknowledged the last of them.
    """
    service = f"bench-{uuid.uuid4().hex[:6]}"
    relay = OutboxRelay(
        engine=engine, table=sample_outbox.table, kafka=kafka, service=service, batch_size=batch_size
    )
    task = asyncio.create_task(relay.run())
    try:
        while REGISTRY.get_sample_value("plc_outbox_relay_leader", {"service": service}) != 1:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)  # the producer has started; the relay polls an empty outbox
        await fill_outbox(engine, rows)
        started = time.perf_counter()
        while (REGISTRY.get_sample_value("plc_outbox_published_total", {"service": service}) or 0) < len(
            rows
        ):
            if task.done():
                task.result()
            await asyncio.sleep(0.002)
        elapsed = time.perf_counter() - started
    finally:
        relay.stop()
        await task
    async with engine.connect() as conn:
        left = (await conn.execute(select(func.count()).select_from(sample_outbox.table))).scalar_one()
    assert left == 0, f"{left} rows left in the outbox"
    return elapsed


async def time_raw(kafka: KafkaSettings, rows: list[dict]) -> float:
    producer = make_producer(kafka)
    await producer.start()
    topic = kafka.topic(SAMPLES.name)
    try:
        started = time.perf_counter()
        futures = [await producer.send(topic, value=r["payload"], key=r["key"].encode()) for r in rows]
        for future in futures:  # awaiting in order is cheaper than gather() (most are done when reached)
            await future
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def bench(admin_url: str, bootstrap: str, events: int, rounds: int, batch_size: int) -> None:
    name = f"plc_bench_{uuid.uuid4().hex[:6]}"
    await infra.create_database(admin_url, name)
    engine = create_engine(infra.url_with_database(admin_url, name), pool_size=2)
    kafka = KafkaSettings(
        bootstrap_servers=bootstrap,
        topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
        enable_idempotence=os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "false") == "true",
    )
    try:
        async with engine.begin() as conn:
            await conn.run_sync(sample_metadata.create_all)
        await ensure_topics(kafka, [SAMPLES])
        rows = make_rows(events)
        relay_rates, raw_rates = [], []
        for round_ in range(1, rounds + 1):
            raw = await time_raw(kafka, rows)
            relay = await time_relay(engine, kafka, batch_size, rows)
            raw_rates.append(events / raw)
            relay_rates.append(events / relay)
            print(
                f"round {round_}: relay {events / relay:,.0f}/s ({relay:.2f}s)  raw {events / raw:,.0f}/s ({raw:.2f}s)"
            )
            rows = [{**r, "event_id": uuid.uuid4()} for r in rows]
        relay_best, raw_best = max(relay_rates), max(raw_rates)
        print(f"events={events} batch_size={batch_size} rounds={rounds} (best round of each)")
        print(f"relay_per_s={relay_best:.0f} raw_per_s={raw_best:.0f} ratio={relay_best / raw_best:.2f}")
    finally:
        await engine.dispose()
        await infra.drop_database(admin_url, name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=2_000)
    args = parser.parse_args()
    async with infra.Infrastructure() as (admin_url, bootstrap):
        await bench(admin_url, bootstrap, args.events, args.rounds, args.batch_size)


if __name__ == "__main__":
    asyncio.run(main())
