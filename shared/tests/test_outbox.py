"""The outbox over real PostgreSQL and a real broker: commit → published; rollback → nothing; broker away →
writes succeed and everything arrives later; order per key; one active relay per database."""

import asyncio
import json
import uuid

import pytest
from plc_shared import infra
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events import parse_event
from plc_shared.outbox import COPY_FROM_ROWS, LEADER, OutboxRelay
from plc_shared.settings import KafkaSettings
from plc_shared.testing import (
    SAMPLES,
    SampleRecorded,
    TcpProxy,
    consume,
    engine_with_tables,
    eventually,
    sample_metadata,
    sample_outbox,
    samples_table,
    through,
)
from sqlalchemy import func, insert, select


@pytest.fixture
async def engine(create_database):
    url = await create_database(f"outbox_{uuid.uuid4().hex[:6]}")
    engine = await engine_with_tables(url, sample_metadata)
    yield engine
    await engine.dispose()


def relay_for(engine, kafka: KafkaSettings, **kwargs) -> OutboxRelay:
    return OutboxRelay(
        engine=engine,
        table=sample_outbox.table,
        kafka=kafka,
        service=f"test-{id(engine)}",
        poll_interval_s=0.02,
        **kwargs,
    )


async def write(engine, events: list[SampleRecorded], *, commit: bool = True) -> list[uuid.UUID]:
    """Write state and its events in one transaction, as a service does."""
    async with make_sessionmaker(engine)() as session:
        await session.execute(
            insert(samples_table), [{"sample_key": e.sample_key, "seq": e.seq} for e in events]
        )
        ids = await sample_outbox.add_all(session, events)
        if commit:
            await session.commit()
        else:
            await session.rollback()
    return ids


def ids_of(records) -> list[str]:
    return [json.loads(r.value)["id"] for r in records]


async def outbox_rows(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(sample_outbox.table))).scalar_one()


@pytest.fixture
def kafka(kafka_settings: KafkaSettings) -> KafkaSettings:
    """A topic prefix of its own per test, so each test reads only its own events."""
    return kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )


async def run_relay(relay: OutboxRelay):
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0)
    return task


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_committed_event_reaches_a_consumer_and_rolled_back_one_never_does(engine, kafka):
    topic = kafka.topic(SAMPLES.name)
    rolled_back = await write(engine, [SampleRecorded(sample_key="s1", seq=1)], commit=False)
    committed = await write(engine, [SampleRecorded(sample_key="s1", seq=2)])
    task = await run_relay(relay_for(engine, kafka))
    try:
        records = await consume(kafka.bootstrap_servers, topic, until=lambda r: len(r) >= 1)
        # a later marker proves the relay went past the point where the rolled-back event would have been
        marker = await write(engine, [SampleRecorded(sample_key="s1", seq=3)])
        records = await consume(kafka.bootstrap_servers, topic, until=lambda r: len(r) >= 2)
        # deleted only after the broker acknowledged: once acknowledged, the relay's next round deletes them
        assert await eventually(lambda: _equals(outbox_rows(engine), 0), timeout_s=15)
    finally:
        await stop(task)
    assert ids_of(records) == [str(committed[0]), str(marker[0])]
    assert str(rolled_back[0]) not in ids_of(records)
    envelope = json.loads(records[0].value)
    assert envelope["specversion"] == "1.0"
    assert envelope["type"] == SampleRecorded.type
    assert envelope["subject"] == "s1"
    assert records[0].key == b"s1"
    assert dict(records[0].headers)["content-type"] == b"application/cloudevents+json"


async def test_writes_succeed_before_the_broker_exists_and_all_arrive_once_it_starts(engine, kafka):
    dead_port = infra.free_port()
    kafka = kafka.model_copy(
        update={"bootstrap_servers": f"127.0.0.1:{dead_port}", "request_timeout_ms": 3000}
    )
    task = await run_relay(relay_for(engine, kafka))
    written: list[uuid.UUID] = []
    try:
        for i in range(20):  # 20 transactions of 25 events while nothing listens
            written += await write(
                engine, [SampleRecorded(sample_key=f"k{j % 7}", seq=i * 25 + j) for j in range(25)]
            )
        assert await outbox_rows(engine) == 500
        with infra.Tansu(port=dead_port) as late_broker:
            await late_broker.astart()
            records = await consume(
                late_broker.bootstrap_servers,
                kafka.topic(SAMPLES.name),
                until=lambda r: len(set(ids_of(r))) >= 500,
                timeout_s=60,
            )
            assert await eventually(lambda: _empty(engine), timeout_s=20)
    finally:
        await stop(task)
    received = ids_of(records)
    assert set(received) == {str(i) for i in written}
    assert len(received) == 500  # broker never paused mid-request here, so no redelivery either


