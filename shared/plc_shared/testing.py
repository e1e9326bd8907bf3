"""Pytest fixtures over real infrastructure (loaded by the root conftest.py as a plugin).

- PostgreSQL: `PLC_TEST_POSTGRES_URL`, else the server on 127.0.0.1:5432 when it answers, else an embedded
  PostgreSQL in a temporary directory. Every run creates its own databases and drops them at the end.
- Kafka: `KAFKA_BOOTSTRAP_SERVERS` when set, else a Tansu broker started on a free port for the run.
  Every run uses its own topic prefix, so runs never see each other's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from plc_shared import infra
from plc_shared.components import Component
from plc_shared.db import create_engine
from plc_shared.migrate import upgrade_async
from plc_shared.settings import KafkaSettings

LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
async def pg_admin_url() -> AsyncIterator[str]:
    configured = os.environ.get("PLC_TEST_POSTGRES_URL")
    if configured:
        yield configured
    elif await infra.postgres_reachable(LOCAL_POSTGRES):
        yield LOCAL_POSTGRES
    else:
        with tempfile.TemporaryDirectory(prefix="plc-test-pg-") as data:
            server = infra.EmbeddedPostgres(Path(data) / "pgdata")
            await asyncio.to_thread(server.start)
            try:
                yield server.admin_url
            finally:
                await asyncio.to_thread(server.stop)


@pytest.fixture(scope="session")
async def broker() -> AsyncIterator[infra.Tansu | None]:
    """The run's broker process (None when an external broker is configured)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield None
        return
    tansu = infra.Tansu()
    await tansu.astart()
    try:
        yield tansu
    finally:
        tansu.stop()


@pytest.fixture(scope="session")
def bootstrap_servers(broker: infra.Tansu | None) -> str:
    return broker.bootstrap_servers if broker else os.environ["KAFKA_BOOTSTRAP_SERVERS"]


@pytest.fixture(scope="session")
def kafka_settings(bootstrap_servers: str, run_id: str) -> KafkaSettings:
    broker_is_tansu = not os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "false").lower() == "true"
    return KafkaSettings(
        bootstrap_servers=bootstrap_servers,
        topic_prefix=f"t{run_id}.",
        enable_idempotence=idempotence,
        request_timeout_ms=5_000,
        **(infra.TANSU_CONSUMER_GROUP if broker_is_tansu else {}),
    )


DatabaseFactory = Callable[[str], Awaitable[str]]


@pytest.fixture(scope="session")
async def create_database(pg_admin_url: str, run_id: str) -> AsyncIterator[DatabaseFactory]:
    """`url = await create_database("name")`: a fresh database for this run, dropped at the end."""
    created: list[str] = []

    async def factory(name: str) -> str:
        database = f"plc_t{run_id}_{name}"
        await infra.create_database(pg_admin_url, database, drop_existing=True)
        created.append(database)
        return infra.url_with_database(pg_admin_url, database)

    yield factory
    for database in created:
        await infra.drop_database(pg_admin_url, database)


async def migrated_database(create_database: DatabaseFactory, component: Component) -> str:
    """A fresh database of its own (never shared with another fixture) for a component, with its Alembic
    migrations applied as deployed."""
    url = await create_database(f"{component.name}_{uuid.uuid4().hex[:6]}")
    await upgrade_async(component, url)
    return url


@pytest.fixture(scope="session")
async def web_db(create_database: DatabaseFactory) -> str:
    """The web app's migrated `plc_web` database (its sessions), for web/tests (which cannot have a conftest of
    their own: a second `tests` package with one clashes with gateway/tests' under importlib mode)."""
    from plc_shared.components import WEB

    return await migrated_database(create_database, WEB)


@contextlib.asynccontextmanager
async def upgraded_from(
    create_database: DatabaseFactory, component: Component, before: str, statements: Sequence[str]
) -> AsyncIterator[AsyncEngine]:
    """A migration's test: a database of `component` at revision `before`, `statements` run on it (rows as
    the old schema held them), then upgraded to head; yields an engine on it."""
    url = await create_database(f"{component.name}_migration_{uuid.uuid4().hex[:6]}")
    await upgrade_async(component, url, revision=before)
    engine = create_engine(url, pool_size=2)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)
        await upgrade_async(component, url)
        yield engine
    finally:
        await engine.dispose()


async def engine_with_tables(url: str, metadata: MetaData) -> AsyncEngine:
    """For library tests: an engine on `url` with `metadata`'s tables created."""
    engine = create_engine(url, pool_size=5)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return engine


