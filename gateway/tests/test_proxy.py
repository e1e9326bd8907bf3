"""Routing through the gateway to a real service over HTTP: paths, identity, request ids, failures, limits."""

import asyncio
import time

from fastapi import FastAPI, Request
from plc_shared import infra
from plc_shared.auth import Role
from plc_shared.testing import serve_app as serve

from .conftest import bearer, gateway_settings, running_gateway


async def test_a_public_path_reaches_its_service_unchanged_with_the_callers_token(gateway):
    headers = {**bearer(Role.TEACHER), "X-Request-ID": "req-gw-1"}
    response = await gateway.get("/goals/districts/d1/schools/s1/goals/g7?x=1", headers=headers)
    assert response.status_code == 200, response.text
    echoed = response.json()
    assert echoed["path"] == "/goals/districts/d1/schools/s1/goals/g7"
    assert echoed["query"] == "x=1"
    assert echoed["role"] == "teacher"
    assert echoed["authorization"] == headers["Authorization"]
    assert echoed["request_id"] == "req-gw-1"
    assert response.headers["x-request-id"] == "req-gw-1"
    assert response.headers.get_list("x-request-id") == ["req-gw-1"]


async def test_the_gateway_makes_a_request_id_when_the_caller_has_none(gateway):
    response = await gateway.get("/reviews/districts/d1/schools/s1/reviews", headers=bearer(Role.REVIEWER))
    assert response.status_code == 200
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert len(response.headers["x-request-id"]) >= 16


async def test_oneroster_paths_go_to_assessments(gateway):
    response = await gateway.put(
        "/ims/oneroster/v1p2/users/u1", json={"x": 1}, headers=bearer(Role.SIS_INTEGRATION)
    )
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "/ims/oneroster/v1p2/users/u1"
    assert response.json()["body_bytes"] > 0


async def test_a_large_chunked_answer_streams_through_intact(gateway):
    response = await gateway.get("/assessments/districts/d1/export?chunks=12", headers=bearer(Role.TEACHER))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content == b"".join(f"{i:08d}".encode() * 8192 for i in range(12))


async def test_no_token_is_401_problem_and_never_reaches_the_service(gateway):
    response = await gateway.get("/goals/districts/d1/schools/s1/goals")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_method_without_a_row_is_405_with_allow_and_a_path_without_one_is_404(gateway):
    for method in ("OPTIONS", "TRACE"):
        response = await gateway.request(
            method, "/goals/districts/d1/schools/s1/goals", headers=bearer(Role.DISTRICT_ADMIN)
        )
        assert response.status_code == 405
        assert response.json()["status"] == 405
        assert {"GET", "POST"} <= set(response.headers["allow"].split(", "))
    response = await gateway.get("/nowhere/at/all", headers=bearer(Role.DISTRICT_ADMIN))
    assert response.status_code == 404 and response.json()["status"] == 404


async def test_a_bulk_body_nested_thousands_deep_is_a_400(gateway):
    bulk, admin = "/assessments/districts/d1/results:bulk", bearer(Role.DISTRICT_ADMIN)
    deep = b'{"rows": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = await gateway.post(bulk, content=deep, headers={**admin, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


async def test_the_last_resort_rows_want_the_district_named(gateway):
    admin = bearer(Role.DISTRICT_ADMIN)
    refused = await gateway.get("/goals/by-id/g1", headers=admin)
    assert refused.status_code == 403
    assert "names no district" in refused.json()["detail"]
    assert (await gateway.get("/goals/by-id/g1?district_id=d1", headers=admin)).status_code == 200
    assert (await gateway.get("/goals/by-id/g1?district_id=d2", headers=admin)).status_code == 403


async def test_a_downed_service_answers_503_quickly(gateway_db, upstream):
    dead = f"http://127.0.0.1:{infra.free_port()}"
    settings = gateway_settings(gateway_db, upstream, upstreams={"goals": dead, "reviews": upstream})
    async with running_gateway(settings) as client:
        started = time.perf_counter()
        response = await client.get("/goals/districts/d1/schools/s1/goals", headers=bearer(Role.TEACHER))
        elapsed = time.perf_counter() - started
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "goals" in response.json()["detail"]
        assert response.headers["retry-after"] == "1"
        assert elapsed < 0.5, elapsed
        ok = await client.get("/reviews/districts/d1/schools/s1/reviews", headers=bearer(Role.REVIEWER))
        assert ok.status_code == 200


