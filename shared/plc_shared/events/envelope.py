"""CloudEvents 1.0 structured JSON mode, with typed `data` models registered by their versioned type."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_BASE = "https://schemas.plc-suite.org/events/"
CONTENT_TYPE = "application/cloudevents+json"

_REGISTRY: dict[str, type[Event]] = {}


class Event(BaseModel):
    """The `data` of one event. Subclasses are past-tense facts and declare where and how they travel.

    `type` is versioned (`org.plc.<service>.<thing>.<fact>.v1`); a breaking change is a new class with `.v2`,
    and the old one stays registered so old messages remain readable.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    source: ClassVar[str]  # e.g. "/plc/assessments"
    topic: ClassVar[str]  # logical topic name from plc_shared.topics

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("type")
        if event_type is not None:
            if event_type in _REGISTRY and _REGISTRY[event_type] is not cls:
                raise TypeError(f"event type {event_type!r} is registered twice")
            _REGISTRY[event_type] = cls

    def key(self) -> str:
        """The Kafka message key (the aggregate id): per-key order is what consumers rely on."""
        raise NotImplementedError

    def subject(self) -> str | None:
        return self.key()


class CloudEvent(BaseModel):
    """The envelope on the wire (structured content mode)."""

    model_config = ConfigDict(extra="allow")

    specversion: str = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(cls, event: Event, *, id: uuid.UUID | None = None, time: datetime | None = None) -> CloudEvent:
        return cls(
            id=id or uuid.uuid4(),
            source=event.source,
            type=event.type,
            subject=event.subject(),
            time=time or datetime.now(UTC),
            dataschema=f"{SCHEMA_BASE}{event.type}.json",
            data=event.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    def payload(self) -> Event:
        """The typed data; raises KeyError for an unknown type and ValidationError for bad data."""
        return _REGISTRY[self.type].model_validate(self.data)


def parse_event(raw: bytes) -> CloudEvent:
    return CloudEvent.model_validate_json(raw)


def event_model(event_type: str) -> type[Event]:
    return _REGISTRY[event_type]


def registered_types() -> dict[str, type[Event]]:
    return dict(_REGISTRY)


def export_json_schemas(directory: Path, types: dict[str, type[Event]] | None = None) -> list[Path]:
    """Write one JSON Schema per event type (`<type>.json`), the contract warehouses read."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type, model in sorted((types or _REGISTRY).items()):
        schema = {"$id": f"{SCHEMA_BASE}{event_type}.json", "title": event_type, **model.model_json_schema()}
        path = directory / f"{event_type}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written
