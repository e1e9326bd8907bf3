"""The committed event catalog (deploy/events) is exactly what the models generate, and it is complete."""

import json
from pathlib import Path

from plc_shared.events import catalog
from plc_shared.topics import ALL

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
