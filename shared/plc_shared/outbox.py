"""Transactional outbox: events are rows written in the caller's transaction; a relay publishes them.

The relay holds a PostgreSQL advisory lock on its own connection, so exactly one relay per database
publishes at a time (replicas wait as hot standbys): that single publisher, claiming rows in id order
and sending them through one producer (acks=all), keeps the order per key. Rows leave `outbox` only after
the broker acknowledged them; while the broker is away they wait and the relay backs off.

The outbox is the source of truth for events: acknowledged rows move to `outbox_sent` (same columns plus
`sent_at`), partitioned by day, and stay there for the retention (`<SERVICE>_OUTBOX_RETENTION_DAYS`, 7 by default);
old days are dropped whole, so keeping rows costs no deletes. `outbox_broker` holds the cluster id of the
broker they were sent to: a relay that finds another broker (one that lost everything comes back with a
new id) moves every retained row back into `outbox`, in id order, and so re-publishes it; consumers'
inboxes (pruned after the same retention) turn the copies they saw already into no-ops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka.errors import KafkaError, MessageSizeTooLargeError
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from plc_shared import topics
from plc_shared.db import driver
from plc_shared.events import CloudEvent, Event
from plc_shared.events.envelope import CONTENT_TYPE
from plc_shared.ids import new_id
from plc_shared.kafka import BrokerWatch, ensure_topics, make_producer
from plc_shared.observability import Health, current_traceparent
from plc_shared.settings import KafkaSettings

logger = logging.getLogger(__name__)

PUBLISHED = Counter("plc_outbox_published_total", "Outbox events acknowledged by the broker", ["service"])
FAILURES = Counter("plc_outbox_publish_failures_total", "Outbox publish rounds that failed", ["service"])
PENDING = Gauge("plc_outbox_pending", "Outbox rows not yet published", ["service"])
OLDEST_AGE = Gauge("plc_outbox_oldest_pending_age_seconds", "Age of the oldest unpublished row", ["service"])
REPUBLISHED = Counter(
    "plc_outbox_new_broker_total",
    "Times the relay found a new broker (or a topic re-created) and re-published what it retains",
    ["service"],
)
LEADER = Gauge("plc_outbox_relay_leader", "1 while this process is the database's active relay", ["service"])
DELAY = Histogram(
    "plc_outbox_publish_delay_seconds",
    "Time from the insert of the oldest row of each published batch to the broker's acknowledgement",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

# After a new broker, the relay waits this long before publishing. Every process creates the topics it finds
# missing, all at once after a broker restart, and Tansu (0.6.0, storage dynostore.rs `create_topic`) commits a
# new topic first and resets each partition's watermark after: a produce that got in between (the topic was
# visible, created by a consumer) had its watermark reset, the next batch got the same base offset and
# overwrote it - acknowledged events missing from the new broker's log (fault scenario e, 3-12 events).
NEW_BROKER_SETTLE_S = 1.0
TOPICS_CHECK_S = 1.0  # how often the relay looks whether a topic it published to was deleted
KEY_PARTITION_CACHE = 100_000  # keys whose partition the relay remembers per topic (then it starts over)

RELAY_LOCK_SQL = text("SELECT pg_try_advisory_lock(hashtextextended('plc.outbox.relay', 0))")

# Test-only fault hook (off unless this variable is set): a directory. When a file named after the service
# appears there, the relay removes it and ends its process (os._exit) right after the broker acknowledged a
# batch and before the rows are deleted - the one crash that makes the relay send events a second time
# (same event ids, so consumers dedupe them). The fault suite arms it once with `arm_exit_after_ack`.
FAULT_EXIT_AFTER_ACK_ENV = "PLC_FAULT_RELAY_EXIT_AFTER_ACK"
FAULT_EXIT_CODE = 86


def arm_exit_after_ack(directory: str | os.PathLike, service: str) -> None:
    """For tests: make `service`'s relay (started with FAULT_EXIT_AFTER_ACK_ENV=directory) exit once."""
    open(os.path.join(directory, service), "w").close()


def _exit_after_ack_if_armed(service: str) -> None:
    directory = os.environ.get(FAULT_EXIT_AFTER_ACK_ENV)
    if not directory:
        return
    try:
        os.unlink(os.path.join(directory, service))  # only one caller can remove it: the fault fires once
    except FileNotFoundError:
        return
    logger.warning("fault hook %s: exiting after the ack, before the delete", FAULT_EXIT_AFTER_ACK_ENV)
    logging.shutdown()
    os._exit(FAULT_EXIT_CODE)


