"""The consumer side of `plc warehouse`: read every documented topic and load it into the store.

No consumer group: the sink assigns itself every partition of the documented topics and seeks to the offsets
stored in the DuckDB file (offset 0 for a partition it has never read; a broker that no longer holds it
resets to its earliest record). Offsets are never committed to Kafka, so the file alone says where the sink
is, and copying the file copies the position. One process per file (DuckDB locks it).

The stored offsets belong to one broker incarnation, whose cluster id is stored beside them: on another broker
(at the start, or noticed while running: `kafka.BrokerWatch`) they are forgotten and every partition is read
from its start; the services' outbox relays re-publish what they retain there, and events loaded already are
ignored by id.

`--once` drains: it stops when no record has arrived for `idle_s`. It does not ask for end offsets, because
the local broker (Tansu) answers them wrongly; on Apache Kafka the effect is the same.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from plc_shared import topics
from plc_shared.events import catalog
from plc_shared.kafka import BrokerWatch, make_consumer
from plc_shared.settings import KafkaSettings
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    stop_never,
    wait_exponential_jitter,
)

from plc_warehouse.store import Counts, Record, Store

logger = logging.getLogger(__name__)
MAX_RECORDS = 5_000  # per batch (one transaction)
IDLE_PROGRESS_EVERY_S = 60.0


@dataclass
class Options:
    path: Path
    once: bool = False
    idle_s: float = 3.0
    progress_every_s: float = 1.0
    reassign_every_s: float = 30.0  # continuous mode: pick up topics and partitions created after the start
    give_up_s: float = 60.0  # `once`: how long a broker that does not answer is waited for


class Progress:
    """A line on stderr per interval while events arrive (totals and the rate), one a minute while idle."""

    def __init__(self, out: TextIO, every_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.out, self.every_s, self.clock = out, every_s, clock
        self.total, self.started = Counts(), clock()
        self.last_at, self.last_read = self.started, 0

    def update(self, counts: Counts, *, force: bool = False) -> None:
        self.total.add(counts)
        now = self.clock()
        changed = self.total.read != self.last_read
        if force or (now - self.last_at >= (self.every_s if changed else IDLE_PROGRESS_EVERY_S)):
            rate = (self.total.read - self.last_read) / max(now - self.last_at, 1e-9)
            t = self.total
            print(
                f"warehouse: read {t.read} loaded {t.loaded} duplicates {t.duplicates} rejected {t.rejected}"
                f" ({rate:.0f}/s, {now - self.started:.1f}s)",
                file=self.out,
                flush=True,
            )
            self.last_at, self.last_read = now, t.read


async def run(options: Options, kafka: KafkaSettings, out: TextIO = sys.stderr) -> Counts:
    """Load until stopped (or drained, `once`). The broker away - at the start, or later - is waited for with
    back-off (at most 5 s between tries); `once` gives up after `Options.give_up_s` of it."""
    store = Store.open(options.path, catalog.schemas(catalog.DEFAULT_CATALOG_URL))
    progress = Progress(out, options.progress_every_s)

    def waiting(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        print(
            f"warehouse: the broker is away ({type(error).__name__}); trying again in {wait:.1f} s", file=out
        )

    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type((KafkaError, OSError)),
            wait=wait_exponential_jitter(initial=0.5, max=5.0),
            stop=stop_after_delay(options.give_up_s) if options.once else stop_never,
            before_sleep=waiting,
            reraise=True,
        ):
            with attempt:
                await _connected(options, kafka, store, progress, out)
    finally:
        store.close()
        progress.update(Counts(), force=True)
    return progress.total


async def _connected(options: Options, kafka: KafkaSettings, store: Store, progress: Progress, out) -> None:
    """One connection to the broker: the partitions assigned from the stored offsets, then consumed."""
    consumer = make_consumer(kafka, group_id=None, max_poll_records=MAX_RECORDS)
    try:
        await consumer.start()
        async with BrokerWatch(kafka) as watch:
            if store.follow_broker(watch.cluster_id):
                print(
                    "warehouse: another broker than last time: reading every partition from its start",
                    file=out,
                )
            assigned = await assign(consumer, store, kafka)
            print(
                f"warehouse: {options.path} ← {len(assigned)} partitions of {_names(kafka)}",
                file=out,
                flush=True,
            )
            await _consume(consumer, store, kafka, options, progress, assigned, watch)
    finally:
        await consumer.stop()


async def _consume(consumer, store, kafka, options, progress, assigned, watch: BrokerWatch) -> None:
    idle_since = reassigned_at = time.monotonic()
    while True:
        batches = await consumer.getmany(timeout_ms=500, max_records=MAX_RECORDS)
        now = time.monotonic()
        if await watch.changed():  # the batch and the positions belong to the old broker: drop them
            store.follow_broker(watch.cluster_id)
            print("warehouse: the broker changed: reading every partition from its start", file=sys.stderr)
            assigned = await assign(consumer, store, kafka)
            idle_since = reassigned_at = now
            continue
        if batches:
            records = [_record(r) for batch in batches.values() for r in batch]
            progress.update(await _write(store, records))
            idle_since = now
        else:
            progress.update(Counts())
            if options.once and now - idle_since >= options.idle_s:
                return
        if not options.once and now - reassigned_at >= options.reassign_every_s:
            assigned = await assign(consumer, store, kafka, assigned)
            reassigned_at = now


async def _write(store: Store, records: list[Record]) -> Counts:
    """DuckDB is synchronous: a batch is written in a thread, so the consumer keeps its connections. On
    cancellation (Ctrl-C) the transaction in flight ends (commit or rollback) before the file is closed."""
    write = asyncio.ensure_future(asyncio.to_thread(store.write, records))
    try:
        return await asyncio.shield(write)
    except asyncio.CancelledError:
        await asyncio.wait([write])
        raise


async def assign(
    consumer: AIOKafkaConsumer, store: Store, kafka: KafkaSettings, current: set | None = None
) -> set[TopicPartition]:
    """Every partition of the documented topics that exists, each at its stored next offset."""
    # aiokafka has no public call for the partitions of topics the client does not track yet.
    cluster = await consumer._client.fetch_all_metadata()
    wanted = {
        TopicPartition(name, p) for name in _names(kafka) for p in (cluster.partitions_for_topic(name) or ())
    }
    if current is not None and wanted == current:
        return current
    # Every batch read so far is committed in the store, so its offsets are exactly where to go on.
    consumer.assign(sorted(wanted))
    stored = store.offsets()
    for tp in wanted:
        consumer.seek(tp, stored.get((tp.topic, tp.partition), 0))
    return wanted


def _names(kafka: KafkaSettings) -> list[str]:
    return [kafka.topic(t.name) for t in topics.ALL]


def _record(r) -> Record:
    return Record(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers or ()))
