"""The DuckDB file: one table per event type, the consumer's offsets, and one transaction per batch.

Idempotent on the CloudEvents id (the primary key of every event table; `INSERT OR IGNORE`), resumable because
the next offset of every partition is written in the same transaction as the rows read from it: after a crash
the sink seeks to exactly what was committed, and anything read again is ignored by id anyway.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from plc_warehouse.tables import EventTable, quote

OFFSETS = "_warehouse_offsets"
BROKER = "_warehouse_broker"  # the cluster id of the broker the offsets belong to
OTHER = "_other_events"  # well-formed CloudEvents of a type this sink has no schema for (e.g. a newer one)
REJECTED = "_rejected"  # records that are not CloudEvents at all, kept with the error


@dataclass
class Counts:
    read: int = 0
    loaded: int = 0  # new rows
    duplicates: int = 0  # already loaded (redelivery, replay) or twice in one batch
    rejected: int = 0

    def add(self, other: Counts) -> None:
        self.read += other.read
        self.loaded += other.loaded
        self.duplicates += other.duplicates
        self.rejected += other.rejected


@dataclass(frozen=True)
class Record:
    """What the store needs of one Kafka record (aiokafka's ConsumerRecord has these fields)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple = ()


@dataclass
class _Rows:
    columns: tuple[list, ...] = field(default_factory=lambda: ([], [], [], [], [], []))

    def append(self, raw: str, record: Record) -> None:
        trace = next((v.decode() for k, v in record.headers if k == "traceparent"), None)
        key = record.key.decode(errors="replace") if record.key is not None else None
        for column, value in zip(
            self.columns, (raw, record.topic, record.partition, record.offset, key, trace), strict=True
        ):
            column.append(value)


class Store:
    def __init__(self, con: duckdb.DuckDBPyConnection, tables: Mapping[str, EventTable]) -> None:
        self.con = con
        self.tables = dict(tables)
        self.other = EventTable("*", OTHER, {}, whole_data=True)

    @classmethod
    def open(cls, path: Path | str, schemas: Mapping[str, dict]) -> Store:
        """Open (or create) the file and bring its tables up to the schemas: new types get a table, new
        optional fields a column (the compatibility rule allows nothing else within one type)."""
        store = cls(duckdb.connect(str(path)), {t: EventTable.from_schema(t, s) for t, s in schemas.items()})
        store._migrate()
        return store

    def close(self) -> None:
        self.con.close()

    def _migrate(self) -> None:
        con = self.con
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {OFFSETS} (topic VARCHAR, partition INTEGER, next_offset BIGINT NOT NULL,"
            " updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, PRIMARY KEY (topic, partition))"
        )
        con.execute(f"CREATE TABLE IF NOT EXISTS {BROKER} (cluster_id VARCHAR NOT NULL)")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {REJECTED} (topic VARCHAR, partition INTEGER, kafka_offset BIGINT,"
            " kafka_key VARCHAR, value BLOB, error VARCHAR NOT NULL,"
            " loaded_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, PRIMARY KEY (topic, partition, kafka_offset))"
        )
        for table in (*self.tables.values(), self.other):
            con.execute(table.create_sql())
            existing = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table.name]
                ).fetchall()
            }
            for column, sql_type in table.column_types().items():
                if column not in existing:
                    con.execute(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column)} {sql_type}")

    def follow_broker(self, cluster_id: str) -> bool:
        """The offsets belong to the broker with this cluster id from now on. True when it is another broker
        than the one they were read from: they are forgotten then (every partition is read from its start;
        the events loaded already are ignored by id)."""
        row = self.con.execute(f"SELECT cluster_id FROM {BROKER}").fetchone()
        if row is not None and row[0] == cluster_id:
            return False
        self.con.begin()
        try:
            if row is not None:
                self.con.execute(f"DELETE FROM {OFFSETS}")
            self.con.execute(f"DELETE FROM {BROKER}")
            self.con.execute(f"INSERT INTO {BROKER} VALUES (?)", [cluster_id])
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        return row is not None

    def offsets(self) -> dict[tuple[str, int], int]:
        rows = self.con.execute(f"SELECT topic, partition, next_offset FROM {OFFSETS}").fetchall()
        return {(topic, partition): offset for topic, partition, offset in rows}

    def write(self, records: Iterable[Record]) -> Counts:
        """Load one batch and advance the offsets of its partitions, in one transaction."""
        counts, seen = Counts(), set()
        by_table: dict[str, _Rows] = {}
        rejected: list[tuple] = []
        next_offsets: dict[tuple[str, int], int] = {}
        for record in records:
            counts.read += 1
            next_offsets[(record.topic, record.partition)] = record.offset + 1
            try:
                event_id, event_type, raw = _envelope(record.value)
            except ValueError as exc:
                rejected.append(
                    (record.topic, record.partition, record.offset, record.key, record.value, str(exc))
                )
                continue
            if event_id in seen:
                counts.duplicates += 1
                continue
            seen.add(event_id)
            table = self.tables.get(event_type, self.other)
            by_table.setdefault(table.name, _Rows()).append(raw, record)
        tables = {t.name: t for t in (*self.tables.values(), self.other)}
        self.con.begin()
        try:
            for name, rows in by_table.items():
                counts.loaded += self.con.execute(tables[name].insert_sql(), list(rows.columns)).fetchone()[0]
            counts.rejected = self._reject(rejected)
            self.con.executemany(
                f"INSERT OR REPLACE INTO {OFFSETS} (topic, partition, next_offset) VALUES (?, ?, ?)",
                [(t, p, o) for (t, p), o in next_offsets.items()],
            )
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        counts.duplicates = counts.read - counts.rejected - counts.loaded
        return counts

    def _reject(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        self.con.executemany(
            f"INSERT OR IGNORE INTO {REJECTED} (topic, partition, kafka_offset, kafka_key, value, error)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(t, p, o, k.decode(errors="replace") if k else None, v, e) for t, p, o, k, v, e in rows],
        )
        return len(rows)


def _envelope(value: bytes | None) -> tuple[str, str, str]:
    """(id, type, the raw JSON) of a structured-mode CloudEvent; ValueError for anything else."""
    if value is None:
        raise ValueError("no value (a tombstone)")
    try:
        body: Any = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(body, dict) or not all(isinstance(body.get(a), str) for a in ("id", "type", "source")):
        raise ValueError("not a CloudEvent: id, type and source are required strings")
    if not isinstance(body.get("data"), dict) or not isinstance(body.get("time"), str):
        raise ValueError("not a PLC event: `time` and an object `data` are required")
    try:  # the key and the timestamp must load, or the whole batch would fail
        uuid.UUID(body["id"])
        datetime.fromisoformat(body["time"])
    except ValueError as exc:
        raise ValueError(f"bad id or time: {exc}") from None
    return body["id"], body["type"], value.decode()
