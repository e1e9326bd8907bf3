"""The one way a PLC Suite process is assembled: settings → engine → relay + consumers → FastAPI app.

A service's `main.py` is a call to `create_service_app`; everything a newcomer needs to know about how a
process starts, what runs in its background and how it stops is here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from aiokafka import AIOKafkaClient
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy import Table, text

from plc_shared import observability, responses
from plc_shared.auth import TokenVerifier
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.errors import install_error_handlers, refuse_unstorable_parameters
from plc_shared.inbox import Consumer, ConsumerRunner
from plc_shared.outbox import OutboxRelay
from plc_shared.periodic import Periodic, PeriodicRunner
from plc_shared.settings import KafkaSettings, ServiceSettings

logger = logging.getLogger(__name__)

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status"],
}


@dataclass
class ServiceParts:
    """What differs between services: their routers, their tables for the outbox/inbox, their consumers."""

    # Mounted under /<service_name>: the gateway forwards /assessments/... to assessments unchanged, so a
    # path is the same through the gateway and straight to the service.
    routers: Sequence[APIRouter] = ()
    # Mounted at the root: paths fixed by a standard (OneRoster's /ims/oneroster/...).
    root_routers: Sequence[APIRouter] = ()
    outbox: Table | None = None
    inbox: Table | None = None
    consumers: Sequence[Consumer] = field(default_factory=tuple)
    # Jobs every replica runs on a timer (each claims its rows, see plc_shared.periodic).
    periodic: Sequence[Periodic] = ()
    description: str = ""
    # More readiness checks, by name: each is called with the app and raises while that dependency is not ready
    # (the gateway's: every upstream it routes to answers its /readyz).
    checks: Mapping[str, Callable[[FastAPI], Awaitable[None]]] = field(default_factory=dict)
    # Bodies a route reads by hand (e.g. a bulk upload validated row by row) that its `openapi_extra` refers
    # to as #/components/schemas/<Name>: added to the components with what they reference.
    documented_schemas: Sequence[type[BaseModel]] = ()


def create_service_app(settings: ServiceSettings, parts: ServiceParts) -> FastAPI:
    observability.configure_logging(settings.service_name, settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
        app.state.token_verifier = TokenVerifier(settings.auth)
        app.state.broker_probe = BrokerProbe(settings.kafka)
        runners = _background(app, settings, parts)
        tune_gc()
        tasks = [asyncio.create_task(coro, name=name) for name, coro in runners]
        try:
            yield
        finally:
            await _shutdown(app, tasks)
            await app.state.broker_probe.close()
            await engine.dispose()

    app = FastAPI(
        title=f"PLC Suite {settings.service_name}",
        description=parts.description,
        version="1.0.0",
        lifespan=lifespan,
        dependencies=[Depends(refuse_unstorable_parameters)],
    )
    install_error_handlers(app)
    observability.install(app)
    checks = {"database": lambda: _check_database(app)}
    if parts.outbox is not None or parts.consumers or parts.periodic:
        checks["broker"] = lambda: app.state.broker_probe.check()
        checks["background"] = lambda: _check_background(app)
    for name, check in parts.checks.items():
        checks[name] = lambda check=check: check(app)
    app.include_router(observability.health_router(checks))
    for router in parts.routers:
        app.include_router(router, prefix=f"/{settings.service_name}")
    for router in parts.root_routers:
        app.include_router(router)
    _document_schemas(app, parts.documented_schemas)
    return app


def _background(app: FastAPI, settings: ServiceSettings, parts: ServiceParts) -> list[tuple[str, object]]:
    jobs: list[tuple[str, object]] = []
    app.state.relay = None
    if parts.outbox is not None and settings.run_relay:
        relay = OutboxRelay(
            engine=app.state.engine,
            table=parts.outbox,
            kafka=settings.kafka,
            service=settings.service_name,
            batch_size=settings.relay_batch_size,
            poll_interval_s=settings.relay_poll_interval_s,
            retention=timedelta(days=settings.outbox_retention_days),
        )
        app.state.relay = relay
        jobs.append(("outbox-relay", relay.run()))
    app.state.consumer_runners = []
    if parts.consumers and settings.run_consumers:
        if parts.inbox is None:
            raise RuntimeError("a service with consumers needs an inbox table")
        for spec in parts.consumers:
            runner = ConsumerRunner(
                spec,
                sessionmaker=app.state.sessionmaker,
                inbox=parts.inbox,
                kafka=settings.kafka,
                max_attempts=settings.consumer_max_attempts,
                max_records=settings.consumer_batch_size,
            )
            app.state.consumer_runners.append(runner)
            jobs.append((f"consumer-{spec.name}", runner.run()))
    app.state.periodic_runners = []
    if settings.run_periodic:
        for job in parts.periodic:
            periodic = PeriodicRunner(job, sessionmaker=app.state.sessionmaker)
            app.state.periodic_runners.append(periodic)
            jobs.append((f"periodic-{job.name}", periodic.run()))
    return jobs


def tune_gc() -> None:
    """A consumer's batch allocates hundreds of thousands of objects that live until the batch commits; with
    the default thresholds the collector keeps re-walking them and the process's long-lived heap (SQLAlchemy,
    pydantic, the app), which cost the interventions consumer about a third of its time. Freeze what exists
    after start-up and collect the young generation every 500,000 allocations instead of 700: a 50,000-event
    burst then runs without a collection (measured: 7,400 events/s instead of 6,300 with 50,000, the
    collections themselves took 0.75 s of its 8 s). Only cyclic garbage waits longer; everything else is
    still freed by reference counting at once.

    Every service process does it, not only those with consumers: a 50,000-row bulk upload of results holds
    as many objects until it commits (its rows, their checks, the rows it stores and its events), and with
    the default thresholds 7 full collections walked them, 25-40 % of the request's CPU time (issue 25)."""
    gc.freeze()
    gc.set_threshold(500_000, 20, 50)


