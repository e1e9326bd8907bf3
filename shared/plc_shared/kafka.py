"""Kafka plumbing shared by the relay, the consumers and `plc topics`."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from plc_shared.settings import KafkaSettings
from plc_shared.topics import Topic

logger = logging.getLogger(__name__)


def make_producer(settings: KafkaSettings, **overrides) -> AIOKafkaProducer:
    """acks=all always; idempotence as configured (Apache Kafka: on; the local Tansu broker rejects it)."""
    options = dict(
        **settings.client_options(),
        acks="all",
        enable_idempotence=settings.enable_idempotence,
        request_timeout_ms=settings.request_timeout_ms,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    options.update(overrides)
    return AIOKafkaProducer(**options)


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
                logger.info("topics were created concurrently")
        return [t.name for t in missing]
    finally:
        await admin.close()
