"""Pure rules, no I/O: tenant values, token buckets, the route table's shape."""

import asyncio

import pytest
from gateway.limits import TokenBuckets, retry_after
from gateway.openapi import methods_at
from gateway.policy import authorize
from plc_shared.auth import Principal, Role
from plc_shared.errors import Forbidden

from gateway import routes

from .conftest import bearer

TEACHER = Principal(subject="t", role=Role.TEACHER, district_id="d1", school_ids=frozenset({"s1"}))
GOALS = routes.match("POST", "/goals/districts/d1/schools/s1/goals")


def test_the_path_query_and_body_must_agree_on_the_tenant():
    rule, params = GOALS
    authorize(rule, TEACHER, params, {"district_id": "d1"}, {"school_id": "s1"})
    with pytest.raises(Forbidden, match="several values for district_id"):
        authorize(rule, TEACHER, params, {"district_id": "d2"}, None)
    with pytest.raises(Forbidden, match="several values for school_id"):
        authorize(rule, TEACHER, params, None, {"school_id": "s2"})


def test_a_token_without_a_district_is_refused_everywhere():
    rule, params = GOALS
    nowhere = TEACHER.model_copy(update={"district_id": None})
    with pytest.raises(Forbidden, match="names no district"):
        authorize(rule, nowhere, params)


def test_an_api_key_needs_the_rows_permission():
    rule, params = routes.match("GET", "/assessments/districts/d1/schools/s1/results")
    key = Principal(subject="k", role=Role.SIS_INTEGRATION, district_id="d1", permissions=frozenset({"x"}))
    with pytest.raises(Forbidden, match="results:read"):
        authorize(rule, key, params, via_api_key=True)
    authorize(
        rule, key.model_copy(update={"permissions": frozenset({"results:read"})}), params, via_api_key=True
    )


def test_token_bucket_allows_the_burst_then_waits_for_the_rate():
    buckets = TokenBuckets(rate=2.0, burst=3)
    assert [buckets.take("k", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k", now=0.0) == pytest.approx(0.5)
    assert buckets.take("k", now=0.5) == 0.0
    assert buckets.take("other", now=0.5) == 0.0
    assert retry_after(0.2) == "1" and retry_after(2.1) == "3"


def test_paths_outside_every_prefix_are_not_proxied():
    assert routes.service_for("/gateway/audit") is None
    assert routes.service_for("/assessmentsX/districts/d1") is None
    assert routes.service_for("/ims/oneroster/v1p2/users") == "assessments"


async def test_a_query_that_names_another_district_is_refused_through_the_gateway(gateway):
    response = await gateway.get(
        "/goals/districts/d1/schools/s1/goals?district_id=d2", headers=bearer(Role.TEACHER)
    )
    assert response.status_code == 403


async def test_a_query_that_names_a_district_twice_is_refused(gateway):
    path = "/goals/districts/d1/schools/s1/goals?district_id=d1&district_id=d2"
    assert (await gateway.get(path, headers=bearer(Role.TEACHER))).status_code == 403
    same_twice = "/goals/districts/d1/schools/s1/goals?district_id=d1&district_id=d1"
    assert (await gateway.get(same_twice, headers=bearer(Role.TEACHER))).status_code == 200


async def test_dot_segments_are_refused(gateway):
    reader, writer = await asyncio.open_connection("127.0.0.1", gateway.base_url.port)
    auth = bearer(Role.TEACHER, district="d1")["Authorization"]
    writer.write(
        f"GET /goals/districts/d1/../d2/schools/s1/goals HTTP/1.1\r\nHost: gw\r\nAuthorization: {auth}\r\n\r\n".encode()
    )
    await writer.drain()
    assert (await asyncio.wait_for(reader.readline(), 3)).startswith(b"HTTP/1.1 400")
    writer.close()


def test_settings_come_from_the_environment(monkeypatch):
    from gateway.config import Settings

    monkeypatch.setenv("GATEWAY_UPSTREAMS", '{"assessments": "http://assessments:8000"}')
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", '["https://app.example"]')
    monkeypatch.setenv("GATEWAY_RATE_PER_TENANT", "12.5")
    monkeypatch.setenv("GATEWAY_INTERNAL_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----")
    settings = Settings()
    assert settings.upstreams == {"assessments": "http://assessments:8000"}
    assert settings.cors_origins == ["https://app.example"]
    assert settings.rate_per_tenant == 12.5
    assert "BEGIN" not in repr(settings)  # the signing key is a secret


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [
        ("PUT", "/ims/oneroster/gradebook/v1p2/results/r1", "results:write"),
        ("PUT", "/ims/oneroster/gradebook/v1p2/assessmentResults/r1", "results:write"),
        ("GET", "/ims/oneroster/gradebook/v1p2/results", "results:read"),
        ("PUT", "/ims/oneroster/gradebook/v1p2/lineItems/li1", "assessments:write"),
        ("GET", "/ims/oneroster/gradebook/v1p2/assessmentLineItems", "assessments:read"),
        ("GET", "/ims/oneroster/rostering/v1p2/users", "rosters:read"),
    ],
)
def test_gradebook_calls_need_the_permission_of_what_they_do(method, path, permission):
    """An SIS key with results:write writes gradebook results; rosters:* is not needed (nor enough)."""
    rule, params = routes.match(method, path)
    key = Principal(
        subject="k", role=Role.SIS_INTEGRATION, district_id="d1", permissions=frozenset({permission})
    )
    authorize(rule, key, params, via_api_key=True)
    others = frozenset(routes.PERMISSIONS - {permission})
    with pytest.raises(Forbidden, match=permission):
        authorize(rule, key.model_copy(update={"permissions": others}), params, via_api_key=True)


def test_a_path_parameter_may_hold_a_newline_and_a_trailing_newline_is_not_ignored():
    segment = routes.compile_pattern("/r/{sourced_id}")
    rest = routes.compile_pattern("/g/{goal_id}{rest:path}")
    assert segment.match("/r/a\nb") and rest.match("/g/1/cycles\n2")
    assert routes.compile_pattern("/r/x").match("/r/x\n") is None


def test_a_405_allows_what_the_merged_openapi_documents_for_the_path():
    document = {
        "paths": {"/s/{id}": {"get": {}, "put": {}}, "/s/{id}/x": {"post": {}}, "/s/new": {"delete": {}}}
    }
    assert methods_at(document, "/s/1") == ["GET", "PUT"]
    assert methods_at(document, "/s/new") == ["DELETE", "GET", "PUT"]
    assert methods_at(document, "/t") == []
