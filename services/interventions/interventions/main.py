"""The interventions service process: HTTP API, outbox relay, the results and roster consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from interventions import models
from interventions.config import Settings, get_settings
from interventions.consumers import results_consumer, roster_consumer
from interventions.endpoints import router

DESCRIPTION = "The pyramid of interventions: students flagged for extra time and support (or enrichment) as results arrive, tiers, plans, progress monitoring and exits."


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = ServiceParts(
        routers=[router],
        outbox=models.outbox.table,
        inbox=models.inbox,
        consumers=[results_consumer(settings.escalation()), roster_consumer()],
        description=DESCRIPTION,
    )
    app = create_service_app(settings, parts)
    app.state.settings = settings
    return app
