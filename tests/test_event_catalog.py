"""The committed event catalog (deploy/events) is exactly what the models generate, and it is complete."""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest
from interventions.testing import recorded
from jsonschema import ValidationError
from plc_shared.events import CloudEvent, catalog, compat
from plc_shared.events.envelope import schema_url
from plc_shared.outbox import Outbox
from plc_shared.testing import wire_validator
from plc_shared.topics import ALL
from plc_warehouse.testing import goal_events, review_events

ROOT = Path(__file__).resolve().parent.parent


def test_committed_catalog_matches_the_models(tmp_path):
    generated = {p.relative_to(tmp_path) for p in catalog.export(tmp_path)}
    committed_dir = ROOT / catalog.DEFAULT_DIRECTORY
    committed = {p.relative_to(committed_dir) for p in committed_dir.rglob("*.json")}
    assert committed == generated, "run `uv run plc events export` and commit deploy/events"
    for relative in generated:
        assert (committed_dir / relative).read_text() == (tmp_path / relative).read_text(), relative


def test_every_published_event_is_on_a_documented_topic_with_a_schema():
    document = catalog.asyncapi()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses <= {t.name for t in ALL}
    types = catalog.public_types()
    assert {m["name"] for m in document["components"]["messages"].values()} == set(types)
    for event_type, model in types.items():
        assert model.topic in addresses
        schema = json.loads((ROOT / "deploy/events/schemas" / f"{event_type}.json").read_text())
        assert schema["$id"].endswith(f"{event_type}.json")
        assert "name" not in schema.get("properties", {}), "events carry ids, never names"
    assert {"org.plc.assessments.result.recorded.v1", "org.plc.interventions.student.flagged.v1"} <= set(
        types
    )


def test_every_committed_schema_is_kept_by_the_current_models():
    """A model change that breaks a published schema fails here; publish a `.v2` type instead."""
    current = catalog.schemas(catalog.DEFAULT_CATALOG_URL)
    assert compat.check_directory(ROOT / catalog.DEFAULT_DIRECTORY / "schemas", current) == []


def test_export_refuses_to_replace_a_committed_schema_incompatibly(tmp_path):
    catalog.export(tmp_path)
    path = tmp_path / "schemas" / "org.plc.assessments.result.recorded.v1.json"
    schema = json.loads(path.read_text())
    schema["properties"]["retired_field"] = {"type": "string"}  # the committed contract had a field more
    path.write_text(json.dumps(schema))
    with pytest.raises(compat.Incompatible, match="retired_field: removed"):
        catalog.export(tmp_path)
    assert "retired_field" in path.read_text(), "nothing is written when the export is refused"


def test_schemas_declare_their_dialect_and_an_id_under_the_catalog_url():
    for path in (ROOT / "deploy/events/schemas").glob("*.json"):
        schema = json.loads(path.read_text())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"{catalog.DEFAULT_CATALOG_URL}schemas/{path.name}"


def test_each_message_is_the_cloudevents_envelope_with_key_and_headers():
    document = json.loads((ROOT / "deploy/events/asyncapi.json").read_text())
    envelope = document["components"]["schemas"]["CloudEvent"]
    assert {"specversion", "id", "source", "type", "time", "dataschema", "data"} <= set(envelope["required"])
    headers = document["components"]["schemas"]["Headers"]["properties"]
    assert headers["content-type"] == {"const": "application/cloudevents+json"}
    assert "traceparent" in headers
    message = document["components"]["messages"]["assessments-result-recorded-v1"]
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    typed = message["payload"]["allOf"][1]["properties"]
    assert typed["type"] == {"const": "org.plc.assessments.result.recorded.v1"}
    assert typed["data"] == {"$ref": "schemas/org.plc.assessments.result.recorded.v1.json"}


