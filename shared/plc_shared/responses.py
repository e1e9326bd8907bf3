"""What every route can answer besides its success, documented once, from what the route depends on.

An endpoint declares its domain errors (`responses=`, e.g. 409, 412); the statuses every route of a kind can
give are added here when the OpenAPI document is built, all as RFC 9457 problem+json:
- 400 and 422 on every route that takes input (a malformed or a schema-violating request; FastAPI's own 422
  schema, `HTTPValidationError` as application/json, is replaced: our handler answers problem+json),
- 401 and 403 on every route with a security dependency (no valid token; a role or scope that may not),
- 404 on every route with a path parameter (a missing object, or another district's),
- 503 on every route that opens a database session (the database is away; see Retry-After).
On the OneRoster binding's paths (/ims/oneroster/...) the same statuses carry its imsx_StatusInfo instead.

And every free-text string of the document (bodies, parameters) carries `NO_NUL`: PostgreSQL cannot store
U+0000, so every service refuses it with a 422 (plc_shared.schemas); the schema says so.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.security.base import SecurityBase

from plc_shared import oneroster
from plc_shared.db import get_session
from plc_shared.errors import PROBLEM_JSON
from plc_shared.schemas import ID_MAX, is_id, limit_text

PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
NO_NUL = "^[^\\u0000]*$"
DESCRIPTIONS = {
    "400": "Malformed request (unreadable body, bad query)",
    "401": "No valid token",
    "403": "The caller's role or scope does not allow this",
    "404": "Not found (or another district's)",
    "409": "Conflicts with the current state",
    "412": "The If-Match precondition failed",
    "413": "The body is over the limit",
    "422": "The request does not match the schema or the domain rules",
    "429": "Rate limit reached; see Retry-After",
    "503": "The database is unavailable; see Retry-After",
}


def statuses(route: Any) -> set[str]:
    """The error statuses a route can give because of what it depends on."""
    found: set[str] = set()
    for dependant in _walk(route.dependant):
        if (
            dependant.query_params
            or dependant.path_params
            or dependant.header_params
            or dependant.body_params
        ):
            found |= {"400", "422"}
        if dependant.path_params:
            found.add("404")
        if dependant.call is get_session:
            found.add("503")
        if isinstance(dependant.call, SecurityBase):
            found |= {"401", "403"}
    return found


def document(app: FastAPI, schema: dict[str, Any]) -> None:
    """Every error response of every operation as problem+json, with the statuses of `statuses` added."""
    paths = schema.get("paths", {})
    for route in iter_route_contexts(app.routes):  # the routes of included routers too, with their prefixes
        if getattr(route, "dependant", None) is None or not route.include_in_schema:
            continue
        item = paths.get(route.path_format, {})
        for method in route.methods:
            operation = item.get(method.lower())
            if operation is None:
                continue
            limit_parameters(operation.get("parameters", []))
            responses = operation.setdefault("responses", {})
            for status in statuses(route):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            # The OneRoster binding's paths answer imsx_StatusInfo, every other path problem+json.
            content = (
                oneroster.IMSX_CONTENT if oneroster.is_oneroster(route.path_format) else PROBLEM["content"]
            )
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    response["content"] = copy.deepcopy(content)
                    response.setdefault("description", DESCRIPTIONS.get(status, "Error"))
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if name != "Problem":  # a problem's detail may quote the refused input
            refuse_nul(component)
    refuse_nul(paths)


def limit_parameters(parameters: list[dict[str, Any]]) -> None:
    """The id limit `refuse_unstorable_parameters` enforces, as `maxLength` (every path parameter is an id)."""
    for parameter in parameters:
        documented = parameter.get("in") == "path" or (
            parameter.get("in") == "query" and is_id(parameter.get("name"))
        )
        if documented and isinstance(parameter.get("schema"), dict):
            limit_text(parameter["schema"], ID_MAX)


def refuse_nul(node: Any) -> None:
    """`NO_NUL` on every string schema without a format, pattern, enum or const of its own."""
    if isinstance(node, dict):
        kind = node.get("type")
        is_text = kind == "string" or (isinstance(kind, list) and "string" in kind)
        if is_text and not {"format", "pattern", "enum", "const"} & node.keys():
            node["pattern"] = NO_NUL
        for value in node.values():
            refuse_nul(value)
    elif isinstance(node, list):
        for value in node:
            refuse_nul(value)


def _walk(dependant: Dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)
