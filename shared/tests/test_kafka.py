"""Kafka plumbing on a real broker: topics are created only with the catalog's partitions, never by a send;
a broker that lost everything is told apart from the one a process knew."""

import asyncio
import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from plc_shared import infra
from plc_shared.kafka import BrokerWatch, make_producer
from plc_shared.settings import KafkaSettings


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
