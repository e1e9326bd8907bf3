"""`plc warehouse` as a data team runs it, on the real broker: results flow in while the interventions service
turns them into flags through its outbox, goals and reviews events arrive, the sink is killed mid-stream and
restarted, and every event is in DuckDB exactly once, typed; a second run adds nothing; Parquet reads back."""

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from aiokafka import AIOKafkaConsumer
from interventions.config import Settings
from interventions.main import create_app
from interventions.testing import publish, stream
from plc_shared import topics
from plc_shared.components import by_name
from plc_shared.db import create_engine
from plc_shared.events import CloudEvent, catalog
from plc_shared.kafka import ensure_topics
from plc_shared.testing import eventually, migrated_database, wire_validator
from plc_warehouse.testing import goal_events, review_events
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
PROGRESS = re.compile(r"read (\d+) loaded (\d+) duplicates (\d+) rejected (\d+)")


@pytest.fixture
def kafka(kafka_settings):
    return kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )


@contextlib.asynccontextmanager
async def interventions(create_database, kafka):
    """The interventions service with its relay and consumers: results in, flags out through its outbox."""
    url = await migrated_database(create_database, by_name("interventions"))
    app = create_app(Settings(database_url=url, kafka=kafka, log_level="WARNING"))
    engine = create_engine(url, pool_size=2)
    try:
        async with app.router.lifespan_context(app):
            yield engine
    finally:
        await engine.dispose()


def sink(path: Path, kafka, log: Path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "plc_shared.cli", "warehouse", str(path), "--idle-seconds", "2", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        stdin=subprocess.DEVNULL,
    )


def progress(log: Path) -> tuple[int, int, int, int]:
    """The last progress line of a run: (read, loaded, duplicates, rejected)."""
    found = PROGRESS.findall(log.read_text())
    return tuple(int(n) for n in found[-1]) if found else (0, 0, 0, 0)


async def read_all(bootstrap: str, topic: str, idle_s: float = 3.0) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    records = []
    try:
        while batches := await consumer.getmany(timeout_ms=int(idle_s * 1000)):
            records += [r for batch in batches.values() for r in batch]
    finally:
        await consumer.stop()
    return records


