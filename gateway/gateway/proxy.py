"""The catch-all proxy: a pure ASGI middleware in front of the gateway's own routes.

For a public path it authenticates, rate-limits, authorises against the route table, reads the body within
its limits, forwards to the owning service over a pooled aiohttp connection, streams the answer back, and
records the audit entry. Pure ASGI (no per-request Request/Response objects, no routing by Starlette) because
this is the hot path: see bench/proxy.py.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from plc_shared import observability, oneroster
from plc_shared.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    ProblemError,
    ServiceUnavailable,
    problem_response,
)
from plc_shared.schemas import storable
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from yarl import URL

from gateway import bodies, openapi, routes
from gateway.admission import Admission
from gateway.audit import AuditWriter
from gateway.auth import Authenticator, Caller
from gateway.config import Settings
from gateway.policy import authorize

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"host",
    }
)
DROP_REQUEST = HOP_BY_HOP | {
    b"x-forwarded-proto",  # the gateway says which address the caller used (oneroster.forwarded_headers)
    b"x-forwarded-host",
    b"x-forwarded-prefix",
    b"authorization",
    b"x-api-key",
    b"x-request-id",
    b"traceparent",
    b"content-length",
}
DROP_RESPONSE = HOP_BY_HOP | {b"x-request-id", b"server", b"date"}
STREAM_ABOVE = 256 * 1024
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
logger = logging.getLogger(__name__)


class MethodNotAllowed(ProblemError):
    status, title = 405, "Method not allowed"

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(
            f"{method} is not allowed here; use {', '.join(allowed)}.", headers={"Allow": ", ".join(allowed)}
        )


class BadGateway(ProblemError):
    status, title = 502, "Bad gateway"


class GatewayTimeout(ProblemError):
    status, title = 504, "Gateway timeout"


class ProxyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if routes.service_for(path) is None and routes.public_route(path) is None:
            await self.app(scope, receive, send)
            return
        gateway: Gateway = scope["app"].state.gateway
        await gateway.handle(scope, receive, send)


class Gateway:
    """Everything the proxy needs, built once in the lifespan."""

    def __init__(self, settings: Settings, authenticator: Authenticator, audit: AuditWriter) -> None:
        self.settings, self.authenticator, self.audit = settings, authenticator, audit
        self.upstreams = {name: base.rstrip("/") for name, base in settings.upstreams.items()}
        self.admission = Admission(settings, authenticator)
        self.timeout = aiohttp.ClientTimeout(
            total=None,
            connect=settings.upstream_connect_timeout_s,
            sock_connect=settings.upstream_connect_timeout_s,
            sock_read=settings.upstream_read_timeout_s,
        )
        self.http: aiohttp.ClientSession | None = None
        self.jwks: Any = None  # gateway.jwks.JWKSPublisher, set in the lifespan
        self.documented: Any = None  # app → the merged OpenAPI document, set in main

    async def start(self) -> None:
        # Idle upstream connections are dropped before uvicorn's 5 s keep-alive ends them, so a request
        # rarely meets a connection the service is closing.
        connector = aiohttp.TCPConnector(
            limit=self.settings.upstream_pool_size,
            ttl_dns_cache=300,
            keepalive_timeout=self.settings.upstream_keepalive_s,
        )
        self.http = aiohttp.ClientSession(
            connector=connector,
            timeout=self.timeout,
            auto_decompress=False,
            skip_auto_headers=("User-Agent",),
        )

    async def _allowed(self, scope: Scope) -> list[str]:
        """A 405's Allow: the methods the public API documents for this path (the route table's catch-all
        rows accept every method under a prefix, but the services serve only some of them)."""
        if self.documented is None:
            return []
        document = await self.documented(scope["app"])
        return openapi.methods_at(document, scope["path"])

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        state: dict[str, Any] = {}
        status = 500
        started_response = False

        async def tracked_send(message: Message) -> None:
            nonlocal started_response
            started_response = True
            await send(message)

        try:
            status = await self._handle(scope, receive, tracked_send, state)
        except ProblemError as exc:
            if started_response:  # the upstream broke off mid-body: all we can do is end the response
                logger.warning("upstream failed after the response started: %s", exc.detail)
                await send({"type": "http.response.body", "body": b""})
                return
            status = exc.status
            await _send_problem(send, exc, scope["path"])
        except Exception:
            logger.exception("unexpected failure proxying %s %s", scope["method"], scope["path"])
            if not started_response:
                await _send_problem(send, ProblemError("Internal server error"), scope["path"], 500)
        finally:
            caller: Caller | None = state.get("caller")
            rule = state.get("rule")
            if caller is not None and rule is not None and _audited(rule, scope["method"]):
                self._audit(scope, caller, state.get("params", {}), state.get("query"), status, started)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any]) -> int:
        method, path = scope["method"], scope["path"]
        if "/." in path and any(segment in (".", "..") for segment in path.split("/")):
            raise BadRequest("Dot segments are not allowed in paths.")  # no second reading of a path
        public = routes.public_route(path)
        if public is not None:  # the web app authenticates its own users (see routes.PUBLIC_PREFIXES)
            scope["route"] = public
            body = await self._read_public_body(scope, receive, public.bulk)
            return await self._forward(scope, send, public.service, scope["headers"], body, None)
        found = routes.match(method, path)
        if found is None:
            allowed = await self._allowed(scope) or routes.allowed_methods(path)
            if allowed:
                raise MethodNotAllowed(method, allowed)
            raise NotFound(f"No public route {method} {path}.")
        rule, params = found
        scope["route"] = rule  # request metrics by row of the table, not by raw path
        headers = scope["headers"]
        authorization = api_key = None
        for name, value in headers:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"x-api-key":
                api_key = value.decode("latin-1")
        caller = await self.admission.authenticate(scope, authorization, api_key)
        state.update(caller=caller, rule=rule, params=params)
        scope.setdefault("state", {})["subject"] = caller.principal.subject  # for the access log line
        self.admission.limit(caller)
        query = _query(scope["query_string"]) if scope["query_string"] else None
        state["query"] = query
        body = await self._read_body(scope, receive, rule, headers)
        authorize(
            rule,
            caller.principal,
            params,
            query,
            _scope_fields(body),
            via_api_key=caller.api_key_prefix is not None,
        )
        async with self.admission.upstream_slot(caller):
            return await self._forward(scope, send, rule.service, headers, body, caller)

    async def _read_body(self, scope: Scope, receive: Receive, rule: routes.Rule, headers: list) -> bytes:
        if scope["method"] in ("GET", "HEAD"):
            return b""
        settings = self.settings
        limit = settings.bulk_max_body_bytes if rule.bulk else settings.max_body_bytes
        body = await bodies.read_body(receive, headers, limit=limit, timeout_s=settings.body_read_timeout_s)
        if rule.bulk:
            bodies.check_rows(body, headers, max_rows=settings.bulk_max_rows)
        return body

    async def _read_public_body(self, scope: Scope, receive: Receive, bulk: bool) -> bytes:
        if scope["method"] in ("GET", "HEAD"):
            return b""
        settings = self.settings
        limit = settings.bulk_max_body_bytes if bulk else settings.max_body_bytes
        return await bodies.read_body(
            receive, scope["headers"], limit=limit, timeout_s=settings.body_read_timeout_s
        )

    async def _forward(
        self, scope: Scope, send: Send, service: str, headers: list, body: bytes, caller: Caller | None
    ) -> int:
        base = self.upstreams.get(service)
        if base is None or self.http is None:
            raise ServiceUnavailable(f"No upstream is configured for {service}.")
        out = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers if n not in DROP_REQUEST]
        if caller is not None:  # a public prefix (the web app) gets no identity from the gateway
            out.append(("Authorization", f"Bearer {caller.forward_token}"))
        out.append(("X-Request-ID", observability.request_id.get() or ""))
        out.extend(self._forwarded(scope, headers))
        out.append(("traceparent", observability.current_traceparent.get() or ""))
        raw = scope.get("raw_path") or scope["path"].encode()
        target = base + raw.decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        try:
            upstream = await self._open(scope["method"], URL(target, encoded=True), out, body)
            try:
                return await _relay(upstream, send)
            finally:
                upstream.release()
        except aiohttp.ClientConnectorError as exc:
            raise ServiceUnavailable(
                f"The {service} service is not reachable.", headers={"Retry-After": "1"}
            ) from exc
        except TimeoutError as exc:
            raise GatewayTimeout(f"The {service} service did not answer in time.") from exc
        except aiohttp.ClientError as exc:
            logger.warning("upstream %s failed: %r", service, exc)
            raise BadGateway(f"The {service} service did not answer properly; try again.") from exc

    def _forwarded(self, scope: Scope, headers: list) -> list[tuple[str, str]]:
        host = next((v.decode("latin-1") for n, v in headers if n == b"host"), None)
        return list(
            oneroster.forwarded_headers(
                self.settings.public_base_url, scope.get("scheme", "http"), host, scope.get("root_path", "")
            )
        )

    async def _open(self, method: str, url: URL, headers: list, body: bytes) -> aiohttp.ClientResponse:
        """A pooled connection the service closed (or that died with it: a reset) just as it was reused fails
        before anything was answered: an idempotent request is then sent once more, on a fresh connection,
        which answers or is refused (a 503). A refused connection is not retried."""
        assert self.http is not None
        for attempt in (1, 2):
            try:
                return await self.http.request(
                    method, url, headers=headers, data=body or None, allow_redirects=False
                )
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if attempt == 2 or method not in IDEMPOTENT or isinstance(exc, aiohttp.ClientConnectorError):
                    raise
        raise AssertionError("unreachable")

    def _audit(
        self, scope: Scope, caller: Caller, params: dict, query: dict | None, status: int, started: float
    ) -> None:
        principal = caller.principal
        query_string = scope["query_string"].decode("latin-1") or None
        self.audit.record(
            {
                "at": datetime.now(UTC),
                "request_id": observability.request_id.get() or "",
                "subject": principal.subject,
                "role": principal.role.value,
                "api_key_prefix": caller.api_key_prefix,
                "district_id": _storable(
                    params.get("district_id") or (query or {}).get("district_id") or principal.district_id
                ),
                "caller_district_id": principal.district_id,
                "school_id": _storable(params.get("school_id")),
                "method": scope["method"],
                "path": storable(scope["path"]),  # a NUL in the path (%00) would fail the whole batch
                "query": query_string,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            }
        )


def _storable(value: str | None) -> str | None:
    return None if value is None else storable(value)


TENANT_KEYS = frozenset({"district_id", "school_id", "class_id"})


def _query(raw: bytes) -> dict[str, str]:
    """A tenant key given twice with different values is refused: the service might read the other one."""
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if key in TENANT_KEYS and query.get(key, value) != value:
            raise Forbidden(f"The query names several values for {key}.")
        query[key] = value
    return query


def _audited(rule: routes.Rule, method: str) -> bool:
    return rule.student_level or method not in ("GET", "HEAD")


def _scope_fields(body: bytes) -> Any:
    """A small JSON body may name the tenant; only then is it parsed here."""
    if not body or len(body) > 65_536 or b"_id" not in body or body[:1] != b"{":
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


async def _relay(upstream: aiohttp.ClientResponse, send: Send) -> int:
    headers = [(n.lower(), v) for n, v in upstream.raw_headers if n.lower() not in DROP_RESPONSE]
    length = upstream.content_length
    if length is not None and length <= STREAM_ABOVE:
        body = await upstream.read()
        await send({"type": "http.response.start", "status": upstream.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return upstream.status
    await send({"type": "http.response.start", "status": upstream.status, "headers": headers})
    async for chunk in upstream.content.iter_chunked(65_536):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
    return upstream.status


async def _send_problem(send: Send, exc: ProblemError, path: str, status: int | None = None) -> None:
    """RFC 9457, except on the OneRoster binding's paths: its imsx_StatusInfo (401, 403, 413, 429, 503 ...)."""
    body = exc.to_problem(path)
    if status is not None:
        body.update(status=status, title="Internal server error")
    if oneroster.is_oneroster(path):
        code = status or exc.status
        response = oneroster.response(code, oneroster.from_problem(body, code), exc.headers)
    else:
        response = problem_response(status or exc.status, body, exc.headers)

    async def _receive() -> Message:  # pragma: no cover - a JSONResponse never reads the request
        return {"type": "http.disconnect"}

    await response({"type": "http"}, _receive, send)
