"""The event contract: CloudEvents envelope, typed payloads, the type registry and schema export."""

import json

import pytest
from plc_shared.events import CloudEvent, Event, event_model, export_json_schemas, parse_event
from plc_shared.testing import SampleRecorded
from pydantic import ValidationError


def test_envelope_round_trips_with_the_cloudevents_attributes():
    event = SampleRecorded(sample_key="student-7", seq=3)
    raw = CloudEvent.wrap(event).to_bytes()
    body = json.loads(raw)
    assert {
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "dataschema",
        "data",
    } <= set(body)
    assert body["specversion"] == "1.0"
    assert body["type"] == "org.plc.testing.sample.recorded.v1"
    assert body["dataschema"].endswith("org.plc.testing.sample.recorded.v1.json")
    parsed = parse_event(raw)
    assert parsed.payload() == event


def test_a_payload_of_an_unknown_type_or_wrong_shape_is_refused():
    with pytest.raises(KeyError):
        CloudEvent(source="/x", type="org.plc.unknown.v1", data={}).payload()
    with pytest.raises(ValidationError):
        CloudEvent(source="/x", type=SampleRecorded.type, data={"sample_key": "a", "seq": "x"}).payload()


def test_a_type_cannot_be_registered_twice():
    with pytest.raises(TypeError, match="registered twice"):

        class Again(Event):
            type = SampleRecorded.type
            source = "/x"
            topic = "t"


def test_json_schemas_are_exported_per_type(tmp_path):
    [path] = export_json_schemas(tmp_path, {SampleRecorded.type: event_model(SampleRecorded.type)})
    schema = json.loads(path.read_text())
    assert schema["$id"].endswith(f"{SampleRecorded.type}.json")
    assert set(schema["required"]) == {"sample_key", "seq"}
