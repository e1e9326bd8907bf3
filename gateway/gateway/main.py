"""The gateway process: the one entry point for front-end apps and SIS integrations.

Public paths (routes.PREFIXES) are handled by the proxy middleware; the gateway's own routes (/gateway/...,
health, /openapi.json, /docs, the event catalog at /events/) by FastAPI behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from plc_shared.app import ServiceParts, create_service_app
from plc_shared.events import catalog
from starlette.middleware import Middleware
from starlette.routing import Route

from gateway.audit import AuditWriter
from gateway.auth import Authenticator, InternalTokens
from gateway.config import Settings, get_settings
from gateway.endpoints import router
from gateway.jwks import JWKSPublisher
from gateway.openapi import OpenAPIMerger
from gateway.proxy import Gateway, ProxyMiddleware

DESCRIPTION = "The one entry point of PLC Suite: routing, authentication, scoped authorisation and limits."
EXPOSED = ["X-Request-ID", "Retry-After", "Location"]
ALLOWED = ["Authorization", "Content-Type", "X-API-Key", "X-Request-ID", "Idempotency-Key", "traceparent"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = ServiceParts(
        routers=[router],
        root_routers=[catalog.router()],
        description=DESCRIPTION,
        checks={"upstreams": _upstreams_ready(settings.upstreams)},
    )
    app = create_service_app(settings, parts)
    # Inside the request-id middleware (so proxied calls carry the id), outside FastAPI's routing.
    app.user_middleware.append(Middleware(ProxyMiddleware))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=ALLOWED,
            expose_headers=EXPOSED,
            max_age=600,
        )
    _serve_merged_openapi(app, OpenAPIMerger(settings.upstreams, settings.openapi_cache_seconds))
    app.router.lifespan_context = _with_gateway(app.router.lifespan_context, settings)
    return app


def _upstreams_ready(upstreams: dict[str, str], timeout_s: float = 1.5):
    """Readiness: the gateway is ready only when every upstream it routes to answers its /readyz with 200;
    the failing ones are named."""

    async def one(client: httpx.AsyncClient, name: str, base: str) -> str | None:
        try:
            response = await client.get(f"{base.rstrip('/')}/readyz")
        except httpx.HTTPError as exc:
            return f"{name}: {type(exc).__name__}"
        return None if response.status_code == 200 else f"{name}: {response.status_code}"

    async def check(app: FastAPI) -> None:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            failing = await asyncio.gather(*(one(client, n, b) for n, b in upstreams.items()))
        if any(failing):
            raise RuntimeError("not ready: " + ", ".join(f for f in failing if f))

    return check


def _with_gateway(inner, settings: Settings):
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            audit = AuditWriter(
                app.state.engine,
                interval_s=settings.audit_flush_interval_s,
                batch_size=settings.audit_batch_size,
            )
            internal = InternalTokens(
                settings.auth,
                settings.internal_token_ttl_seconds,
                settings.internal_signing_key.get_secret_value() if settings.internal_signing_key else None,
                settings.internal_key_id,
            )
            authenticator = Authenticator(
                app.state.token_verifier,
                app.state.engine,
                internal,
                key_cache_s=settings.api_key_cache_seconds,
            )
            gateway = Gateway(settings, authenticator, audit)
            gateway.documented = app.state.openapi_document
            gateway.jwks = JWKSPublisher(
                settings.auth.jwks_url, internal.public_jwk(), settings.auth.jwks_timeout_seconds
            )
            await gateway.start()
            audit.start()
            app.state.gateway = gateway
            try:
                yield
            finally:
                await audit.stop()
                await gateway.stop()

    return lifespan


def _serve_merged_openapi(app: FastAPI, merger: OpenAPIMerger) -> None:
    app.router.routes[:] = [
        r for r in app.router.routes if not (isinstance(r, Route) and r.path == app.openapi_url)
    ]

    async def document(app: FastAPI) -> dict:
        return await merger.document(app.openapi(), app.state.gateway.http)

    app.state.openapi_document = document

    async def openapi(request: Request) -> JSONResponse:
        """The merged OpenAPI document of every public route. While a service's part is missing (named in
        `x-unavailable-services`) the answer is a 503 with Retry-After, so no client takes it as complete."""
        document = await request.app.state.openapi_document(request.app)
        if document["x-unavailable-services"]:
            return JSONResponse(document, status_code=503, headers={"Retry-After": "5"})
        return JSONResponse(document)

    app.router.routes.insert(
        0, APIRoute(app.openapi_url or "/openapi.json", openapi, include_in_schema=False)
    )