async def _shutdown(app: FastAPI, tasks: list[asyncio.Task]) -> None:
    """The relay and the consumers finish their batch and commit; whatever is still running after 10 s is
    cancelled (safe: unacknowledged outbox rows stay and are sent again; uncommitted offsets are redelivered)."""
    if app.state.relay is not None:
        app.state.relay.stop()
    for runner in [*app.state.consumer_runners, *app.state.periodic_runners]:
        runner.stop()
    if tasks:
        _done, pending = await asyncio.wait(tasks, timeout=10)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _check_background(app: FastAPI) -> None:
    """The relay, the consumers and the periodic jobs make progress (each retries by itself; this says when it is retrying)."""
    loops = [*([app.state.relay] if app.state.relay else []), *app.state.consumer_runners]
    loops += app.state.periodic_runners
    failing = []
    for loop in loops:
        try:
            await loop.health.check()
        except RuntimeError as exc:
            failing.append(str(exc))
    if failing:
        raise RuntimeError("; ".join(failing))


async def _check_database(app: FastAPI) -> None:
    async with app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


class BrokerProbe:
    """A lazily started metadata client: readiness asks the broker for its metadata."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self.kafka = kafka
        self._client: AIOKafkaClient | None = None

    async def check(self) -> None:
        if self._client is None:
            client = AIOKafkaClient(**self.kafka.client_options(), request_timeout_ms=2000)
            await client.bootstrap()
            self._client = client
        await self._client.fetch_all_metadata()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


def _document_schemas(app: FastAPI, models: Sequence[type[BaseModel]]) -> None:
    """The problem+json schema, and the hand-read bodies' schemas, in the OpenAPI components; every error
    response documented as problem+json (plc_shared.responses)."""
    original = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = PROBLEM_SCHEMA
            for model in models:
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in body.pop("$defs", {}).items():
                    components.setdefault(name, definition)
                components[model.__name__] = body
            responses.document(app, schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
