"""Audit: writes and student-level reads are recorded in the gateway database, queryable by a district admin."""

import logging
import uuid

from plc_shared.auth import Role

from .conftest import bearer


async def audit(gateway, district="d1", **params) -> list[dict]:
    response = await gateway.get(
        "/gateway/audit", params=params, headers=bearer(Role.DISTRICT_ADMIN, district=district)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_writes_and_student_level_reads_are_recorded_with_who_what_scope_and_outcome(gateway):
    rid = uuid.uuid4().hex
    teacher = bearer(Role.TEACHER, subject=f"teacher-{rid}")
    read = await gateway.get(
        "/assessments/districts/d1/schools/s1/results", headers={**teacher, "X-Request-ID": f"{rid}-read"}
    )
    write = await gateway.post(
        "/interventions/districts/d1/schools/s1/interventions",
        json={"student_id": "st1"},
        headers={**teacher, "X-Request-ID": f"{rid}-write"},
    )
    denied = await gateway.post(
        "/interventions/districts/d1/schools/s9/interventions",
        json={"student_id": "st1"},
        headers={**teacher, "X-Request-ID": f"{rid}-denied"},
    )
    not_audited = await gateway.get(
        "/assessments/districts/d1/aggregates/overview", headers={**teacher, "X-Request-ID": f"{rid}-agg"}
    )
    assert [r.status_code for r in (read, write, denied, not_audited)] == [200, 200, 403, 200]

    rows = await audit(gateway, subject=f"teacher-{rid}")
    by_request = {row["request_id"]: row for row in rows}
    assert set(by_request) == {f"{rid}-read", f"{rid}-write", f"{rid}-denied"}
    entry = by_request[f"{rid}-read"]
    assert (entry["method"], entry["path"], entry["status"]) == (
        "GET",
        "/assessments/districts/d1/schools/s1/results",
        200,
    )
    assert (entry["role"], entry["district_id"], entry["school_id"]) == ("teacher", "d1", "s1")
    assert entry["at"] and entry["duration_ms"] is not None
    assert by_request[f"{rid}-write"]["method"] == "POST"
    assert by_request[f"{rid}-denied"]["status"] == 403


async def test_api_key_calls_and_key_management_are_audited(gateway):
    created = await gateway.post(
        "/gateway/api-keys",
        json={"name": "audit-me", "permissions": ["results:write"]},
        headers={**bearer(Role.DISTRICT_ADMIN, subject="admin-audit"), "X-Request-ID": "create-audit-key"},
    )
    prefix = created.json()["prefix"]
    await gateway.post(
        "/assessments/districts/d1/results", json={"score": 3}, headers={"X-API-Key": created.json()["key"]}
    )
    rows = await audit(gateway, subject=f"api-key:{prefix}")
    assert [(r["method"], r["status"], r["api_key_prefix"]) for r in rows] == [("POST", 200, prefix)]
    management = await audit(gateway, subject="admin-audit", path_prefix="/gateway/api-keys")
    assert [(r["request_id"], r["status"]) for r in management] == [("create-audit-key", 201)]


async def test_an_admin_sees_only_their_districts_entries_and_filters_work(gateway):
    marker = uuid.uuid4().hex
    for district in ("d1", "d2"):
        await gateway.post(
            f"/goals/districts/{district}/schools/s1/goals",
            json={},
            headers=bearer(Role.SCHOOL_LEADER, district=district, subject=f"leader-{marker}"),
        )
    d1 = await audit(gateway, subject=f"leader-{marker}")
    d2 = await audit(gateway, district="d2", subject=f"leader-{marker}")
    assert [r["district_id"] for r in d1] == ["d1"] and [r["district_id"] for r in d2] == ["d2"]
    assert await audit(gateway, subject=f"leader-{marker}", method="DELETE") == []
    assert len(await audit(gateway, subject=f"leader-{marker}", status=200, path_prefix="/goals/")) == 1
    page = await audit(gateway, limit=1)
    assert len(page) == 1
    older = await audit(gateway, before_id=page[0]["id"], limit=1)
    assert older[0]["id"] < page[0]["id"]


async def test_only_district_admins_read_the_audit_log(gateway):
    for role in (Role.TEACHER, Role.ANALYST, Role.OPERATOR, Role.SCHOOL_LEADER):
        assert (await gateway.get("/gateway/audit", headers=bearer(role))).status_code == 403


async def test_an_attempt_on_another_district_shows_in_both_districts_logs(gateway):
    marker = uuid.uuid4().hex
    response = await gateway.get(
        "/assessments/districts/d2/schools/s1/results",
        headers={**bearer(Role.TEACHER, district="d1", subject=f"prober-{marker}"), "X-Request-ID": marker},
    )
    assert response.status_code == 403
    for district in ("d1", "d2"):
        rows = await audit(gateway, district=district, subject=f"prober-{marker}")
        assert [(r["request_id"], r["district_id"], r["caller_district_id"], r["status"]) for r in rows] == [
            (marker, "d2", "d1", 403)
        ]
    assert await audit(gateway, district="d3", subject=f"prober-{marker}") == []


async def test_a_student_level_read_with_a_query_string_is_recorded_with_its_query(gateway):
    rid = uuid.uuid4().hex
    teacher = bearer(Role.TEACHER, subject=f"teacher-q-{rid}")
    read = await gateway.get(
        "/interventions/v1/flags",
        params={"school_id": "s1", "standard_id": "std-1"},
        headers={**teacher, "X-Request-ID": f"{rid}-flags"},
    )
    assert read.status_code == 200, read.text
    rows = await audit(gateway, subject=f"teacher-q-{rid}")
    assert [(r["request_id"], r["path"], r["district_id"]) for r in rows] == [
        (f"{rid}-flags", "/interventions/v1/flags", "d1")
    ]
    assert rows[0]["query"] == "school_id=s1&standard_id=std-1"


async def test_every_request_writes_one_access_line_with_route_status_time_and_subject(gateway, caplog):
    """The gateway's access log: request id, the route's row (a template, never the ids in the path),
    status, duration and the caller's subject — no names, no query values."""
    caplog.set_level(logging.INFO, logger="plc.access")
    rid = uuid.uuid4().hex
    teacher = bearer(Role.TEACHER, subject=f"teacher-{rid}")
    response = await gateway.get(
        "/assessments/districts/d1/schools/s1/results", headers={**teacher, "X-Request-ID": rid}
    )
    anonymous = await gateway.get("/gateway/audit", headers={"X-Request-ID": f"{rid}-anon"})
    assert (response.status_code, anonymous.status_code) == (200, 401)
    lines = {r.request_id: r for r in caplog.records if r.name == "plc.access"}
    line = lines[rid]
    assert (line.method, line.route, line.status) == (
        "GET",
        "/assessments/districts/{district_id}/schools/{school_id}/results",
        200,
    )
    assert line.subject == f"teacher-{rid}" and line.duration_ms > 0
    assert (lines[f"{rid}-anon"].status, lines[f"{rid}-anon"].subject) == (401, None)
