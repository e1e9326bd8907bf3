"""The interventions service process: HTTP API, outbox relay, the results and roster consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from interventions import models
from interventions.config import Settings, get_settings
from interventions.consumers import results_consumer, roster_consumer
from interventions.flags.endpoints import router as flags
from interventions.pyramid.endpoints import router as pyramid
from interventions.school_rules.endpoints import router as school_rules
from interventions.students.endpoints import router as students
from interventions.tiers.endpoints import router as tiers

DESCRIPTION = "The pyramid of interventions: students flagged for extra time and support (or enrichment) as results arrive, tiers, plans, progress monitoring and exits."


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = ServiceParts(
        routers=[school_rules, pyramid, tiers, flags, students],
        outbox=models.outbox.table,
        inbox=models.inbox,
        consumers=[results_consumer(settings.escalation()), roster_consumer()],
        description=DESCRIPTION,
    )
    app = create_service_app(settings, parts)
    app.state.settings = settings
    return app
