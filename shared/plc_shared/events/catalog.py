"""The published event catalog: one JSON Schema per event type and an AsyncAPI 3 document of the topics.

Both are generated from the pydantic models and `plc_shared.topics`, committed under deploy/events/ for data
warehouses, and checked by tests/test_event_catalog.py so the files never drift from the code.
Regenerate with `uv run plc events export`: it refuses to overwrite a committed schema with one that is not
backward compatible (plc_shared.events.compat), or to drop a published type; a breaking change is a new `.v2`.

The AsyncAPI messages describe the Kafka record as it is sent by the outbox relay: the value is the CloudEvents
envelope (structured JSON mode) with the type's data schema inside, the key is the aggregate key, the headers
are `content-type` and, when the change had a trace, W3C `traceparent`. The gateway serves both documents at
`/events/` with ids under the configured catalog URL (EVENTS_CATALOG_URL), where `dataschema` points.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from plc_shared.errors import PROBLEM_RESPONSE, NotFound
from plc_shared.events import compat
from plc_shared.events.envelope import (
    CONTENT_TYPE,
    Event,
    catalog_url,
    export_json_schemas,
    json_schema,
    registered_types,
)
from plc_shared.settings import EventSettings
from plc_shared.topics import ALL, Topic

# Every module that declares published events (one per producing service).
PUBLIC_MODULES = (
    "plc_shared.events.assessments",
    "plc_shared.events.goals",
    "plc_shared.events.interventions",
    "plc_shared.events.reviews",
)
DEFAULT_DIRECTORY = Path("deploy/events")
# The committed files carry the default catalog URL (the gateway of `plc up`); a deployment's gateway serves
# the same documents with its own (EVENTS_CATALOG_URL).
DEFAULT_CATALOG_URL = EventSettings.model_fields["catalog_url"].default


def public_types() -> dict[str, type[Event]]:
    for module in PUBLIC_MODULES:
        importlib.import_module(module)
    return {t: m for t, m in registered_types().items() if not t.startswith("org.plc.testing.")}


def asyncapi(base: str = DEFAULT_CATALOG_URL) -> dict:
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
            "description": "Domain events of PLC Suite as CloudEvents 1.0 (structured JSON mode: the Kafka value "
            "is the whole envelope, `data` holds the event). Topic names get the deployment's KAFKA_TOPIC_PREFIX. "
            "The key is the aggregate key (district id/id); order holds per key. Delivery is at least once: "
            "deduplicate on the CloudEvents `id`. Events carry SIS ids and scores, never names. A breaking "
            "change is a new type ending `.v2`; older types stay readable.",
        },
        "id": f"{base}asyncapi.json",
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
        "components": {
            "messages": {_message(t): _message_doc(t, types[t], base) for t in sorted(types)},
            "schemas": {"CloudEvent": ENVELOPE, "Headers": HEADERS},
        },
    }


# The envelope as CloudEvent.encode writes it (subject only when the event has one).
ENVELOPE = {
    "type": "object",
    "description": "CloudEvents 1.0, structured JSON mode (application/cloudevents+json).",
    "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "dataschema", "data"],
    "properties": {
        "specversion": {"const": "1.0"},
        "id": {"type": "string", "format": "uuid", "description": "unique per event: deduplicate on it"},
        "source": {"type": "string", "description": "the producing service, e.g. /plc/assessments"},
        "type": {"type": "string", "description": "versioned event type, e.g. org.plc.x.y.recorded.v1"},
        "subject": {"type": "string", "description": "the aggregate within the source"},
        "time": {"type": "string", "format": "date-time", "description": "when the change was committed"},
        "datacontenttype": {"const": "application/json"},
        "dataschema": {"type": "string", "format": "uri", "description": "the JSON Schema of `data`"},
        "data": {"type": "object"},
    },
}
HEADERS = {
    "type": "object",
    "required": ["content-type"],
    "properties": {
        "content-type": {"const": CONTENT_TYPE},
        "traceparent": {"type": "string", "description": "W3C trace context of the change, when it had one"},
    },
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


def _message_doc(event_type: str, model: type[Event], base: str) -> dict:
    topic = next(t for t in ALL if t.name == model.topic)
    envelope = {
        "allOf": [
            {"$ref": "#/components/schemas/CloudEvent"},
            {
                "type": "object",
                "properties": {
                    "type": {"const": event_type},
                    "source": {"const": model.source},
                    "dataschema": {"const": f"{base}schemas/{event_type}.json"},
                    "data": {"$ref": f"schemas/{event_type}.json"},
                },
            },
        ]
    }
    return {
        "name": event_type,
        "title": model.__name__,
        "summary": (model.__doc__ or event_type).strip().splitlines()[0],
        "contentType": CONTENT_TYPE,
        "headers": {"$ref": "#/components/schemas/Headers"},
        "payload": envelope,
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"Key: {topic.key}"},
                "bindingVersion": "0.5.0",
            }
        },
    }


def schemas(base: str) -> dict[str, dict]:
    """Every public type's JSON Schema, with `$id` under `base`."""
    return {t: json_schema(t, m, base) for t, m in sorted(public_types().items())}


def export(directory: Path = DEFAULT_DIRECTORY) -> list[Path]:
    """Write schemas/<type>.json and asyncapi.json under `directory`. A committed schema is a promise: an
    incompatible replacement or a type that is gone raises compat.Incompatible and nothing is written."""
    schemas_dir = directory / "schemas"
    types = public_types()
    problems = compat.check_directory(schemas_dir, schemas(DEFAULT_CATALOG_URL))
    if problems:
        raise compat.Incompatible(problems)
    written = export_json_schemas(schemas_dir, types, DEFAULT_CATALOG_URL)
    document = directory / "asyncapi.json"
    document.write_text(json.dumps(asyncapi(), indent=2, sort_keys=True) + "\n")
    return [*written, document]


def router() -> APIRouter:
    """The catalog over HTTP (the gateway mounts it at the root): `/events/asyncapi.json` and
    `/events/schemas/<type>.json`, with ids under this process's EVENTS_CATALOG_URL, so every event's
    `dataschema` and every `$id` resolves when that URL is the gateway's public `/events/`. Public, like a
    JWKS: it is the contract, not data."""
    served = APIRouter(prefix="/events", tags=["events"])
    documents: dict[str, dict] = {}

    def cached() -> dict[str, dict]:
        if not documents:
            base = catalog_url()
            documents.update({f"schemas/{t}.json": s for t, s in schemas(base).items()})
            documents["asyncapi.json"] = asyncapi(base)
        return documents

    @served.get("/asyncapi.json", summary="The AsyncAPI 3 document of every topic and event")
    async def asyncapi_document() -> JSONResponse:
        """The AsyncAPI 3 document of every topic and event type."""
        return JSONResponse(cached()["asyncapi.json"])

    @served.get(
        "/schemas/{event_type}.json",
        summary="The JSON Schema of one event type's data",
        responses={404: PROBLEM_RESPONSE},
    )
    async def event_schema(event_type: str) -> JSONResponse:
        """The JSON Schema (draft 2020-12) of one event type's `data`."""
        document = cached().get(f"schemas/{event_type}.json")
        if document is None:
            raise NotFound(f"No event type {event_type!r} in the catalog.")
        return JSONResponse(document, media_type="application/schema+json")

    return served
