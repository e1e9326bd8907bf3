"""Idempotent consumers: each message's effects and its inbox row commit together, then the offset.

Happy path: a whole fetched batch of one partition runs in one transaction (fast). If any handler
fails, that transaction rolls back and the batch is replayed one message per transaction, each tried
`max_attempts` times; a message that still fails goes to the consumer group's dead-letter topic with
the error in its headers, and the partition moves on. Offsets are committed only after the database
commit, so a crash redelivers and the inbox turns the redelivery into a no-op.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from prometheus_client import Counter, Gauge, Histogram
from pydantic import ValidationError
from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

from plc_shared.events import CloudEvent, parse_event
from plc_shared.kafka import ensure_topics, make_producer
from plc_shared.settings import KafkaSettings
from plc_shared.topics import Topic, dead_letter

logger = logging.getLogger(__name__)

MESSAGES = Counter("plc_consumer_messages_total", "Messages handled", ["consumer", "outcome"])
LAG = Gauge("plc_consumer_lag_messages", "Highwater minus position, per partition", ["consumer", "partition"])
EVENT_AGE = Histogram(
    "plc_consumer_event_age_seconds",
    "Time from the event's `time` to its handling committed",
    ["consumer"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


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
    )


@dataclass(frozen=True)
class Consumer:
    """A handler subscribed to topics. `name` is the consumer group (shared by a service's replicas)."""

    name: str
    topics: tuple[Topic, ...]
    handler: Handler
    # Types this handler understands; other types on the topic are acknowledged and skipped.
    event_types: frozenset[str] | None = None


@dataclass
class _Parsed:
    record: ConsumerRecord
    event: CloudEvent | None = None
    error: str | None = None
    attempts: int = field(default=0)


class _Rebalance(ConsumerRebalanceListener):
    """Revocation waits for the batch in progress to commit, so no partition is handled by two owners."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self.lock = lock

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        async with self.lock:
            pass

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


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

    def stop(self) -> None:
        """Graceful shutdown: finish and commit the batch in progress, then leave the group."""
        self._stopping.set()

    async def run(self) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((KafkaError, OSError, DBAPIError)),
            wait=wait_exponential_jitter(multiplier=0.2, max=10),
            before_sleep=lambda s: logger.warning(
                "consumer %s retrying: %r", self.spec.name, s.outcome.exception() if s.outcome else None
            ),
        )
        async for attempt in retrying:
            with attempt:
                if not self._stopping.is_set():
                    await self._consume()

    async def _consume(self) -> None:
        await ensure_topics(self.kafka, (*self.spec.topics, dead_letter(self.spec.name)))
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.kafka.bootstrap_servers,
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_records,
        )
        consumer.subscribe(
            [self.kafka.topic(t.name) for t in self.spec.topics], listener=_Rebalance(self._lock)
        )
        producer = make_producer(self.kafka)
        try:
            await consumer.start()
            await producer.start()
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=200, max_records=self.max_records)
                for tp, records in batches.items():
                    async with self._lock:
                        if tp in consumer.assignment():
                            await self._handle_partition(consumer, producer, tp, records)
        finally:
            await producer.stop()
            await consumer.stop()

    async def _handle_partition(
        self, consumer: AIOKafkaConsumer, producer, tp: TopicPartition, records: Sequence[ConsumerRecord]
    ) -> None:
        parsed = [self._parse(r) for r in records]
        if not await self._apply_batch(parsed):
            await self._apply_one_by_one(parsed)
        dead = [p for p in parsed if p.error is not None]
        for p in dead:
            await self._dead_letter(producer, p)
        try:
            await consumer.commit({tp: records[-1].offset + 1})
        except (CommitFailedError, IllegalStateError):
            # Rebalanced away: the new owner redelivers and the inbox makes that a no-op.
            logger.info("offset commit for %s skipped after rebalance", tp)
        highwater = consumer.highwater(tp)
        if highwater is not None:
            LAG.labels(self.spec.name, str(tp.partition)).set(max(highwater - records[-1].offset - 1, 0))

    def _parse(self, record: ConsumerRecord) -> _Parsed:
        try:
            return _Parsed(record, event=parse_event(record.value))
        except (ValidationError, ValueError, TypeError) as exc:
            return _Parsed(record, error=f"unreadable CloudEvent: {exc}")

    async def _apply_batch(self, parsed: list[_Parsed]) -> bool:
        """All messages in one transaction. False if any handler failed (nothing is kept then)."""
        todo = [p for p in parsed if p.event is not None]
        if not todo:
            return True
        try:
            async with self.sessionmaker() as session, session.begin():
                fresh = await self._claim(session, todo)
                for p in fresh:
                    await self._handle(session, p)
            self._count(parsed, fresh)
            return True
        except Exception as exc:  # a handler failed: replay the batch message by message to isolate it
            if _is_infrastructure(exc):
                raise
            return False

    async def _apply_one_by_one(self, parsed: list[_Parsed]) -> None:
        for p in parsed:
            if p.event is None:
                continue
            while True:
                p.attempts += 1
                try:
                    async with self.sessionmaker() as session, session.begin():
                        fresh = await self._claim(session, [p])
                        for item in fresh:
                            await self._handle(session, item)
                    self._count([p], fresh)
                    break
                except Exception as exc:  # any handler failure counts toward dead-lettering
                    if _is_infrastructure(exc):
                        raise
                    if p.attempts >= self.max_attempts:
                        p.error = "".join(traceback.format_exception_only(exc)).strip()
                        logger.exception("dead-lettering %s after %d attempts", p.event.id, p.attempts)
                        break
                    await asyncio.sleep(0.05 * 2**p.attempts)

    async def _claim(self, session: AsyncSession, items: list[_Parsed]) -> list[_Parsed]:
        """Record the events in the inbox; return those not seen before (in order, first of duplicates)."""
        rows, seen = [], set()
        for p in items:
            if p.event.id not in seen:
                seen.add(p.event.id)
                rows.append(
                    {
                        "consumer": self.spec.name,
                        "event_id": p.event.id,
                        "event_type": p.event.type,
                        "topic": p.record.topic,
                        "partition": p.record.partition,
                        "offset": p.record.offset,
                    }
                )
        stmt = insert(self.inbox).values(rows).on_conflict_do_nothing().returning(self.inbox.c.event_id)
        new_ids = set((await session.execute(stmt)).scalars())
        fresh = []
        for p in items:
            if p.event.id in new_ids:
                new_ids.discard(p.event.id)
                fresh.append(p)
        return fresh

    async def _handle(self, session: AsyncSession, p: _Parsed) -> None:
        types = self.spec.event_types
        if types is None or p.event.type in types:
            await self.spec.handler(session, p.event)

    def _count(self, parsed: list[_Parsed], fresh: list[_Parsed]) -> None:
        handled = len(fresh)
        MESSAGES.labels(self.spec.name, "handled").inc(handled)
        MESSAGES.labels(self.spec.name, "duplicate").inc(sum(p.event is not None for p in parsed) - handled)
        now = datetime.now(UTC)
        age = EVENT_AGE.labels(self.spec.name)
        for p in fresh:
            age.observe(max((now - p.event.time).total_seconds(), 0.0))

    async def _dead_letter(self, producer, p: _Parsed) -> None:
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


def _is_infrastructure(exc: BaseException) -> bool:
    """The database or network is away: retry the whole batch later (no offset commit), never dead-letter."""
    if isinstance(exc, (OperationalError, InterfaceError, OSError, asyncio.TimeoutError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
