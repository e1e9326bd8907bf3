"""The gateway's own routes: API keys and the audit log (both a district admin's, for their district)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import APIKeyHeader, HTTPBearer
from plc_shared import observability
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE, NotFound
from plc_shared.schemas import INT64_MAX, IsoDateTime

from gateway import routes, service
from gateway.auth import Caller
from gateway.policy import authorize
from gateway.repository import ApiKeyRepository, AuditRepository
from gateway.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, AuditRead

_bearer = HTTPBearer(auto_error=False, description="A JWT from the configured issuer (or `plc token`).")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An integration's API key.")


async def _caller(
    request: Request, _b: Annotated[object, Depends(_bearer)], _k: Annotated[object, Depends(_api_key)]
) -> Caller:
    """Authenticated and authorised by the same route table as the proxied routes."""
    gateway = request.app.state.gateway
    caller = await gateway.authenticator.authenticate(
        request.headers.get("authorization"), request.headers.get("x-api-key")
    )
    request.state.subject = caller.principal.subject  # for the access log line
    found = routes.match(request.method, request.url.path)
    if found is None:  # pragma: no cover - every route below has a row; test_matrix checks it
        raise NotFound("This route has no row in the route table.")
    rule, params = found
    authorize(
        rule,
        caller.principal,
        params,
        dict(request.query_params),
        via_api_key=caller.api_key_prefix is not None,
    )
    return caller


AuthorisedCaller = Annotated[Caller, Depends(_caller)]
ERRORS = {401: PROBLEM_RESPONSE, 403: PROBLEM_RESPONSE, 404: PROBLEM_RESPONSE}

router = APIRouter(tags=["gateway"], responses=ERRORS)  # mounted under /gateway (ServiceParts.routers)


def _audit(request: Request, caller: Caller, status: int) -> None:
    principal = caller.principal
    request.app.state.gateway.audit.record(
        {
            "at": datetime.now(UTC),
            "request_id": observability.request_id.get() or "",
            "subject": principal.subject,
            "role": principal.role.value,
            "api_key_prefix": caller.api_key_prefix,
            "district_id": principal.district_id,
            "caller_district_id": principal.district_id,
            "school_id": None,
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query or None,
            "status": status,
            "duration_ms": None,
        }
    )


@router.get("/jwks.json", responses={})
async def jwks(request: Request) -> dict:
    """Public keys of the tokens services accept: the issuer's and the gateway's own (production)."""
    gateway = request.app.state.gateway
    return await gateway.jwks.document(gateway.http)


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated)
async def create_api_key(
    data: ApiKeyCreate, caller: AuthorisedCaller, session: DbSession, request: Request
) -> ApiKeyCreated:
    """Create an API key for an integration of your district; the key is in this answer only."""
    row, key = await service.create_api_key(session, admin=caller.principal, data=data)
    _audit(request, caller, 201)
    return ApiKeyCreated(**ApiKeyRead.model_validate(row).model_dump(), key=key)


@router.get("/api-keys", response_model=list[ApiKeyRead])
async def list_api_keys(caller: AuthorisedCaller, session: DbSession) -> list[ApiKeyRead]:
    """The API keys of your district (never their secrets)."""
    rows = await ApiKeyRepository(session).in_district(caller.principal.district_id or "")
    return [ApiKeyRead.model_validate(row) for row in rows]


@router.delete("/api-keys/{key_id}", status_code=204)
async def revoke_api_key(
    key_id: uuid.UUID, caller: AuthorisedCaller, session: DbSession, request: Request
) -> Response:
    """Revoke an API key: it stops working at once on this replica, within seconds on the others."""
    row = await service.revoke_api_key(session, admin=caller.principal, key_id=key_id)
    request.app.state.gateway.authenticator.forget(row.prefix)
    _audit(request, caller, 204)
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditRead])
async def search_audit(
    caller: AuthorisedCaller,
    session: DbSession,
    request: Request,
    subject: str | None = None,
    method: str | None = None,
    path_prefix: str | None = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
    before_id: Annotated[
        int | None, Query(ge=1, le=INT64_MAX, description="Page backwards: ids below this one")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditRead]:
    """Audited calls in your district, newest first, with filters."""
    await request.app.state.gateway.audit.flush()
    rows = await AuditRepository(session).search(
        district_id=caller.principal.district_id or "",
        subject=subject,
        method=method,
        path_prefix=path_prefix,
        status=status,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
    return [AuditRead.model_validate(row) for row in rows]
