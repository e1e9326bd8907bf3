"""Scope inside a district, straight to the service and through a real gateway: every route by {teacher of another class, teacher of
another school, leader of another school, reviewer, analyst, SIS key without the permission} answers as
documented (plc_shared.scope) and changes nothing; the owners get the same calls answered (so the refusals are
scope, not a broken request). The routes come from the app's route table: a route without a case fails.

Also: the roster publishes every student's classes (StudentRostered.class_ids), again when enrollments change."""

from __future__ import annotations

import io
import uuid
import zipfile

import httpx
import pytest
from assessments import models
from assessments.config import Settings
from assessments.main import create_app
from gateway.testing import prove_scope, served_behind_gateway
from plc_shared.auth import Role
from plc_shared.components import by_name
from plc_shared.events import CloudEvent
from plc_shared.events.assessments import StudentRostered
from plc_shared.migrate import upgrade_async
from plc_shared.scope_matrix import (
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
from sqlalchemy import select

M, F, H, A = Expect.MISSING, Expect.FORBIDDEN, Expect.HIDDEN, Expect.ALLOWED
GB = "/ims/oneroster/gradebook/v1p2"
DISTRICT_WRITE = expect(F, F, F, F, F, F)  # district admins and the SIS (with the permission) only
EVERYONE_READS = expect(A, A, A, A, A, F)  # the district's schools, classes, standards, assessments
SCHOOL_ASSESSMENT = expect(A, M, M, A, A, F)  # an assessment of school A
MANAGE_SCHOOL_ASSESSMENT = expect(A, M, M, F, F, F)  # a teacher of the school manages its assessments
ESSENTIAL = expect(A, A, A, F, F, F)  # any role that manages assessments marks essential standards
STAFF_LIST = expect(A, A, A, F, F, F)  # staff names: for the people who work with them
ONE_STAFF = expect(A, M, M, F, F, F)  # a staff member of school A
ANALYSIS = expect(H, M, M, F, H, F)
RO = "/ims/oneroster/rostering/v1p2"
ROSTERING_LISTS = ("classes", "orgs", "schools", "academicSessions", "terms", "gradingPeriods", "courses", "teachers")  # fmt: skip
OF_SCHOOL_A = expect(A, M, M, F, F, F)  # school A's own rostering object: its staff read it
DISTRICT_READ = expect(
    A, A, A, F, F, F
)  # the district's academic sessions: every role that reads a class  # aggregates to analysts, no student named but to those who see them


QUALITY = {
    "ratings": [
        {"key": "clear_purpose", "rating": "met"},
        {"key": "sound_design", "rating": "partly met", "note": "Two items per target"},
    ]
}


def roster(kind: str, record):
    return Call("PUT", f"/assessments/roster/{kind}", lambda w: {"records": [record(w)]})


def result(w) -> dict:
    return {"assessment_id": w["assessment"], "student_id": w["student"], "total_score": 4}


def assessment(w) -> dict:
    return {
        "title": "t",
        "kind": "common_formative",
        "school_id": w["school_a"],
        "max_score": 10,
        "proficiency_cut": 70,
        "mastery_cut": 90,
        "objectives": [{"code": "O", "max_points": 10, "standard_ids": [w["standard"]]}],
    }


def gradebook_result(w, reference="lineItem", item="gb_class_item") -> dict:
    return {
        reference: {"sourcedId": w[item]},
        "student": {"sourcedId": w["student"]},
        "scoreStatus": "fully graded",
        "score": 5,
    }


def case(method: str, route: str, wanted, *calls: Call) -> Case:
    return Case(method, route, wanted, calls or (Call(method, route),))


CASES = (
    case(
        "PUT",
        "/assessments/roster/orgs",
        DISTRICT_WRITE,
        roster("orgs", lambda w: {"sourced_id": w["school_a"], "name": "S", "type": "school"}),
    ),
    case(
        "PUT",
        "/assessments/roster/academic-sessions",
        DISTRICT_WRITE,
        roster("academic-sessions", lambda w: {"sourced_id": "term", "title": "T", "type": "term"}),
    ),
    case(
        "PUT",
        "/assessments/roster/courses",
        DISTRICT_WRITE,
        roster("courses", lambda w: {"sourced_id": "course", "title": "C", "school_id": w["school_a"]}),
    ),
    case(
        "PUT",
        "/assessments/roster/classes",
        DISTRICT_WRITE,
        roster("classes", lambda w: {"sourced_id": w["class_a1"], "title": "C", "school_id": w["school_a"]}),
    ),
    case(
        "PUT",
        "/assessments/roster/students",
        DISTRICT_WRITE,
        roster("students", lambda w: {"sourced_id": w["student"], "school_ids": [w["school_b"]]}),
    ),
    case(
        "PUT",
        "/assessments/roster/enrollments",
        DISTRICT_WRITE,
        roster(
            "enrollments",
            lambda w: {
                "sourced_id": "e-x",
                "class_id": w["class_b1"],
                "school_id": w["school_b"],
                "user_id": w["student"],
                "role": "student",
            },
        ),
    ),
    case(
        "PUT",
        "/assessments/roster/staff",
        DISTRICT_WRITE,
        roster(
            "staff",
            lambda w: {
                "sourced_id": w["staff"],
                "given_name": "G",
                "family_name": "F",
                "roles": ["teacher"],
                "school_ids": [w["school_b"]],
            },
        ),
    ),
    case("GET", "/assessments/roster/schools", EVERYONE_READS),
    case("GET", "/assessments/roster/classes", EVERYONE_READS),
    case("GET", "/assessments/roster/me", expect(M, M, M, M, M, F)),  # the caller's own record: none here
    case("GET", "/assessments/roster/staff", STAFF_LIST),
    case(
        "GET",
        "/assessments/roster/students",
        STUDENT_LIST,
        Call("GET", "/assessments/roster/students"),
        Call("GET", "/assessments/roster/students", params={"school_id": "{school_a}"}),
        Call("GET", "/assessments/roster/students", params={"assessment_id": "{assessment}"}),
    ),
    case(
        "GET",
        "/assessments/roster/staff/{staff_id}",
        ONE_STAFF,
        Call("GET", "/assessments/roster/staff/{staff}"),
    ),
    case(
        "GET",
        "/assessments/roster/classes/{class_id}/students",
        STUDENT,
        Call("GET", "/assessments/roster/classes/{class_a1}/students"),
    ),
    case(
        "POST",
        "/assessments/standards",
        DISTRICT_WRITE,
        Call("POST", "/assessments/standards", lambda w: {"id": "new", "code": "NEW", "statement": "s"}),
    ),
    case("GET", "/assessments/standards", EVERYONE_READS),
    case(
        "GET",
        "/assessments/standards/{standard_id}",
        EVERYONE_READS,
        Call("GET", "/assessments/standards/{standard}"),
    ),
    case(
        "PUT",
        "/assessments/standards/{standard_id}/essential",
        ESSENTIAL,
        Call(
            "PUT", "/assessments/standards/{standard}/essential", lambda w: {"scope": "grade", "value": "04"}
        ),
    ),
    case(
        "DELETE",
        "/assessments/standards/{standard_id}/essential",
        ESSENTIAL,
        Call(
            "DELETE", "/assessments/standards/{standard}/essential", params={"scope": "grade", "value": "04"}
        ),
    ),
    case(
        "POST",
        "/assessments/assessments",
        MANAGE_SCHOOL_ASSESSMENT,
        Call("POST", "/assessments/assessments", lambda w: {**assessment(w), "id": "new-cfa"}),
    ),
    case("GET", "/assessments/assessments", EVERYONE_READS),
    case(
        "GET",
        "/assessments/assessments/{assessment_id}",
        SCHOOL_ASSESSMENT,
        Call("GET", "/assessments/assessments/{assessment}"),
    ),
    case(
        "PUT",
        "/assessments/assessments/{assessment_id}",
        MANAGE_SCHOOL_ASSESSMENT,
        Call("PUT", "/assessments/assessments/{draft}", assessment),
    ),
    case(
        "GET",
        "/assessments/assessments/{assessment_id}/quality",
        SCHOOL_ASSESSMENT,
        Call("GET", "/assessments/assessments/{assessment}/quality"),
    ),
    case(
        "PUT",
        "/assessments/assessments/{assessment_id}/quality",
        MANAGE_SCHOOL_ASSESSMENT,
        Call("PUT", "/assessments/assessments/{assessment}/quality", lambda w: QUALITY),
    ),
    case(
        "GET",
        "/assessments/quality-checks",
        EVERYONE_READS,
        Call("GET", "/assessments/quality-checks", params={"school_id": "{school_a}"}),
    ),
    case(
        "POST",
        "/assessments/assessments/{assessment_id}/publish",
        MANAGE_SCHOOL_ASSESSMENT,
        Call("POST", "/assessments/assessments/{draft}/publish"),
    ),
    case(
        "GET",
        "/assessments/assessments/{assessment_id}/analysis",
        ANALYSIS,
        Call("GET", "/assessments/assessments/{assessment}/analysis"),
        Call("GET", "/assessments/assessments/{assessment}/analysis", params={"class_id": "{class_a1}"}),
    ),
    case(
        "GET",
        "/assessments/assessments/{assessment_id}/results",
        STUDENT_LIST_OF_SCHOOL,
        Call("GET", "/assessments/assessments/{assessment}/results"),
    ),
    case("PUT", "/assessments/results", STUDENT, Call("PUT", "/assessments/results", result)),
    case("POST", "/assessments/results", STUDENT, Call("POST", "/assessments/results", result)),
    case(
        "GET",
        "/assessments/results/{assessment_id}/{student_id}/{attempt}",
        STUDENT,
        Call("GET", "/assessments/results/{assessment}/{student}/1"),
    ),
    case(
        "DELETE",
        "/assessments/results/{assessment_id}/{student_id}/{attempt}",
        STUDENT,
        Call("DELETE", "/assessments/results/{assessment}/{student}/1"),
    ),
    case(
        "POST",
        "/assessments/results/bulk",
        STUDENT,
        Call("POST", "/assessments/results/bulk", lambda w: {"results": [result(w)]}),
    ),
    case(
        "GET", "/assessments/students/{student_id}", STUDENT, Call("GET", "/assessments/students/{student}")
    ),
    case(
        "POST",
        "/assessments/imports/oneroster",
        DISTRICT_WRITE,
        Call("POST", "/assessments/imports/oneroster", lambda w: {}),
    ),
    case(
        "POST",
        "/assessments/imports/case",
        DISTRICT_WRITE,
        Call("POST", "/assessments/imports/case", lambda w: {"CFDocument": {}, "CFItems": []}),
    ),
    case(
        "PUT",
        f"{GB}/lineItems/{{sourced_id}}",
        DISTRICT_WRITE,
        Call(
            "PUT",
            f"{GB}/lineItems/{{gb_class_item}}",
            lambda w: {"lineItem": {"title": "t", "resultValueMax": 10}},
        ),
    ),
    case(
        "GET",
        f"{GB}/lineItems/{{sourced_id}}",
        SCHOOL_ASSESSMENT,
        Call("GET", f"{GB}/lineItems/{{gb_class_item}}"),
    ),
    case("GET", f"{GB}/lineItems", EVERYONE_READS),
    case(
        "PUT",
        f"{GB}/assessmentLineItems/{{sourced_id}}",
        DISTRICT_WRITE,
        Call(
            "PUT",
            f"{GB}/assessmentLineItems/{{summative}}",
            lambda w: {"assessmentLineItem": {"title": "t", "resultValueMax": 10}},
        ),
    ),
    case(
        "GET",
        f"{GB}/assessmentLineItems/{{sourced_id}}",
        SCHOOL_ASSESSMENT,
        Call("GET", f"{GB}/assessmentLineItems/{{summative}}"),
    ),
    case("GET", f"{GB}/assessmentLineItems", EVERYONE_READS),
    case(
        "PUT",
        f"{GB}/results/{{sourced_id}}",
        STUDENT,
        Call("PUT", f"{GB}/results/{{gb_result}}", lambda w: {"result": gradebook_result(w)}),
    ),
    case("GET", f"{GB}/results/{{sourced_id}}", STUDENT, Call("GET", f"{GB}/results/{{gb_result}}")),
    case("GET", f"{GB}/results", STUDENT_LIST),
    # score scales: the district's reference data (no student's), imported from CSV
    case("GET", f"{GB}/categories", EVERYONE_READS),
    case(
        "GET", f"{GB}/categories/{{sourced_id}}", EVERYONE_READS, Call("GET", f"{GB}/categories/{{category}}")
    ),
    # the rostering reads: for the roles that read a class (a teacher, their own classes and those classes'
    # students; a leader, their schools); the district's sessions are everyone's, a school's course its staff's
    *(case("GET", f"{RO}/{path}", DISTRICT_READ) for path in ROSTERING_LISTS),  # filtered, no student in them
    case("GET", f"{RO}/users", STUDENT_LIST),
    case("GET", f"{RO}/students", STUDENT_LIST),
    case("GET", f"{RO}/classes/{{sourced_id}}", STUDENT, Call("GET", f"{RO}/classes/{{class_a1}}")),
    case("GET", f"{RO}/orgs/{{sourced_id}}", OF_SCHOOL_A, Call("GET", f"{RO}/orgs/{{school_a}}")),
    case("GET", f"{RO}/schools/{{sourced_id}}", OF_SCHOOL_A, Call("GET", f"{RO}/schools/{{school_a}}")),
    case(
        "GET",
        f"{RO}/academicSessions/{{sourced_id}}",
        DISTRICT_READ,
        Call("GET", f"{RO}/academicSessions/{{term}}"),
    ),
    case("GET", f"{RO}/terms/{{sourced_id}}", DISTRICT_READ, Call("GET", f"{RO}/terms/{{term}}")),
    case(
        "GET",
        f"{RO}/gradingPeriods/{{sourced_id}}",
        DISTRICT_READ,
        Call("GET", f"{RO}/gradingPeriods/{{period}}"),
    ),
    case("GET", f"{RO}/courses/{{sourced_id}}", OF_SCHOOL_A, Call("GET", f"{RO}/courses/{{course}}")),
    case("GET", f"{RO}/users/{{sourced_id}}", STUDENT, Call("GET", f"{RO}/users/{{student}}")),
    case("GET", f"{RO}/students/{{sourced_id}}", STUDENT, Call("GET", f"{RO}/students/{{student}}")),
    case("GET", f"{RO}/teachers/{{sourced_id}}", OF_SCHOOL_A, Call("GET", f"{RO}/teachers/{{staff}}")),
    case("GET", f"{GB}/scoreScales", EVERYONE_READS),
    case(
        "GET", f"{GB}/scoreScales/{{sourced_id}}", EVERYONE_READS, Call("GET", f"{GB}/scoreScales/{{scale}}")
    ),
    # a class's gradebook: the target's class A1 (a line item of it with the target's result)
    case(
        "GET",
        f"{GB}/classes/{{class_id}}/lineItems",
        STUDENT,
        Call("GET", f"{GB}/classes/{{class_a1}}/lineItems"),
    ),
    case(
        "GET",
        f"{GB}/classes/{{class_id}}/results",
        STUDENT,
        Call("GET", f"{GB}/classes/{{class_a1}}/results"),
    ),
    case(
        "GET",
        f"{GB}/classes/{{class_id}}/lineItems/{{line_item_id}}/results",
        STUDENT,
        Call("GET", f"{GB}/classes/{{class_a1}}/lineItems/{{gb_class_item}}/results"),
    ),
    case(
        "GET",
        f"{GB}/classes/{{class_id}}/students/{{student_id}}/results",
        STUDENT,
        Call("GET", f"{GB}/classes/{{class_a1}}/students/{{student}}/results"),
    ),
    case(
        "PUT",
        f"{GB}/assessmentResults/{{sourced_id}}",
        STUDENT,
        Call(
            "PUT",
            f"{GB}/assessmentResults/{{gb_summative_result}}",
            lambda w: {"assessmentResult": gradebook_result(w, "assessmentLineItem", "summative")},
        ),
    ),
    case(
        "GET",
        f"{GB}/assessmentResults/{{sourced_id}}",
        STUDENT,
        Call("GET", f"{GB}/assessmentResults/{{gb_summative_result}}"),
    ),
    case("GET", f"{GB}/assessmentResults", STUDENT_LIST),
    # The deletes last: the owners' calls run in this order after the refusals.
    case(
        "POST",
        "/assessments/assessments/{assessment_id}/close",
        MANAGE_SCHOOL_ASSESSMENT,
        Call("POST", "/assessments/assessments/{assessment}/close"),
    ),
    case("DELETE", f"{GB}/results/{{sourced_id}}", STUDENT, Call("DELETE", f"{GB}/results/{{gb_result}}")),
    case(
        "DELETE",
        f"{GB}/assessmentResults/{{sourced_id}}",
        STUDENT,
        Call("DELETE", f"{GB}/assessmentResults/{{gb_summative_result}}"),
    ),
    case(
        "DELETE",
        f"{GB}/assessmentLineItems/{{sourced_id}}",
        DISTRICT_WRITE,
        Call("DELETE", f"{GB}/assessmentLineItems/{{summative}}"),
    ),
    case(
        "DELETE",
        f"{GB}/lineItems/{{sourced_id}}",
        DISTRICT_WRITE,
        Call("DELETE", f"{GB}/lineItems/{{gb_class_item}}"),
    ),
)


@pytest.fixture(scope="module")
async def app(create_database, kafka_settings):
    """The service on a database of its own, without relay or consumers: the rows stay as requests left them."""
    url = await create_database(f"assessments_scope_{uuid.uuid4().hex[:6]}")
    await upgrade_async(by_name("assessments"), url)
    settings = Settings(
        database_url=url, kafka=kafka_settings, log_level="WARNING", run_relay=False, run_consumers=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def test_every_route_has_a_case(app):
    assert service_routes(app) == {(c.method, c.route) for c in CASES}


async def build_world(app) -> dict[str, str]:
    """School A (classes A1, A2) and B (B1); the target student in A1 with a result on a CFA of school A, a
    OneRoster result on it and on a summative of school A; a draft assessment of school A."""
    tag = uuid.uuid4().hex[:6]
    w = {
        "district": f"dscope-{tag}",
        **{k: f"{k}-{tag}" for k in ("school_a", "school_b", "class_a1", "class_a2", "class_b1")},
        **{k: f"{k}-{tag}" for k in ("student", "classmate", "standard", "assessment", "draft", "staff")},
        **{k: f"{k}-{tag}" for k in ("summative", "gb_result", "gb_summative_result")},
        **{k: f"{k}-{tag}" for k in ("gb_class_item", "gb_class_result", "scale")},
        **{k: f"{k}-{tag}" for k in ("term", "period", "course", "category")},
    }
    async with as_role(app, Role.DISTRICT_ADMIN, w["district"]) as admin:
        await put_roster(admin, w)
        body = {"id": w["standard"], "code": f"C.{tag}", "statement": "s", "grade": "04"}
        assert (await admin.post("/assessments/standards", json=body)).status_code == 201
        for key, publish in (("assessment", True), ("draft", False)):
            made = await admin.post("/assessments/assessments", json={**assessment(w), "id": w[key]})
            assert made.status_code == 201, made.text
            if publish:
                assert (await admin.post(f"/assessments/assessments/{w[key]}/publish")).status_code == 200
        assert (await admin.put("/assessments/results", json=result(w))).status_code == 201
        class_item = {"title": "A1 CFA", "resultValueMax": 10, "class": {"sourcedId": w["class_a1"]}}
        made = await admin.put(f"{GB}/lineItems/{w['gb_class_item']}", json={"lineItem": class_item})
        assert made.status_code == 201, made.text
        made = await admin.put(
            f"{GB}/results/{w['gb_class_result']}",
            json={"result": gradebook_result(w, item="gb_class_item")},
        )
        assert made.status_code == 201, made.text
        summative = {"title": "S", "resultValueMax": 10, "class": {"sourcedId": w["class_a1"]}}
        made = await admin.put(
            f"{GB}/assessmentLineItems/{w['summative']}", json={"assessmentLineItem": summative}
        )
        assert made.status_code == 201, made.text
        for path, body in (
            (f"{GB}/results/{w['gb_result']}", {"result": gradebook_result(w)}),
            (
                f"{GB}/assessmentResults/{w['gb_summative_result']}",
                {"assessmentResult": gradebook_result(w, "assessmentLineItem", "summative")},
            ),
        ):
            made = await admin.put(path, json=body)
            assert made.status_code in (200, 201), made.text
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr(
                "manifest.csv", "propertyName,value\r\nfile.scoreScales,delta\r\nfile.categories,delta\r\n"
            )
            z.writestr("categories.csv", f"sourcedId,title,weight\r\n{w['category']},CFA,1\r\n")
            z.writestr(
                "scoreScales.csv",
                f"sourcedId,title,type,classSourcedId,scoreScaleValue\r\n{w['scale']},L,x,{w['class_a1']},{{1:A}}\r\n",
            )
        imported = await admin.post(
            "/assessments/imports/oneroster",
            content=archive.getvalue(),
            headers={"Content-Type": "application/zip"},
        )
        assert imported.status_code == 200 and imported.json()["rejected"] == 0, imported.text
    return w


async def put_roster(admin: httpx.AsyncClient, w: dict[str, str]) -> None:
    a, b = w["school_a"], w["school_b"]
    records = {
        "orgs": [{"sourced_id": s, "name": s, "type": "school"} for s in (a, b)],
        "academic-sessions": [
            {"sourced_id": w["term"], "title": "Fall", "type": "term"},
            {"sourced_id": w["period"], "title": "Q1", "type": "gradingPeriod", "parent_id": w["term"]},
        ],
        "courses": [{"sourced_id": w["course"], "title": "Math 4", "school_id": a}],
        "classes": [
            {"sourced_id": w["class_a1"], "title": "A1", "school_id": a, "teacher_ids": [w["staff"]]},
            {"sourced_id": w["class_a2"], "title": "A2", "school_id": a},
            {"sourced_id": w["class_b1"], "title": "B1", "school_id": b},
        ],
        "students": [
            {"sourced_id": w["student"], "school_ids": [a], "given_name": "Target", "grades": ["04"]},
            {"sourced_id": w["classmate"], "school_ids": [a], "given_name": "Other"},
        ],
        "enrollments": [
            {
                "sourced_id": f"e1-{a}",
                "class_id": w["class_a1"],
                "school_id": a,
                "user_id": w["student"],
                "role": "student",
            },
            {
                "sourced_id": f"e2-{a}",
                "class_id": w["class_a2"],
                "school_id": a,
                "user_id": w["classmate"],
                "role": "student",
            },
        ],
        "staff": [
            {
                "sourced_id": w["staff"],
                "given_name": "T",
                "family_name": "A",
                "roles": ["teacher"],
                "school_ids": [a],
            }
        ],
    }
    for kind, rows in records.items():
        answer = await admin.put(f"/assessments/roster/{kind}", json={"records": rows})
        assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text


gateway_url = served_behind_gateway("assessments", create_app)


@pytest.mark.parametrize("via", ["service", "gateway"])
async def test_every_route_answers_every_adversary_as_documented_and_changes_nothing(app, via, gateway_url):
    w = await build_world(app)
    await prove_scope(via, CASES, w, (w["student"],), app, gateway_url, models.Base.metadata)
    await owners_get_it(app, w)


async def owners_get_it(app, w: dict[str, str]) -> None:
    """The teacher of class A1 reads and writes the target's data; district writes by the district admin."""
    teacher = as_role(app, Role.TEACHER, w["district"], [w["school_a"]], [w["class_a1"]])
    admin = as_role(app, Role.DISTRICT_ADMIN, w["district"])
    async with teacher, admin:
        for c in CASES:
            if c.method != "GET" and (c.expect is DISTRICT_WRITE or c.route.startswith(GB)):
                continue  # district writes and the gradebook's writes: their own suites (roster, OneRoster)
            if c.route == "/assessments/roster/me":
                continue  # the caller's own record: its owner is a staff member (test_staff.py)
            for call in c.calls:
                owner = teacher if Expect.HIDDEN in c.expect.values() or c.expect is STUDENT else admin
                body = call.json(w) if call.json else None
                params = {k: fill(v, w) for k, v in call.params.items()}
                answer = await owner.request(call.method, fill(call.path, w), json=body, params=params)
                assert answer.is_success, (c.method, c.route, answer.text)
                if Expect.HIDDEN in c.expect.values() and "analysis" not in c.route:
                    assert w["student"] in answer.text, (c.route, "the owner's answer lacks the target")


async def test_the_roster_publishes_every_students_classes_again_when_enrollments_change(app):
    w = await build_world(app)
    a = w["school_a"]
    moved = {
        "sourced_id": f"e3-{a}",
        "class_id": w["class_a2"],
        "school_id": a,
        "user_id": w["student"],
        "role": "student",
    }
    async with as_role(app, Role.DISTRICT_ADMIN, w["district"]) as admin:
        assert (
            await admin.put("/assessments/roster/enrollments", json={"records": [moved]})
        ).status_code == 200
        left = {**moved, "sourced_id": f"e1-{a}", "class_id": w["class_a1"], "status": "tobedeleted"}
        assert (
            await admin.put("/assessments/roster/enrollments", json={"records": [left]})
        ).status_code == 200
    async with app.state.engine.connect() as conn:
        t = models.outbox.table
        stmt = select(t.c.payload).where(t.c.key == f"{w['district']}/{w['student']}").order_by(t.c.id)
        found = [CloudEvent.model_validate_json(p) for p in (await conn.scalars(stmt)).all()]
    rostered = [e.payload() for e in found if e.type == StudentRostered.type]
    assert [sorted(e.class_ids or []) for e in rostered] == [
        [],  # the student (rostered before any enrollment), then enrolled in A1
        [w["class_a1"]],
        [w["class_a1"], w["class_a2"]],
        [w["class_a2"]],
    ]
    assert all(e.school_ids == [a] and "Target" not in e.model_dump_json() for e in rostered)


async def test_a_bulk_oneroster_enrollments_file_announces_the_students_it_moves(app):
    """A bulk enrollments.csv is the whole set: the enrollments it leaves out are retired, and every student
    whose classes changed gets a StudentRostered with the classes they keep (the imported ones included)."""
    w = await build_world(app)
    a = w["school_a"]
    header = "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role\r\n"
    rows = f"e9-{a},active,,{w['class_a2']},{a},{w['student']},student\r\n"  # the target moves to A2
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        manifest = (
            "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\nfile.enrollments,bulk\r\n"
        )
        z.writestr("manifest.csv", manifest)
        z.writestr("enrollments.csv", header + rows)
    async with as_role(app, Role.DISTRICT_ADMIN, w["district"]) as admin:
        answer = await admin.post(
            "/assessments/imports/oneroster",
            content=archive.getvalue(),
            headers={"Content-Type": "application/zip"},
        )
    assert answer.status_code == 200 and answer.json()["rejected"] == 0, answer.text
    latest = {}
    for event in await rostered_events(app, w["district"]):
        latest[event.student_id] = sorted(event.class_ids or [])
    assert latest[w["student"]] == [w["class_a2"]]
    assert latest[w["classmate"]] == []  # the classmate's enrollment in A2 was left out of the bulk file


async def rostered_events(app, district: str) -> list[StudentRostered]:
    async with app.state.engine.connect() as conn:
        t = models.outbox.table
        stmt = select(t.c.payload).where(t.c.key.startswith(f"{district}/")).order_by(t.c.id)
        found = [CloudEvent.model_validate_json(p) for p in (await conn.scalars(stmt)).all()]
    return [e.payload() for e in found if e.type == StudentRostered.type]
