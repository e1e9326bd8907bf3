"""The assessments service process: HTTP API, outbox relay and consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from assessments import gradebook, models
from assessments.config import Settings, get_settings
from assessments.endpoints import ROOT_ROUTERS, ROUTERS

DESCRIPTION = "Standards and essential outcomes, common formative and summative assessments, student results from SIS integrations, and the analysis a PLC team brings to its data meeting."


def create_app(settings: Settings | None = None) -> FastAPI:
    parts = ServiceParts(
        routers=ROUTERS,
        root_routers=ROOT_ROUTERS,
        outbox=models.outbox.table,
        inbox=models.inbox,
        description=DESCRIPTION,
    )
    settings = settings or get_settings()
    app = create_service_app(settings, parts)
    app.state.settings = settings  # request limits are read from here
    gradebook.install_error_payload(app)  # the OneRoster binding's error shape on its routes
    return app