def outbox_table(metadata: MetaData) -> Table:
    """The outbox, and beside it (same metadata) `outbox_sent` and `outbox_broker` (see the module doc)."""
    Table(
        "outbox_sent",
        metadata,
        Column("id", BigInteger, nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("traceparent", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        comment="published outbox rows, kept for the retention; one partition per day (UTC) of sent_at",
        postgresql_partition_by="RANGE (sent_at)",
    )
    Table(
        "outbox_broker",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("cluster_id", Text, nullable=False, comment="the broker outbox_sent was published to"),
        Column("seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
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


OUTBOX_COLUMNS = ("event_id", "topic", "key", "event_type", "payload", "traceparent")
COPY_FROM_ROWS = 100  # from this many rows on, COPY instead of INSERT


class Outbox:
    """The write side: `await outbox.add(session, event, ...)` inside the transaction that made the change."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def add(self, session: AsyncSession, *events: Event) -> list[uuid.UUID]:
        return await self.add_all(session, events)

    async def add_all(self, session: AsyncSession, events: Sequence[Event]) -> list[uuid.UUID]:
        """Write the events' rows (CloudEvents as sent) in the session's transaction; returns their ids."""
        rows = self.rows(events)
        await self.write(session, rows)
        return [row[0] for row in rows]

    @staticmethod
    def rows(events: Sequence[Event]) -> list[tuple]:
        """Outbox rows in OUTBOX_COLUMNS order, for callers that render or patch rows themselves."""
        traceparent, now = current_traceparent.get(), datetime.now(UTC)
        rows = []
        for event in events:
            event_id = new_id()
            payload = CloudEvent.encode(event, id=event_id, time=now)
            rows.append((event_id, event.topic, event.key(), event.type, payload, traceparent))
        return rows

    async def write(self, session: AsyncSession, rows: Sequence[tuple]) -> None:
        """Insert prepared rows (OUTBOX_COLUMNS order): COPY for many, one INSERT for a few."""
        if len(rows) >= COPY_FROM_ROWS:
            conn = await driver(session)
            await conn.copy_records_to_table(self.table.name, records=rows, columns=OUTBOX_COLUMNS)
        elif rows:
            await session.execute(
                insert(self.table), [dict(zip(OUTBOX_COLUMNS, r, strict=True)) for r in rows]
            )


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
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self.engine, self.table, self.kafka, self.service = engine, table, kafka, service
        self.batch_size, self.poll_interval_s, self.retention = batch_size, poll_interval_s, retention
        self.retained = Retention(table, retention)
        self._topics_ensured: set[str] = set()  # logical names known to exist on the current broker
        self._acked_on: str | None = None  # the broker (cluster id) this relay last published to
        # Logical topics it published to on that broker, and those found deleted there since (a topic deleted
        # and created again on the same cluster): their retained rows are published again (`_republish`).
        self._published: set[str] = set()
        self._deleted: set[str] = set()
        self._topics_checked_at = 0.0
        # Full topic name -> (its partition count, {key: partition}), `_send`.
        self._key_partitions: dict[str, tuple[int, dict[bytes, int]]] = {}
        self._stopping = asyncio.Event()
        self.leader = False
        self.health = Health(f"outbox relay for {service}")  # readiness: app.py checks it

    def stop(self) -> None:
        """Graceful shutdown: finish the batch in flight (so it is not sent twice), then return."""
        self._stopping.set()

    async def run(self) -> None:
        """Run until stopped or cancelled: lead when the lock is free, stand by while another replica leads.
        Any failure (broker away, database restarting, a connection cut, ...) is logged and retried with
        back-off: the relay never dies of an error, it reconnects and re-elects a leader by itself."""
        monitor = asyncio.create_task(self._monitor_lag(), name="outbox-lag")
        try:
            async for attempt in self.health.retry_forever():
                with attempt:
                    while not self._stopping.is_set():
                        await self._lead_when_possible()  # returns when stopped or when the broker changed
        finally:
            monitor.cancel()
            await asyncio.gather(monitor, return_exceptions=True)

    async def _lead_when_possible(self) -> None:
        async with self.engine.connect() as conn:
            try:
                while not await self._try_lock(conn):
                    self._set_leader(False)
                    self.health.recovered()  # the database answers; another replica is publishing
                    if await self._stopped_within(1.0):  # hot standby
                        return
                self._set_leader(True)
                await self._publish_forever(conn)
            finally:
                self._set_leader(False)
                # The lock belongs to the database session: close it rather than hand a locked
                # connection back to the pool (the next attempt, or another replica, must be able to lead).
                with contextlib.suppress(Exception):  # a connection that is already gone
                    await conn.invalidate()

    def _set_leader(self, leader: bool) -> None:
        if leader != self.leader:
            self.leader = leader
            logger.info("outbox relay for %s %s", self.service, "leads" if leader else "stands by")
        LEADER.labels(self.service).set(1 if leader else 0)

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

    async def _publish_forever(self, lock_conn: AsyncConnection) -> None:
        producer = make_producer(self.kafka, one_broker=True)
        async with self.engine.connect() as second, BrokerWatch(self.kafka) as watch:
            try:
                # Topics exactly as the catalog says, before anything is produced (a produce to a missing
                # topic would let the broker create it with its own defaults).
                wanted = {t.name: t for t in topics.catalog()} | {
                    n: topics.by_name(n) for n in self._published
                }
                created = await ensure_topics(self.kafka, wanted.values())
                self._topics_ensured = set(wanted)  # on this broker
                await producer.start()
                # The hot path talks to asyncpg directly (decoding 2,000 rows through the ORM layer per batch
                # costs more CPU than sending them); these two connections are used for nothing else.
                drivers = [(await c.get_raw_connection()).driver_connection for c in (lock_conn, second)]
                for conn in drivers:
                    # A relay commit lost in a PostgreSQL crash only means its rows are published again
                    # (consumers' inboxes make that a no-op): it need not wait for its WAL to reach disk,
                    # and moving rows to outbox_sent writes twice the WAL a delete did.
                    await conn.execute("SET synchronous_commit TO off")
                await self.retained.maintain(drivers[0])
                if await self.retained.follow_broker((drivers[0], drivers[1]), watch.cluster_id):
                    REPUBLISHED.labels(self.service).inc()
                if self._acked_on != watch.cluster_id:
                    if self._acked_on is not None:  # a new broker: let the others' topic creations finish
                        await asyncio.sleep(NEW_BROKER_SETTLE_S)
                    self._acked_on, self._published, self._deleted = watch.cluster_id, set(), set()
                else:  # the same broker: a topic it published to and that had to be created was deleted
                    prefix = len(self.kafka.topic_prefix)
                    self._deleted |= self._published & {name[prefix:] for name in created}
                if self._deleted:
                    await self._republish(drivers)
                await self._pipeline(producer, drivers, watch)
            finally:
                await _stop_quietly(producer)
                with contextlib.suppress(Exception):  # it may hold an open driver-level transaction
                    await second.invalidate()

    async def _pipeline(self, producer, connections: list[asyncpg.Connection], watch: BrokerWatch) -> None:
        """Publish batches back to back, in id order.

        Batch N+1 is claimed (on the other connection) while batch N waits for its acks, and is sent only
        once every row of N is acknowledged, so a failure never lets a later event of a key overtake an
        earlier one. N's rows move to outbox_sent as soon as they are all acknowledged, while N+1's claim
        completes and N+1 is built and sent (PostgreSQL moves rows while this process builds the batches).
        Returns when stopped, or when the broker changed (the batch in flight is released: it goes again, to
        the new broker).
        """
        claim_sql, delete_sql = self._statements()
        spare = list(connections)
        in_flight: _Batch | None = None
        while not (self._stopping.is_set() and in_flight is None):
            if await watch.changed() or await self._topics_deleted(watch):
                return
            if in_flight is None and self.retained.due():
                await self.retained.maintain(spare[-1])
            claiming = finishing = None
            if not self._stopping.is_set():
                claiming = asyncio.ensure_future(_Batch.claim(spare.pop(), claim_sql, self.batch_size))
            try:
                if in_flight is not None:
                    acked, error = await _acknowledged_prefix(in_flight.futures)
                    if error is not None:
                        FAILURES.labels(self.service).inc()
                        await in_flight.finish(delete_sql, acked)
                        self._observe(in_flight.rows[:acked])
                        raise error  # back off; the rows from the first failure on are retried in order
                    _exit_after_ack_if_armed(self.service)
                    finishing = asyncio.ensure_future(in_flight.finish(delete_sql, len(in_flight.rows)))
                    await asyncio.sleep(0)  # the move goes out before the CPU-bound building of N+1
                claimed = await claiming if claiming is not None else None
                if claimed is not None and claimed.rows:
                    claimed.futures = await self._send(producer, claimed.rows)
            except BaseException:
                if claiming is not None:
                    claiming.cancel()
                    await asyncio.gather(claiming, return_exceptions=True)
                raise
            finally:
                if finishing is not None:  # N was acknowledged whole: its move completes whatever happened
                    await finishing
            if in_flight is not None:
                self._observe(in_flight.rows)
                self.health.recovered()
                spare.append(in_flight.conn)
                in_flight = None
            if claimed is not None and claimed.rows:
                in_flight = claimed
            elif claimed is not None:  # nothing to publish: close the empty claim and wait a little
                await claimed.finish(delete_sql, 0)
                self.health.recovered()
                spare.append(claimed.conn)
                await self._stopped_within(self.poll_interval_s)

    async def _topics_deleted(self, watch: BrokerWatch) -> bool:
        """Every TOPICS_CHECK_S: whether a topic this relay published to on this broker is gone (deleted; it is
        created again and gets its retained events again, `_publish_forever`)."""
        if not self._published or time.monotonic() - self._topics_checked_at < TOPICS_CHECK_S:
            return False
        self._topics_checked_at = time.monotonic()
        prefix = len(self.kafka.topic_prefix)
        gone = {n[prefix:] for n in await watch.missing({self.kafka.topic(t) for t in self._published})}
        if gone:
            logger.warning("outbox: topics %s were deleted from the broker", sorted(gone))
            self._deleted |= gone
        return bool(gone)

    async def _republish(self, conns: Sequence[asyncpg.Connection]) -> None:
        """The retained rows of the topics found deleted go back into the outbox (published again, first)."""
        await asyncio.sleep(NEW_BROKER_SETTLE_S)  # the topics were just created, perhaps by another process
        names = sorted(self._deleted)
        moved = await self.retained.move_back((conns[0], conns[1]), "topic = ANY($1::text[])", names)
        logger.warning("outbox: topics %s were re-created: %d retained events published again", names, moved)
        REPUBLISHED.labels(self.service).inc()
        self._deleted = set()

    async def _send(self, producer, rows: Sequence[asyncpg.Record]) -> list[asyncio.Future]:
        """Send the rows in id order; returns one future per row (its record batch's: a batch is acknowledged
        or fails as a whole, `_acknowledged_prefix` takes the rows before the first failed one).

        The rows go as record batches built here, one chain per partition (aiokafka's `create_batch` and
        `send_batch`), not one `producer.send` each: that call looked the partitions up and hashed the key for
        every row, half of the relay's CPU (py-spy, bench/outbox.py). Each row goes to the partition the
        producer's partitioner gives its key (the same as `send` would), and each partition's rows stay in id
        order in its batches, which the producer sends one after the other."""
        names = {r["topic"] for r in rows}
        missing = names - self._topics_ensured
        if missing:  # no send ever creates a topic (plc_shared.kafka): whoever finds one missing creates it
            await ensure_topics(self.kafka, [topics.by_name(name) for name in missing])
            self._topics_ensured |= missing
        self._published |= names
        # Per topic: its full name, its partitions (sorted, as `send` hands them to the partitioner) and the
        # partition of each key seen (a pure function of the key and the partition count: cached).
        routes = {}
        for name in names:
            topic = self.kafka.topic(name)
            partitions = sorted(await producer.partitions_for(topic))
            cached = self._key_partitions.get(topic)
            if cached is None or cached[0] != len(partitions) or len(cached[1]) > KEY_PARTITION_CACHE:
                cached = self._key_partitions[topic] = (len(partitions), {})
            routes[name] = (topic, partitions, cached[1])
        partitioner, max_size = producer._partitioner, producer._max_request_size  # what `send` uses
        chains: dict[tuple[str, int], list] = {}  # (topic, partition) -> its batches, in order
        row_batch: list[tuple[tuple[str, int], int]] = []  # each row's batch: (topic, partition), index
        for r in rows:
            topic, partitions, partition_of = routes[r["topic"]]
            key = r["key"].encode()
            partition = partition_of.get(key)
            if partition is None:
                partition = partition_of[key] = partitioner(key, partitions, partitions)
            tp, payload, headers = (topic, partition), r["payload"], _headers(r["traceparent"])
            chain = chains.setdefault(tp, [])
            if not chain or chain[-1].append(timestamp=None, key=key, value=payload, headers=headers) is None:
                chain.append(producer.create_batch())  # the first, or the last is full
                chain[-1].append(timestamp=None, key=key, value=payload, headers=headers)
                if chain[-1].size() > max_size:  # as `send` refuses it (a new batch takes any one record)
                    raise MessageSizeTooLargeError(f"an outbox event of {chain[-1].size()} bytes")
            row_batch.append((tp, len(chain) - 1))
        # Closed batches go at once (no linger: nothing else goes into them). The first batch of every
        # partition first, then the second ones...: one request carries a batch of each partition.
        sent: dict[tuple[tuple[str, int], int], asyncio.Future] = {}
        for index in range(max(len(chain) for chain in chains.values())):
            for (topic, partition), chain in chains.items():
                if index < len(chain):
                    chain[index].close()
                    sent[(topic, partition), index] = await producer.send_batch(
                        chain[index], topic, partition=partition
                    )
        return [sent[b] for b in row_batch]

    def _statements(self) -> tuple[str, str]:
        table = self.table.name if self.table.schema is None else f"{self.table.schema}.{self.table.name}"
        claim = (
            f"SELECT id, topic, key, payload, traceparent, created_at FROM {table}"
            " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"
        )
        columns = "id, event_id, topic, key, event_type, payload, traceparent, created_at"
        move = (
            f"WITH sent AS (DELETE FROM {table} WHERE id = ANY($1::bigint[]) RETURNING {columns})"
            f" INSERT INTO {self.retained.sent} ({columns}) SELECT {columns} FROM sent"
        )
        return claim, move

    def _observe(self, rows: Sequence) -> None:
        if not rows:
            return
        PUBLISHED.labels(self.service).inc(len(rows))
        # One observation per batch, for its oldest row (the worst delay): per-row observations would cost
        # more CPU than publishing does.
        DELAY.labels(self.service).observe((datetime.now(UTC) - rows[0]["created_at"]).total_seconds())

    async def _monitor_lag(self, interval_s: float = 2.0) -> None:
        """Pending rows and the oldest one's age, from every replica and also while the broker is away."""
        while True:
            try:
                await self.update_lag()
            except Exception as exc:  # the database is away: keep trying, the figures must not freeze
                logger.warning("outbox lag metrics for %s not updated: %r", self.service, exc)
            await asyncio.sleep(interval_s)

    async def update_lag(self) -> None:
        """Counted from the oldest pending id on, through the primary key: the rows already sent lie below it,
        so the dead tuples they leave until VACUUM are not read. A plain count(*) scanned them all (heap and
        payloads): ~200 ms of PostgreSQL every 2 s per service while a district's results were loaded
        (bench/district.py, pg_stat_statements)."""
        t = self.table
        async with self.engine.connect() as conn:
            first = (await conn.execute(select(func.min(t.c.id)))).scalar()
            count, oldest = 0, None
            if first is not None:
                count, oldest = (
                    await conn.execute(select(func.count(), func.min(t.c.created_at)).where(t.c.id >= first))
                ).one()
        PENDING.labels(self.service).set(count)
        OLDEST_AGE.labels(self.service).set((datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0)


@dataclass
class _Batch:
    """Outbox rows claimed (locked) in an open transaction on `conn`, and their send futures."""

    conn: asyncpg.Connection
    transaction: asyncpg.transaction.Transaction
    rows: Sequence[asyncpg.Record]
    futures: list[asyncio.Future] = field(default_factory=list)

    @classmethod
    async def claim(cls, conn: asyncpg.Connection, sql: str, limit: int) -> _Batch:
        transaction = conn.transaction()
        await transaction.start()
        try:
            return cls(conn, transaction, await conn.fetch(sql, limit))
        except BaseException:
            await transaction.rollback()
            raise

    async def finish(self, delete_sql: str, acked: int) -> None:
        """Move the acknowledged rows to outbox_sent and commit; the rest of the claim is released for a retry."""
        if acked:
            await self.conn.execute(delete_sql, [r["id"] for r in self.rows[:acked]])
        await self.transaction.commit()


async def _acknowledged_prefix(futures: Sequence[asyncio.Future]) -> tuple[int, BaseException | None]:
    """How many leading sends the broker acknowledged, and the first failure. Rows after a failure stay in
    the outbox (some may have been delivered: at-least-once), so the order per key holds.

    Awaiting in order is much cheaper than `gather`: most futures are already done when reached."""
    for index, future in enumerate(futures):
        try:
            await future
        except KafkaError as exc:
            await asyncio.gather(*futures[index + 1 :], return_exceptions=True)
            return index, exc
    return len(futures), None


class Retention:
    """`outbox_sent`'s daily partitions (created ahead, dropped after the retention), the inbox pruned after
    the same retention (in batches), and the broker the retained rows were sent to. The active relay runs it."""

    EVERY_S = 3600.0
    AHEAD_DAYS = 2
    INBOX_BATCH = 5_000
    MOVE_CHUNK = 5_000  # rows moved back into the outbox per transaction (a new broker, a replay)

    def __init__(self, outbox: Table, retention: timedelta) -> None:
        self.outbox, self.retention = outbox.name, retention
        self.sent, self.broker = f"{outbox.name}_sent", f"{outbox.name}_broker"
        inbox = outbox.metadata.tables.get("inbox")
        self.inbox = inbox.name if inbox is not None else None
        self._done_at: float | None = None

    def due(self) -> bool:
        return self._done_at is None or time.monotonic() - self._done_at >= self.EVERY_S

    def partition(self, day: date) -> str:
        return f"{self.sent}_p{day:%Y%m%d}"

    async def maintain(self, conn: asyncpg.Connection) -> None:
        """Partitions from yesterday to AHEAD_DAYS ahead; older than the retention dropped; inbox pruned."""
        today = datetime.now(UTC).date()
        for offset in range(-1, self.AHEAD_DAYS + 1):
            day = today + timedelta(days=offset)
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.partition(day)} PARTITION OF {self.sent}"
                f" FOR VALUES FROM ('{day.isoformat()} 00:00+00') TO ('{(day + timedelta(days=1)).isoformat()} 00:00+00')"
            )
        cutoff = datetime.now(UTC) - self.retention
        existing = await conn.fetch(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = $1::regclass",
            self.sent,
        )
        for (name,) in existing:
            day = datetime.strptime(name.rsplit("_p", 1)[1], "%Y%m%d").replace(tzinfo=UTC)
            if day + timedelta(days=1) <= cutoff:  # every row in it is older than the retention
                await conn.execute(f"DROP TABLE IF EXISTS {name}")
                logger.info("outbox: dropped %s (older than the %s retention)", name, self.retention)
        if self.inbox is not None:
            while True:
                result = await conn.execute(
                    f"DELETE FROM {self.inbox} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {self.inbox}"
                    f" WHERE processed_at < $1 LIMIT {self.INBOX_BATCH}))",
                    cutoff,
                )
                if int(result.split()[-1]) < self.INBOX_BATCH:
                    break
        self._done_at = time.monotonic()

    async def follow_broker(
        self, conns: tuple[asyncpg.Connection, asyncpg.Connection], cluster_id: str, **move: Any
    ) -> int:
        """Record the broker the relay publishes to. When it is another one than the retained rows were sent
        to, move them all back into the outbox (their ids keep the order): they are published again. The
        move goes in chunks (`move_back`), and the new broker is recorded only once every row is back: a
        relay that dies half-way moves the rest when it starts again. Returns how many rows were moved back."""
        conn = conns[0]
        known = await conn.fetchval(f"SELECT cluster_id FROM {self.broker} WHERE id = 1")
        if known == cluster_id:
            return 0
        moved = 0 if known is None else await self.move_back(conns, "TRUE", **move)  # None: the first broker
        await conn.execute(
            f"INSERT INTO {self.broker} (id, cluster_id) VALUES (1, $1)"
            " ON CONFLICT (id) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, seen_at = now()",
            cluster_id,
        )
        if known is not None:
            logger.warning(
                "outbox: broker %r is not %r, the one the retained events were sent to: %d events re-published",
                cluster_id, known, moved,
            )  # fmt: skip
        return moved

    async def move_back(
        self,
        conns: tuple[asyncpg.Connection, asyncpg.Connection],
        where: str,
        *args: object,
        chunk: int | None = None,
        after_chunk: Callable[[int], object] | None = None,
    ) -> int:
        """Move the retained rows matching `where` back into the outbox (published again, in id order), in
        chunks of `chunk` rows in id order, each its own transaction: after 7 busy days the retained set is
        large, and one transaction would hold its locks and WAL for all of it. The first connection reads the
        rows' addresses through a cursor (one sort, in a snapshot), the second moves each chunk by address
        (no index on outbox_sent needed) and commits it. Rows already back in the outbox stay as they are
        (ON CONFLICT DO NOTHING). `after_chunk(moved so far)` is called after each commit (tests stop there
        as a crash would). Returns how many rows were moved."""
        reader, writer = conns
        chunk = chunk or self.MOVE_CHUNK
        columns = "id, event_id, topic, key, event_type, payload, traceparent, created_at"
        moved = 0
        async with reader.transaction(isolation="repeatable_read", readonly=True):
            cursor = await reader.cursor(
                f"SELECT tableoid::regclass::text AS part, ctid FROM {self.sent} WHERE {where} ORDER BY id",
                *args,
            )
            while rows := await cursor.fetch(chunk):
                parts: dict[str, list] = {}
                for r in rows:
                    parts.setdefault(r["part"], []).append(r["ctid"])
                async with writer.transaction():
                    for part, ctids in parts.items():
                        moved += await writer.fetchval(
                            f"WITH back AS (DELETE FROM {part} WHERE ctid = ANY($1::tid[]) RETURNING {columns}),"
                            f" moved AS (INSERT INTO {self.outbox} ({columns}) OVERRIDING SYSTEM VALUE"
                            f" SELECT {columns} FROM back ORDER BY id ON CONFLICT DO NOTHING RETURNING 1)"
                            " SELECT count(*) FROM moved",
                            ctids,
                        )
                if after_chunk is not None:
                    after_chunk(moved)
        return moved


_CONTENT_TYPE_HEADER = ("content-type", CONTENT_TYPE.encode())
_PLAIN_HEADERS = [_CONTENT_TYPE_HEADER]


def _headers(traceparent: str | None) -> list[tuple[str, bytes]]:
    if traceparent:
        return [_CONTENT_TYPE_HEADER, ("traceparent", traceparent.encode())]
    return _PLAIN_HEADERS


async def _stop_quietly(producer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), timeout=5)
    except (TimeoutError, KafkaError, OSError, OperationalError):
        logger.warning("producer did not stop cleanly", exc_info=True)
        # A stop cut short while flushing leaves aiokafka's sender task running: it would go on sending the
        # abandoned batches (a broker that came back, a new one) while the next producer sends the same rows
        # again. Two producers writing one partition at once is when the local broker (Tansu) gave records
        # overlapping offsets and acknowledged events went missing, so nothing of this one may reach a broker.
        with contextlib.suppress(Exception):
            await producer._sender.close()  # cancels the sender task (aiokafka has no public abort)
        with contextlib.suppress(Exception):
            await producer.client.close()


def upgrade_to_retained_outbox(op) -> None:
    """The migration every service runs (its Alembic revision calls this with `op`): outbox_sent, partitioned
    by day (the relay creates the partitions), outbox_broker, and the inbox index its pruning uses."""
    op.execute(
        "CREATE TABLE outbox_sent (id bigint NOT NULL, event_id uuid NOT NULL, topic text NOT NULL,"
        " key text NOT NULL, event_type text NOT NULL, payload bytea NOT NULL, traceparent text,"
        " created_at timestamptz NOT NULL, sent_at timestamptz NOT NULL DEFAULT now())"
        " PARTITION BY RANGE (sent_at)"
    )
    op.execute(
        "COMMENT ON TABLE outbox_sent IS"
        " 'published outbox rows, kept for the retention; one partition per day (UTC) of sent_at'"
    )
    op.execute(
        "CREATE TABLE outbox_broker (id integer PRIMARY KEY, cluster_id text NOT NULL,"
        " seen_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute("COMMENT ON COLUMN outbox_broker.cluster_id IS 'the broker outbox_sent was published to'")
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"])


def downgrade_from_retained_outbox(op) -> None:
    op.drop_index("ix_inbox_processed_at", table_name="inbox")
    op.drop_table("outbox_broker")
    op.execute("DROP TABLE outbox_sent")  # and its partitions
