"""The published event catalog: one JSON Schema per event type and an AsyncAPI 3 document of the topics.

Both are generated from the pydantic models and `plc_shared.topics`, committed under deploy/events/ for data
warehouses, and checked by tests/test_event_catalog.py so the files never drift from the code.
Regenerate with `uv run plc events export`.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from plc_shared.events.envelope import CONTENT_TYPE, Event, export_json_schemas, registered_types
from plc_shared.topics import ALL, Topic

# Every module that declares published events (one per producing service).
PUBLIC_MODULES = (
    "plc_shared.events.assessments",
    "plc_shared.events.goals",
    "plc_shared.events.interventions",
    "plc_shared.events.reviews",
)
DEFAULT_DIRECTORY = Path("deploy/events")


def public_types() -> dict[str, type[Event]]:
    for module in PUBLIC_MODULES:
        importlib.import_module(module)
    return {t: m for t, m in registered_types().items() if not t.startswith("org.plc.testing.")}


def asyncapi() -> dict:
    types = public_types()
    by_topic: dict[str, list[str]] = {}
    for event_type, model in sorted(types.items()):
        by_topic.setdefault(model.topic, []).append(event_type)
    topics = {t.name: t for t in ALL}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "PLC Suite events",
            "version": "1.0.0",
            "description": "Domain events of PLC Suite as CloudEvents 1.0 (structured JSON mode). Topic names get "
            "the deployment's KAFKA_TOPIC_PREFIX. Events carry SIS ids and scores, never names.",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": {
            _channel(topics[name]): _channel_doc(topics[name], ts) for name, ts in sorted(by_topic.items())
        },
        "operations": {
            f"publish-{_channel(topics[name])}": {
                "action": "send",
                "channel": {"$ref": f"#/channels/{_channel(topics[name])}"},
                "messages": [
                    {"$ref": f"#/channels/{_channel(topics[name])}/messages/{_message(t)}"} for t in ts
                ],
            }
            for name, ts in sorted(by_topic.items())
        },
        "components": {"messages": {_message(t): _message_doc(t, types[t]) for t in sorted(types)}},
    }


def _channel(name: str | Topic) -> str:
    return (name.name if isinstance(name, Topic) else name).replace(".", "-")


def _message(event_type: str) -> str:
    return event_type.removeprefix("org.plc.").replace(".", "-")


def _channel_doc(topic: Topic, event_types: list[str]) -> dict:
    return {
        "address": topic.name,
        "description": f"{topic.description} Key: {topic.key}. Partitions: {topic.partitions}.",
        "messages": {_message(t): {"$ref": f"#/components/messages/{_message(t)}"} for t in event_types},
    }


def _message_doc(event_type: str, model: type[Event]) -> dict:
    return {
        "name": event_type,
        "title": model.__name__,
        "summary": (model.__doc__ or event_type).strip().splitlines()[0],
        "contentType": CONTENT_TYPE,
        "payload": {"$ref": f"schemas/{event_type}.json"},
    }


def export(directory: Path = DEFAULT_DIRECTORY) -> list[Path]:
    """Write schemas/<type>.json and asyncapi.json under `directory`; remove schemas of types that are gone."""
    schemas = directory / "schemas"
    written = export_json_schemas(schemas, public_types())
    for stale in set(schemas.glob("*.json")) - set(written):
        stale.unlink()
    document = directory / "asyncapi.json"
    document.write_text(json.dumps(asyncapi(), indent=2, sort_keys=True) + "\n")
    return [*written, document]
