"""Transactional outbox: events are rows written in the caller's transaction; a relay publishes them.

The relay holds a PostgreSQL advisory lock on its own connection, so exactly one relay per database
publishes at a time (replicas wait as hot standbys): that single publisher, claiming rows in id order
and sending them through one producer (acks=all), keeps the order per key. Rows are deleted only after
the broker acknowledged them; while the broker is away they wait and the relay backs off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka.errors import KafkaError
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

from plc_shared.events import CloudEvent, Event
from plc_shared.events.envelope import CONTENT_TYPE
from plc_shared.kafka import make_producer
from plc_shared.observability import current_traceparent
from plc_shared.settings import KafkaSettings

logger = logging.getLogger(__name__)

PUBLISHED = Counter("plc_outbox_published_total", "Outbox events acknowledged by the broker", ["service"])
FAILURES = Counter("plc_outbox_publish_failures_total", "Outbox publish rounds that failed", ["service"])
PENDING = Gauge("plc_outbox_pending", "Outbox rows not yet published", ["service"])
OLDEST_AGE = Gauge("plc_outbox_oldest_pending_age_seconds", "Age of the oldest unpublished row", ["service"])
LEADER = Gauge("plc_outbox_relay_leader", "1 while this process is the database's active relay", ["service"])
DELAY = Histogram(
    "plc_outbox_publish_delay_seconds",
    "Time from the outbox row's insert to the broker's acknowledgement",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

RELAY_LOCK_SQL = text("SELECT pg_try_advisory_lock(hashtextextended('plc.outbox.relay', 0))")


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("topic", Text, nullable=False, comment="logical topic; the relay adds the deployment prefix"),
        Column("key", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False, comment="the CloudEvent, structured JSON, as sent"),
        Column("traceparent", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


class Outbox:
    """The write side: `await outbox.add(session, event, ...)` inside the transaction that made the change."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def add(self, session: AsyncSession, *events: Event) -> list[CloudEvent]:
        return await self.add_all(session, events)

    async def add_all(self, session: AsyncSession, events: Sequence[Event]) -> list[CloudEvent]:
        if not events:
            return []
        traceparent = current_traceparent.get()
        envelopes = [CloudEvent.wrap(event) for event in events]
        rows = [
            {
                "event_id": envelope.id,
                "topic": event.topic,
                "key": event.key(),
                "event_type": event.type,
                "payload": envelope.to_bytes(),
                "traceparent": traceparent,
            }
            for event, envelope in zip(events, envelopes, strict=True)
        ]
        await session.execute(insert(self.table), rows)
        return envelopes


class OutboxRelay:
    """Publishes committed outbox rows in id order; one active relay per database."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        table: Table,
        kafka: KafkaSettings,
        service: str,
        batch_size: int = 2_000,
        poll_interval_s: float = 0.05,
    ) -> None:
        self.engine, self.table, self.kafka, self.service = engine, table, kafka, service
        self.batch_size, self.poll_interval_s = batch_size, poll_interval_s
        self._stats_at = 0.0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Graceful shutdown: finish the batch in flight (so it is not sent twice), then return."""
        self._stopping.set()

    async def run(self) -> None:
        """Run until cancelled: lead when the lock is free, back off while the broker or database is away."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((KafkaError, OSError, DBAPIError, asyncio.TimeoutError)),
            wait=wait_exponential_jitter(multiplier=0.2, max=10),
            before_sleep=lambda state: logger.warning(
                "outbox relay for %s waiting for the broker/database: %r",
                self.service,
                state.outcome.exception() if state.outcome else None,
            ),
        )
        async for attempt in retrying:
            with attempt:
                if not self._stopping.is_set():
                    await self._lead_when_possible()

    async def _lead_when_possible(self) -> None:
        async with self.engine.connect() as conn:
            try:
                while not await self._try_lock(conn):
                    LEADER.labels(self.service).set(0)
                    if await self._stopped_within(1.0):  # hot standby: another replica is publishing
                        return
                LEADER.labels(self.service).set(1)
                await self._publish_forever(conn)
            finally:
                LEADER.labels(self.service).set(0)
                # The lock belongs to the database session: close it rather than hand a locked
                # connection back to the pool (the next attempt, or another replica, must be able to lead).
                await conn.invalidate()

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        return self._stopping.is_set()

    @staticmethod
    async def _try_lock(conn: AsyncConnection) -> bool:
        # Session-level lock: it lives as long as this connection, across the batch transactions below.
        locked = (await conn.execute(RELAY_LOCK_SQL)).scalar_one()
        await conn.commit()
        return bool(locked)

    async def _publish_forever(self, conn: AsyncConnection) -> None:
        producer = make_producer(self.kafka)
        try:
            await producer.start()
            while not self._stopping.is_set():
                published = await self.publish_batch(conn, producer)
                await self._update_lag(conn)
                if published < self.batch_size:
                    await self._stopped_within(self.poll_interval_s)
        finally:
            await _stop_quietly(producer)

    async def publish_batch(self, conn: AsyncConnection, producer) -> int:
        """Claim one batch, send it, wait for acks=all, delete what was acknowledged. Returns rows published."""
        t = self.table
        async with conn.begin():
            claim = (
                select(t.c.id, t.c.topic, t.c.key, t.c.payload, t.c.traceparent, t.c.created_at)
                .order_by(t.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = (await conn.execute(claim)).all()
            if not rows:
                return 0
            futures = [
                await producer.send(
                    self.kafka.topic(r.topic),
                    value=r.payload,
                    key=r.key.encode(),
                    headers=_headers(r.traceparent),
                )
                for r in rows
            ]
            outcomes = await asyncio.gather(*futures, return_exceptions=True)
            acked = _acknowledged_prefix(outcomes)
            if acked:
                await conn.execute(delete(t).where(t.c.id.in_([r.id for r in rows[:acked]])))
        self._observe(rows[:acked])
        if acked < len(rows):
            FAILURES.labels(self.service).inc()
            raise outcomes[acked]  # type: ignore[misc]  # back off; the rest is retried in order
        return acked

    def _observe(self, rows: Sequence) -> None:
        if not rows:
            return
        PUBLISHED.labels(self.service).inc(len(rows))
        now = datetime.now(UTC)
        delay = DELAY.labels(self.service)
        for row in rows:
            delay.observe((now - row.created_at).total_seconds())

    async def _update_lag(self, conn: AsyncConnection) -> None:
        if time.monotonic() - self._stats_at < 2.0:
            return
        self._stats_at = time.monotonic()
        async with conn.begin():
            count, oldest = (
                await conn.execute(select(func.count(), func.min(self.table.c.created_at)))
            ).one()
        PENDING.labels(self.service).set(count)
        OLDEST_AGE.labels(self.service).set((datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0)


def _acknowledged_prefix(outcomes: Sequence[object]) -> int:
    """How many leading sends succeeded: rows after the first failure stay, so order per key holds."""
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            return index
    return len(outcomes)


def _headers(traceparent: str | None) -> list[tuple[str, bytes]]:
    headers = [("content-type", CONTENT_TYPE.encode())]
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    return headers


async def _stop_quietly(producer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), timeout=5)
    except (TimeoutError, KafkaError, OSError, OperationalError):
        logger.warning("producer did not stop cleanly", exc_info=True)