async def _value(value):
    return value


async def _empty(engine) -> bool:
    return await outbox_rows(engine) == 0


async def test_broker_paused_with_sigstop_while_writes_happen_loses_nothing(engine, kafka):
    with infra.Tansu() as paused_broker:
        await paused_broker.astart()
        kafka = kafka.model_copy(
            update={"bootstrap_servers": paused_broker.bootstrap_servers, "request_timeout_ms": 2000}
        )
        task = await run_relay(relay_for(engine, kafka, batch_size=100))
        written: list[uuid.UUID] = []
        try:
            written += await write(engine, [SampleRecorded(sample_key="a", seq=i) for i in range(100)])
            paused_broker.pause()
            for i in range(10):
                written += await asyncio.wait_for(
                    write(
                        engine,
                        [SampleRecorded(sample_key=f"k{j % 5}", seq=1000 + i * 40 + j) for j in range(40)],
                    ),
                    timeout=5,
                )  # the request path never waits on Kafka
            await asyncio.sleep(3)  # long enough for sends to time out and the relay to back off
            paused_broker.resume()
            records = await consume(
                paused_broker.bootstrap_servers,
                kafka.topic(SAMPLES.name),
                until=lambda r: set(ids_of(r)) >= {str(i) for i in written},
                timeout_s=90,
            )
            assert await eventually(lambda: _empty(engine), timeout_s=30)
        finally:
            await stop(task)
    received = ids_of(records)
    assert set(received) == {str(i) for i in written}
    assert len(written) == 500
    # A request that timed out while the broker was frozen may be appended when it wakes, and then sent
    # again: at-least-once. Consumers' inbox makes those one effect (test_inbox); ids are never missing.
    assert len(received) >= 500


async def test_order_per_key_is_kept_across_batches_and_partitions(engine, kafka):
    keys = [f"student-{i}" for i in range(8)]
    for round_ in range(30):
        await write(
            engine, [SampleRecorded(sample_key=k, seq=round_ * 10 + j) for j in range(3) for k in keys]
        )
    task = await run_relay(relay_for(engine, kafka, batch_size=37))
    try:
        records = await consume(
            kafka.bootstrap_servers, kafka.topic(SAMPLES.name), until=lambda r: len(r) >= 720, timeout_s=60
        )
    finally:
        await stop(task)
    assert len(records) == 720
    seen: dict[str, list[int]] = {}
    partition_of: dict[str, set[int]] = {}
    for record in records:
        data = json.loads(record.value)["data"]
        seen.setdefault(data["sample_key"], []).append(data["seq"])
        partition_of.setdefault(data["sample_key"], set()).add(record.partition)
    for key in keys:
        assert seen[key] == sorted(seen[key]) and len(seen[key]) == 90, key
        assert len(partition_of[key]) == 1  # one key, one partition
    assert len({p for ps in partition_of.values() for p in ps}) > 1


