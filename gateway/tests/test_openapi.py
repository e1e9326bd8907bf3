"""One OpenAPI document: the gateway's routes and the services' public paths, and a docs page."""

from plc_shared import infra
from plc_shared.components import SERVICES

from .conftest import gateway_settings, running_gateway


async def test_merged_openapi_has_the_services_public_paths_and_the_gateways_own(gateway):
    doc = (await gateway.get("/openapi.json")).json()
    paths = doc["paths"]
    assert "/assessments/districts/{district_id}/assessments" in paths
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
        doc = (await client.get("/openapi.json")).json()
        assert doc["x-unavailable-services"] == ["assessments"]
        assert "/gateway/audit" in doc["paths"]


async def test_the_docs_page_points_at_the_merged_document(gateway):
    page = await gateway.get("/docs")
    assert page.status_code == 200
    assert "/openapi.json" in page.text


def test_clashing_schema_names_are_renamed_with_refs_rewritten():
    from gateway.openapi import merge

    own = {"paths": {}, "components": {"schemas": {"Item": {"type": "string"}}}}
    sub = {
        "paths": {"/goals/x": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Item"}}}}},
        "components": {"schemas": {"Item": {"type": "integer"}}},
    }
    doc = merge(own, {"goals": sub})
    assert doc["components"]["schemas"]["goals.Item"] == {"type": "integer"}
    assert doc["components"]["schemas"]["Item"] == {"type": "string"}
    assert doc["paths"]["/goals/x"]["get"]["responses"]["200"]["$ref"] == "#/components/schemas/goals.Item"
