"""One OpenAPI document for the whole API: the gateway's own routes plus each service's public paths.

Each service's /openapi.json is fetched (cached for a while; a service that is down is left out and named in
`x-unavailable-services`). Only paths under a prefix the gateway routes to that service are kept, so health
and metrics routes of the services stay private. Component schemas that two services name alike but define
differently are renamed `<service>.<Name>` (with every `$ref` rewritten).

Every operation's `security` comes from its row in the route table (the rule the gateway enforces): a bearer
token always, the `X-API-Key` scheme only where the row names the permission a key needs (`x-permission`, one
of the `Permission` enum); `x-roles` lists the roles a token needs. Routes without a row are public. Every
routed operation also documents what the gateway itself may answer (401, 403, 429, 503, ...).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import time
from typing import Any

import aiohttp
from plc_shared import oneroster
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from gateway import routes

REF = "#/components/schemas/"
FETCH_ATTEMPTS, FETCH_TIMEOUT_S = 3, 5.0
logger = logging.getLogger(__name__)
BEARER, API_KEY = "HTTPBearer", "APIKeyHeader"  # the names FastAPI gives the gateway's own schemes
SECURITY_SCHEMES = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from the configured issuer (or `plc token` in development).",
    },
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An integration's API key; it may call the operations whose `x-permission` it holds.",
    },
}
PROBLEM = {"content": {"application/problem+json": {"schema": {"$ref": REF + "Problem"}}}}
# What the gateway itself may answer on any routed operation, before or instead of the service.
GATEWAY_ANSWERS = {
    "400": "Malformed request (bad path, unreadable body)",
    "401": "No valid token or API key",
    "403": "The caller's role, scope or API-key permission does not allow this",
    "408": "The body did not arrive in time",
    "413": "The body (or its row count, for bulk bodies) is over the limit",
    "429": "Rate limit of the caller or district reached; see Retry-After",
    "502": "The service answered in a way the gateway could not pass on",
    "503": "The service or its database is unavailable; see Retry-After",
    "504": "The service did not answer in time",
}
METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


class OpenAPIMerger:
    def __init__(self, upstreams: dict[str, str], cache_s: float) -> None:
        self.upstreams, self.cache_s = upstreams, cache_s
        self._cached: tuple[float, dict[str, Any]] | None = None

    async def document(self, own: dict[str, Any], http: aiohttp.ClientSession) -> dict[str, Any]:
        if self._cached is not None and time.monotonic() - self._cached[0] < self.cache_s:
            return self._cached[1]
        names = sorted({s for s in routes.PREFIXES.values() if s in self.upstreams})
        fetched = await asyncio.gather(*(self._fetch(http, name) for name in names))
        merged = merge(own, dict(zip(names, fetched, strict=True)))
        if all(doc is not None for doc in fetched):
            self._cached = (time.monotonic(), merged)
        return merged

    async def _fetch(self, http: aiohttp.ClientSession, name: str) -> dict[str, Any] | None:
        """A busy service gets three tries (5 s each, half a second apart) before it is left out."""
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type((aiohttp.ClientError, TimeoutError, ValueError)),
                stop=stop_after_attempt(FETCH_ATTEMPTS),
                wait=wait_fixed(0.5),
                reraise=True,
            ):
                with attempt:
                    timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_S)
                    async with http.get(f"{self.upstreams[name]}/openapi.json", timeout=timeout) as response:
                        response.raise_for_status()
                        return await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            logger.warning("OpenAPI of %s unavailable after %d tries: %r", name, FETCH_ATTEMPTS, exc)
        return None


def merge(own: dict[str, Any], services: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    doc = copy.deepcopy(own)
    paths, schemas = doc.setdefault("paths", {}), doc.setdefault("components", {}).setdefault("schemas", {})
    doc["x-unavailable-services"] = sorted(name for name, sub in services.items() if sub is None)
    for name, sub in services.items():
        if sub is None:
            continue
        renames = {
            key: f"{name}.{key}"
            for key, schema in sub.get("components", {}).get("schemas", {}).items()
            if key in schemas and schemas[key] != schema
        }
        sub = _rewrite_refs(sub, renames)
        for key, schema in sub.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(key, key)] = schema
        for path, item in sub.get("paths", {}).items():
            if routes.service_for(path) == name:
                for operation in item.values():
                    if isinstance(operation, dict):
                        operation.setdefault("tags", [name])
                paths[path] = item
    doc["components"]["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    secure(paths)
    return doc


def secure(paths: dict[str, Any]) -> None:
    """Each operation's security, roles and API-key permission from the route table's row for it."""
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            found = routes.match(method.upper(), path)
            if found is None:
                operation["security"] = []
                continue
            rule = found[0]
            responses = operation.setdefault("responses", {})
            for status, description in GATEWAY_ANSWERS.items():
                if status == "413" and not rule.bulk and "requestBody" not in operation:
                    continue
                if oneroster.is_oneroster(path):  # the binding's own error payload on its paths
                    responses.setdefault(status, oneroster.imsx_response(description))
                else:
                    responses.setdefault(status, {"description": description, **PROBLEM})
            operation["security"] = [{BEARER: []}] + ([{API_KEY: []}] if rule.permission else [])
            operation["x-roles"] = [role.value for role in rule.roles]
            if rule.permission:
                operation["x-permission"] = rule.permission.value


def methods_at(document: dict[str, Any], path: str) -> list[str]:
    """The methods `document` lists for the templates `path` matches, as a service's own 405 lists every
    route whose path matches (empty when none does)."""
    found: set[str] = set()
    for template, item in document.get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            found |= {m.upper() for m in item if m in METHODS}
    return sorted(found)


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if not renames:
        return node
    if isinstance(node, dict):
        out = {k: _rewrite_refs(v, renames) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF) and ref[len(REF) :] in renames:
            out["$ref"] = REF + renames[ref[len(REF) :]]
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node