async def drained(engine, results: int) -> bool:
    async with engine.connect() as conn:
        handled = (await conn.execute(text("SELECT count(*) FROM inbox"))).scalar_one()
        pending = (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
    return handled >= results and pending == 0


def run_once(path: Path, kafka, log: Path) -> tuple[int, int, int, int]:
    process = sink(path, kafka, log, "--once")
    assert process.wait(timeout=180) == 0, log.read_text()
    return progress(log)


def example_query() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("<!-- example-query -->", 1)[1].split("```sql", 1)[1].split("```", 1)[0]


async def test_every_event_lands_once_across_a_kill_and_restart(create_database, kafka, tmp_path):
    path, log = tmp_path / "warehouse.duckdb", tmp_path / "sink.log"
    results = [CloudEvent.wrap(e) for e in stream(students=150, results_per_student=3)]
    others = {
        topics.GOALS: [CloudEvent.wrap(e) for e in goal_events("d1", 15)],
        topics.REVIEWS: [CloudEvent.wrap(e) for e in review_events("d1", 15)],
    }
    await ensure_topics(kafka, topics.ALL)
    async with interventions(create_database, kafka) as engine:
        running = sink(path, kafka, log)
        try:
            chunks = [results[i : i + 50] for i in range(0, len(results), 50)]
            for n, chunk in enumerate(chunks):
                await publish(kafka.bootstrap_servers, kafka.topic(topics.RESULTS.name), chunk)
                if n == len(chunks) // 2:  # mid-stream: the sink has loaded something, more is coming
                    assert await eventually(lambda: _loaded(log), timeout_s=60), log.read_text()
                    running.send_signal(signal.SIGKILL)
                    running.wait(timeout=10)
                await asyncio.sleep(0.1)
            for topic, envelopes in others.items():
                await publish(kafka.bootstrap_servers, kafka.topic(topic.name), envelopes)
            assert await eventually(lambda: drained(engine, len(results)), timeout_s=120)
        finally:
            if running.poll() is None:
                running.kill()
                running.wait()
    flags = await read_all(kafka.bootstrap_servers, kafka.topic(topics.FLAGS.name))
    assert flags, "the interventions service published flags through its outbox"
    check = wire_validator(catalog.asyncapi(), catalog.schemas(catalog.DEFAULT_CATALOG_URL))
    for record in flags:  # what the relay sent is what the catalog documents: envelope, data, headers, key
        check(record.value, record.headers)
        data = json.loads(record.value)["data"]
        assert record.key.decode() == f"{data['district_id']}/{data['student_id']}"
    sent = [*results, *(e for envelopes in others.values() for e in envelopes)]
    expected = {str(e.id) for e in sent} | {json.loads(r.value)["id"] for r in flags}
    assert len(expected) == len(sent) + len(flags)

    read, _, _, rejected = run_once(path, kafka, log)
    assert 0 < read < len(expected), "the restart went on from the stored offsets, not from the beginning"
    assert rejected == 0
    assert run_once(path, kafka, log)[:2] == (0, 0), "a second run finds nothing new"

    con = duckdb.connect(str(path), read_only=True)
    try:
        assert_each_event_once(con, expected)
        assert_typed(con)
        assert_example_query(con, flags)
    finally:
        con.close()
    assert_parquet_export(path, kafka, tmp_path)


def event_tables(con) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " AND NOT starts_with(table_name, '_') ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def assert_each_event_once(con, expected: set[str]) -> None:
    ids = Counter(
        str(i)
        for table in event_tables(con)
        for (i,) in con.execute(f'SELECT event_id FROM "{table}"').fetchall()
    )
    assert max(ids.values()) == 1, "no event twice"
    assert set(ids) == expected, "every event, nothing else"
    for table in ("_other_events", "_rejected"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    counts = dict(con.execute("SELECT table_name, estimated_size FROM duckdb_tables()").fetchall())
    assert all(counts[t] > 0 for t in (
        "assessments_result_recorded_v1", "interventions_student_flagged_v1", "goals_goal_activated_v1",
        "goals_goal_progress_updated_v1", "reviews_review_finalized_v1", "reviews_school_recognized_v1",
    ))  # fmt: skip


def assert_typed(con) -> None:
    def types(table):
        return dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())

    flagged = types("interventions_student_flagged_v1")
    assert (flagged["event_id"], flagged["flag_id"], flagged["flagged_at"], flagged["score"]) == (
        "UUID", "UUID", "TIMESTAMP WITH TIME ZONE", "DOUBLE",
    )  # fmt: skip
    assert flagged["result_revision"] == "BIGINT" and flagged["kafka_partition"] == "INTEGER"
    results = types("assessments_result_recorded_v1")
    assert results["assessed_on"] == "DATE" and results["class_ids"] == "VARCHAR[]"
    assert "standard_id VARCHAR" in results["standards"] and results["standards"].endswith("[]")
    row = con.execute(
        "SELECT standards[1].standard_id, kafka_key = district_id || '/' || student_id, event_source"
        " FROM assessments_result_recorded_v1 LIMIT 1"
    ).fetchone()
    assert row[1:] == (True, "/plc/assessments") and row[0] in "ABC"
    assert types("goals_goal_activated_v1")["deadline"] == "DATE"


def assert_example_query(con, flags) -> None:
    """The README's query (flags per standard per week) against the flags the service published."""
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute(example_query()).fetchall()
    want: Counter = Counter()
    for record in flags:
        body = json.loads(record.value)
        if body["type"] == "org.plc.interventions.student.flagged.v1":
            at = datetime.fromisoformat(body["data"]["flagged_at"])
            monday = (at - timedelta(days=at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
            want[(body["data"]["standard_id"], monday, body["data"]["kind"])] += 1
    got: Counter = Counter()
    for standard, week, support, enrichment in rows:
        got[(standard, week, "support")] += support
        got[(standard, week, "enrichment")] += enrichment
    assert +got == want and sum(want.values()) > 0


def assert_parquet_export(path: Path, kafka, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    done = subprocess.run(
        [sys.executable, "-m", "plc_shared.cli", "warehouse", "export", str(path), str(out)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert str(out / "interventions_student_flagged_v1.parquet") in done.stdout
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table in event_tables(con):
            file = str(out / f"{table}.parquet")
            assert (
                con.execute(f"SELECT count(*) FROM '{file}'").fetchone()
                == con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            )
        back = dict(con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{out}/assessments_result_recorded_v1.parquet')"
        ).fetchall())  # fmt: skip
        assert back["event_time"] == "TIMESTAMP WITH TIME ZONE" and back["assessed_on"] == "DATE"
        assert back["standards"].startswith("STRUCT(")
    finally:
        con.close()


async def _loaded(log: Path) -> bool:
    return progress(log)[1] > 0
