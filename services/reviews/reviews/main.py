"""The reviews service process: HTTP API, outbox relay, the results and facts consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from reviews import models
from reviews.config import Settings, get_settings
from reviews.consumers import facts_consumer, results_consumer
from reviews.endpoints import router

DESCRIPTION = (
    "Program schools, the implementation rubric, site reviews, Exemplary / Sustaining Exemplary recognition and "
    "the implementation analytics (district implementation, implementation vs achievement)."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = ServiceParts(
        routers=[router],
        outbox=models.outbox.table,
        inbox=models.inbox,
        consumers=[results_consumer(), facts_consumer()],
        description=DESCRIPTION,
    )
    app = create_service_app(settings, parts)
    app.state.settings = settings
    return app
