"""The gateway on the OneRoster binding's paths: its own refusals (401, 403, 413, 429, 503) are the binding's
imsx_StatusInfo, validated against 1EdTech's schema (services/assessments/tests/vendor/oneroster), while every
other path keeps RFC 9457; the service is told the public address the caller used (X-Forwarded-*), or the
configured public base URL, so its hrefs work from outside."""

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from plc_shared import infra
from plc_shared.auth import Role

from .conftest import bearer, gateway_settings, running_gateway

VENDOR = Path(__file__).parents[2] / "services/assessments/tests/vendor/oneroster"
IMSX = json.loads((VENDOR / "imsx_1edtech_rostering_v1p2.json").read_text())
STATUS_INFO = Draft202012Validator({**IMSX, "$ref": "#/components/schemas/imsx_StatusInfoDType"})
LINE_ITEMS = "/ims/oneroster/gradebook/v1p2/lineItems"


def assert_status_info(response, status: int, minor: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    STATUS_INFO.validate(body)
    assert body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor
    assert body["imsx_description"]


async def test_refusals_on_oneroster_paths_are_imsx_and_elsewhere_rfc9457(gateway):
    assert_status_info(await gateway.get(LINE_ITEMS), 401, "unauthorisedrequest")
    assert_status_info(await gateway.get(LINE_ITEMS, headers=bearer(Role.TEACHER)), 403, "forbidden")
    elsewhere = await gateway.get("/goals/districts/d1/schools/s1/goals")
    assert elsewhere.status_code == 401 and elsewhere.headers["content-type"] == "application/problem+json"


async def test_too_large_too_many_and_service_down_are_imsx(gateway_db, upstream):
    dead = f"http://127.0.0.1:{infra.free_port()}"
    settings = gateway_settings(
        gateway_db,
        upstream,
        max_body_bytes=1000,
        rate_per_principal=0.5,
        burst_per_principal=2,
        upstreams={"assessments": dead},
    )
    async with running_gateway(settings) as client:
        sis = bearer(Role.SIS_INTEGRATION, subject="sis-413")
        big = {"lineItem": {"title": "x" * 5000}}
        assert_status_info(await client.put(f"{LINE_ITEMS}/li-1", json=big, headers=sis), 413, "invaliddata")
        caller = bearer(Role.SIS_INTEGRATION, subject="sis-busy")
        down = await client.get(LINE_ITEMS, headers=caller)
        assert_status_info(down, 503, "server_busy")
        await client.get(LINE_ITEMS, headers=caller)
        assert_status_info(await client.get(LINE_ITEMS, headers=caller), 429, "server_busy")


async def test_the_service_is_told_the_address_the_caller_used(gateway):
    sis = {**bearer(Role.SIS_INTEGRATION), "X-Forwarded-Host": "evil.example"}  # not the caller's to say
    echoed = (await gateway.get(LINE_ITEMS, headers=sis)).json()
    host = gateway.base_url.host + (f":{gateway.base_url.port}" if gateway.base_url.port else "")
    assert echoed["forwarded"] == ["http", host, ""]


async def test_a_configured_public_base_url_wins(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, public_base_url="https://plc.example.org/api")
    async with running_gateway(settings) as client:
        echoed = (await client.get(LINE_ITEMS, headers=bearer(Role.SIS_INTEGRATION))).json()
        assert echoed["forwarded"] == ["https", "plc.example.org", "/api"]
