"""Scope inside a district, straight to the service and through a real gateway: every route by {teacher of another class, teacher of another
school, leader of another school, reviewer, analyst, SIS key without the permission} answers as documented
(plc_shared.scope) and changes nothing; the owner of the data gets it (so the denials are not a broken request).

The routes come from the app's route table: a route without a case here fails the test."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from gateway.testing import prove_scope, served_behind_gateway
from interventions.main import create_app
from interventions.models import Base, Student, StudentTier
from interventions.testing import apply, recorded, rostered
from plc_shared.auth import Role
from plc_shared.scope_matrix import (
    LEADER_WRITE,
    SCHOOL_READ,
    STUDENT,
    STUDENT_LIST,
    STUDENT_LIST_OF_SCHOOL,
    Call,
    Case,
    Expect,
    as_role,
    expect,
    fill,
    service_routes,
)
from sqlalchemy import select, update

IV = "/interventions/v1"
M, F, H = Expect.MISSING, Expect.FORBIDDEN, Expect.HIDDEN
PLAN = {"name": "Reteach group", "tier": 2, "kind": "small group", "delivery": "pull-out"}


def assignment_body(w) -> dict:
    return {
        "intervention_id": w["intervention"],
        "student_id": w["student"],
        "standard_id": "A",
        "start_on": "2026-09-07",
        "planned_weeks": 6,
        "champion": "staff-1",
        "baseline": 30,
        "goal": 70,
        "goal_date": "2026-10-19",
    }


CASES = (
    Case(
        "GET",
        f"{IV}/schools/{{school_id}}/rules",
        SCHOOL_READ,
        (Call("GET", f"{IV}/schools/{{school_a}}/rules"),),
    ),
    Case(
        "PUT",
        f"{IV}/schools/{{school_id}}/rules",
        LEADER_WRITE,
        (Call("PUT", f"{IV}/schools/{{school_a}}/rules", lambda w: {"escalation_open_flags": 1}),),
    ),
    Case(
        "PUT",
        f"{IV}/schools/{{school_id}}/assessments/{{assessment_id}}/cuts",
        LEADER_WRITE,
        (
            Call(
                "PUT",
                f"{IV}/schools/{{school_a}}/assessments/{{assessment}}/cuts",
                lambda w: {"proficiency_cut": 50, "mastery_cut": 95},
            ),
        ),
    ),
    Case(
        "POST",
        f"{IV}/schools/{{school_id}}/interventions",
        LEADER_WRITE,
        (
            Call(
                "POST",
                f"{IV}/schools/{{school_a}}/interventions",
                lambda w: {**PLAN, "dosage_minutes_per_week": 30},
            ),
        ),
    ),
    Case(
        "GET",
        f"{IV}/schools/{{school_id}}/interventions",
        SCHOOL_READ,
        (Call("GET", f"{IV}/schools/{{school_a}}/interventions"),),
    ),
    Case(  # an edit that leaves the entry offered (the assignment below uses it)
        "PATCH",
        f"{IV}/interventions/{{intervention_id}}",
        LEADER_WRITE,
        (Call("PATCH", f"{IV}/interventions/{{intervention}}", lambda w: {"schedule": "Tue/Thu"}),),
    ),
    Case(  # another standard: the world's assignment on "A" is still active (a second one would be a 409)
        "POST",
        f"{IV}/assignments",
        STUDENT,
        (Call("POST", f"{IV}/assignments", lambda w: {**assignment_body(w), "standard_id": "B"}),),
    ),
    Case(
        "GET",
        f"{IV}/assignments/{{assignment_id}}",
        STUDENT,
        (Call("GET", f"{IV}/assignments/{{assignment}}"),),
    ),
    Case(
        "POST",
        f"{IV}/assignments/{{assignment_id}}/progress",
        STUDENT,
        (
            Call(
                "POST",
                f"{IV}/assignments/{{assignment}}/progress",
                lambda w: {"measured_on": "2026-09-14", "score": 45},
            ),
        ),
    ),
    Case(
        "GET",
        f"{IV}/assignments/{{assignment_id}}/progress",
        STUDENT,
        (Call("GET", f"{IV}/assignments/{{assignment}}/progress"),),
    ),
    Case(
        "GET",
        f"{IV}/schools/{{school_id}}/effectiveness",
        SCHOOL_READ,
        (Call("GET", f"{IV}/schools/{{school_a}}/effectiveness"),),
    ),
    Case(
        "GET",
        f"{IV}/schools/{{school_id}}/tiers",
        SCHOOL_READ,
        (Call("GET", f"{IV}/schools/{{school_a}}/tiers"),),
    ),
    Case(
        "GET",
        f"{IV}/schools/{{school_id}}/tiers/history",
        SCHOOL_READ,
        (Call("GET", f"{IV}/schools/{{school_a}}/tiers/history", params={"weeks": "4"}),),
    ),
    Case(
        "GET",
        f"{IV}/schools/{{school_id}}/overdue",
        STUDENT_LIST_OF_SCHOOL,
        (Call("GET", f"{IV}/schools/{{school_a}}/overdue"),),
    ),
    Case(
        "GET",
        f"{IV}/flags",
        STUDENT_LIST,
        (
            Call("GET", f"{IV}/flags", params={"status": "all"}),
            Call("GET", f"{IV}/flags", params={"class_id": "{class_a1}"}),
        ),
    ),
    Case(
        "GET",
        f"{IV}/flags",
        STUDENT_LIST_OF_SCHOOL,
        (Call("GET", f"{IV}/flags", params={"school_id": "{school_a}", "status": "all"}),),
    ),
    Case(  # counts per class: a caller outside the target's classes gets none of A1's
        "GET",
        f"{IV}/flags/by-class",
        STUDENT_LIST,
        (
            Call("GET", f"{IV}/flags/by-class", params={"status": "all"}),
            Call("GET", f"{IV}/flags/by-class", params={"class_id": "{class_a1}"}),
        ),
    ),
    Case(
        "GET",
        f"{IV}/flags/by-class",
        STUDENT_LIST_OF_SCHOOL,
        (Call("GET", f"{IV}/flags/by-class", params={"school_id": "{school_a}", "kind": "support"}),),
    ),
    Case("GET", f"{IV}/flags/changes", STUDENT_LIST, (Call("GET", f"{IV}/flags/changes"),)),
    Case(
        "GET",
        f"{IV}/flags/changes",
        STUDENT_LIST_OF_SCHOOL,
        (Call("GET", f"{IV}/flags/changes", params={"school_id": "{school_a}"}),),
    ),
    Case("GET", f"{IV}/students/{{student_id}}", STUDENT, (Call("GET", f"{IV}/students/{{student}}"),)),
    # Writes that change a student's record last, in the order an owner can make them one after the other.
    Case(
        "PUT",
        f"{IV}/students/{{student_id}}/tier",
        expect(F, F, M, F, F, F),  # leaders decide tiers
        (Call("PUT", f"{IV}/students/{{student}}/tier", lambda w: {"tier": 3, "reason": "decision"}),),
    ),
    Case(
        "POST",
        f"{IV}/flags/{{flag_id}}/resolve",
        STUDENT,
        (Call("POST", f"{IV}/flags/{{flag}}/resolve", lambda w: {"reason": "retaught"}),),
    ),
    Case(
        "POST",
        f"{IV}/assignments/{{assignment_id}}/exit",
        STUDENT,
        (
            Call(
                "POST",
                f"{IV}/assignments/{{assignment}}/exit",
                lambda w: {
                    "exited_on": "2026-10-01",
                    "reason": "goal met",
                    "evidence": "three points above 70",
                    "goal_met_confirmed": True,
                },
            ),
        ),
    ),
)


def test_every_route_has_a_case(app):
    assert service_routes(app) == {(c.method, c.route) for c in CASES}


async def build_world(app) -> dict[str, str]:
    """School A (classes A1, A2) and B (B1); the target student in A1 with flags, tier 2, an intervention
    assigned with a progress point; a second student of A1 overdue at tier 2 (no intervention for weeks)."""
    tag = uuid.uuid4().hex[:6]
    w = {
        "district": f"dscope-{tag}",
        "school_a": f"sa-{tag}",
        "school_b": f"sb-{tag}",
        "class_a1": f"ca1-{tag}",
        "class_a2": f"ca2-{tag}",
        "class_b1": f"cb1-{tag}",
        "student": f"target-{tag}",
        "late": f"overdue-{tag}",
        "assessment": f"asm-{tag}",
    }
    d, a = w["district"], w["school_a"]
    students = {w["student"]: (a,), w["late"]: (a,)}
    classes = {w["student"]: (w["class_a1"],), w["late"]: (w["class_a1"],)}
    await apply(app.state.sessionmaker, *rostered(d, (a, w["school_b"]), students, classes=classes))
    low = {"A": 10, "B": 10, "C": 10}  # three support flags: tier 2
    for s in (w["student"], w["late"]):
        await apply(
            app.state.sessionmaker,
            recorded(s, low, district=d, school=a, assessment=w["assessment"], classes=(w["class_a1"],)),
        )
    async with as_role(app, Role.DISTRICT_ADMIN, d) as admin:
        body = {**PLAN, "dosage_minutes_per_week": 90}
        w["intervention"] = (await admin.post(f"{IV}/schools/{a}/interventions", json=body)).json()["id"]
        created = await admin.post(f"{IV}/assignments", json=assignment_body(w))
        w["assignment"] = created.json()["id"]
        point = {"measured_on": "2026-09-10", "score": 35}
        assert (
            await admin.post(f"{IV}/assignments/{w['assignment']}/progress", json=point)
        ).status_code == 200
        flags = (await admin.get(f"{IV}/flags", params={"school_id": a})).json()
        w["flag"] = next(f["id"] for f in flags if f["student_id"] == w["student"])
    async with app.state.engine.begin() as conn:  # the second student waits for an intervention for weeks
        since = datetime.now(UTC) - timedelta(days=21)
        await conn.execute(update(StudentTier).where(StudentTier.student_id == w["late"]).values(since=since))
    return w


gateway_url = served_behind_gateway("interventions", create_app)


@pytest.mark.parametrize("via", ["service", "gateway"])
async def test_every_route_answers_every_adversary_as_documented_and_changes_nothing(app, via, gateway_url):
    w = await build_world(app)
    # the target's class is a secret too: the counts by class name classes, never students
    secrets = (w["student"], w["late"], w["class_a1"])
    await prove_scope(via, CASES, w, secrets, app, gateway_url, Base.metadata)
    await owners_get_it(app, w)


async def owners_get_it(app, w: dict[str, str]) -> None:
    """The same calls by the data's owners succeed (and lists name the target): the refusals above are scope."""
    teacher = as_role(app, Role.TEACHER, w["district"], [w["school_a"]], [w["class_a1"]])
    leader = as_role(app, Role.SCHOOL_LEADER, w["district"], [w["school_a"]])
    async with teacher, leader:
        for case in CASES:
            owner = leader if case.expect is LEADER_WRITE or case.method == "PUT" else teacher
            for call in case.requests():
                body = call.json(w) if call.json else None
                params = {k: fill(v, w) for k, v in call.params.items()}
                answer = await owner.request(call.method, fill(call.path, w), json=body, params=params)
                assert answer.is_success, (case.route, answer.text)
                if case.route.endswith("/by-class"):  # counts name classes, never a student
                    assert w["class_a1"] in answer.text, (case.route, "the owner's counts lack the class")
                elif Expect.HIDDEN in case.expect.values() and "overdue" not in case.route:
                    assert w["student"] in answer.text, (case.route, "the owner's list lacks the target")
                if "overdue" in case.route:
                    assert w["late"] in answer.text


