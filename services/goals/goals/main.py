"""The goals service process: HTTP API, outbox relay and consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from goals import models
from goals.config import Settings, get_settings

DESCRIPTION = (
    "School and team SMART goals, validated as SMART, with progress computed from results, and PDSA cycles."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    parts = ServiceParts(outbox=models.outbox.table, inbox=models.inbox, description=DESCRIPTION)
    return create_service_app(settings or get_settings(), parts)