async def test_a_slow_service_is_cut_off_with_504(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, upstream_read_timeout_s=0.3)
    async with running_gateway(settings) as client:
        started = time.perf_counter()
        response = await client.get("/assessments/districts/d1/slow", headers=bearer(Role.TEACHER))
        assert response.status_code == 504
        assert time.perf_counter() - started < 1.5
        assert response.headers["content-type"] == "application/problem+json"


async def test_an_oversized_body_is_413_before_it_reaches_the_service(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, max_body_bytes=1000, bulk_max_body_bytes=5000)
    async with running_gateway(settings) as client:
        headers = bearer(Role.TEACHER)
        path = "/goals/districts/d1/schools/s1/goals"
        assert (await client.post(path, content=b"x" * 1000, headers=headers)).status_code == 200
        response = await client.post(path, content=b"x" * 1001, headers=headers)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

        async def chunks():  # no Content-Length: the limit holds while the body streams in
            for _ in range(5):
                yield b"y" * 300

        assert (await client.post(path, content=chunks(), headers=headers)).status_code == 413
        bulk = "/assessments/districts/d1/results:bulk"
        admin = bearer(Role.DISTRICT_ADMIN)
        assert (
            await client.post(bulk, content=b"[" + b"1," * 1500 + b"1]", headers=admin)
        ).status_code == 200
        assert (await client.post(bulk, content=b"x" * 5001, headers=admin)).status_code == 413


async def test_a_bulk_body_with_too_many_rows_is_413(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, bulk_max_rows=100)
    async with running_gateway(settings) as client:
        bulk, admin = "/assessments/districts/d1/results:bulk", bearer(Role.DISTRICT_ADMIN)
        rows = [{"student_id": f"st{i}", "score": 1} for i in range(100)]
        assert (await client.post(bulk, json={"rows": rows}, headers=admin)).status_code == 200
        response = await client.post(bulk, json={"rows": [*rows, rows[0]]}, headers=admin)
        assert response.status_code == 413
        assert "101 rows" in response.json()["detail"]
        csv = "student_id,score\n" + "".join(f"st{i},1\n" for i in range(101))
        response = await client.post(bulk, content=csv, headers={**admin, "Content-Type": "text/csv"})
        assert response.status_code == 413


async def test_rate_limit_per_caller_gives_429_with_retry_after(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, rate_per_principal=0.5, burst_per_principal=3)
    async with running_gateway(settings) as client:
        path = "/goals/districts/d1/schools/s1/goals"
        alice = bearer(Role.TEACHER, subject="alice")
        for _ in range(3):
            assert (await client.get(path, headers=alice)).status_code == 200
        limited = await client.get(path, headers=alice)
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 2
        assert (await client.get(path, headers=bearer(Role.TEACHER, subject="bob"))).status_code == 200


async def test_rate_limit_per_district_covers_all_its_callers(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, rate_per_tenant=0.1, burst_per_tenant=4)
    async with running_gateway(settings) as client:
        path = "/goals/districts/d1/schools/s1/goals"
        statuses = [
            (await client.get(path, headers=bearer(Role.TEACHER, subject=f"t{i}"))).status_code
            for i in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429]
        other = await client.get(
            "/goals/districts/d2/schools/s1/goals", headers=bearer(Role.TEACHER, district="d2")
        )
        assert other.status_code == 200


