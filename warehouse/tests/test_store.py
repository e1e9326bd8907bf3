"""The DuckDB store without a broker: typed tables from the schemas, idempotence, offsets, rejects."""

import json
import uuid
from datetime import date

import duckdb
import pytest
from interventions.testing import recorded
from plc_shared.events import CloudEvent, catalog
from plc_shared.events.interventions import StudentExited, StudentExitedV2
from plc_warehouse.store import OFFSETS, OTHER, REJECTED, Record, Store
from plc_warehouse.tables import table_name
from plc_warehouse.testing import goal_events, review_events

RESULTS = "plc.assessments.results"


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "w.duckdb", catalog.schemas(catalog.DEFAULT_CATALOG_URL))
    yield store
    store.close()


def records(events, topic=RESULTS, start=0):
    return [
        Record(topic, 0, start + i, e.key().encode(), CloudEvent.encode(e, id=uuid.uuid4()),
               (("content-type", b"application/cloudevents+json"), ("traceparent", b"00-abc-def-01")))
        for i, e in enumerate(events)
    ]  # fmt: skip


def columns(store, table):
    return dict(store.con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())


def test_every_public_type_has_a_table_with_envelope_and_typed_data_columns(store):
    for event_type in catalog.public_types():
        assert "event_id" in columns(store, table_name(event_type))
    results = columns(store, "assessments_result_recorded_v1")
    assert results["event_id"] == "UUID"
    assert results["event_time"] == "TIMESTAMP WITH TIME ZONE"
    assert results["result_id"] == "UUID"
    assert results["assessed_on"] == "DATE"
    assert results["revision"] == "BIGINT"
    assert results["percent"] == "DOUBLE"
    assert results["class_ids"] == "VARCHAR[]"
    assert results["standards"].startswith("STRUCT(") and results["standards"].endswith(")[]")
    assert columns(store, "interventions_student_flagged_v1")["flagged_at"] == "TIMESTAMP WITH TIME ZONE"


def test_a_batch_loads_typed_rows_once_and_advances_the_offsets(store):
    batch = records([recorded("stu-1", {"A": 40, "B": 95}), recorded("stu-2", {"A": 80})])
    counts = store.write(batch + batch[:1])  # a duplicate inside the batch
    assert (counts.read, counts.loaded, counts.duplicates) == (3, 2, 1)
    assert store.write(batch).loaded == 0  # redelivered: nothing new
    row = store.con.execute(
        "SELECT student_id, standards[1].standard_id, standards[1].percent, kafka_key, traceparent,"
        " event_type FROM assessments_result_recorded_v1 ORDER BY student_id LIMIT 1"
    ).fetchone()
    assert row == (
        "stu-1",
        "A",
        40.0,
        "district-1/stu-1",
        "00-abc-def-01",
        "org.plc.assessments.result.recorded.v1",
    )
    assert store.offsets() == {(RESULTS, 0): 2}


def test_goals_and_reviews_events_land_in_their_tables(store):
    store.write(
        records(goal_events("d1", 2), "plc.goals.goals")
        + records(review_events("d1", 2), "plc.reviews.reviews", 100)
    )
    assert store.con.execute("SELECT count(*) FROM goals_goal_progress_updated_v1").fetchone() == (6,)
    assert store.con.execute("SELECT count(*) FROM reviews_school_recognized_v1").fetchone() == (1,)
    assert columns(store, "goals_goal_activated_v1")["start"] == "DATE"


def test_unknown_types_are_kept_and_garbage_is_rejected_without_stopping(store):
    unknown = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/x", "type": "org.plc.x.y.v9",
               "time": "2026-01-01T00:00:00Z", "data": {"a": 1}}  # fmt: skip
    batch = [
        Record(RESULTS, 1, 0, b"k", json.dumps(unknown).encode()),
        Record(RESULTS, 1, 1, b"k", b"{not json"),
    ]
    counts = store.write(batch)
    assert (counts.loaded, counts.rejected) == (1, 1)
    assert store.con.execute(f"SELECT event_type, data->>'a' FROM {OTHER}").fetchone() == (
        "org.plc.x.y.v9",
        "1",
    )
    assert store.con.execute(f"SELECT kafka_offset FROM {REJECTED}").fetchone() == (1,)
    assert store.offsets()[(RESULTS, 1)] == 2


def test_a_new_optional_field_becomes_a_new_column_of_an_existing_file(tmp_path):
    schemas = catalog.schemas(catalog.DEFAULT_CATALOG_URL)
    Store.open(tmp_path / "w.duckdb", schemas).close()
    flagged = "org.plc.interventions.student.flagged.v1"
    schemas[flagged]["properties"]["note"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
    }
    Store.open(tmp_path / "w.duckdb", schemas).close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert "note" in {r[0] for r in con.execute("DESCRIBE interventions_student_flagged_v1").fetchall()}
    assert con.execute(f"SELECT count(*) FROM {OFFSETS}").fetchone() == (0,)


def test_both_versions_of_an_exit_load_into_their_own_tables(store):
    """The interventions service publishes `student.exited.v2` (a reason code, no words); `.v1` events already
    on a topic still load, into their own table."""
    who = {"student_id": "stu-1", "district_id": "d1", "school_id": "s1", "intervention_id": uuid.uuid4(),
           "exited_on": date(2026, 11, 2)}  # fmt: skip
    old = StudentExited(**who, assignment_id=uuid.uuid4(), reason="met", evidence="3 results")
    new = StudentExitedV2(**who, assignment_id=uuid.uuid4(), reason_code="goal_met")
    assert store.write(records([old, new], topic="plc.interventions.flags")).loaded == 2
    v2 = columns(store, "interventions_student_exited_v2")
    assert "reason_code" in v2 and not {"reason", "evidence"} & set(v2)
    assert store.con.execute("SELECT reason_code FROM interventions_student_exited_v2").fetchall() == [
        ("goal_met",)
    ]
    assert store.con.execute("SELECT evidence FROM interventions_student_exited_v1").fetchall() == [
        ("3 results",)
    ]
