"""The sink in process on the real broker: started before the topics exist, it picks them up and loads."""

import asyncio
import io
import uuid

import duckdb
import pytest
from interventions.testing import publish, recorded
from plc_shared import topics
from plc_shared.events import CloudEvent
from plc_shared.kafka import ensure_topics
from plc_shared.testing import eventually
from plc_warehouse.sink import Options, run


@pytest.fixture
def kafka(kafka_settings):
    return kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )


async def test_a_sink_started_before_the_topics_exist_loads_them_once_they_do(kafka, tmp_path):
    out = io.StringIO()
    options = Options(tmp_path / "w.duckdb", progress_every_s=0.2, reassign_every_s=0.5)
    sink = asyncio.create_task(run(options, kafka, out))
    try:
        assert await eventually(lambda: _said(out, "0 partitions"), timeout_s=30), out.getvalue()
        await ensure_topics(kafka, [topics.RESULTS])
        events = [CloudEvent.wrap(recorded(f"stu-{i}", {"A": 50})) for i in range(20)]
        await publish(kafka.bootstrap_servers, kafka.topic(topics.RESULTS.name), events)
        assert await eventually(lambda: _said(out, "loaded 20 "), timeout_s=60), out.getvalue()
    finally:
        sink.cancel()
        await asyncio.gather(sink, return_exceptions=True)
    con = duckdb.connect(str(options.path), read_only=True)
    try:
        assert con.execute(
            "SELECT count(DISTINCT event_id) FROM assessments_result_recorded_v1"
        ).fetchone() == (20,)
        partitions = con.execute("SELECT count(*) FROM _warehouse_offsets").fetchone()[0]
        assert 0 < partitions <= topics.RESULTS.partitions
    finally:
        con.close()


async def _said(out: io.StringIO, text: str) -> bool:
    return text in out.getvalue()


async def test_the_sink_reads_a_new_broker_from_its_start_running_or_restarted(kafka, tmp_path):
    """Issue 22: the stored offsets belong to the broker they were read from. A broker that lost everything
    (Tansu restarted at the same address) holds its new events at offsets the sink had passed already."""
    from plc_shared import infra

    port = infra.free_port()
    local = kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{port}"})
    topic = local.topic(topics.RESULTS.name)

    async def publish_new(count: int) -> None:
        await ensure_topics(local, [topics.RESULTS])
        events = [CloudEvent.wrap(recorded(f"stu-{uuid.uuid4().hex[:6]}", {"A": 50})) for _ in range(count)]
        await publish(local.bootstrap_servers, topic, events)

    out = io.StringIO()
    options = Options(tmp_path / "w.duckdb", progress_every_s=0.2, reassign_every_s=0.5)
    with infra.Tansu(port=port):
        await publish_new(60)
        sink = asyncio.create_task(run(options, local, out))
        try:
            assert await eventually(lambda: _said(out, "loaded 60 "), timeout_s=60), out.getvalue()
        except BaseException:
            sink.cancel()
            raise
    try:
        with infra.Tansu(port=port):  # noticed while running
            await publish_new(5)
            assert await eventually(lambda: _said(out, "loaded 65 "), timeout_s=60), out.getvalue()
    finally:
        sink.cancel()
        await asyncio.gather(sink, return_exceptions=True)
    with infra.Tansu(port=port):  # noticed at the start, from the cluster id stored beside the offsets
        await publish_new(3)
        counts = await run(Options(options.path, once=True, idle_s=2.0), local, io.StringIO())
    assert counts.loaded == 3, counts
    con = duckdb.connect(str(options.path))
    try:
        assert con.execute("SELECT count(*) FROM assessments_result_recorded_v1").fetchone() == (68,)
    finally:
        con.close()


async def test_a_sink_started_while_the_broker_is_away_waits_for_it_and_loads(kafka, tmp_path):
    """Issue 22 (found by fault scenario e): a sink whose broker did not answer at its start exited with
    KafkaConnectionError. It waits for the broker with back-off, continuous or `--once` (which gives up after
    `give_up_s`), and loads once the broker is there."""
    from aiokafka.errors import KafkaConnectionError
    from plc_shared import infra

    port = infra.free_port()
    local = kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{port}", "request_timeout_ms": 2000})
    out = io.StringIO()
    options = Options(tmp_path / "w.duckdb", progress_every_s=0.2, reassign_every_s=0.5)
    sink = asyncio.create_task(run(options, local, out))
    try:
        assert await eventually(lambda: _said(out, "the broker is away"), timeout_s=30), out.getvalue()
        assert not sink.done(), sink.exception() if sink.done() else None
        with infra.Tansu(port=port):
            await ensure_topics(local, [topics.RESULTS])
            events = [CloudEvent.wrap(recorded(f"stu-{i}", {"A": 50})) for i in range(7)]
            await publish(local.bootstrap_servers, local.topic(topics.RESULTS.name), events)
            assert await eventually(lambda: _said(out, "loaded 7 "), timeout_s=60), out.getvalue()
    finally:
        sink.cancel()
        await asyncio.gather(sink, return_exceptions=True)
    with pytest.raises(KafkaConnectionError):  # --once on a broker that never comes: a clear failure
        await run(Options(options.path, once=True, give_up_s=2.0), local, io.StringIO())
