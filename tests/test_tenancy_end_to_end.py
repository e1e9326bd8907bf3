"""Two districts on one stack with the very same SIS ids, end to end: real gateway, assessments and
interventions processes over HTTP, real PostgreSQL, the real broker.

Both districts roster the same sourcedIds for every school, class and student, adopt the same CASE ids and the
same assessment id, and post different scores (d1 low, d2 high). Each sees exactly its own results, analysis,
class lists, flags, tiers and rules — through the gateway and straight to the services. Inside one district,
a teacher reaches the students of their classes only, as the roster's events tell interventions (the route by
route matrices of the class and school levels are each service's tests/test_scope.py).
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from assessments.config import Settings as AssessmentsSettings
from assessments.main import create_app as assessments_app
from assessments.testing import District
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from interventions.config import Settings as InterventionsSettings
from interventions.main import create_app as interventions_app
from plc_shared import infra
from plc_shared.auth import Role
from plc_shared.components import GATEWAY, by_name
from plc_shared.kafka import ensure_topics
from plc_shared.settings import AuthSettings
from plc_shared.testing import eventually, migrated_database, serve_app
from plc_shared.topics import ALL

AUTH = AuthSettings(environment="dev")
IV = "/interventions/v1"


@pytest.fixture(scope="module")
async def stack(create_database, kafka_settings):
    # Topics and consumer groups of this stack alone: a group another module's app left behind would make the
    # interventions consumer wait for a rebalance before it reads anything.
    kafka_settings = kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )
    await ensure_topics(kafka_settings, list(ALL))
    common = {"kafka": kafka_settings, "auth": AUTH, "log_level": "WARNING", "relay_poll_interval_s": 0.02}
    assessments = AssessmentsSettings(
        database_url=await migrated_database(create_database, by_name("assessments")), **common
    )
    interventions = InterventionsSettings(
        database_url=await migrated_database(create_database, by_name("interventions")), **common
    )
    down = f"http://127.0.0.1:{infra.free_port()}"
    async with (
        serve_app(assessments_app(assessments)) as assessments_url,
        serve_app(interventions_app(interventions)) as interventions_url,
    ):
        upstreams = {"assessments": assessments_url, "interventions": interventions_url}
        gateway_settings = GatewaySettings(
            database_url=await migrated_database(create_database, GATEWAY),
            kafka=kafka_settings,
            auth=AUTH,
            log_level="WARNING",
            upstreams={**upstreams, "goals": down, "reviews": down},
        )
        async with (
            serve_app(gateway_app(gateway_settings)) as gateway_url,
            httpx.AsyncClient(base_url=gateway_url, timeout=30) as gateway,
            httpx.AsyncClient(base_url=assessments_url, timeout=30) as to_assessments,
            httpx.AsyncClient(base_url=interventions_url, timeout=30) as to_interventions,
        ):
            yield gateway, to_assessments, to_interventions, assessments


async def _twin(http: httpx.AsyncClient, settings, shared: str, given: str) -> tuple[District, dict]:
    district = await District(http, settings, ids=shared).build()
    named = [{"sourced_id": district.students[0], "school_ids": [district.schools[0]], "given_name": given}]
    assert (await district.put("/assessments/roster/students", {"records": named})).status_code == 200
    case_id = str(uuid.uuid5(uuid.NAMESPACE_URL, shared))  # the same CASE identifier for both
    await district.standard("CASE", id=case_id, case_identifier=case_id)
    assessment = await district.assessment(name="cfa")
    return district, {**assessment, "case_id": case_id}


async def test_two_districts_with_the_same_ids_see_only_their_own_through_the_gateway_and_directly(stack):
    gateway, to_assessments, to_interventions, settings = stack
    shared = f"sis-{uuid.uuid4().hex[:8]}"
    d1, a1 = await _twin(gateway, settings, shared, "Ana")
    d2, a2 = await _twin(gateway, settings, shared, "Bo")
    assert (d1.students, d1.schools, a1["id"], a1["standards"]) == (
        d2.students,
        d2.schools,
        a2["id"],
        a2["standards"],
    )

    for district, points in (
        (d1, 1),
        (d2, 10),
    ):  # d1: 10 % on both standards (support); d2: 100 % (enrichment)
        rows = [
            {"assessment_id": a1["id"], "student_id": s, "objective_scores": {"O1": points, "O2": points}}
            for s in district.students
        ]
        report = await district.post("/assessments/results/bulk", {"results": rows})
        assert report.json()["accepted"] == len(rows), report.text

    for district, total, given, kind in ((d1, 2, "Ana", "support"), (d2, 20, "Bo", "enrichment")):
        admin = district.token(Role.DISTRICT_ADMIN)
        for http in (gateway, to_assessments):
            one = await http.get(f"/assessments/results/{a1['id']}/{district.students[0]}/1", headers=admin)
            assert one.json()["total_score"] == total
            analysis = await http.get(f"/assessments/assessments/{a1['id']}/analysis", headers=admin)
            assert analysis.json()["results"] == len(district.students)
            below = sum(b["students_below"] for b in analysis.json()["below_cut"])
            assert below == (2 * len(district.students) if district is d1 else 0)
            students = await http.get(
                f"/assessments/roster/classes/{district.classes[0]}/students", headers=admin
            )
            assert {s["sourced_id"]: s["given_name"] for s in students.json()}[district.students[0]] == given

        async def flags(http=gateway, admin=admin, school=district.schools[0]):
            response = await http.get(
                f"{IV}/flags", params={"school_id": school, "limit": 500}, headers=admin
            )
            return response.json() if response.status_code == 200 else []

        expected = 2 * len(district.students) // 2  # two standards, half the students are in school 1
        assert await eventually(
            lambda flags=flags, expected=expected: _at_least(flags(), expected), timeout_s=15
        )
        for http in (gateway, to_interventions):
            found = await flags(http)
            assert {f["kind"] for f in found} == {kind}
            assert {f["student_id"] for f in found} == {s for s in district.students if "-c1-" in s}
            assert all(f["district_id"] == district.id for f in found if "district_id" in f)
        # One student's record, same student id in both districts: each sees its own name, results and flags.
        student = district.students[0]
        for http in (gateway, to_assessments):
            record = (await http.get(f"/assessments/students/{student}", headers=admin)).json()
            assert record["given_name"] == given
            assert [r["total_score"] for r in record["results"]] == [total]
        for http in (gateway, to_interventions):
            record = (await http.get(f"{IV}/students/{student}", headers=admin)).json()
            assert {f["kind"] for f in record["open_flags"]} == {kind}
            assert {f["result_id"] for f in record["open_flags"]} <= {
                f["result_id"] for f in await flags(http)
            }

    rules = {"escalation_open_flags": 2, "reflag_weeks": 4, "overdue_school_days": 3}
    admin1, admin2 = d1.token(Role.DISTRICT_ADMIN), d2.token(Role.DISTRICT_ADMIN)
    school = d1.schools[0]
    assert (await gateway.put(f"{IV}/schools/{school}/rules", json=rules, headers=admin1)).status_code == 200
    theirs = await gateway.get(f"{IV}/schools/{school}/rules", headers=admin2)
    assert theirs.status_code == 200 and theirs.json()["escalation_open_flags"] == 3  # d2 keeps its defaults
    for http in (gateway, to_interventions):
        tiers1 = (await http.get(f"{IV}/schools/{school}/tiers", headers=admin1)).json()
        tiers2 = (await http.get(f"{IV}/schools/{school}/tiers", headers=admin2)).json()
        assert tiers1["students"] == tiers2["students"] == len(d1.students) // 2


async def _at_least(awaitable, n: int) -> bool:
    return len(await awaitable) >= n


async def test_a_teacher_reaches_the_students_of_their_classes_only_and_follows_a_student_who_moves(stack):
    """The class level across services: the roster's classes reach interventions as events
    (StudentRostered.class_ids), so a teacher of another class of the same school gets, through the gateway
    and straight to each service, the 404 of a missing student for everything of a student of class c1 —
    reads and writes — until the roster moves the student into their class."""
    gateway, to_assessments, to_interventions, settings = stack
    district = await District(gateway, settings).build()
    school, c1 = district.schools[0], district.classes[0]
    c3 = f"{district.id}-c3"
    await district.put(
        "/assessments/roster/classes", {"records": [{"sourced_id": c3, "title": "c3", "school_id": school}]}
    )
    student = district.students[0]  # enrolled in c1
    assessment = await district.assessment(name="cfa")
    row = {"assessment_id": assessment["id"], "student_id": student, "objective_scores": {"O1": 1, "O2": 1}}
    assert (await district.post("/assessments/results/bulk", {"results": [row]})).json()["accepted"] == 1
    admin = district.token(Role.DISTRICT_ADMIN)
    mine = district.token(Role.TEACHER, schools=(school,), classes=(c1,))
    other = district.token(Role.TEACHER, schools=(school,), classes=(c3,))
    plan = await _flagged_and_assigned(gateway, admin, school, student, assessment["standards"][0])

    for http, service in (
        (gateway, "both"),
        (to_assessments, "assessments"),
        (to_interventions, "interventions"),
    ):
        for path, method, body in _student_calls(student, plan, assessment["id"], service):
            theirs = await http.request(method, path, json=body, headers=other)
            nobody = await http.request(
                method, path.replace(student, "nobody"), json=_nobody(body), headers=other
            )
            assert theirs.status_code in (404, 422) and theirs.status_code == nobody.status_code, (
                path,
                theirs.text,
            )
            assert theirs.json()["title"] == nobody.json()["title"], path
            owner = await http.request(
                method, path, json=body, headers=mine
            )  # a 409: resolved on a pass before
            assert owner.status_code < 400 or owner.status_code == 409, (path, owner.text)
    flags = await gateway.get(f"{IV}/flags", params={"school_id": school}, headers=other)
    assert flags.status_code == 200 and student not in flags.text

    moved = [
        {"sourced_id": f"e-{student}", "class_id": c1, "school_id": school, "user_id": student, "role": "student", "status": "tobedeleted"},
        {"sourced_id": f"e3-{student}", "class_id": c3, "school_id": school, "user_id": student, "role": "student"},
    ]  # fmt: skip
    assert (await district.put("/assessments/roster/enrollments", {"records": moved})).status_code == 200

    async def follows() -> bool:
        now = await gateway.get(f"{IV}/students/{student}", headers=other)
        return now.status_code == 200

    assert await eventually(follows, timeout_s=20)
    assert (await gateway.get(f"{IV}/students/{student}", headers=mine)).status_code == 404
    assert (await gateway.get(f"/assessments/students/{student}", headers=other)).status_code == 200


async def _flagged_and_assigned(gateway, admin, school: str, student: str, standard: str) -> dict:
    """Once interventions has the result's flags: an intervention of the school assigned to the student."""
    body = {
        "name": "Reteach",
        "tier": 2,
        "kind": "small group",
        "delivery": "pull-out",
        "dosage_minutes_per_week": 60,
    }
    made: list = []

    async def ready() -> bool:
        record = await gateway.get(f"{IV}/students/{student}", headers=admin)
        if record.status_code != 200 or not record.json()["open_flags"]:
            return False
        intervention = await gateway.post(f"{IV}/schools/{school}/interventions", json=body, headers=admin)
        assignment = {
            "intervention_id": intervention.json()["id"], "student_id": student, "standard_id": standard,
            "start_on": "2026-09-07", "planned_weeks": 6, "champion": "t1", "baseline": 10, "goal": 70,
            "goal_date": "2026-10-19",
        }  # fmt: skip
        answer = await gateway.post(f"{IV}/assignments", json=assignment, headers=admin)
        made.append({**assignment, "id": answer.json()["id"], "flag": record.json()["open_flags"][0]["id"]})
        return True

    assert await eventually(ready, timeout_s=20)
    return made[0]


def _student_calls(
    student: str, plan: dict, assessment: str, service: str
) -> list[tuple[str, str, dict | None]]:
    """Every read and write of one student's data the issue names (student page, results, assignment,
    progress, exit, flag, assign), as (path, method, body)."""
    assessments = [
        (f"/assessments/students/{student}", "GET", None),
        (f"/assessments/results/{assessment}/{student}/1", "GET", None),
    ]
    a = f"{IV}/assignments/{plan['id']}"
    interventions = [
        (f"{IV}/students/{student}", "GET", None),
        (a, "GET", None),
        (f"{a}/progress", "GET", None),
        (f"{IV}/assignments", "POST", {k: v for k, v in plan.items() if k not in ("id", "flag")}),
        (f"{a}/progress", "POST", {"measured_on": "2026-09-14", "score": 30}),
        (f"{IV}/flags/{plan['flag']}/resolve", "POST", {"reason": "retaught"}),
    ]
    return {"assessments": assessments, "interventions": interventions}.get(
        service, assessments + interventions
    )


def _nobody(body: dict | None) -> dict | None:
    return {**body, "student_id": "nobody"} if body and "student_id" in body else body
