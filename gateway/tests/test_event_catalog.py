"""The gateway serves the event catalog where every event's `dataschema` and every schema's `$id` point."""

from urllib.parse import urlsplit

import pytest
from plc_shared.events import CloudEvent
from plc_shared.events.envelope import catalog_url, schema_url
from plc_shared.testing import SampleRecorded

from .conftest import gateway_settings, running_gateway

PUBLIC = "https://plc.example.org/events/"


@pytest.fixture
def public_catalog_url(monkeypatch):
    """A deployment whose gateway is reached at https://plc.example.org (EVENTS_CATALOG_URL)."""
    monkeypatch.setenv("EVENTS_CATALOG_URL", PUBLIC)
    catalog_url.cache_clear(), schema_url.cache_clear()
    yield PUBLIC
    monkeypatch.delenv("EVENTS_CATALOG_URL")
    catalog_url.cache_clear(), schema_url.cache_clear()


async def test_every_dataschema_of_the_catalog_resolves_at_the_gateway(
    public_catalog_url, gateway_db, upstream
):
    async with running_gateway(gateway_settings(gateway_db, upstream)) as client:
        response = await client.get("/events/asyncapi.json")  # no credentials: the contract is public
        assert response.status_code == 200
        document = response.json()
        assert document["id"] == f"{PUBLIC}asyncapi.json"
        for message in document["components"]["messages"].values():
            dataschema = message["payload"]["allOf"][1]["properties"]["dataschema"]["const"]
            assert dataschema.startswith(PUBLIC)
            schema = await client.get(urlsplit(dataschema).path)
            assert schema.status_code == 200, dataschema
            assert schema.headers["content-type"] == "application/schema+json"
            assert schema.json()["$id"] == dataschema
            assert schema.json()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_events_carry_the_configured_dataschema(public_catalog_url):
    body = CloudEvent.wrap(SampleRecorded(sample_key="k", seq=1))
    assert body.dataschema == f"{PUBLIC}schemas/org.plc.testing.sample.recorded.v1.json"


async def test_an_unknown_event_type_is_a_problem_404(gateway):
    response = await gateway.get("/events/schemas/org.plc.nothing.v1.json")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
