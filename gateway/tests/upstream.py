"""A service as the gateway sees it: the shared service assembly (create_service_app, the shared token
verification) with routes that echo what arrived, so tests can see what the gateway forwarded."""

from __future__ import annotations

import asyncio

from assessments.config import Settings as AssessmentsSettings
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse
from plc_shared.app import ServiceParts, create_service_app
from plc_shared.auth import CurrentPrincipal
from plc_shared.settings import AuthSettings
from pydantic import BaseModel


class Assessment(BaseModel):
    id: str
    title: str


def echo_router(service: str) -> APIRouter:
    router = APIRouter()

    @router.get("/assessments/districts/{district_id}/assessments", response_model=list[Assessment])
    async def list_assessments(district_id: str, principal: CurrentPrincipal) -> list[Assessment]:
        """Assessments of a district."""
        return [Assessment(id="a1", title=f"{district_id} by {principal.subject}")]

    @router.get("/assessments/districts/{district_id}/slow")
    async def slow(district_id: str, principal: CurrentPrincipal) -> dict:
        """Answers after three seconds."""
        await asyncio.sleep(3)
        return {"district": district_id}

    @router.get("/assessments/districts/{district_id}/export")
    async def export(district_id: str, principal: CurrentPrincipal, chunks: int = 10) -> StreamingResponse:
        """A large answer sent in chunks (no Content-Length)."""

        async def body():
            for i in range(chunks):
                yield f"{i:08d}".encode() * 8192

        return StreamingResponse(body(), media_type="text/csv")

    @router.get("/internal/stats")
    async def stats() -> dict:
        """Not a public path: the merged OpenAPI leaves it out."""
        return {}

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

    @router.api_route("/{path:path}", methods=methods, include_in_schema=False)
    async def echo(path: str, request: Request, principal: CurrentPrincipal) -> dict:
        """Echo."""
        body = await request.body()
        return {
            "service": service,
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "subject": principal.subject,
            "role": principal.role,
            "district_id": principal.district_id,
            "permissions": sorted(principal.permissions),
            "request_id": request.headers.get("x-request-id"),
            "authorization": request.headers.get("authorization"),
            "api_key_header": request.headers.get("x-api-key"),
            "body_bytes": len(body),
            "forwarded": [request.headers.get(f"x-forwarded-{h}") for h in ("proto", "host", "prefix")],
        }

    return router


def upstream_app(
    database_url: str, auth: AuthSettings | None = None, service: str = "assessments"
) -> FastAPI:
    settings = AssessmentsSettings(
        database_url=database_url, log_level="WARNING", auth=auth or AuthSettings(environment="dev")
    )
    return create_service_app(settings, ServiceParts(root_routers=[echo_router(service)]))
