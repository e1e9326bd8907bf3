"""The goals service process: HTTP API, outbox relay, the results, roster and flags consumers and the deadline sweep
(see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from goals import models
from goals.config import Settings, get_settings
from goals.consumers import flags_consumer, results_consumer, roster_consumer
from goals.deadlines.service import settle_job
from goals.endpoints import router

DESCRIPTION = (
    "School and team SMART goals, validated as SMART, with progress computed from results, and PDSA cycles."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = ServiceParts(
        routers=[router],
        outbox=models.outbox.table,
        inbox=models.inbox,
        consumers=[results_consumer(), roster_consumer(), flags_consumer()],
        periodic=[settle_job(settings.settle_interval_s)],
        description=DESCRIPTION,
    )
    app = create_service_app(settings, parts)
    app.state.settings = settings
    return app
