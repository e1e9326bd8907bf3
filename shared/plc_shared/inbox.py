"""Idempotent consumers: each message's effects and its inbox row commit together, then the offset.

Happy path: everything one fetch returned (several partitions) runs in ONE transaction, through the
consumer's `handler` (one event at a time) or its `batch_handler` (all the fetch's new events at once, for
set-based SQL). Per-batch costs (the inbox insert, a commit, an offset commit) are paid once per fetch, which
keeps latency low at a trickle and throughput high in a burst. If a handler fails, that transaction rolls
back and the fetch is replayed one message per transaction, each tried `max_attempts` times; a message that
still fails goes to the consumer group's dead-letter topic with the error in its headers, and the consumer
moves on. Offsets are committed only after the database commit, so a crash redelivers and the inbox turns
the redelivery into a no-op.

Offsets belong to one broker incarnation. A consumer that sees the broker's cluster id change (a broker that
lost everything: `kafka.BrokerWatch`) drops what it fetched, leaves, and rejoins reading the new logs from
their earliest record; a partition whose committed offset lies beyond its log's end (a topic re-created, or
offsets committed into a new broker before anyone noticed) is read from its earliest record too. The outbox
relays re-publish what they retain on a new broker, and the inbox turns every copy seen before into a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError
from prometheus_client import Counter, Gauge, Histogram
from pydantic import ValidationError
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, Table, Text, Uuid, func, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plc_shared.db import TextColumns, is_connection_error
from plc_shared.events import CloudEvent
from plc_shared.events.envelope import EventParser
from plc_shared.kafka import BrokerWatch, ensure_topics, make_producer
from plc_shared.observability import Health
from plc_shared.settings import KafkaSettings
from plc_shared.topics import Topic, dead_letter

logger = logging.getLogger(__name__)

WATCH_EVERY_S = 0.25  # how often a consumer asks the broker for its cluster id (a new one: start over)
DB_RETRY_MAX_S = 0.5  # the longest wait between two tries of a batch while the database is away

MESSAGES = Counter("plc_consumer_messages_total", "Messages handled", ["consumer", "outcome"])
LAG = Gauge("plc_consumer_lag_messages", "Highwater minus position, per partition", ["consumer", "partition"])
EVENT_AGE = Histogram(
    "plc_consumer_event_age_seconds",
    "Time from the event's `time` to its handling committed",
    ["consumer"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, Sequence[CloudEvent]], Awaitable[None]]
AfterCommit = Callable[[AsyncSession, Sequence[CloudEvent]], None]


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", Text, nullable=False),
        Column("topic", Text, nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index("ix_inbox_processed_at", "processed_at"),  # pruning after the retention (outbox.Retention)
    )


@dataclass(frozen=True)
class Consumer:
    """A handler subscribed to topics. `name` is the consumer group (shared by a service's replicas).

    Give `handler` (called once per new event) or `batch_handler` (called once per fetch with its new
    events, in partition order); both run in the transaction that records the events in the inbox.
    """

    name: str
    topics: tuple[Topic, ...]
    handler: Handler | None = None
    # Types this handler understands; other types on the topic are acknowledged and skipped.
    event_types: frozenset[str] | None = None
    batch_handler: BatchHandler | None = None
    # Called after each commit with the session (its `info` holds what the handler left there) and the
    # events it committed: metrics of the handler's effects, for example.
    after_commit: AfterCommit | None = None

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.batch_handler is None):
            raise TypeError(f"consumer {self.name!r} needs exactly one of handler and batch_handler")

    async def handle(self, session: AsyncSession, events: Sequence[CloudEvent]) -> None:
        wanted = [e for e in events if self.event_types is None or e.type in self.event_types]
        if not wanted:
            return
        if self.batch_handler is not None:
            await self.batch_handler(session, wanted)
        else:
            for event in wanted:
                await self.handler(session, event)


@dataclass
class Parsed:
    record: ConsumerRecord
    event: CloudEvent | None = None
    error: str | None = None
    attempts: int = field(default=0)
    fresh: bool = False  # first sighting: its effects were committed


class Rebalance(ConsumerRebalanceListener):
    """Revocation waits for the batch in progress to commit, so no partition is handled by two owners.
    `runner.assignment` follows what the group gave this member."""

    def __init__(self, runner: ConsumerRunner, consumer: AIOKafkaConsumer) -> None:
        self.runner, self.consumer = runner, consumer

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        async with self.runner._lock:
            self.runner.assignment = frozenset()
            self.runner._joined = False
            self.runner._epoch += 1  # what was fetched before is not committed (see _consume)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        await self.runner._start_positions(self.consumer, assigned)
        self.runner.assignment = frozenset(assigned)
        self.runner._joined, self.runner._assigned_at = True, time.monotonic()


class ConsumerRunner:
    def __init__(
        self,
        consumer: Consumer,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        inbox: Table,
        kafka: KafkaSettings,
        max_attempts: int = 3,
        max_records: int = 1_000,
    ) -> None:
        self.spec, self.sessionmaker, self.inbox, self.kafka = consumer, sessionmaker, inbox, kafka
        self.max_attempts, self.max_records = max_attempts, max_records
        self.group = kafka.topic(consumer.name)
        self.dead_letter_topic = kafka.topic(dead_letter(consumer.name).name)
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        # Set while the consumer is in its group with partitions assigned (joining takes seconds: the
        # broker waits for other members), cleared when it leaves or loses its connection.
        self.consuming = asyncio.Event()
        self.assignment: frozenset[TopicPartition] = frozenset()  # the partitions this member owns
        self._parse_event = EventParser(consumer.event_types)
        self.health = Health(f"consumer {consumer.name}")  # readiness: app.py checks it
        self.cluster_id: str | None = None  # the broker incarnation this consumer last read from
        self._from_earliest = False  # the broker changed: read every assigned partition from its start
        # Bumped at each revocation and broker change: a fetch that started in an older epoch may hold
        # records of positions reset since (or of the old broker); it is dropped, never committed.
        self._epoch = 0
        self._joined = False  # a member of its group with an assignment (possibly empty) right now
        self._assigned_at = 0.0  # monotonic time of the last assignment

    def stop(self) -> None:
        """Graceful shutdown: finish and commit the batch in progress, then leave the group."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stopped.

        The Kafka consumer is kept whatever happens around it, so it never has to join its group again
        from scratch (on Tansu a join takes half a session timeout, and a replaced member lingers): the
        database away → the batch in hand is retried every half second at most until it commits (readiness
        says so meanwhile); the broker away → aiokafka reconnects by itself; a new broker (its cluster id
        changed) → the member rejoins (its heartbeat is refused) and every partition is read from its
        start. Any other failure is logged and retried with back-off (at most 1 s): the consumer leaves its
        group and rejoins; offsets not committed are delivered again (the inbox makes that a no-op)."""
        async for attempt in self.health.retry_forever():
            with attempt:
                while not self._stopping.is_set():
                    async with BrokerWatch(self.kafka, every_s=WATCH_EVERY_S) as watch:
                        if self.cluster_id not in (None, watch.cluster_id):
                            self._from_earliest = True
                        self.cluster_id = watch.cluster_id
                        await self._consume(watch)  # returns when stopped

    async def _consume(self, watch: BrokerWatch) -> None:
        await ensure_topics(self.kafka, (*self.spec.topics, dead_letter(self.spec.name)))
        consumer = AIOKafkaConsumer(
            **self.kafka.client_options(),
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_records,
            fetch_max_wait_ms=self.kafka.consumer_fetch_max_wait_ms,
            session_timeout_ms=self.kafka.consumer_session_timeout_ms,
            heartbeat_interval_ms=self.kafka.consumer_heartbeat_interval_ms,
        )
        listener = Rebalance(self, consumer)
        consumer.subscribe([self.kafka.topic(t.name) for t in self.spec.topics], listener=listener)
        producer = make_producer(self.kafka)
        prefetch = None
        try:
            # start() returns once the group has assigned this member its partitions, which can take a
            # session timeout when a crashed member is still in the group: a stop meanwhile ends it at once.
            if not await self._unless_stopped(consumer.start()):
                return
            await producer.start()
            self.consuming.set()
            prefetch = asyncio.create_task(self._fetch(consumer))
            while not self._stopping.is_set():
                epoch, batches = await prefetch
                if await watch.changed():  # what was fetched and where we are belong to the old broker
                    await self._on_new_broker(consumer, watch)
                elif not watch.reachable:
                    self.health.failing(watch.last_error)
                async with self._lock:
                    owned = {
                        tp: items for tp, items in batches.items() if items and tp in consumer.assignment()
                    }
                    if owned and epoch != self._epoch:  # fetched before a rebalance or a broker change
                        await self._rewind(consumer, list(owned))
                        owned = {}
                # The next fetch (and parse) runs while this one waits on the database: CPU and database
                # overlap. Nothing is committed out of order: offsets are committed here, one fetch at a time.
                prefetch = asyncio.create_task(self._fetch(consumer))
                async with self._lock:
                    if owned and epoch == self._epoch:
                        await self._handle_fetch(consumer, producer, owned)
                        self._from_earliest = False  # read and committed on the new broker
                if self._joined and watch.reachable:
                    self.health.recovered()  # in its group on a broker that answers, its batch committed
        finally:
            joined = self.consuming.is_set()
            self.consuming.clear()
            self.assignment = frozenset()
            if prefetch is not None:
                prefetch.cancel()
                await asyncio.gather(prefetch, return_exceptions=True)
            await producer.stop()
            if joined:
                await consumer.stop()  # leaves the group: its partitions move on at once
            else:  # a join still in flight holds nothing to commit or hand over: do not wait for it
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(consumer.stop(), timeout=1.0)
            # A rebalance that was under way when it stopped may have assigned partitions meanwhile (the
            # listener runs during the stop): a stopped member owns none.
            self.assignment, self._joined = frozenset(), False

    async def _on_new_broker(self, consumer: AIOKafkaConsumer, watch: BrokerWatch) -> None:
        """The broker is another incarnation: nothing fetched so far is committed, every assigned partition
        is read from its start, the topics are created if this broker lacks them. The member rejoins by
        itself (the new broker refuses its heartbeat); readiness waits for that, unless it already happened
        on the new broker."""
        self.health.failing(
            f"a new broker (cluster id {watch.cluster_id}): rejoining, reading from the start"
        )
        self.cluster_id, self._from_earliest = watch.cluster_id, True
        self._epoch += 1
        if self._assigned_at <= watch.changed_after:
            self._joined = False
        await ensure_topics(self.kafka, (*self.spec.topics, dead_letter(self.spec.name)))
        assigned = list(consumer.assignment())
        if assigned:
            await consumer.seek_to_beginning(*assigned)

    async def _rewind(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        """Read `partitions` again from their committed offsets (a fetch was dropped)."""
        assigned = consumer.assignment()
        await self._start_positions(consumer, [tp for tp in partitions if tp in assigned], rewind=True)

    async def _start_positions(
        self, consumer: AIOKafkaConsumer, assigned: list[TopicPartition], *, rewind: bool = False
    ) -> None:
        """Where to read newly assigned partitions: from the earliest record after a broker change or when
        the committed offset lies beyond the log's end (it was committed on another broker); else from the
        committed offset (aiokafka's default; `rewind` seeks there explicitly)."""
        if not assigned:
            return
        if self._from_earliest:
            logger.warning(
                "consumer %s reads %d partitions from their start (new broker)", self.group, len(assigned)
            )
            await consumer.seek_to_beginning(*assigned)
            return
        ends = await consumer.end_offsets(list(assigned))
        for tp in assigned:
            committed = await consumer.committed(tp)
            if committed is not None and committed > ends[tp]:
                logger.warning(
                    "consumer %s: committed offset %d of %s lies beyond the log's end %d; reading from its start",
                    self.group, committed, tp, ends[tp],
                )  # fmt: skip
                await consumer.seek_to_beginning(tp)
            elif rewind and committed is None:
                await consumer.seek_to_beginning(tp)
            elif rewind:
                consumer.seek(tp, committed)

    async def _unless_stopped(self, awaitable: Awaitable[object]) -> bool:
        """Await `awaitable` unless stop() comes first (then it is cancelled): True if it completed."""
        work, stopping = asyncio.ensure_future(awaitable), asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not work.done():
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
            return False
        work.result()
        return True

    async def _fetch(self, consumer: AIOKafkaConsumer) -> tuple[int, dict[TopicPartition, list[Parsed]]]:
        epoch = self._epoch
        batches = await consumer.getmany(timeout_ms=200, max_records=self.max_records)
        parsed = {}
        for tp, records in batches.items():
            parsed[tp] = items = []
            for start in range(0, len(records), 500):
                items += [self._parse(r) for r in records[start : start + 500]]
                await asyncio.sleep(0)  # let the batch in progress go on between slices
        return epoch, parsed

    async def _handle_fetch(
        self, consumer: AIOKafkaConsumer, producer, owned: dict[TopicPartition, list[Parsed]]
    ) -> None:
        parsed = [p for items in owned.values() for p in items]
        await self._apply_until_done(parsed)
        dead = [p for p in parsed if p.error is not None]
        for p in dead:
            await self._dead_letter(producer, p)
        try:
            await consumer.commit({tp: items[-1].record.offset + 1 for tp, items in owned.items()})
        except (CommitFailedError, IllegalStateError):
            # Rebalanced away: the new owner redelivers and the inbox makes that a no-op.
            logger.info("offset commit skipped after a rebalance; the new owner redelivers (inbox no-ops)")
        for tp, items in owned.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                behind = max(highwater - items[-1].record.offset - 1, 0)
                LAG.labels(self.spec.name, str(tp.partition)).set(behind)

    async def _apply_until_done(self, parsed: list[Parsed]) -> None:
        """Apply the fetch; while the database is away, try again (every 0.5 s at most) without leaving the
        group, so the batch commits as soon as the database answers. A stop meanwhile raises."""
        for retry in itertools.count():
            try:
                if not await self._apply_batch(parsed):
                    await self._apply_one_by_one(parsed)
                return
            except Exception as exc:
                if not is_infrastructure(exc) or self._stopping.is_set():
                    raise
                self.health.failing(f"database unreachable: {type(exc).__name__}: {exc}")
                for p in parsed:
                    p.attempts = 0  # the database's absence is no handler failure
                await asyncio.sleep(min(0.05 * 2**retry, DB_RETRY_MAX_S))

    def _parse(self, record: ConsumerRecord) -> Parsed:
        try:
            return Parsed(record, event=self._parse_event(record.value))
        except (ValidationError, ValueError, TypeError) as exc:
            return Parsed(record, error=f"unreadable CloudEvent: {exc}")

    async def _apply_batch(self, parsed: list[Parsed]) -> bool:
        """All messages in one transaction. False if any handler failed (nothing is kept then)."""
        todo = [p for p in parsed if p.event is not None]
        if not todo:
            return True
        try:
            await self._apply(todo)
            self._count(parsed)
            return True
        except Exception as exc:  # a handler failed: replay the batch message by message to isolate it
            if is_infrastructure(exc):
                raise
            return False

    async def _apply_one_by_one(self, parsed: list[Parsed]) -> None:
        for p in parsed:
            if p.event is None:
                continue
            while True:
                p.attempts += 1
                try:
                    await self._apply([p])
                    self._count([p])
                    break
                except Exception as exc:  # any handler failure counts toward dead-lettering
                    if is_infrastructure(exc):
                        raise
                    if p.attempts >= self.max_attempts:
                        p.error = "".join(traceback.format_exception_only(exc)).strip()
                        logger.exception("dead-lettering %s after %d attempts", p.event.id, p.attempts)
                        break
                    await asyncio.sleep(0.05 * 2**p.attempts)

    async def _apply(self, items: list[Parsed]) -> None:
        """Claim the events in the inbox and hand the new ones to the consumer, in one transaction."""
        async with self.sessionmaker() as session:
            async with session.begin():
                fresh = await self._claim(session, items)
                await self.spec.handle(session, [p.event for p in fresh])
            for p in fresh:
                p.fresh = True
            if self.spec.after_commit is not None:
                try:
                    self.spec.after_commit(session, [p.event for p in fresh])
                except Exception:  # committed already: a failing hook must not replay the batch
                    logger.exception("after_commit hook of consumer %s failed", self.spec.name)

    async def _claim(self, session: AsyncSession, items: list[Parsed]) -> list[Parsed]:
        """Record the events in the inbox; return those not seen before (in order, first of duplicates).
        One INSERT ... SELECT FROM unnest(arrays): the same statement whatever the number of events (types
        and topics as one string each: TextColumns)."""
        first: dict = {}
        for p in items:
            first.setdefault(p.event.id, p)
        rows = list(first.values())
        names = TextColumns([p.event.type for p in rows], [p.record.topic for p in rows])
        claimed = await session.execute(
            text(
                f'INSERT INTO {self.inbox.name} (consumer, event_id, event_type, topic, partition, "offset")'
                f" SELECT :consumer, * FROM unnest(CAST(:ids AS uuid[]), {names.named_sql('n', 0)},"
                f" {names.named_sql('n', 1)}, CAST(:partitions AS int[]), CAST(:offsets AS bigint[]))"
                " ON CONFLICT DO NOTHING RETURNING event_id"
            ),
            {
                "consumer": self.spec.name,
                "ids": [p.event.id for p in rows],
                **names.named("n"),
                "partitions": [p.record.partition for p in rows],
                "offsets": [p.record.offset for p in rows],
            },
        )
        new_ids = set(claimed.scalars())
        return [p for p in rows if p.event.id in new_ids]

    def _count(self, parsed: list[Parsed]) -> None:
        fresh = [p for p in parsed if p.fresh]
        MESSAGES.labels(self.spec.name, "handled").inc(len(fresh))
        MESSAGES.labels(self.spec.name, "duplicate").inc(
            sum(p.event is not None for p in parsed) - len(fresh)
        )
        now = datetime.now(UTC)
        age = EVENT_AGE.labels(self.spec.name)
        for p in fresh:
            age.observe(max((now - p.event.time).total_seconds(), 0.0))

    async def _dead_letter(self, producer, p: Parsed) -> None:
        r = p.record
        headers = [
            *(r.headers or ()),
            ("dlq-error", p.error.encode()[:4000]),
            ("dlq-consumer", self.spec.name.encode()),
            ("dlq-original-topic", r.topic.encode()),
            ("dlq-original-partition", str(r.partition).encode()),
            ("dlq-original-offset", str(r.offset).encode()),
            ("dlq-failed-at", str(time.time()).encode()),
        ]
        await (await producer.send(self.dead_letter_topic, value=r.value, key=r.key, headers=headers))
        MESSAGES.labels(self.spec.name, "dead_lettered").inc()


def is_infrastructure(exc: BaseException) -> bool:
    """The database or network is away: retry the whole batch later (no offset commit), never dead-letter."""
    return is_connection_error(exc)