async def test_a_failed_record_batch_leaves_acknowledged_only_the_rows_before_its_first_one(engine, kafka):
    """The relay sends a claim as record batches, a chain of them per partition (`OutboxRelay._send`), and
    the broker acknowledges or fails a batch whole. When some fail (here the producer's second request, as a
    connection lost then would), the acknowledged prefix ends at the first row not delivered: every row from
    it on stays in the outbox, though later rows in later batches were delivered (at-least-once). What was
    delivered is in id order per key, each key in the partition the producer's own partitioner gives it."""
    from aiokafka.errors import KafkaError
    from aiokafka.partitioner import DefaultPartitioner
    from aiokafka.protocol.produce import ProduceRequest
    from plc_shared.kafka import ensure_topics, make_producer
    from plc_shared.outbox import _acknowledged_prefix

    class Refused(KafkaError):
        retriable = False

    await ensure_topics(kafka, [SAMPLES])
    relay = relay_for(engine, kafka)
    padding = b"x" * 30_000  # 8 rows per 256 KiB batch: each partition's rows take three batches or so
    rows = [
        {"topic": SAMPLES.name, "key": f"k{i % 8}", "payload": b"%d:" % i + padding, "traceparent": None}
        for i in range(80)
    ]
    producer = make_producer(kafka, one_broker=True)
    send, produced = producer.client.send, []

    async def second_request_refused(node_id, request, **kwargs):
        if isinstance(request, ProduceRequest):
            produced.append(request)
            if len(produced) == 2:
                raise Refused("the second produce request fails")
        return await send(node_id, request, **kwargs)

    producer.client.send = second_request_refused
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(kafka.topic(SAMPLES.name)))
        acked, error = await asyncio.wait_for(_acknowledged_prefix(await relay._send(producer, rows)), 30)
    finally:
        await producer.stop()
    assert isinstance(error, Refused) and len(produced) >= 3
    records = await consume(
        kafka.bootstrap_servers, kafka.topic(SAMPLES.name), until=lambda r: False, timeout_s=3
    )
    delivered = {int(r.value.split(b":")[0]) for r in records}
    assert len(records) == len(delivered)
    assert 0 < acked == min(set(range(80)) - delivered), (acked, sorted(delivered))
    assert max(delivered) > acked  # delivered after the failure, yet not acknowledged: sent again later
    seen: dict[bytes, list[int]] = {}
    for record in records:
        assert record.partition == DefaultPartitioner()(record.key, partitions, partitions)
        seen.setdefault(record.key, []).append(int(record.value.split(b":")[0]))
    assert all(seqs == sorted(seqs) for seqs in seen.values()), seen


async def test_a_large_transaction_goes_in_by_copy_with_the_same_rows_and_order(engine, kafka):
    """From COPY_FROM_ROWS events on, add_all COPYs the rows: same envelopes, same order, same rollback."""
    events = [SampleRecorded(sample_key=f"k{i % 3}", seq=i) for i in range(COPY_FROM_ROWS * 4)]
    assert await write(engine, [SampleRecorded(sample_key="gone", seq=-1)] * COPY_FROM_ROWS, commit=False)
    assert await outbox_rows(engine) == 0
    ids = await write(engine, events)
    task = await run_relay(relay_for(engine, kafka))
    try:
        records = await consume(
            kafka.bootstrap_servers, kafka.topic(SAMPLES.name), until=lambda r: len(r) >= len(events)
        )
    finally:
        await stop(task)
    by_id = {json.loads(r.value)["id"]: r for r in records}
    assert set(by_id) == {str(i) for i in ids} and len(records) == len(events)
    for event_id, event in zip(ids, events, strict=True):
        envelope = parse_event(by_id[str(event_id)].value)
        assert envelope.payload() == event and envelope.subject == event.key()
    for key in ("k0", "k1", "k2"):
        seqs = [json.loads(r.value)["data"]["seq"] for r in records if r.key == key.encode()]
        assert seqs == sorted(seqs)


async def test_two_relays_on_one_database_only_one_publishes_and_order_holds(engine, kafka):
    first, second = relay_for(engine, kafka, batch_size=20), relay_for(engine, kafka, batch_size=20)
    second.service = first.service + "-replica"
    tasks = [await run_relay(first), await run_relay(second)]
    try:
        for i in range(40):
            await write(engine, [SampleRecorded(sample_key=f"k{j}", seq=i) for j in range(5)])
        records = await consume(
            kafka.bootstrap_servers, kafka.topic(SAMPLES.name), until=lambda r: len(r) >= 200, timeout_s=60
        )
        leaders = [LEADER.labels(first.service)._value.get(), LEADER.labels(second.service)._value.get()]
        assert sorted(leaders) == [0, 1]
        # the leader goes away: the standby takes over
        leader_index = leaders.index(1)
        await stop(tasks[leader_index])
        await write(engine, [SampleRecorded(sample_key="k0", seq=999)])
        records = await consume(
            kafka.bootstrap_servers, kafka.topic(SAMPLES.name), until=lambda r: len(r) >= 201, timeout_s=30
        )
    finally:
        for task in tasks:
            await stop(task)
    by_key: dict[str, list[int]] = {}
    for record in records:
        data = json.loads(record.value)["data"]
        by_key.setdefault(data["sample_key"], []).append(data["seq"])
    assert len(records) == 201
    assert all(seqs == sorted(seqs) for seqs in by_key.values())