async def consume(
    bootstrap_servers: str, topic: str, *, until: Callable[[list], bool], timeout_s: float = 30.0
) -> list:
    """Read `topic` from the beginning (no group) until `until(records)` holds or the time is up."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not until(records) and loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def ensure_topic_named(bootstrap_servers: str, topic: str, request_timeout_ms: int = 15_000) -> None:
    """Create `topic` (a full, prefixed name) when it is missing, as a relay would before sending to it (no send
    creates a topic: plc_shared.kafka): the catalog's partitions for a catalog topic, else the default."""
    from plc_shared import topics
    from plc_shared.kafka import ensure_topics

    logical = next((t for t in topics.catalog() if topic.endswith(t.name)), None)
    prefix = topic[: -len(logical.name)] if logical else ""
    wanted = logical or topics.by_name(topic)
    settings = KafkaSettings(
        bootstrap_servers=bootstrap_servers, topic_prefix=prefix, request_timeout_ms=request_timeout_ms
    )
    await ensure_topics(settings, [wanted])


async def publish(bootstrap_servers: str, topic: str, envelopes: list) -> None:
    """CloudEvents onto `topic` with a raw producer, keyed by their events' keys, as a service's relay
    publishes them (for consumer tests that feed a service what another one would send)."""
    await ensure_topic_named(bootstrap_servers, topic)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value=e.to_bytes(), key=e.payload().key().encode()) for e in envelopes
        ]
        for future in futures:
            await future
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def serve_app(app, port: int | None = None) -> AsyncIterator[str]:
    """Run an ASGI app under uvicorn (real HTTP, on a free port unless given) in this event loop, with the
    request-head bounds every process runs with (plc_shared.serving); yields its URL."""
    import uvicorn

    from plc_shared import serving

    port = port or infra.free_port()
    server = uvicorn.Server(
        serving.config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def eventually(
    predicate: Callable[[], Awaitable[bool]], timeout_s: float = 30.0, interval_s: float = 0.1
) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval_s)
    return await predicate()


class TcpProxy:
    """A TCP proxy a test can cut, to make a dependency (PostgreSQL) go away and come back on the same address:
    `cut()` drops every open connection and refuses new ones (the socket is gone, as when the server restarts),
    `restore()` accepts again. `async with TcpProxy(host, port) as proxy:`; `proxy.port` is where to connect."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = infra.free_port()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> TcpProxy:
        await self.restore()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.cut()

    async def restore(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._accept, "127.0.0.1", self.port, reuse_address=True
            )

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            sink.transport.abort()
            self._writers.discard(sink)


def through(proxy: TcpProxy, url: str) -> str:
    """`url` with its host and port replaced by the proxy's."""
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


# --- A sample aggregate for the library's own tests (services test with their real events). ---
from sqlalchemy import Column, Integer, Table, Text  # noqa: E402

from plc_shared.db import make_metadata  # noqa: E402
from plc_shared.events import Event  # noqa: E402
from plc_shared.inbox import inbox_table  # noqa: E402
from plc_shared.outbox import Outbox, outbox_table  # noqa: E402
from plc_shared.topics import Topic  # noqa: E402

SAMPLES = Topic("plc.testing.samples", key="sample key", description="library tests only", partitions=4)


class SampleRecorded(Event):
    type = "org.plc.testing.sample.recorded.v1"
    source = "/plc/testing"
    topic = SAMPLES.name

    sample_key: str
    seq: int
    fail: bool = False

    def key(self) -> str:
        return self.sample_key


sample_metadata = make_metadata()
sample_outbox = Outbox(outbox_table(sample_metadata))
sample_inbox = inbox_table(sample_metadata)
samples_table = Table(
    "samples",
    sample_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sample_key", Text, nullable=False),
    Column("seq", Integer, nullable=False),
)


def wire_validator(document: dict, schemas: dict[str, dict]) -> Callable[[bytes, Sequence], None]:
    """A check that a Kafka record (value, headers) is what the AsyncAPI `document` says its message is: the
    envelope with the type's data schema inside, and the headers. `schemas`: type → JSON Schema (with `$id`).
    Raises jsonschema.ValidationError (a dev dependency: imported here, not by the services)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    base = document["id"]
    resources = [(base, Resource.from_contents(document, default_specification=DRAFT202012))]
    resources += [(s["$id"], Resource.from_contents(s)) for s in schemas.values()]
    registry = Registry().with_resources(resources)
    names = {m["name"]: key for key, m in document["components"]["messages"].items()}

    def check(value: bytes, headers: Sequence) -> None:
        body = json.loads(value)
        message = f"{base}#/components/messages/{names[body['type']]}"
        Draft202012Validator({"$ref": f"{message}/payload"}, registry=registry).validate(body)
        decoded = {k: v.decode() for k, v in headers}
        Draft202012Validator({"$ref": f"{message}/headers"}, registry=registry).validate(decoded)

    return check
