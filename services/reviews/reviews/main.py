"""The reviews service process: HTTP API, outbox relay and consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from reviews import models
from reviews.config import Settings, get_settings

DESCRIPTION = "Site reviews of schools against the PLC implementation rubric, implementation levels, exemplary recognition and implementation-vs-achievement analysis."


def create_app(settings: Settings | None = None) -> FastAPI:
    parts = ServiceParts(outbox=models.outbox.table, inbox=models.inbox, description=DESCRIPTION)
    return create_service_app(settings or get_settings(), parts)