async def test_lag_metrics_report_pending_rows_and_their_age(engine, kafka):
    from prometheus_client import REGISTRY

    dead = kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{infra.free_port()}"})
    relay = relay_for(engine, dead)
    await write(engine, [SampleRecorded(sample_key="x", seq=i) for i in range(12)])
    task = await run_relay(relay)  # the broker is unreachable: the metrics must still say what waits
    try:
        assert await eventually(
            lambda: _value(REGISTRY.get_sample_value("plc_outbox_pending", {"service": relay.service}) == 12),
            timeout_s=10,
        )
    finally:
        await stop(task)
    assert REGISTRY.get_sample_value("plc_outbox_pending", {"service": relay.service}) == 12
    assert REGISTRY.get_sample_value("plc_outbox_oldest_pending_age_seconds", {"service": relay.service}) >= 0


async def test_the_relay_heals_by_itself_when_the_database_goes_away_and_comes_back(engine, kafka):
    """The socket to PostgreSQL is cut (as in a restart): every connection dropped, new ones refused for a
    while. Rows written meanwhile (straight to the database) are published once it answers again."""
    url = engine.url.render_as_string(hide_password=False)
    async with TcpProxy(engine.url.host, engine.url.port) as proxy:
        proxied = create_engine(through(proxy, url), pool_size=2)
        relay = relay_for(proxied, kafka)
        task = await run_relay(relay)
        topic = kafka.topic(SAMPLES.name)
        try:
            first = await write(engine, [SampleRecorded(sample_key=f"k{i}", seq=i) for i in range(10)])
            await consume(kafka.bootstrap_servers, topic, until=lambda r: len(r) >= 10)
            await proxy.cut()
            second = await write(engine, [SampleRecorded(sample_key=f"k{i}", seq=i) for i in range(10, 20)])
            await asyncio.sleep(2)
            assert not task.done(), task.exception() if task.done() else None
            with pytest.raises(RuntimeError, match="outbox relay"):  # readiness says it cannot progress
                await relay.health.check()
            await proxy.restore()
            records = await consume(
                kafka.bootstrap_servers, topic, until=lambda r: {str(i) for i in second} <= set(ids_of(r))
            )
            assert {str(i) for i in first + second} <= set(ids_of(records))
            assert await eventually(lambda: _equals(outbox_rows(engine), 0), timeout_s=15)
            assert LEADER.labels(relay.service)._value.get() == 1
            await relay.health.check()  # ready again
            assert not task.done()
        finally:
            await stop(task)
            await proxied.dispose()


async def _equals(value, expected) -> bool:
    return await value == expected


async def sent_rows(engine) -> list:
    async with engine.connect() as conn:
        return (await conn.execute(select(sample_outbox.table.metadata.tables["outbox_sent"]))).all()


async def test_published_events_are_kept_and_published_again_to_a_broker_that_lost_them(engine, kafka):
    """Issue 22: the in-memory broker was SIGKILLed and restarted at the same address with nothing in it.
    Every event still within the retention reaches the new broker, in the original order, then new ones."""
    port = infra.free_port()
    local = kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{port}", "request_timeout_ms": 3000})
    topic = local.topic(SAMPLES.name)
    task = await run_relay(relay_for(engine, local))
    try:
        with infra.Tansu(port=port) as old:
            first = await write(engine, [SampleRecorded(sample_key=f"k{i % 3}", seq=i) for i in range(50)])
            await consume(old.bootstrap_servers, topic, until=lambda r: len(r) >= 50)
            assert await eventually(lambda: _equals(outbox_rows(engine), 0), timeout_s=15)
            assert {r.event_id for r in await sent_rows(engine)} == set(first)  # kept, marked sent
        with infra.Tansu(port=port) as new:
            later = await write(
                engine, [SampleRecorded(sample_key=f"k{i % 3}", seq=50 + i) for i in range(10)]
            )
            records = await consume(
                new.bootstrap_servers, topic, until=lambda r: len(set(ids_of(r))) >= 60, timeout_s=60
            )
    finally:
        await stop(task)
    assert set(ids_of(records)) == {str(i) for i in first + later}
    for key in ("k0", "k1", "k2"):  # the order per key is the original one, the replay first
        seqs = [json.loads(r.value)["data"]["seq"] for r in records if r.key == key.encode()]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), (key, seqs)


