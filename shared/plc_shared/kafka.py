"""Kafka plumbing shared by the relay, the consumers and `plc topics`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

import aiokafka.client
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import CloseReason
from aiokafka.consumer.group_coordinator import GroupCoordinator
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.protocol.group import LeaveGroupRequest
from aiokafka.protocol.metadata import MetadataRequest
from aiokafka.protocol.produce import ProduceRequest

from plc_shared.settings import KafkaSettings
from plc_shared.topics import Topic

logger = logging.getLogger(__name__)


class _NoAutoCreate(MetadataRequest):
    """Metadata requests that never ask the broker to create a topic (Kafka's `allow_auto_topic_creation`).

    aiokafka always asks (v4+) and offers no option: a producer sending to a broker that lost its topics
    would re-create them with the broker's defaults (4 partitions on Tansu; the catalog says 12 or 6).
    Topics are created only by `ensure_topics`, with the catalog's partitions; a send to a missing topic
    fails (UnknownTopicOrPartition) and the relay retries after creating the topics."""

    def __init__(self, topics: list[str] | None = None, allow_auto_topic_creation: bool | None = None):
        super().__init__(topics, allow_auto_topic_creation=False)


aiokafka.client.MetadataRequest = _NoAutoCreate  # every client of every PLC process (see the class)


async def _maybe_leave_group(self: GroupCoordinator) -> None:
    """aiokafka's GroupCoordinator._maybe_leave_group, leaving from generation 0 too.

    aiokafka sends LeaveGroup only when `generation > 0` (Apache Kafka's first generation is 1); Tansu's
    first generation is 0, so a consumer that stopped (a broker change, a restart, a replica scaled down)
    stayed in its group until its session timed out, and the member that replaced it waited for it: its
    SyncGroup was held and answered "rebalance in progress" (seen: 13 s). -1 is aiokafka's "no generation"."""
    if self.generation >= 0 and self._group_instance_id is None:
        try:
            await self._send_req(LeaveGroupRequest(self.group_id, self.member_id))
        except KafkaError as err:  # a minimal effort, as aiokafka's
            logger.info("LeaveGroup request failed: %r", err)
    self.reset_generation()


GroupCoordinator._maybe_leave_group = _maybe_leave_group


class BrokerLost(KafkaError):
    """A producer of `make_producer(one_broker=True)` lost its connection to the broker: it sends nothing more."""

    retriable = False  # aiokafka fails the batch at once instead of retrying it until it expires


def make_producer(settings: KafkaSettings, *, one_broker: bool = False, **overrides) -> AIOKafkaProducer:
    """acks=all always; idempotence as configured (Apache Kafka: on; the local Tansu broker rejects it).

    `one_broker`: once a connection of this producer broke (the broker died, or a request timed out), every
    send still pending fails with `BrokerLost` instead of being retried. aiokafka would retry it on the same
    address, and after a broker restart that is another broker: its batches, queued for the old one, went out
    the moment some other process had created the topic there, while Tansu was still resetting the new
    partitions' watermarks (storage `dynostore.rs` `create_topic` makes a topic visible first), and the next
    batch overwrote them - acknowledged events missing from the new log (fault scenario e). The owner makes a
    new producer, which creates or waits for the topics before it sends (the outbox relay does)."""
    options = dict(
        **settings.client_options(),
        acks="all",
        enable_idempotence=settings.enable_idempotence,
        request_timeout_ms=settings.request_timeout_ms,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    options.update(overrides)
    producer = AIOKafkaProducer(**options)
    if one_broker:
        _send_to_one_broker(producer)
    return producer


def _send_to_one_broker(producer: AIOKafkaProducer) -> None:
    client = producer.client
    lost: list[CloseReason] = []
    closed, send = (
        client._on_connection_closed,
        client.send,
    )  # aiokafka passes it to every connection it opens

    def on_connection_closed(conn, reason: CloseReason) -> None:
        if reason in (CloseReason.CONNECTION_BROKEN, CloseReason.CONNECTION_TIMEOUT) and not lost:
            logger.warning("producer's connection to the broker lost (%s): pending sends fail", reason.name)
            lost.append(reason)
        closed(conn, reason)

    async def send_unless_lost(node_id, request, **kwargs):
        if lost and isinstance(request, ProduceRequest):
            raise BrokerLost(f"the producer's connection to the broker was lost ({lost[0].name})")
        return await send(node_id, request, **kwargs)

    client._on_connection_closed, client.send = on_connection_closed, send_unless_lost


def make_consumer(settings: KafkaSettings, **overrides) -> AIOKafkaConsumer:
    """A consumer on the configured brokers that commits nothing by itself (callers decide where offsets go)."""
    options = dict(
        **settings.client_options(),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
    )
    options.update(overrides)
    return AIOKafkaConsumer(**options)


async def ensure_topics(settings: KafkaSettings, topics: Iterable[Topic]) -> list[str]:
    """Create the topics that do not exist yet (with their configured partitions); return the created names."""
    admin = AIOKafkaAdminClient(**settings.client_options(), request_timeout_ms=settings.request_timeout_ms)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = {settings.topic(t.name): t for t in topics}
        missing = [
            NewTopic(
                name,
                num_partitions=settings.partitions.get(t.name, t.partitions),
                replication_factor=settings.replication_factor,
            )
            for name, t in wanted.items()
            if name not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                # Tansu resets a new topic's partitions after it becomes visible: give the creator that
                # moment before anyone here produces (see outbox.NEW_BROKER_SETTLE_S).
                logger.info("topics were created concurrently")
                await asyncio.sleep(0.5)
            await _touch(settings, {t.name: t.num_partitions for t in missing})
        return [t.name for t in missing]
    finally:
        await admin.close()


async def _touch(settings: KafkaSettings, partitions: dict[str, int]) -> None:
    """Ask for the offsets of every partition of topics just created, before anyone produces to them: the
    in-memory broker (Tansu) set up a partition's log on the first request for it, and a produce racing a
    consumer's offset request for the same fresh partition lost records (seen in the fault suite)."""
    consumer = make_consumer(settings, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(name, p) for name, count in partitions.items() for p in range(count)]
        await consumer.beginning_offsets(tps)
        await consumer.end_offsets(tps)
    except KafkaError as exc:  # a broker that does not know them yet: nothing to race with either
        logger.info("new topics' offsets not read: %r", exc)
    finally:
        await consumer.stop()


async def topic_drift(settings: KafkaSettings, topics: Iterable[Topic]) -> dict[str, tuple[int, int | None]]:
    """Topics whose partition count on the broker is not the configured one: name -> (wanted, actual or None
    when the topic is missing)."""
    admin = AIOKafkaAdminClient(**settings.client_options(), request_timeout_ms=settings.request_timeout_ms)
    await admin.start()
    try:
        wanted = {settings.topic(t.name): settings.partitions.get(t.name, t.partitions) for t in topics}
        existing = set(await admin.list_topics())
        present = [name for name in wanted if name in existing]
        described = await admin.describe_topics(present) if present else []
        actual = {d["topic"]: len(d["partitions"]) for d in described}
        return {
            name: (count, actual.get(name)) for name, count in wanted.items() if actual.get(name) != count
        }
    finally:
        await admin.close()


async def cluster_id(admin: AIOKafkaAdminClient) -> str:
    """The broker's cluster id (Metadata v2+). A broker that lost everything comes back with another one: the
    local Tansu broker gets a fresh id at every start (`infra.Tansu`), since it keeps its data in memory."""
    return (await admin.describe_cluster())["cluster_id"] or ""


class BrokerWatch:
    """Which broker incarnation this process talks to. Offsets, positions and "already published" all belong
    to one incarnation: when the cluster id changes, whoever holds them must start over (consumers from the
    earliest record of the new logs, the outbox relay by re-publishing what it retains).

    `async with BrokerWatch(settings) as watch:` reads the id; `await watch.changed()` asks again at most
    every `every_s` and says whether it differs from the one known (then `cluster_id` is the new one).
    A broker that does not answer counts as unchanged: the one that comes back is asked."""

    def __init__(self, settings: KafkaSettings, every_s: float = 1.0) -> None:
        self.settings, self.every_s = settings, every_s
        self.cluster_id = ""
        self._checked_at = 0.0
        self.reachable = True  # the last check got an answer
        self.last_error = ""
        # When `changed()` last said True: the monotonic time of the check before, the last moment the old
        # broker (or no broker) answered. Whatever happened after it happened on the new broker.
        self.changed_after = 0.0

    async def __aenter__(self) -> BrokerWatch:
        s = self.settings
        self._admin = AIOKafkaAdminClient(**s.client_options(), request_timeout_ms=s.request_timeout_ms)
        await self._admin.start()
        try:
            self.cluster_id = await cluster_id(self._admin)
        except BaseException:
            await self._admin.close()
            raise
        self._checked_at = time.monotonic()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._admin.close()

    async def missing(self, names: Iterable[str]) -> set[str]:
        """Which of the topics `names` (full names) this broker does not have; none if it does not answer."""
        try:
            existing = set(
                await asyncio.wait_for(self._admin.list_topics(), timeout=max(self.every_s * 2, 1.0))
            )
        except (KafkaError, TimeoutError, OSError) as exc:
            logger.info("topics not listed: %r", exc)
            return set()
        return set(names) - existing

    async def changed(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at < self.every_s:
            return False
        try:
            current = await asyncio.wait_for(cluster_id(self._admin), timeout=max(self.every_s * 2, 1.0))
            self.reachable = True
        except (KafkaError, TimeoutError, OSError) as exc:  # away for now: a broker that comes back answers
            if self.reachable:
                logger.info("broker identity not checked: %r", exc)
            self.reachable, self.last_error = False, f"broker unreachable: {type(exc).__name__}: {exc}"
            current = self.cluster_id
        before, self._checked_at = self._checked_at, time.monotonic()
        if current != self.cluster_id:
            logger.warning("the broker changed: cluster id %r, was %r", current, self.cluster_id)
            self.cluster_id, self.changed_after = current, before
            return True
        return False
