"""API keys: created and revoked by a district admin, stored hashed, scoped, last use recorded."""

import asyncio
import hashlib

import asyncpg
from plc_shared.auth import Role

from .conftest import bearer

RESULTS = "/assessments/districts/d1/schools/s1/results"


async def create_key(gateway, permissions=("results:read",), district="d1") -> dict:
    response = await gateway.post(
        "/gateway/api-keys",
        json={"name": "SIS nightly", "permissions": list(permissions)},
        headers=bearer(Role.DISTRICT_ADMIN, district=district),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def stored_row(gateway_db: str, prefix: str) -> asyncpg.Record:
    dsn = gateway_db.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchrow("SELECT * FROM api_keys WHERE prefix = $1", prefix)
    finally:
        await conn.close()


async def test_lifecycle_create_use_last_used_revoke(gateway, gateway_db):
    created = await create_key(gateway)
    key = created["key"]
    assert key.startswith(f"plc_{created['prefix']}_")
    assert created["district_id"] == "d1" and created["last_used_at"] is None

    row = await stored_row(gateway_db, created["prefix"])
    assert row["secret_sha256"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in [str(v) for v in row.values()]

    response = await gateway.get(RESULTS, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    echoed = response.json()
    assert echoed["role"] == "sis_integration" and echoed["district_id"] == "d1"
    assert echoed["permissions"] == ["results:read"]
    assert echoed["api_key_header"] is None  # the key itself never travels to a service
    assert echoed["authorization"].startswith("Bearer ey")  # a signed token instead
    assert (await gateway.get(RESULTS, headers={"Authorization": f"Bearer {key}"})).status_code == 200

    listed = (await gateway.get("/gateway/api-keys", headers=bearer(Role.DISTRICT_ADMIN))).json()
    mine = next(k for k in listed if k["id"] == created["id"])
    assert mine["last_used_at"] is not None
    assert "key" not in mine and "secret_sha256" not in mine

    revoked = await gateway.delete(f"/gateway/api-keys/{created['id']}", headers=bearer(Role.DISTRICT_ADMIN))
    assert revoked.status_code == 204
    response = await gateway.get(RESULTS, headers={"X-API-Key": key})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_key_is_held_to_its_district_and_permissions(gateway):
    key = (await create_key(gateway, permissions=("results:read",)))["key"]
    headers = {"X-API-Key": key}
    assert (await gateway.get(RESULTS.replace("/d1/", "/d2/"), headers=headers)).status_code == 403
    write = await gateway.post("/assessments/districts/d1/results", json={"score": 1}, headers=headers)
    assert write.status_code == 403
    assert "results:write" in write.json()["detail"]
    # A route without a permission (a human's route) is closed to every key.
    assert (await gateway.get("/goals/districts/d1/schools/s1/goals", headers=headers)).status_code == 403


async def test_a_wrong_or_made_up_key_is_401(gateway):
    key = (await create_key(gateway))["key"]
    tampered = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for bad in (tampered, "plc_000000000000_nope", "plc_nonsense"):
        assert (await gateway.get(RESULTS, headers={"X-API-Key": bad})).status_code == 401


async def test_only_a_district_admin_manages_keys_and_only_in_their_district(gateway):
    body = {"name": "x", "permissions": ["results:read"]}
    for role in (Role.TEACHER, Role.SCHOOL_LEADER, Role.OPERATOR, Role.ANALYST):
        assert (await gateway.post("/gateway/api-keys", json=body, headers=bearer(role))).status_code == 403
    other_district_key = await create_key(gateway, district="d2")
    response = await gateway.delete(
        f"/gateway/api-keys/{other_district_key['id']}", headers=bearer(Role.DISTRICT_ADMIN, district="d1")
    )
    assert response.status_code == 404
    listed = (await gateway.get("/gateway/api-keys", headers=bearer(Role.DISTRICT_ADMIN))).json()
    assert other_district_key["id"] not in {k["id"] for k in listed}
    bad = await gateway.post(
        "/gateway/api-keys", json={"name": "x", "permissions": ["root"]}, headers=bearer(Role.DISTRICT_ADMIN)
    )
    assert bad.status_code == 422
    # A key cannot mint keys.
    key = (await create_key(gateway))["key"]
    assert (await gateway.post("/gateway/api-keys", json=body, headers={"X-API-Key": key})).status_code == 403


async def test_a_revoke_reaches_other_replicas_within_the_key_cache_time(gateway_db, upstream, gateway):
    from .conftest import gateway_settings, running_gateway

    settings = gateway_settings(gateway_db, upstream, api_key_cache_seconds=0.2)
    async with running_gateway(settings) as replica:
        created = await create_key(gateway)
        assert (await replica.get(RESULTS, headers={"X-API-Key": created["key"]})).status_code == 200
        await gateway.delete(f"/gateway/api-keys/{created['id']}", headers=bearer(Role.DISTRICT_ADMIN))
        await asyncio.sleep(0.3)
        assert (await replica.get(RESULTS, headers={"X-API-Key": created["key"]})).status_code == 401


async def test_each_key_has_its_own_rate_limit(gateway_db, upstream):
    from .conftest import gateway_settings, running_gateway

    settings = gateway_settings(gateway_db, upstream, rate_per_principal=0.5, burst_per_principal=2)
    async with running_gateway(settings) as limited:
        first, second = (await create_key(limited))["key"], (await create_key(limited))["key"]
        statuses = [(await limited.get(RESULTS, headers={"X-API-Key": first})).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert (await limited.get(RESULTS, headers={"X-API-Key": second})).status_code == 200
