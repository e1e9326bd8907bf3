"""The web app process: server-rendered pages (Jinja2 + htmx) under /app/, behind the gateway.

Every page calls the public API through the gateway with the signed-in user's token; the app's own database
holds the sessions only (web.sessions)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import js_lib_htmx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from plc_shared import observability
from plc_shared.auth import TokenVerifier
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.periodic import Periodic, PeriodicRunner
from sqlalchemy import text
from starlette.middleware import Middleware

from web.auth import Sessions
from web.charts.render import warm_up
from web.config import Settings, get_settings
from web.csrf import CsrfMiddleware
from web.dashboard.endpoints import router as dashboard_router
from web.flags.endpoints import router as flags_router
from web.goals.endpoints import router as goals_router
from web.goals.teams import router as teams_router
from web.headers import EdgeHeaders
from web.home.endpoints import router as home_router
from web.imports.endpoints import router as imports_router
from web.meeting.endpoints import router as meeting_router
from web.oidc import OidcClient
from web.pages import install_pages_errors
from web.process.endpoints import router as process_router
from web.reviews.endpoints import router as reviews_router
from web.sessions import PRUNE_BATCH, SessionStore
from web.setup.endpoints import router as setup_router
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
        async with (
            _sessions(app, settings),
            httpx.AsyncClient(base_url=settings.gateway_url, timeout=timeout, limits=limits) as http,
        ):
            app.state.http = http
            app.state.oidc = OidcClient(settings, http)
            # The chart renderer's V8 starts beside the first requests instead of in the first chart's.
            app.state.charts_ready = asyncio.create_task(asyncio.to_thread(warm_up))
            yield

    app = FastAPI(
        title="PLC Suite web app", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings.auth)
    install_pages_errors(app)
    observability.install(app)
    checks = {
        "database": lambda: _check_database(app),
        "gateway": lambda: _check_gateway(app),
        "background": lambda: app.state.pruner.health.check(),
    }
    app.include_router(observability.health_router(checks))
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
        dashboard_router,
        reviews_router,
        students_router,
        setup_router,
        process_router,
    ):
        app.include_router(router, prefix="/app")
    # Outermost first: the public address and the security headers, then CSRF on every unsafe request (the
    # sign-in form included, before any session exists: login CSRF).
    secret = settings.session_secret.get_secret_value()
    app.user_middleware[:0] = [
        Middleware(EdgeHeaders, public_url=settings.public_url),
        Middleware(CsrfMiddleware, secret=secret, secure=settings.secure_cookies),
    ]
    return app


@contextlib.asynccontextmanager
async def _sessions(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """The session store on the app's database, and its pruning job (a periodic task of every replica)."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    store = SessionStore(
        make_sessionmaker(engine),
        settings.session_secret.get_secret_value(),
        max_age_s=settings.session_max_age_s,
        idle_s=settings.session_idle_s,
    )
    app.state.engine, app.state.sessions = engine, Sessions(settings, store)
    prune = Periodic("prune-sessions", store.prune, settings.session_prune_interval_s, batch=PRUNE_BATCH)
    app.state.pruner = PeriodicRunner(prune, sessionmaker=make_sessionmaker(engine))
    pruning = asyncio.create_task(app.state.pruner.run(), name="prune-sessions")
    try:
        yield
    finally:
        app.state.pruner.stop()
        await asyncio.wait_for(pruning, timeout=10)
        await engine.dispose()


async def _check_database(app: FastAPI) -> None:
    async with app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _check_gateway(app: FastAPI) -> None:
    (await app.state.http.get("/healthz")).raise_for_status()
