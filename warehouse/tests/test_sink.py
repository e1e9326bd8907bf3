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
