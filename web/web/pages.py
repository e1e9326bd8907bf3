"""Rendering: one Jinja2 environment, the page context every template gets, and errors as pages.

Every error is RFC 9457 problem+json for a client that asks for JSON; a browser gets the same status, title and
detail as an HTML page (and a sign-in redirect when the session is missing or expired)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from plc_shared.errors import ProblemError, ServiceUnavailable, install_error_handlers, problem_response
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.auth import SignInRequired, User
from web.nav import may_open, nav_for

logger = logging.getLogger(__name__)
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals["role_label"] = lambda role: str(role).replace("_", " ").capitalize()
TEMPLATES.env.globals["nav_for"] = nav_for
TEMPLATES.env.globals["may_open"] = may_open
TEMPLATES.env.filters["pct"] = lambda value: "—" if value is None else f"{value:.0f} %"
TEMPLATES.env.filters["num"] = lambda value: "—" if value is None else f"{value:g}"


def csrf_token(request: Request) -> str:
    """The page's CSRF token, bound to the browser's session (web.csrf): every form and htmx call echoes it."""
    return request.scope["csrftoken"]()


def render(
    request: Request, template: str, user: User | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    context = {
        "user": user,
        "csrf_token": csrf_token(request),
        "poll_s": request.app.state.settings.poll_interval_s,
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or request.headers.get("hx-request") == "true"


async def _user(request: Request) -> User | None:
    """Who is signed in, for the error page's header (None when the session is what failed)."""
    return await request.app.state.sessions.user(request)


def install_pages_errors(app: FastAPI) -> None:
    install_error_handlers(app)  # problem+json for API-style clients; browsers get a page below

    async def problem(request: Request, exc: ProblemError) -> Response:
        if isinstance(exc, SignInRequired) and request.method == "GET":
            target = f"/app/signin?next={quote(request.url.path + ('?' + request.url.query if request.url.query else ''))}"
            if request.headers.get("hx-request") == "true":
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)
        body = exc.to_problem(request.url.path)
        if not wants_html(request):
            return problem_response(exc.status, body, exc.headers)
        return render(request, "error.html", await _user(request), status_code=exc.status, problem=body)

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        problem_body = {"type": "about:blank", "title": str(exc.detail), "status": exc.status_code}
        if not wants_html(request):
            return problem_response(exc.status_code, problem_body, getattr(exc, "headers", None))
        return render(
            request, "error.html", await _user(request), status_code=exc.status_code, problem=problem_body
        )

    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"location": list(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        problem_body = {"type": "about:blank", "title": "Invalid input", "status": 422, "errors": errors}
        if not wants_html(request):
            return problem_response(422, problem_body)
        return render(request, "error.html", await _user(request), status_code=422, problem=problem_body)

    async def unreachable(request: Request, exc: httpx.TransportError) -> Response:
        logger.warning("the gateway did not answer %s %s: %r", request.method, request.url.path, exc)
        return await problem(
            request, ServiceUnavailable("The PLC Suite API cannot be reached right now; try again.")
        )

    app.add_exception_handler(ProblemError, problem)
    app.add_exception_handler(httpx.TransportError, unreachable)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
