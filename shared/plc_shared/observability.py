"""Request ids, W3C traceparent, JSON logs, Prometheus metrics, /healthz and /readyz."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from fastapi import APIRouter, FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

logger = logging.getLogger(__name__)
access_log = logging.getLogger("plc.access")  # one line per request: who, which route, status, time

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
current_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)

TRACEPARENT_RE = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

REQUEST_SECONDS = Histogram(
    "plc_http_request_duration_seconds",
    "HTTP request duration",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    )
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own lines (start-up, shutdown, errors) go out as JSON too; its access log is replaced by ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


class RequestContextMiddleware:
    """Takes X-Request-ID and traceparent from the caller (or makes them), echoes the request id back,
    and records request duration by route template. Pure ASGI: no per-request task overhead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = rid if _SAFE_REQUEST_ID.match(rid) else uuid.uuid4().hex
        tp = headers.get(b"traceparent", b"").decode("latin-1")
        rid_token, tp_token = (
            request_id.set(rid),
            current_traceparent.set(tp if TRACEPARENT_RE.match(tp) else new_traceparent()),
        )
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            seconds = time.perf_counter() - started
            REQUEST_SECONDS.labels(scope["method"], template, str(status)).observe(seconds)
            if access_log.isEnabledFor(logging.INFO):
                state = scope.get("state") or {}
                access_log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "route": template,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "subject": state.get("subject"),  # ids only: never a name
                    },
                )
            request_id.reset(rid_token)
            current_traceparent.reset(tp_token)


ReadinessCheck = Callable[[], Awaitable[None]]


def health_router(checks: dict[str, ReadinessCheck], timeout_s: float = 2.0) -> APIRouter:
    """/healthz: the process is alive. /readyz: every dependency answered within the timeout."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        """The process is up and its event loop answers."""
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness", responses={503: {"description": "A dependency is down"}})
    async def readyz(response: Response) -> dict[str, object]:
        """Ready when every dependency (database, broker) answers."""
        results = await asyncio.gather(*(_run(check, timeout_s) for check in checks.values()))
        report = dict(zip(checks, results, strict=True))
        ready = all(value == "ok" for value in report.values())
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "not ready", "checks": report}

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _run(check: ReadinessCheck, timeout_s: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout_s)
        return "ok"
    except Exception as exc:  # a readiness probe reports every failure, whatever its kind
        return f"error: {type(exc).__name__}: {exc}"[:300]


def install(app: FastAPI) -> None:
    app.add_middleware(RequestContextMiddleware)


class Health:
    """How a background loop (the outbox relay, a consumer) is doing, for readiness and the logs.

    `retry_forever()` is its supervisor: any failure is logged with the wait before the next try (exponential
    back-off with jitter, at most `max_wait_s`), the loop never dies of an error. The loop calls `recovered()`
    after a step that needed everything it depends on; `check()` (a readiness check) raises in between.
    The wait is capped at 1 s: a loop resumes (and readiness recovers) within about a second of the database or
    broker coming back; a retry costs one connection attempt."""

    def __init__(self, what: str, *, max_wait_s: float = 1.0) -> None:
        self.what, self.max_wait_s = what, max_wait_s
        self.failing_since: float | None = None  # monotonic time of the first failure not yet healed
        self.last_error: str | None = None

    def retry_forever(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception_type(Exception),
            wait=wait_exponential_jitter(multiplier=0.2, max=self.max_wait_s),
            before_sleep=self._failed,
        )

    def _failed(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        self.failing_since = self.failing_since or time.monotonic()
        self.last_error = f"{type(error).__name__}: {error}"[:300]
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning("%s failed (%s); retrying in %.1f s", self.what, self.last_error, wait)

    def failing(self, reason: str) -> None:
        """Not making progress for `reason` though nothing raised (e.g. a consumer waiting to rejoin its
        group on a new broker): readiness reports it until `recovered()`."""
        if self.failing_since is None:
            logger.warning("%s not ready: %s", self.what, reason)
        self.failing_since = self.failing_since or time.monotonic()
        self.last_error = reason[:300]

    def recovered(self) -> None:
        if self.failing_since is not None:
            seconds = time.monotonic() - self.failing_since
            logger.info("%s recovered after %.1f s (%s)", self.what, seconds, self.last_error)
            self.failing_since = self.last_error = None

    async def check(self) -> None:
        """Readiness: raises while the loop cannot make progress."""
        if self.failing_since is not None:
            seconds = time.monotonic() - self.failing_since
            raise RuntimeError(f"{self.what} failing for {seconds:.0f} s: {self.last_error}")
