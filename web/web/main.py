"""The web app process: server-rendered pages (Jinja2 + htmx) under /app/, behind the gateway.

It has no database: every page calls the public API through the gateway with the signed-in user's token."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import js_lib_htmx
from asgi_csrf import asgi_csrf
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from plc_shared import observability
from plc_shared.auth import TokenVerifier
from starlette.middleware import Middleware

from web.auth import Sessions
from web.charts.render import warm_up
from web.config import Settings, get_settings
from web.csrf import send_csrf_failed
from web.flags.endpoints import router as flags_router
from web.goals.endpoints import router as goals_router
from web.goals.teams import router as teams_router
from web.home.endpoints import router as home_router
from web.imports.endpoints import router as imports_router
from web.meeting.endpoints import router as meeting_router
from web.oidc import OidcClient
from web.pages import install_pages_errors
from web.reviews.endpoints import router as reviews_router
from web.signin.endpoints import router as signin_router
from web.students.endpoints import router as students_router

HTMX_DIR = Path(js_lib_htmx.__file__).parent / "static" / "htmx"  # htmx is a dependency, not a copied file
STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    observability.configure_logging(settings.service_name, settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.gateway_timeout_s, connect=3.0)
        # Idle connections are dropped well before the gateway's keep-alive (uvicorn: 5 s) ends them, so a
        # request (a POST cannot be retried blindly) rarely meets a connection the gateway is closing.
        limits = httpx.Limits(max_connections=100, keepalive_expiry=settings.gateway_keepalive_s)
        async with httpx.AsyncClient(base_url=settings.gateway_url, timeout=timeout, limits=limits) as http:
            app.state.http = http
            app.state.oidc = OidcClient(settings, http)
            # The chart renderer's V8 starts beside the first requests instead of in the first chart's.
            app.state.charts_ready = asyncio.create_task(asyncio.to_thread(warm_up))
            yield

    app = FastAPI(
        title="PLC Suite web app", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.sessions = Sessions(settings)
    app.state.token_verifier = TokenVerifier(settings.auth)
    install_pages_errors(app)
    observability.install(app)
    app.include_router(observability.health_router({"gateway": lambda: _check_gateway(app)}))
    app.mount("/app/static/htmx", StaticFiles(directory=HTMX_DIR), name="htmx")
    app.mount("/app/static/web", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (
        home_router,
        signin_router,
        flags_router,
        meeting_router,
        goals_router,
        teams_router,
        imports_router,
        reviews_router,
        students_router,
    ):
        app.include_router(router, prefix="/app")
    # Double-submit CSRF on every unsafe request (form field or X-CSRFToken header), the sign-in form included
    # even before any cookie exists (login CSRF).
    app.user_middleware.insert(
        0,
        Middleware(
            asgi_csrf,
            signing_secret=settings.session_secret.get_secret_value(),
            cookie_path="/app",
            cookie_secure=settings.secure_cookies,
            always_protect={"/app/signin", "/app/signout"},
            send_csrf_failed=send_csrf_failed,
        ),
    )
    return app


async def _check_gateway(app: FastAPI) -> None:
    (await app.state.http.get("/healthz")).raise_for_status()
