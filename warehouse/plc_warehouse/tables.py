"""One DuckDB table per event type, its columns derived from the published JSON Schema of the type's data.

Types: string → VARCHAR (DATE, TIMESTAMPTZ or UUID by `format`; enums stay text, so a new enum value never
breaks a load), integer → BIGINT, number → DOUBLE, boolean → BOOLEAN, array → LIST, object with properties →
STRUCT, anything looser (a free-form object, a union of types) → JSON. Nullable (`anyOf [T, null]`) is T.
Every table starts with the envelope and Kafka columns (prefixed, so no data field can clash with them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ENVELOPE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "UUID PRIMARY KEY"),  # idempotence: a redelivered event is the same row
    ("event_type", "VARCHAR NOT NULL"),
    ("event_source", "VARCHAR NOT NULL"),
    ("event_subject", "VARCHAR"),
    ("event_time", "TIMESTAMPTZ NOT NULL"),
    ("event_dataschema", "VARCHAR"),
    ("kafka_topic", "VARCHAR NOT NULL"),
    ("kafka_partition", "INTEGER NOT NULL"),
    ("kafka_offset", "BIGINT NOT NULL"),
    ("kafka_key", "VARCHAR"),
    ("traceparent", "VARCHAR"),
    ("loaded_at", "TIMESTAMPTZ NOT NULL DEFAULT current_timestamp"),
)
# The envelope attributes as json_transform reads them (the Kafka columns come from the record).
ENVELOPE_STRUCTURE = {
    "id": "UUID",
    "type": "VARCHAR",
    "source": "VARCHAR",
    "subject": "VARCHAR",
    "time": "TIMESTAMPTZ",
    "dataschema": "VARCHAR",
}
FORMATS = {"date": "DATE", "date-time": "TIMESTAMPTZ", "uuid": "UUID"}
SCALARS = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}


def table_name(event_type: str) -> str:
    """`org.plc.interventions.student.flagged.v1` → `interventions_student_flagged_v1`."""
    return event_type.removeprefix("org.plc.").replace(".", "_").replace("-", "_")


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class EventTable:
    event_type: str
    name: str
    columns: dict[str, Any]  # data field → its json_transform structure (a type name, list or dict)
    whole_data: bool = False  # one JSON column `data` (events of types without a schema here)

    @classmethod
    def from_schema(cls, event_type: str, schema: dict) -> EventTable:
        columns = {
            field: structure(prop, schema) for field, prop in sorted(schema.get("properties", {}).items())
        }
        return cls(event_type, table_name(event_type), columns)

    def column_types(self) -> dict[str, str]:
        return {field: sql_type(s) for field, s in self.columns.items()}

    def create_sql(self) -> str:
        columns = [f"{quote(n)} {t}" for n, t in ENVELOPE_COLUMNS]
        columns += [f"{quote(n)} {t}" for n, t in self.column_types().items()]
        columns += ['"data" JSON'] if self.whole_data else []
        return f"CREATE TABLE IF NOT EXISTS {quote(self.name)} (\n  " + ",\n  ".join(columns) + "\n)"

    def insert_sql(self) -> str:
        """Rows from one batch of raw CloudEvents (parameters: raw JSON, topics, partitions, offsets, keys,
        traceparents; lists of one length). Events already loaded are skipped (idempotent on event id)."""
        data = "JSON" if self.whole_data else self.columns
        shape = json.dumps({**ENVELOPE_STRUCTURE, "data": data}).replace("'", "''")
        envelope = ["id", "type", "source", "subject", "time", "dataschema"]
        targets = [n for n, _ in ENVELOPE_COLUMNS if n != "loaded_at"] + list(self.columns)
        values = [f"e.{quote(a)}" for a in envelope]
        values += ["b.topic", "b.part", "b.off", "b.key", "b.trace"]
        values += [f"e.data.{quote(f)}" for f in self.columns]
        if self.whole_data:
            targets, values = [*targets, "data"], [*values, "e.data"]
        return (
            f"INSERT OR IGNORE INTO {quote(self.name)} ({', '.join(quote(t) for t in targets)})\n"
            f"SELECT {', '.join(values)} FROM (\n"
            f"  SELECT json_transform(raw, '{shape}') AS e, topic, part, off, key, trace FROM (\n"
            "    SELECT unnest(?::VARCHAR[]) AS raw, unnest(?::VARCHAR[]) AS topic, unnest(?::INTEGER[]) AS part,\n"
            "           unnest(?::BIGINT[]) AS off, unnest(?::VARCHAR[]) AS key, unnest(?::VARCHAR[]) AS trace)\n"
            ") b"
        )


def structure(schema: dict, root: dict) -> Any:
    """The json_transform structure of one JSON Schema: a DuckDB type name, `[item]` or `{field: ...}`."""
    schema = resolve(schema, root)
    branches = [b for b in schema.get("anyOf", []) if resolve(b, root).get("type") != "null"]
    if "anyOf" in schema:
        return structure(branches[0], root) if len(branches) == 1 else "JSON"
    kind = schema.get("type")
    if kind == "string":
        return FORMATS.get(schema.get("format", ""), "VARCHAR")
    if kind in SCALARS:
        return SCALARS[kind]
    if kind == "array" and "items" in schema:
        return [structure(schema["items"], root)]
    if kind == "object" and schema.get("properties"):
        return {f: structure(p, root) for f, p in sorted(schema["properties"].items())}
    if "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
        return "VARCHAR"
    return "JSON"


def sql_type(shape: Any) -> str:
    if isinstance(shape, list):
        return f"{sql_type(shape[0])}[]"
    if isinstance(shape, dict):
        return "STRUCT(" + ", ".join(f"{quote(f)} {sql_type(s)}" for f, s in shape.items()) + ")"
    return shape


def resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema
