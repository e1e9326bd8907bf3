"""The event contract: CloudEvents envelope, typed payloads, the type registry and schema export."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from plc_shared.events import CloudEvent, Event, event_model, export_json_schemas, parse_event
from plc_shared.events.envelope import EventParser
from plc_shared.events.interventions import FlagResolved
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


ENCODED_EXAMPLES = [
    SampleRecorded(sample_key="student-7", seq=3),
    FlagResolved(  # None fields stay in data (as null), non-ASCII and control characters are escaped alike
        student_id='élève\x1f"7',
        district_id="d1",
        school_id="s1",
        flag_id=uuid.UUID(int=7),
        kind="support",
        standard_id="MA.5/NF.1",
        reason="void",
        resolved_at=datetime(2026, 9, 1, 8, 30, 0, 123456, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize("event", ENCODED_EXAMPLES, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    "at", [datetime(2026, 9, 1, 8, 30, tzinfo=UTC), datetime(2026, 9, 1, 8, 30, 0, 5, tzinfo=UTC)]
)
def test_encode_is_byte_for_byte_the_wrapped_envelope(event, at):
    event_id = uuid.uuid4()
    assert (
        CloudEvent.encode(event, id=event_id, time=at)
        == CloudEvent.wrap(event, id=event_id, time=at).to_bytes()
    )


def test_a_typed_parser_validates_data_in_one_pass_and_falls_back_for_other_events():
    parser = EventParser({SampleRecorded.type})
    event = SampleRecorded(sample_key="k", seq=1)
    typed = parser(CloudEvent.wrap(event).to_bytes())
    assert typed.type == SampleRecorded.type
    assert typed.data == event and typed.payload() == event
    other = parser(CloudEvent(source="/x", type="org.plc.unknown.v1", data={"a": 1}).to_bytes())
    assert other.data == {"a": 1}
    # wrong data parses as a plain envelope: the handler's payload() raises, as without the typed parser
    wrong = parser(
        CloudEvent(source="/x", type=SampleRecorded.type, data={"sample_key": "a", "seq": "x"}).to_bytes()
    )
    with pytest.raises(ValidationError):
        wrong.payload()
    with pytest.raises(ValidationError):
        parser(b"this is not a cloud event")
