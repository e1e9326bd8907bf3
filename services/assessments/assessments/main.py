"""The assessments service process: HTTP API, outbox relay and consumers (see plc_shared.app)."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from assessments import models
from assessments.analysis import endpoints as analysis
from assessments.analysis.service import standings_job
from assessments.catalog import endpoints as catalog
from assessments.config import Settings, get_settings
from assessments.gradebook import endpoints as gradebook
from assessments.oneroster import endpoints as oneroster
from assessments.quality import endpoints as quality
from assessments.results import endpoints as results
from assessments.results.schemas import BulkResults
from assessments.roster import endpoints as roster
from assessments.standards import endpoints as standards
from assessments.students import endpoints as students

DESCRIPTION = "Standards and essential outcomes, common formative and summative assessments, student results from SIS integrations, and the analysis a PLC team brings to its data meeting."


# Mounted under /assessments (the gateway forwards that prefix); the OneRoster gradebook keeps its standard path.
ROUTERS = (
    roster.router,
    standards.router,
    standards.imports,
    catalog.router,
    quality.router,
    analysis.router,
    results.by_assessment,
    results.router,
    students.router,
    oneroster.router,
)
ROOT_ROUTERS = (gradebook.router, gradebook.categories_router, gradebook.rostering_router)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = ServiceParts(
        routers=ROUTERS,
        root_routers=ROOT_ROUTERS,
        outbox=models.outbox.table,
        inbox=models.inbox,
        description=DESCRIPTION,
        documented_schemas=(BulkResults,),  # the bulk body, read row by row (results/endpoints.py)
        periodic=[standings_job(settings.standings_interval_s)],
    )
    app = create_service_app(settings, parts)
    app.state.settings = settings  # request limits are read from here
    gradebook.install_error_payload(app)  # the OneRoster binding's error shape on its routes
    return app