def test_the_envelope_on_the_wire_matches_the_documented_envelope():
    """What the outbox writes (CloudEvent.encode) has exactly the documented attributes and dataschema."""
    from plc_shared.events.assessments import AssessmentClosed

    model = AssessmentClosed
    sample = model(
        assessment_id="a1",
        district_id="d1",
        kind=get_args(model.model_fields["kind"].annotation)[0],
        proficiency_cut=70,
        mastery_cut=90,
        occurred_at=datetime.now(UTC),
    )
    body = json.loads(CloudEvent.encode(sample, id=uuid.uuid4()))
    envelope = catalog.ENVELOPE
    assert set(envelope["required"]) <= set(body) <= set(envelope["properties"])
    assert body["dataschema"] == schema_url(model.type)
    assert body["specversion"] == envelope["properties"]["specversion"]["const"]


def test_records_as_the_relay_sends_them_match_the_asyncapi_messages():
    """Value and headers of a record of every producing service's events, as the outbox writes them,
    validate against the committed AsyncAPI message (envelope + the type's data schema + headers)."""
    document = json.loads((ROOT / "deploy/events/asyncapi.json").read_text())
    schemas = {
        p.name.removesuffix(".json"): json.loads(p.read_text())
        for p in (ROOT / "deploy/events/schemas").glob("*.json")
    }
    check = wire_validator(document, schemas)
    events = [recorded("stu-1", {"A": 40}), *goal_events("d1", 1), *review_events("d1", 2)]
    for row in Outbox.rows(events):  # (event_id, topic, key, event_type, payload, traceparent)
        check(row[4], [("content-type", b"application/cloudevents+json"), ("traceparent", b"00-ab-cd-01")])
    broken = json.loads(Outbox.rows(events[:1])[0][4])
    del broken["data"]["student_id"]
    with pytest.raises(ValidationError, match="student_id"):
        check(json.dumps(broken).encode(), [("content-type", b"application/cloudevents+json")])


# Strings an event may carry besides ids: each is a code or words the service generates, never typed text
# about a student (issue 21: exit reasons, evidence, notes stay in the owning service).
GENERATED_STRINGS = {
    "code": "a standard's humanCodingScheme (CASE), e.g. CCSS.MATH.CONTENT.4.NF.A.1",
    "rule": "the flag or escalation rule the service applied, in its own fixed words",
    "performance_level": "the assessment's level name (its definition, the same for every student)",
    "subject_area": "the assessment's subject",
    "training_year": "the program's training year label",
    "decided_by": "the subject id of who decided",
    "grades": "grade level codes (OneRoster's, e.g. KG, 04)",
}


def _current_types() -> dict[str, dict]:
    """The types published now: a `.vN` type is retired once a higher version of it is registered."""
    types = catalog.public_types()
    newest: dict[str, str] = {}
    for event_type in types:
        base, version = event_type.rsplit(".v", 1)
        if int(version) > int(newest.get(base, "0")):
            newest[base] = version
    current = [t for t in types if t.endswith(f".v{newest[t.rsplit('.v', 1)[0]]}")]
    return {t: catalog.json_schema(t, types[t]) for t in current}


def _free_strings(schema: dict, root: dict, path: str = "data") -> list[str]:
    schema = compat._resolve(schema, root)
    if "properties" in schema:
        return [
            f
            for name, sub in schema["properties"].items()
            for f in _free_strings(sub, root, f"{path}.{name}")
        ]
    found = [f for branch in schema.get("anyOf", []) for f in _free_strings(branch, root, path)]
    if "items" in schema:
        found += _free_strings(schema["items"], root, path + "[]")
    name = path.rsplit(".", 1)[-1].removesuffix("[]")
    plain = (
        schema.get("type") == "string"
        and "enum" not in schema
        and "const" not in schema
        and "format" not in schema
    )
    if plain and not (name.endswith(("_id", "_ids")) or name in GENERATED_STRINGS):
        found.append(path)
    return found


def test_no_published_event_carries_free_text():
    """Every string field of every type published now is an id, a code, an enum or a date, or one of the few
    generated strings above: a new `notes` or `evidence` field fails here (retired versions are exempt: the
    `.v1` exit with its words stays readable, but is no longer sent)."""
    current = _current_types()
    assert (
        "org.plc.interventions.student.exited.v2" in current
        and "org.plc.interventions.student.exited.v1" not in current
    )
    found = {t: fields for t, schema in current.items() if (fields := _free_strings(schema, schema))}
    assert found == {}
