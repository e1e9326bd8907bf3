"""End to end through the gateway: real HTTP to a real gateway and a real assessments service, real PostgreSQL,
the real broker. A SIS integration with an API key posts results; a teacher reads; events reach Kafka."""

import json
import time
import uuid

import httpx
import jwt
import pytest
from assessments.config import Settings as AssessmentsSettings
from assessments.main import create_app as assessments_app
from assessments.testing import District
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from plc_shared import infra
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import GATEWAY, by_name
from plc_shared.kafka import ensure_topics
from plc_shared.settings import AuthSettings
from plc_shared.testing import consume, eventually, migrated_database, serve_app
from plc_shared.topics import ASSESSMENTS, RESULTS

AUTH = AuthSettings(environment="dev")


@pytest.fixture(scope="module")
async def stack(create_database, kafka_settings):
    await ensure_topics(kafka_settings, [RESULTS, ASSESSMENTS])
    service_settings = AssessmentsSettings(
        database_url=await migrated_database(create_database, by_name("assessments")),
        kafka=kafka_settings,
        auth=AUTH,
        log_level="WARNING",
        relay_poll_interval_s=0.02,
    )
    down = f"http://127.0.0.1:{infra.free_port()}"  # nothing listens there
    async with serve_app(assessments_app(service_settings)) as service_url:
        gateway_settings = GatewaySettings(
            database_url=await migrated_database(create_database, GATEWAY),
            kafka=kafka_settings,
            auth=AUTH,
            log_level="WARNING",
            audit_flush_interval_s=0.05,
            upstreams={"assessments": service_url, "goals": down, "interventions": down, "reviews": down},
        )
        async with (
            serve_app(gateway_app(gateway_settings)) as gateway_url,
            httpx.AsyncClient(base_url=gateway_url, timeout=30) as gateway,
            httpx.AsyncClient(base_url=service_url, timeout=30) as direct,
        ):
            yield gateway, direct, service_settings


def bearer(role: Role, district: str, schools=(), classes=()) -> dict[str, str]:
    token = mint_dev_token(
        AUTH, role=role, district_id=district, school_ids=list(schools), class_ids=list(classes)
    )
    return {"Authorization": f"Bearer {token}"}


async def test_a_sis_integration_posts_results_through_the_gateway_and_each_becomes_one_event(
    stack, bootstrap_servers, kafka_settings
):
    gateway, _, settings = stack
    district = await District(gateway, settings).build()
    assessment = await district.assessment()
    admin = bearer(Role.DISTRICT_ADMIN, district.id)

    created = await gateway.post(
        "/gateway/api-keys",
        json={"name": "district SIS", "permissions": ["results:write", "results:read"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    sis = {"X-API-Key": created.json()["key"]}
    rows = [
        {"assessment_id": assessment["id"], "student_id": s, "total_score": 8 + i}
        for i, s in enumerate(district.students)
    ]
    rows.append({"assessment_id": assessment["id"], "student_id": "ghost", "total_score": 3})
    response = await gateway.post("/assessments/results/bulk", json={"results": rows}, headers=sis)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["accepted"] == len(district.students)
    assert [r["index"] for r in report["rejected"]] == [len(rows) - 1]

    keys = {f"{district.id}/{s}" for s in district.students}  # events are keyed district id/student id
    records = await consume(
        bootstrap_servers,
        kafka_settings.topic(RESULTS.name),
        until=lambda rs: {r.key.decode() for r in rs} >= keys,
    )
    mine = [json.loads(r.value) for r in records if r.key.decode() in keys]
    assert sorted(e["data"]["student_id"] for e in mine) == sorted(district.students)  # exactly one each
    assert {e["type"] for e in mine} == {"org.plc.assessments.result.recorded.v1"}

    # The write is in the district's audit log, attributed to the key.
    async def audited() -> list[dict]:
        found = await gateway.get(
            "/gateway/audit", params={"path_prefix": "/assessments/results"}, headers=admin
        )
        return [a for a in found.json() if a["api_key_prefix"] and a["method"] == "POST"]

    assert await eventually(lambda: _truthy(audited()), timeout_s=5)


async def _truthy(awaitable) -> bool:
    return bool(await awaitable)


async def test_a_teacher_reads_their_school_and_nothing_of_another_district(stack):
    gateway, _, settings = stack
    district = await District(gateway, settings).build()
    assessment = await district.assessment()
    student = district.students[0]
    put = await gateway.put(
        "/assessments/results",
        json={"assessment_id": assessment["id"], "student_id": student, "total_score": 12},
        headers=district.sis,
    )
    assert put.status_code == 201, put.text
    path = f"/assessments/results/{assessment['id']}/{student}/1"

    teacher = bearer(Role.TEACHER, district.id, [district.schools[0]], [district.classes[0]])
    own = await gateway.get(path, headers=teacher)
    assert own.status_code == 200, own.text
    assert own.json()["student_id"] == student
    elsewhere = await gateway.get(path, headers=bearer(Role.TEACHER, "another-district", ["x"]))
    assert elsewhere.status_code in (403, 404)
    assert elsewhere.headers["content-type"].startswith("application/problem+json")
    assert (await gateway.get(path)).status_code == 401


async def test_a_forged_identity_sent_straight_to_the_service_is_refused(stack):
    _, direct, settings = stack
    district = await District(direct, settings).build()
    claims = {
        "sub": "mallory",
        "role": "district_admin",
        "district_id": district.id,
        "iss": "plc-dev",
        "aud": "plc-suite",
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    wrong_key = jwt.encode(claims, "not-the-key-" + uuid.uuid4().hex, algorithm="HS256")
    for headers in (
        {"Authorization": f"Bearer {unsigned}"},
        {"Authorization": f"Bearer {wrong_key}"},
        {"X-User": "mallory", "X-Role": "district_admin", "X-District-Id": district.id},
    ):
        response = await direct.get("/assessments/roster/schools", headers=headers)
        assert response.status_code == 401, (headers, response.text)
    genuine = await direct.get(
        "/assessments/roster/schools", headers=bearer(Role.DISTRICT_ADMIN, district.id)
    )
    assert genuine.status_code == 200


async def test_a_service_that_is_down_answers_fast_with_a_problem(stack):
    gateway, _, _ = stack
    started = time.perf_counter()
    response = await gateway.get(
        "/interventions/districts/d1/schools/s1/flags", headers=bearer(Role.TEACHER, "d1", ["s1"])
    )
    assert response.status_code in (502, 503)
    assert time.perf_counter() - started < 1.0
    assert response.headers["content-type"].startswith("application/problem+json")
