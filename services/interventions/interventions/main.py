"""The interventions service process: HTTP API, outbox relay and consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from interventions import models
from interventions.config import Settings, get_settings

DESCRIPTION = "The pyramid of interventions: students flagged for extra time and support (or enrichment) as results arrive, tiers, plans, progress monitoring and exits."


def create_app(settings: Settings | None = None) -> FastAPI:
    parts = ServiceParts(outbox=models.outbox.table, inbox=models.inbox, description=DESCRIPTION)
    return create_service_app(settings or get_settings(), parts)
