"""The interventions service process: HTTP API, outbox relay and the results consumer (see plc_shared.app).

The results consumer is a `BatchConsumerRunner` (set-based flag evaluation per fetched batch), so it is
started here around the shared lifespan rather than through `ServiceParts.consumers`.
"""

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from interventions import models
from interventions.config import Settings, get_settings
from interventions.consumers import BatchConsumerRunner, handle_results, results_consumer, tune_gc
from interventions.endpoints import router

DESCRIPTION = "The pyramid of interventions: students flagged for extra time and support (or enrichment) as results arrive, tiers, plans, progress monitoring and exits."


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = ServiceParts(
        routers=[router], outbox=models.outbox.table, inbox=models.inbox, description=DESCRIPTION
    )
    app = create_service_app(settings, parts)
    app.state.settings = settings
    shared_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with shared_lifespan(app):
            runner = None
            if settings.run_consumers:
                runner = BatchConsumerRunner(
                    results_consumer(),
                    functools.partial(handle_results, defaults=settings.escalation()),
                    sessionmaker=app.state.sessionmaker,
                    inbox=models.inbox,
                    kafka=settings.kafka,
                    max_attempts=settings.consumer_max_attempts,
                    max_records=settings.consumer_batch_size,
                )
            app.state.results_runner = runner
            if runner is not None:
                tune_gc()
            task = asyncio.create_task(runner.run(), name="consumer-results") if runner else None
            try:
                yield
            finally:
                if runner is not None:
                    runner.stop()
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(task), timeout=10)
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)

    app.router.lifespan_context = lifespan
    return app