async def test_retention_drops_whole_days_of_sent_rows_and_prunes_the_inbox(engine, kafka):
    from datetime import UTC, datetime, timedelta

    from plc_shared.outbox import Retention
    from plc_shared.testing import sample_inbox

    retention = Retention(sample_outbox.table, timedelta(days=2))
    old_day = datetime.now(UTC).date() - timedelta(days=5)
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        await retention.maintain(raw)
        await raw.execute(
            f"CREATE TABLE {retention.partition(old_day)} PARTITION OF outbox_sent"
            f" FOR VALUES FROM ('{old_day} 00:00+00') TO ('{old_day + timedelta(days=1)} 00:00+00')"
        )
        await raw.execute(
            "INSERT INTO outbox_sent (id, event_id, topic, key, event_type, payload, created_at, sent_at)"
            " VALUES (1, gen_random_uuid(), 't', 'k', 'x', '', now(), $1), (2, gen_random_uuid(), 't', 'k', 'x',"
            " '', now(), now())",
            datetime.now(UTC) - timedelta(days=5),
        )
        await raw.executemany(
            f'INSERT INTO {sample_inbox.name} (consumer, event_id, event_type, topic, partition, "offset",'
            " processed_at) VALUES ('c', gen_random_uuid(), 'x', 't', 0, $1, $2)",
            [(n, datetime.now(UTC) - timedelta(days=3 if n % 2 else 0)) for n in range(12_000)],
        )
        await retention.maintain(raw)
        left = await raw.fetch("SELECT id FROM outbox_sent")
        partitions = await raw.fetch(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'outbox_sent'::regclass"
        )
        inbox = await raw.fetchval(f"SELECT count(*) FROM {sample_inbox.name}")
    assert [r["id"] for r in left] == [2]
    names = {r["relname"] for r in partitions}
    assert retention.partition(old_day) not in names
    today = datetime.now(UTC).date()
    assert {retention.partition(today + timedelta(days=d)) for d in range(-1, 3)} <= names
    assert inbox == 6_000


async def test_an_operators_replay_publishes_retained_events_since_a_time_again_with_their_ids(engine, kafka):
    """`plc events replay --service S --since T [--type X]`: the retained events created since T (of type X)
    go out again, in order and with their ids (consumers ignore ids they have: a replay only fills gaps)."""
    from datetime import UTC, datetime

    from plc_shared.cli import replay

    topic = kafka.topic(SAMPLES.name)
    task = await run_relay(relay_for(engine, kafka))
    try:
        await write(engine, [SampleRecorded(sample_key="r", seq=i) for i in range(5)])
        await consume(kafka.bootstrap_servers, topic, until=lambda r: len(r) >= 5)
        assert await eventually(lambda: _equals(outbox_rows(engine), 0), timeout_s=15)
        since = datetime.now(UTC)
        later = await write(engine, [SampleRecorded(sample_key="r", seq=5 + i) for i in range(3)])
        await consume(kafka.bootstrap_servers, topic, until=lambda r: len(r) >= 8)
        assert await eventually(lambda: _equals(outbox_rows(engine), 0), timeout_s=15)
        url = engine.url.render_as_string(hide_password=False)
        assert await replay(url, since, ["org.example.not-this-type"]) == 0
        assert await replay(url, since, [SampleRecorded.type]) == 3
        records = await consume(kafka.bootstrap_servers, topic, until=lambda r: len(r) >= 11)
    finally:
        await stop(task)
    assert ids_of(records)[8:] == [str(i) for i in later]


