"""One student's interventions record over HTTP: tier and its history (escalation, decision), flags open and
resolved with their evidence, assignments with their progress; scoped like every read here (another
teacher's class, another school, another district: the same 404 as an unknown student) and audited."""

import logging
import uuid

import pytest
from interventions.testing import recorded, rostered

from .test_api import add_intervention, assign, client, results, roster


@pytest.fixture
async def school(app) -> str:
    school = f"school-{uuid.uuid4().hex[:6]}"
    await roster(app, *rostered("district-1", (school,)))
    return school


async def flagged_student(app, school: str) -> str:
    """A student of class-mine below the cut on A, B and C: three support flags, escalated to tier 2."""
    student = f"stu-{uuid.uuid4().hex[:6]}"
    await roster(
        app, *rostered("district-1", (school,), {student: (school,)}, classes={student: ("class-mine",)})
    )
    await results(app, recorded(student, {"A": 10, "B": 20, "C": 30}, school=school, classes=("class-mine",)))
    return student


async def test_the_record_has_the_tier_history_flags_and_interventions_with_progress(app, school):
    student = await flagged_student(app, school)
    async with client(app, "school_leader", [school]) as c:
        decided = await c.put(
            f"/interventions/v1/students/{student}/tier", json={"tier": 3, "reason": "no response to tier 2"}
        )
        assert decided.status_code == 200, decided.text
        flags = (await c.get("/interventions/v1/flags", params={"school_id": school})).json()
        flag_c = next(f for f in flags if f["student_id"] == student and f["standard_id"] == "C")
        resolved = await c.post(
            f"/interventions/v1/flags/{flag_c['id']}/resolve", json={"reason": "retaught"}
        )
        assert resolved.status_code == 200
    assignment = await assign(
        app, school, await add_intervention(app, school), student, classes=("class-mine",)
    )
    async with client(app, "teacher", [school], classes=["class-mine"]) as c:
        point = {"measured_on": "2026-09-14", "score": 50}
        assert (
            await c.post(f"/interventions/v1/assignments/{assignment['id']}/progress", json=point)
        ).status_code == 200
        response = await c.get(f"/interventions/v1/students/{student}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["student_id"], body["school_ids"]) == (student, [school])

    tier = body["tier"]
    assert (tier["tier"], tier["reason"], tier["rule"]) == (3, "decision", "no response to tier 2")
    assert tier["decided_by"].startswith("dev-school_leader")
    history = [(h["from_tier"], h["to_tier"], h["reason"]) for h in tier["history"]]
    assert history == [(2, 3, "decision"), (1, 2, "escalation")]
    assert tier["history"][0]["rule"] == "no response to tier 2" and tier["history"][1]["decided_by"] is None

    assert sorted((f["standard_id"], f["score"], f["cut"]) for f in body["open_flags"]) == [
        ("A", 10, 70),
        ("B", 20, 70),
    ]
    assert all(f["assessment_id"] == "assessment-1" and f["kind"] == "support" for f in body["open_flags"])
    [closed] = body["resolved_flags"]
    assert closed["standard_id"] == "C" and closed["resolution"]["reason"] == "decision"
    assert closed["resolution"]["note"] == "retaught" and closed["resolution"]["resolved_at"]

    [plan] = body["assignments"]
    assert (plan["id"], plan["intervention_name"], plan["intervention_tier"]) == (
        assignment["id"],
        "Fractions small group",
        2,
    )
    assert plan["status"] == "active" and plan["points"] == [point]
    assert plan["goal_rate"] == 5.0 and plan["rate_of_improvement"] is None
    assert "chart_url" not in plan  # the web app draws the chart from these points


async def test_the_record_is_scoped_like_every_read_here(app, school):
    student = await flagged_student(app, school)
    path = f"/interventions/v1/students/{student}"
    async with client(app, "district_admin") as c:
        assert (await c.get(path)).status_code == 200
        unknown = (await c.get("/interventions/v1/students/nobody")).json()
    for role, schools, classes, district in (
        ("teacher", [school], ["class-other"], "district-1"),  # same school, another teacher's class
        ("school_leader", [f"{school}-x"], [], "district-1"),  # another school of the district
        ("district_admin", [], [], "district-2"),  # another district
    ):
        async with client(app, role, schools, classes=classes, district=district) as c:
            response = await c.get(path)
        assert response.status_code == 404, (role, district)
        assert response.json()["detail"] == unknown["detail"].replace("nobody", student)
    async with client(app, "analyst") as c:
        assert (await c.get(path)).status_code == 403


async def test_reading_the_record_is_audited(app, school, caplog):
    student = await flagged_student(app, school)
    caplog.set_level(logging.INFO, logger="plc.audit")
    async with client(app, "teacher", [school], classes=["class-mine"]) as c:
        assert (await c.get(f"/interventions/v1/students/{student}")).status_code == 200
        assert (await c.get("/interventions/v1/students/nobody")).status_code == 404
    [record] = [r.audit for r in caplog.records if r.name == "plc.audit"]
    assert (record["role"], record["action"], record["student_ids"]) == (
        "teacher",
        "student.interventions",
        [student],
    )
    assert record["district_id"] == "district-1"


async def test_the_tier_in_force_is_the_highest_of_the_record_and_the_active_interventions(app, school):
    """Issue 24: the student page said "Tier 1" while two tier-2 interventions were active. The record keeps
    tier 1 (nobody decided otherwise); the tier in force is 2 while a tier-2 intervention is active."""
    student = f"stu-{uuid.uuid4().hex[:6]}"
    await roster(
        app, *rostered("district-1", (school,), {student: (school,)}, classes={student: ("class-mine",)})
    )
    assignment = await assign(
        app, school, await add_intervention(app, school), student, classes=("class-mine",)
    )
    async with client(app, "teacher", [school], classes=["class-mine"]) as c:
        during = (await c.get(f"/interventions/v1/students/{student}")).json()
        exit_body = {"exited_on": "2026-10-20", "reason": "left the school", "evidence": "moved"}
        assert (
            await c.post(f"/interventions/v1/assignments/{assignment['id']}/exit", json=exit_body)
        ).is_success
        after = (await c.get(f"/interventions/v1/students/{student}")).json()
    assert (during["tier"]["tier"], during["tier_in_force"]) == (1, 2)
    assert (after["tier"]["tier"], after["tier_in_force"]) == (1, 1)


async def test_an_open_flag_lists_the_support_already_in_place(app, school):
    """Issue 24: nothing on a flag said it already had an intervention. The open flags list names the
    student's active assignments (any standard); an exited one is no longer support in place."""
    student = await flagged_student(app, school)
    intervention = await add_intervention(app, school)
    assignment = await assign(app, school, intervention, student, classes=("class-mine",))
    async with client(app, "teacher", [school], classes=["class-mine"]) as c:
        flags = (await c.get("/interventions/v1/flags", params={"school_id": school})).json()
        exit_body = {"exited_on": "2026-10-20", "reason": "left the school", "evidence": "moved"}
        assert (
            await c.post(f"/interventions/v1/assignments/{assignment['id']}/exit", json=exit_body)
        ).is_success
        later = (await c.get("/interventions/v1/flags", params={"school_id": school})).json()
    mine = [f for f in flags if f["student_id"] == student]
    assert len(mine) == 3
    for flag in mine:
        assert flag["supports"] == [
            {
                "assignment_id": assignment["id"],
                "intervention_id": intervention["id"],
                "intervention_name": "Fractions small group",
                "tier": 2,
                "standard_id": "A",
            }
        ]
    assert all(f["supports"] == [] for f in later if f["student_id"] == student)
