"""Kafka plumbing on a real broker: topics are created only with the catalog's partitions, never by a send;
a broker that lost everything is told apart from the one a process knew."""

import asyncio
import signal
import uuid

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from plc_shared import infra
from plc_shared.kafka import BrokerLost, BrokerWatch, ensure_topics, make_consumer, make_producer
from plc_shared.settings import KafkaSettings
from plc_shared.testing import SAMPLES


async def test_a_send_to_a_missing_topic_fails_instead_of_creating_it(kafka_settings: KafkaSettings):
    """Issue 22: after a broker loss the relay's producer re-created topics with the broker's defaults
    (4 partitions on Tansu) before anyone created them with the catalog's (12 or 6)."""
    settings = kafka_settings.model_copy(update={"request_timeout_ms": 2_000})
    topic = f"{settings.topic_prefix}missing-{uuid.uuid4().hex[:6]}"
    producer = make_producer(settings)
    await producer.start()
    try:
        with pytest.raises((KafkaError, TimeoutError)):
            await asyncio.wait_for(producer.send_and_wait(topic, b"x"), timeout=10)
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        assert topic not in await admin.list_topics()
    finally:
        await admin.close()


async def test_a_restarted_in_memory_broker_has_another_cluster_id(kafka_settings: KafkaSettings):
    port = infra.free_port()
    settings = kafka_settings.model_copy(update={"bootstrap_servers": f"127.0.0.1:{port}"})
    with infra.Tansu(port=port):
        async with BrokerWatch(settings, every_s=0) as watch:
            first = watch.cluster_id
            assert first and not await watch.changed()
    with infra.Tansu(port=port):
        async with BrokerWatch(settings, every_s=0) as watch:
            assert watch.cluster_id not in ("", first)


async def _records(settings: KafkaSettings, topic: str) -> int:
    """Records readable from the start of `topic` (Tansu's end offsets are not to be trusted: read them)."""
    consumer = make_consumer(settings, group_id=None)
    await consumer.start()
    try:
        await consumer.topics()  # metadata, so that the topic's partitions are known
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        batches = await consumer.getmany(timeout_ms=1_500)
        return sum(len(records) for records in batches.values())
    finally:
        await consumer.stop()


@pytest.mark.parametrize("one_broker", [False, True], ids=["aiokafka-default", "one-broker"])
async def test_a_send_queued_for_a_dead_broker_never_reaches_its_successor(
    kafka_settings: KafkaSettings, one_broker: bool
):
    """Issue 22, fault scenario e: the broker is SIGKILLed while a send is pending and a new, empty one
    starts on the same address, where another process creates the topic. aiokafka retries the pending
    send there (the control case shows it), at the moment the topic appears - which Tansu makes visible
    before it resets its partitions (the race that lost acknowledged events). The relay's producer
    (`one_broker=True`) fails the pending send instead; its rows stay in the outbox for a new producer."""
    port = infra.free_port()
    settings = kafka_settings.model_copy(
        update={"bootstrap_servers": f"127.0.0.1:{port}", "topic_prefix": f"one{uuid.uuid4().hex[:6]}."}
    )
    topic = settings.topic(SAMPLES.name)
    broker = infra.Tansu(port=port)
    await broker.astart()
    producer = make_producer(settings, one_broker=one_broker)
    try:
        await ensure_topics(settings, [SAMPLES])
        await producer.start()
        await producer.send_and_wait(topic, b"before", key=b"k")
        broker._process.send_signal(signal.SIGKILL)
        broker._process.wait()
        pending = await producer.send(topic, b"queued for the dead broker", key=b"k")
        await asyncio.sleep(0.5)  # the producer tries, and finds its connection broken
        await asyncio.to_thread(broker.restart)
        await ensure_topics(settings, [SAMPLES])  # another process creates the topic on the new broker
        if one_broker:
            with pytest.raises(BrokerLost):
                await asyncio.wait_for(pending, timeout=10)
            assert await _records(settings, topic) == 0
        else:  # acknowledged by the new broker; whether it can be read back depends on that race
            assert (await asyncio.wait_for(pending, timeout=10)).offset >= 0
            print(
                f"\naiokafka's default: the queued send reached the new broker, {await _records(settings, topic)} readable"
            )
    finally:
        await producer.stop()
        broker.stop()
