"""RFC 9457 problem details: error classes carry their status; one set of handlers renders them."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from plc_shared.db import is_connection_error, unstorable_value
from plc_shared.schemas import ID_MAX, TEXT_MAX, is_id, text_problem

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)


class ProblemError(Exception):
    """An expected failure. Subclasses set `status` and `title`; `detail` says what went wrong this time."""

    status: int = 400
    title: str = "Bad request"
    type: str = "about:blank"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class BadRequest(ProblemError):
    status, title = 400, "Bad request"


class Unauthorized(ProblemError):
    status, title = 401, "Not authenticated"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="plc-suite"'})
        super().__init__(detail, **kwargs)


class Forbidden(ProblemError):
    status, title = 403, "Forbidden"


class NotFound(ProblemError):
    status, title = 404, "Not found"


class Conflict(ProblemError):
    status, title = 409, "Conflict"


class PreconditionFailed(ProblemError):
    status, title = 412, "Precondition failed"


class PayloadTooLarge(ProblemError):
    status, title = 413, "Payload too large"


class UnprocessableContent(ProblemError):
    status, title = 422, "Unprocessable content"


class TooManyRequests(ProblemError):
    status, title = 429, "Too many requests"


class ServiceUnavailable(ProblemError):
    status, title = 503, "Service unavailable"


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(exc.status, exc.to_problem(request.url.path), exc.headers)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"location": list(err["loc"]), "message": err["msg"], "type": err["type"]} for err in exc.errors()
    ]
    problem = UnprocessableContent("The request does not match the expected schema.", errors=errors)
    return problem_response(422, problem.to_problem(request.url.path))


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:  # the router names only the last route it tried; Allow lists them all
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    body = {
        "type": "about:blank",
        "title": str(exc.detail),
        "status": exc.status_code,
        "instance": request.url.path,
    }
    return problem_response(exc.status_code, body, headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at this path."""
    scope = {**request.scope, "method": "\0"}  # no route serves it: each one whose path matches is PARTIAL
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):  # included routers' routes too
        if getattr(route, "methods", None) and route.matches(scope)[0] is Match.PARTIAL:
            methods |= route.methods
    return sorted(methods)


DATABASE_RETRY_AFTER_S = 2


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_connection_error(exc):  # the database is away or restarting: nothing was written, try again
        logger.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        problem = ServiceUnavailable(
            "The database is not reachable right now; nothing was changed. Retry later."
        )
        headers = {"Retry-After": str(DATABASE_RETRY_AFTER_S)}
        return problem_response(503, problem.to_problem(request.url.path), headers)
    unstorable = unstorable_value(exc)
    if unstorable is not None:  # a last line of defence: the schemas should have refused the value already
        logger.warning("unstorable value on %s %s: %r", request.method, request.url.path, exc)
        problem = UnprocessableContent(unstorable)
        return problem_response(422, problem.to_problem(request.url.path))
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    body = {
        "type": "about:blank",
        "title": "Internal server error",
        "status": 500,
        "instance": request.url.path,
    }
    return problem_response(500, body)


async def refuse_unstorable_parameters(request: Request) -> None:
    """A query or path parameter PostgreSQL cannot store or compare is a 422 naming it, as a body field is
    (plc_shared.schemas): a NUL or a lone surrogate, an id (every path parameter; a query parameter named as
    an id) longer than ID_MAX, any other text longer than TEXT_MAX. An app-wide dependency (create_service_app)."""
    named = [("query", k, v, ID_MAX if is_id(k) else TEXT_MAX) for k, v in request.query_params.multi_items()]
    named += [("path", k, v, ID_MAX) for k, v in request.path_params.items() if isinstance(v, str)]
    errors = []
    for where, name, value, limit in named:
        problem = text_problem(value, limit) or text_problem(name, ID_MAX)
        if problem is not None:
            kind, message, context = problem
            errors.append({"location": [where, name], "message": message.format(**context), "type": kind})
    if errors:
        raise UnprocessableContent("The request does not match the expected schema.", errors=errors)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    for kind in (DBAPIError, OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
        app.add_exception_handler(kind, _unexpected)  # rendered here rather than re-raised by the server
    app.add_exception_handler(Exception, _unexpected)


# For endpoint `responses=`: documents the problem+json shape in the OpenAPI.
PROBLEM_RESPONSE = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