async def test_a_students_classes_follow_the_roster_and_an_older_or_classless_event_keeps_them(app):
    """Teachers are scoped by the roster's classes (StudentRostered.class_ids): a later event replaces them, an
    event without classes (published before they were added) or an older one keeps them; a student first seen
    in a result takes that result's classes."""
    tag = uuid.uuid4().hex[:6]
    d, school, student, newcomer = f"dcls-{tag}", f"s-{tag}", f"stu-{tag}", f"new-{tag}"
    at = datetime.now(UTC)

    async def classes_of(who: str) -> list[str]:
        async with app.state.engine.connect() as conn:
            stmt = select(Student.class_ids).where(Student.district_id == d, Student.student_id == who)
            return list((await conn.execute(stmt)).scalar_one())

    def roster(classes, when):
        return rostered(d, (school,), {student: (school,)}, classes=classes, occurred_at=when)

    await apply(app.state.sessionmaker, *roster({student: ("c1",)}, at))
    assert await classes_of(student) == ["c1"]
    await apply(app.state.sessionmaker, *roster({student: ("c2", "c3")}, at + timedelta(seconds=1)))
    assert await classes_of(student) == ["c2", "c3"]
    await apply(app.state.sessionmaker, *roster(None, at + timedelta(seconds=2)))  # no classes: kept
    await apply(app.state.sessionmaker, *roster({student: ("c9",)}, at - timedelta(days=1)))  # older
    assert await classes_of(student) == ["c2", "c3"]
    await apply(
        app.state.sessionmaker, recorded(newcomer, {"A": 50}, district=d, school=school, classes=("c4",))
    )
    await apply(
        app.state.sessionmaker, recorded(student, {"A": 50}, district=d, school=school, classes=("c4",))
    )
    assert (await classes_of(newcomer), await classes_of(student)) == (["c4"], ["c2", "c3"])
