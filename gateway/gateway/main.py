"""The gateway process: the one entry point for front-end apps and SIS integrations."""

from fastapi import FastAPI
from plc_shared.app import ServiceParts, create_service_app

from gateway.config import Settings, get_settings

DESCRIPTION = "The one entry point of PLC Suite: routing, authentication, scoped authorisation and limits."


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(settings or get_settings(), ServiceParts(description=DESCRIPTION))