async def test_cors_preflight_and_response_headers_for_configured_origins(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, cors_origins=["https://app.example"])
    async with running_gateway(settings) as client:
        preflight = await client.options(
            "/goals/districts/d1/schools/s1/goals",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        response = await client.get(
            "/goals/districts/d1/schools/s1/goals",
            headers={**bearer(Role.TEACHER), "Origin": "https://app.example"},
        )
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
        evil = await client.get(
            "/goals/districts/d1/schools/s1/goals",
            headers={**bearer(Role.TEACHER), "Origin": "https://evil.example"},
        )
        assert "access-control-allow-origin" not in evil.headers


async def test_a_body_that_stalls_is_cut_off_with_408(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, body_read_timeout_s=0.3)
    async with running_gateway(settings) as client:
        port = client.base_url.port
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        auth = bearer(Role.TEACHER)["Authorization"]
        writer.write(
            (
                "POST /goals/districts/d1/schools/s1/goals HTTP/1.1\r\nHost: gw\r\n"
                f"Authorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                '{"partial": '
            ).encode()
        )
        await writer.drain()
        started = time.perf_counter()
        status_line = await asyncio.wait_for(reader.readline(), 3)
        assert status_line.startswith(b"HTTP/1.1 408"), status_line
        assert time.perf_counter() - started < 1.5
        writer.close()


async def test_with_its_database_down_the_gateway_still_routes_tokens_and_answers_503_for_keys(upstream):
    down = f"postgresql+asyncpg://postgres@127.0.0.1:{infra.free_port()}/nowhere"
    async with running_gateway(gateway_settings(down, upstream)) as client:
        ok = await client.get("/goals/districts/d1/schools/s1/goals", headers=bearer(Role.TEACHER))
        assert ok.status_code == 200
        started = time.perf_counter()
        keyed = await client.get(
            "/assessments/districts/d1/schools/s1/results", headers={"X-API-Key": "plc_0123456789ab_secret"}
        )
        assert keyed.status_code == 503
        assert keyed.headers["content-type"] == "application/problem+json"
        assert time.perf_counter() - started < 2


async def test_a_connection_dropped_before_the_answer_is_retried_once_for_idempotent_requests(
    gateway_db, upstream
):
    """The first connection to this upstream is closed without an answer (as a service closing an idle
    keep-alive connection would); later connections answer."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        if connections % 2 == 1:
            writer.close()
            return
        body = b'{"ok": true}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    flaky = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with running_gateway(
            gateway_settings(gateway_db, upstream, upstreams={"goals": flaky})
        ) as client:
            path, headers = "/goals/districts/d1/schools/s1/goals", bearer(Role.TEACHER)
            response = await client.get(path, headers=headers)
            assert (response.status_code, response.json(), connections) == (200, {"ok": True}, 2)
            response = await client.post(path, json={}, headers=headers)
            assert response.status_code == 502  # not idempotent: the gateway does not send it twice
            assert connections == 3
    finally:
        server.close()


async def test_request_metrics_are_labelled_by_the_row_of_the_table(gateway):
    await gateway.get("/reviews/districts/d1/schools/s1/reviews/r1", headers=bearer(Role.REVIEWER))
    metrics = (await gateway.get("/metrics")).text
    assert 'route="/reviews/districts/{district_id}/schools/{school_id}/reviews{rest:path}"' in metrics


async def test_the_web_app_prefix_is_forwarded_without_gateway_auth_and_gets_no_identity(
    gateway_db, upstream
):
    """/app/ belongs to the web app, which signs its users in itself: the gateway forwards it unauthenticated
    (cookies and all) and never mints an identity for it; the API paths still need a token."""
    web = FastAPI()

    @web.api_route("/app/{rest:path}", methods=["GET", "POST"])
    async def echo(rest: str, request: Request) -> dict:
        return {
            "path": request.url.path,
            "authorization": request.headers.get("authorization"),
            "cookie": request.headers.get("cookie"),
            "body": (await request.body()).decode(),
        }

    async with serve(web) as web_url:
        settings = gateway_settings(gateway_db, upstream)
        settings.upstreams["web"] = web_url
        async with running_gateway(settings) as client:
            page = await client.get(
                "/app/flags", params={"school_id": "s1"}, headers={"Cookie": "plc_session=x"}
            )
            assert page.status_code == 200
            assert page.json() == {
                "path": "/app/flags",
                "authorization": None,
                "cookie": "plc_session=x",
                "body": "",
            }
            smuggled = await client.post(
                "/app/signin", content=b"a=1", headers={"Authorization": "Bearer forged"}
            )
            assert smuggled.json()["authorization"] is None and smuggled.json()["body"] == "a=1"
            assert (await client.get("/assessments/roster/schools")).status_code == 401
