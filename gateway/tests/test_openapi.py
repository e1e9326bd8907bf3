"""One OpenAPI document: the gateway's routes and the services' public paths, and a docs page."""

import importlib

from gateway.openapi import API_KEY, BEARER, merge
from gateway.routes import Permission
from plc_shared import infra
from plc_shared.components import SERVICES

from gateway import routes

from .conftest import gateway_settings, running_gateway


async def test_merged_openapi_has_the_services_public_paths_and_the_gateways_own(gateway):
    doc = (await gateway.get("/openapi.json")).json()
    paths = doc["paths"]
    assert "/assessments/districts/{district_id}/assessments" in paths
    operation = paths["/assessments/districts/{district_id}/assessments"]["get"]
    for status in ("401", "403", "429", "503"):  # what the gateway itself may answer
        assert operation["responses"][status]["content"]["application/problem+json"]
    assert "/gateway/api-keys" in paths and "/gateway/audit" in paths
    assert "/healthz" in paths  # the gateway's own
    assert "/internal/stats" not in paths  # a service's private routes stay out
    assert "Assessment" in doc["components"]["schemas"]
    assert "Problem" in doc["components"]["schemas"]
    assert doc["x-unavailable-services"] == []
    operation = paths["/assessments/districts/{district_id}/assessments"]["get"]
    assert operation["tags"] == ["assessments"]


async def test_a_service_that_is_down_is_left_out_and_named(gateway_db, upstream):
    dead = f"http://127.0.0.1:{infra.free_port()}"
    upstreams = {c.name: upstream for c in SERVICES} | {"assessments": dead}
    async with running_gateway(gateway_settings(gateway_db, upstream, upstreams=upstreams)) as client:
        response = await client.get("/openapi.json")
        assert response.status_code == 503 and response.headers["retry-after"] == "5"  # not taken as complete
        doc = response.json()
        assert doc["x-unavailable-services"] == ["assessments"]
        assert "/gateway/audit" in doc["paths"]


async def test_the_docs_page_points_at_the_merged_document(gateway):
    page = await gateway.get("/docs")
    assert page.status_code == 200
    assert "/openapi.json" in page.text


def test_clashing_schema_names_are_renamed_with_refs_rewritten():
    own = {"paths": {}, "components": {"schemas": {"Item": {"type": "string"}}}}
    sub = {
        "paths": {"/goals/x": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Item"}}}}},
        "components": {"schemas": {"Item": {"type": "integer"}}},
    }
    doc = merge(own, {"goals": sub})
    assert doc["components"]["schemas"]["goals.Item"] == {"type": "integer"}
    assert doc["components"]["schemas"]["Item"] == {"type": "string"}
    assert doc["paths"]["/goals/x"]["get"]["responses"]["200"]["$ref"] == "#/components/schemas/goals.Item"


def _public_document() -> dict:
    """The merged document built from the real services' and gateway's OpenAPI (no process needed)."""

    def openapi(name: str) -> dict:
        module = importlib.import_module(f"{name}.main")
        return module.create_app(importlib.import_module(f"{name}.config").Settings()).openapi()

    return merge(openapi("gateway"), {c.name: openapi(c.name) for c in SERVICES})


def test_every_operation_says_how_it_is_called_bearer_always_and_api_keys_where_a_permission_allows():
    doc = _public_document()
    assert set(doc["components"]["securitySchemes"]) == {BEARER, API_KEY}
    assert doc["components"]["securitySchemes"][API_KEY]["name"] == "X-API-Key"
    keyed = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            found = routes.match(method.upper(), path)
            if found is None:
                assert operation["security"] == [], (method, path)
                continue
            rule = found[0]
            schemes = [next(iter(s)) for s in operation["security"]]
            assert schemes[0] == BEARER, (method, path)
            assert (API_KEY in schemes) == (rule.permission is not None), (method, path)
            assert operation.get("x-permission") == (rule.permission and rule.permission.value)
            assert operation["x-roles"] == [r.value for r in rule.roles]
            if rule.permission:
                keyed.append((method, path, operation["x-permission"]))
    assert ("post", "/assessments/results/bulk", "results:write") in keyed
    assert ("get", "/interventions/v1/flags/changes", "flags:read") in keyed
    assert ("get", "/ims/oneroster/gradebook/v1p2/results", "results:read") in keyed
    assert not any(path.startswith("/gateway/") for _, path, _ in keyed)  # keys never manage keys
    assert doc["paths"]["/healthz"]["get"]["security"] == []


def test_api_key_permissions_are_an_enum_in_the_schema():
    doc = _public_document()
    schemas = doc["components"]["schemas"]
    items = schemas["ApiKeyCreate"]["properties"]["permissions"]["items"]
    enum = schemas[items["$ref"].rsplit("/", 1)[1]]["enum"] if "$ref" in items else items["enum"]
    assert sorted(enum) == sorted(p.value for p in Permission)


def test_the_bulk_body_is_a_schema_and_every_reference_resolves():
    doc = _public_document()
    body = doc["paths"]["/assessments/results/bulk"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    bulk = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert bulk["properties"]["results"]["maxItems"] == 50_000
    assert bulk["properties"]["results"]["items"]["$ref"].endswith("/ResultWrite")

    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    missing = {r for r in refs(doc) if r.rsplit("/", 1)[1] not in doc["components"]["schemas"]}
    assert missing == set()