async def test_a_re_publish_moves_chunks_in_id_order_and_resumes_after_a_crash_half_way(engine):
    """Issue 22: after 7 busy days the retained set is large. A new broker's re-publish moves the rows back into
    the outbox in bounded chunks, lowest ids first, each committed on its own; the new broker is recorded only
    when every row is back, so a relay that dies half-way moves the rest (and nothing twice) when it restarts."""
    from datetime import timedelta

    from plc_shared.outbox import Retention

    class Crash(Exception):
        pass

    def crash_after_three_chunks(moved: int) -> None:
        if moved >= 30:
            raise Crash

    retention = Retention(sample_outbox.table, timedelta(days=7))
    retention.MOVE_CHUNK = 10
    async with engine.connect() as first, engine.connect() as second:
        reader = (await first.get_raw_connection()).driver_connection
        writer = (await second.get_raw_connection()).driver_connection
        await retention.maintain(reader)
        # Stored in shuffled order, so that the rows' physical order is not their id order.
        await reader.execute(
            "INSERT INTO outbox_sent (id, event_id, topic, key, event_type, payload, created_at)"
            " SELECT n, gen_random_uuid(), 'plc.testing.samples', 'k', 'x', ''::bytea, now()"
            " FROM generate_series(1, 95) AS n ORDER BY random()"
        )
        await reader.execute("INSERT INTO outbox_broker (id, cluster_id) VALUES (1, 'old')")
        with pytest.raises(Crash):
            await retention.follow_broker((reader, writer), "new", after_chunk=crash_after_three_chunks)
        back = [r["id"] for r in await reader.fetch("SELECT id FROM outbox ORDER BY id")]
        assert back == list(range(1, 31))  # three chunks of ten, the lowest ids, committed
        assert await reader.fetchval("SELECT count(*) FROM outbox_sent") == 65
        assert await reader.fetchval("SELECT cluster_id FROM outbox_broker") == "old"  # not done yet
        assert await retention.follow_broker((reader, writer), "new") == 65  # the restart moves the rest
        back = [r["id"] for r in await reader.fetch("SELECT id FROM outbox ORDER BY id")]
        assert back == list(range(1, 96))
        assert await reader.fetchval("SELECT count(*) FROM outbox_sent") == 0
        assert await reader.fetchval("SELECT cluster_id FROM outbox_broker") == "new"
        assert await retention.follow_broker((reader, writer), "new") == 0


async def test_a_topic_deleted_on_the_same_broker_is_created_again_with_its_retained_events(engine, kafka):
    """Issue 22: a topic is deleted from the broker the relay publishes to (same cluster id: no new broker to
    notice). The relay finds it gone, creates it again and publishes its retained events to it, then the new
    ones; each event once (not in a loop)."""
    from aiokafka.admin import AIOKafkaAdminClient

    topic = kafka.topic(SAMPLES.name)
    task = await run_relay(relay_for(engine, kafka.model_copy(update={"request_timeout_ms": 3000})))
    try:
        first = await write(engine, [SampleRecorded(sample_key=f"k{i % 4}", seq=i) for i in range(30)])
        await consume(kafka.bootstrap_servers, topic, until=lambda r: len(r) >= 30)
        assert await eventually(lambda: _equals(outbox_rows(engine), 0), timeout_s=15)
        admin = AIOKafkaAdminClient(**kafka.client_options())
        await admin.start()
        try:
            await admin.delete_topics([topic])
            assert await eventually(lambda: _missing(admin, topic), timeout_s=10)
        finally:
            await admin.close()
        later = await write(engine, [SampleRecorded(sample_key="k0", seq=30 + i) for i in range(5)])
        records = await consume(
            kafka.bootstrap_servers, topic, until=lambda r: len(set(ids_of(r))) >= 35, timeout_s=30
        )
        await asyncio.sleep(3)  # published again once, not in a loop
        again = await consume(kafka.bootstrap_servers, topic, until=lambda r: False, timeout_s=2)
    finally:
        await stop(task)
    assert set(ids_of(records)) == {str(i) for i in first + later}
    assert len(again) < 2 * 35, len(again)
    # The re-publish sends every retained event of the topic in id order, so each key's last copies are in
    # its order. (A new event sent while the topic was gone, before the relay looked, has an earlier copy
    # before the retained ones: the README's stated limit.)
    for key in ("k0", "k1", "k2", "k3"):
        seqs = [json.loads(r.value)["data"]["seq"] for r in again if r.key == key.encode()]
        last = sorted(set(seqs), key=lambda seq: max(i for i, s in enumerate(seqs) if s == seq))
        assert last == sorted(last), (key, seqs)


async def _missing(admin, topic: str) -> bool:
    return topic not in await admin.list_topics()
