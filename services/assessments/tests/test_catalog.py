"""Roster upserts, standards and essential flags, assessments and their lifecycle (with its events)."""

import json
import uuid

from plc_shared.auth import Role
from plc_shared.testing import consume
from plc_shared.topics import ASSESSMENTS


async def test_roster_upsert_updates_and_marks_tobedeleted(district):
    student = district.students[0]
    body = {
        "records": [{"sourced_id": student, "school_ids": [district.schools[1]], "status": "tobedeleted"}]
    }
    response = await district.put("/assessments/roster/students", body)
    assert response.json() == {"kind": "students", "upserted": 1, "rejected": []}
    a = await district.assessment()
    write = await district.put(
        "/assessments/results", {"assessment_id": a["id"], "student_id": student, "total_score": 3}
    )
    assert write.status_code == 422 and "unknown student" in write.json()["errors"][0]["reason"]


async def test_the_same_sourced_id_in_another_district_is_another_student(district, other_district):
    """SIS sourcedIds are unique within a district only: d2 rostering d1's ids writes d2's own rows."""
    await other_district.put(
        "/assessments/roster/orgs", {"records": [{"sourced_id": "x", "name": "X", "type": "school"}]}
    )
    body = {"records": [{"sourced_id": district.students[0], "school_ids": ["x"]}]}
    response = await other_district.put("/assessments/roster/students", body)
    assert response.json() == {"kind": "students", "upserted": 1, "rejected": []}
    listed = await district.http.get(
        f"/assessments/roster/classes/{district.classes[0]}/students", headers=district.sis
    )
    assert district.students[0] in [s["sourced_id"] for s in listed.json()]


async def test_roster_records_naming_objects_the_district_lacks_are_rejected_row_by_row(
    district, other_district
):
    """An enrollment may only name a class and a student of its own district; the valid rows are written."""
    enrollments = [
        {
            "sourced_id": "e-ok",
            "class_id": district.classes[0],
            "school_id": district.schools[0],
            "user_id": district.students[1],
            "role": "student",
        },
        {
            "sourced_id": "e-foreign",
            "class_id": district.classes[0],
            "school_id": district.schools[0],
            "user_id": f"{other_district.id}-st0",
            "role": "student",
        },
        {
            "sourced_id": "e-class",
            "class_id": other_district.classes[0],
            "school_id": district.schools[0],
            "user_id": district.students[1],
            "role": "student",
        },
    ]
    response = await district.put("/assessments/roster/enrollments", {"records": enrollments})
    assert response.status_code == 200
    assert response.json()["upserted"] == 1
    assert [(e["index"], e["field"]) for e in response.json()["rejected"]] == [
        (1, "user_id"),
        (2, "class_id"),
    ]
    listed = await district.http.get(
        f"/assessments/roster/classes/{district.classes[0]}/students", headers=district.sis
    )
    assert f"{other_district.id}-st0" not in [s["sourced_id"] for s in listed.json()]


async def test_roster_bad_record_is_422_naming_the_field(district):
    response = await district.put(
        "/assessments/roster/enrollments", {"records": [{"sourced_id": "e1", "class_id": "c"}]}
    )
    assert response.status_code == 422
    locations = {tuple(e["location"]) for e in response.json()["errors"]}
    assert ("body", "records", 0, "user_id") in locations


async def test_roster_writes_need_a_district_role(district):
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],))
    response = await district.put("/assessments/roster/orgs", {"records": []}, headers=teacher)
    assert response.status_code == 403
    assert (await district.http.put("/assessments/roster/orgs", json={"records": []})).status_code == 401


async def test_standards_create_list_and_essential_flags(district, other_district):
    standard_id = await district.standard("RL1")
    duplicate = await district.post(
        "/assessments/standards", {"code": f"{district.id}.RL1", "statement": "again"}
    )
    assert duplicate.status_code == 409
    leader = district.token(Role.SCHOOL_LEADER, schools=(district.schools[0],))
    marked = await district.http.put(
        f"/assessments/standards/{standard_id}/essential",
        json={"scope": "grade", "value": "04"},
        headers=leader,
    )
    assert marked.status_code == 200 and marked.json()["essential_for"] == [{"scope": "grade", "value": "04"}]
    listed = await district.http.get("/assessments/standards", params={"grade": "04"}, headers=leader)
    assert [s["id"] for s in listed.json()] == [standard_id]
    assert (
        await other_district.http.get(f"/assessments/standards/{standard_id}", headers=other_district.sis)
    ).status_code == 404
    assert (await district.http.get("/assessments/standards", headers=other_district.sis)).json() == []
    empty = await district.http.delete(
        f"/assessments/standards/{standard_id}/essential",
        params={"scope": "course", "value": ""},
        headers=leader,
    )
    assert empty.status_code == 422 and empty.json()["errors"][0]["location"] == ["query", "value"]
    unmarked = await district.http.delete(
        f"/assessments/standards/{standard_id}/essential",
        params={"scope": "grade", "value": "04"},
        headers=leader,
    )
    assert unmarked.json()["essential_for"] == []


async def test_essential_standard_is_flagged_in_result_scores(district):
    a = await district.assessment()
    s1, s2 = a["standards"]
    flag = await district.http.put(
        f"/assessments/standards/{s1}/essential", json={"scope": "grade", "value": "04"}, headers=district.sis
    )
    assert flag.status_code == 200
    written = await district.put(
        "/assessments/results",
        {"assessment_id": a["id"], "student_id": district.students[0], "item_scores": {"Q1": 5, "Q3": 2}},
    )
    flags = {s["standard_id"]: s["essential"] for s in written.json()["standard_scores"]}
    assert flags == {s1: True, s2: False}


async def test_assessment_validation_errors(district):
    body = {
        "title": "x",
        "kind": "benchmark",
        "max_score": 10,
        "proficiency_cut": 70,
        "mastery_cut": 90,
        "performance_levels": [{"name": "a", "min": 0, "max": 6}, {"name": "b", "min": 5}],
        "objectives": [{"code": "O", "max_points": 5, "standard_ids": ["nope"]}],
        "items": [{"code": "Q", "max_points": 1, "objective_code": "missing"}],
    }
    response = await district.post("/assessments/assessments", body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"performance_levels", "standard_ids", "items[0].objective_code"}
    bad_cuts = await district.post("/assessments/assessments", {**body, "proficiency_cut": 95})
    assert bad_cuts.status_code == 422


async def test_lifecycle_publish_close_and_events(district, kafka_settings, bootstrap_servers):
    a = await district.assessment(publish=False)
    assert a["status"] == "draft"
    assert len(a["objectives"]) == 2 and len(a["items"]) == 3
    renamed = await district.put(f"/assessments/assessments/{a['id']}", {**_writable(a), "title": "Renamed"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Renamed"
    assert (await district.post(f"/assessments/assessments/{a['id']}/close")).status_code == 409
    published = await district.post(f"/assessments/assessments/{a['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert (await district.post(f"/assessments/assessments/{a['id']}/publish")).status_code == 409
    assert (await district.put(f"/assessments/assessments/{a['id']}", _writable(a))).status_code == 409
    closed = await district.post(f"/assessments/assessments/{a['id']}/close")
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    write = await district.put(
        "/assessments/results",
        {"assessment_id": a["id"], "student_id": district.students[0], "total_score": 1},
    )
    assert write.status_code == 422 and "closed" in write.json()["errors"][0]["reason"]

    def mine(records):
        return [json.loads(r.value) for r in records if r.key.decode() == f"{district.id}/{a['id']}"]

    records = await consume(
        bootstrap_servers, kafka_settings.topic(ASSESSMENTS.name), until=lambda rs: len(mine(rs)) >= 2
    )
    events = mine(records)
    assert [e["type"] for e in events] == [
        "org.plc.assessments.assessment.published.v1",
        "org.plc.assessments.assessment.closed.v1",
    ]
    assert sorted(events[0]["data"]["standard_ids"]) == sorted(a["standards"])


async def test_assessment_scope(district, other_district):
    school_a = await district.assessment(publish=False, school_id=district.schools[0])
    teacher_b = district.token(Role.TEACHER, schools=(district.schools[1],))
    teacher_a = district.token(Role.TEACHER, schools=(district.schools[0],))
    assert (
        await district.http.get(f"/assessments/assessments/{school_a['id']}", headers=teacher_b)
    ).status_code == 404
    assert (
        await district.http.get(f"/assessments/assessments/{school_a['id']}", headers=teacher_a)
    ).status_code == 200
    listed = await district.http.get("/assessments/assessments", headers=teacher_b)
    assert school_a["id"] not in {x["id"] for x in listed.json()}
    publish = await district.http.post(
        f"/assessments/assessments/{school_a['id']}/publish", headers=teacher_a
    )
    assert publish.status_code == 200
    district_wide = {**_writable(school_a), "school_id": None, "id": f"x-{uuid.uuid4().hex[:6]}"}
    assert (
        await district.http.post("/assessments/assessments", json=district_wide, headers=teacher_a)
    ).status_code == 403
    assert (
        await district.http.get(f"/assessments/assessments/{school_a['id']}", headers=other_district.sis)
    ).status_code == 404
    assert (await district.http.get("/assessments/assessments")).status_code == 401


def _writable(a: dict) -> dict:
    keep = {
        "title",
        "kind",
        "subject",
        "grades",
        "school_id",
        "team_id",
        "window_start",
        "window_end",
        "max_score",
        "performance_levels",
        "proficiency_cut",
        "mastery_cut",
    }
    body = {k: v for k, v in a.items() if k in keep}
    body["objectives"] = [
        {k: o[k] for k in ("code", "max_points", "standard_ids", "proficiency_cut", "mastery_cut")}
        for o in a["objectives"]
    ]
    codes = {o["id"]: o["code"] for o in a["objectives"]}
    body["items"] = [
        {
            "code": i["code"],
            "max_points": i["max_points"],
            "standard_id": i["standard_id"],
            "objective_code": codes.get(i["objective_id"]),
        }
        for i in a["items"]
    ]
    return body


async def test_roster_reads_are_scoped(district, other_district):
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],), classes=(district.classes[0],))
    schools = await district.http.get("/assessments/roster/schools", headers=teacher)
    assert [s["sourced_id"] for s in schools.json()] == [district.schools[0]]
    classes = await district.http.get("/assessments/roster/classes", headers=teacher)
    assert [(c["sourced_id"], c["teacher_ids"]) for c in classes.json()] == [
        (district.classes[0], [district.teachers[0]])
    ]
    roster = await district.http.get(
        f"/assessments/roster/classes/{district.classes[0]}/students", headers=teacher
    )
    assert [s["sourced_id"] for s in roster.json()] == district.students[:3]
    assert (
        await district.http.get(
            f"/assessments/roster/classes/{district.classes[1]}/students", headers=teacher
        )
    ).status_code == 404
    assert (
        await district.http.get(
            f"/assessments/roster/classes/{district.classes[0]}/students", headers=other_district.sis
        )
    ).status_code == 404
    analyst = district.token(Role.ANALYST)
    assert (
        await district.http.get(
            f"/assessments/roster/classes/{district.classes[0]}/students", headers=analyst
        )
    ).status_code == 403
    assert len((await district.http.get("/assessments/roster/classes", headers=analyst)).json()) == 2
    assert (await district.http.get("/assessments/roster/schools")).status_code == 401


async def test_a_published_structure_is_cached_but_essential_flags_and_status_are_read_every_time(district):
    """Posting results keeps a published assessment's structure per process (it cannot change); what can
    change after publishing (essential flags, closing) must still show in the very next post."""
    from assessments.catalog.service import STRUCTURES

    a = await district.assessment()
    s1, s2 = a["standards"]

    async def post(student: str) -> dict:
        body = {"assessment_id": a["id"], "student_id": student, "item_scores": {"Q1": 5, "Q3": 2}}
        return await district.put("/assessments/results", body)

    first = await post(district.students[0])
    assert {s["standard_id"]: s["essential"] for s in first.json()["standard_scores"]} == {
        s1: False,
        s2: False,
    }
    assert any(key[1] == a["id"] for key in STRUCTURES)  # the next posts use the cached structure
    marked = await district.http.put(
        f"/assessments/standards/{s2}/essential", json={"scope": "grade", "value": "04"}, headers=district.sis
    )
    assert marked.status_code == 200
    second = await post(district.students[1])
    assert {s["standard_id"]: s["essential"] for s in second.json()["standard_scores"]} == {
        s1: False,
        s2: True,
    }
    assert (await district.post(f"/assessments/assessments/{a['id']}/close")).status_code == 200
    refused = await post(district.students[2])
    assert refused.status_code == 422 and "closed" in refused.json()["errors"][0]["reason"]


async def test_a_sourced_id_sent_twice_in_one_upsert_is_a_row_error_not_a_500(district):
    school = district.schools[0]
    records = [
        {"sourced_id": "twice", "school_ids": [school], "given_name": "First"},
        {"sourced_id": "once", "school_ids": [school]},
        {"sourced_id": "twice", "school_ids": [school], "given_name": "Second"},
    ]
    response = await district.put("/assessments/roster/students", {"records": records})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "kind": "students",
        "upserted": 2,
        "rejected": [{"index": 2, "field": "sourced_id", "reason": "repeats record 0"}],
    }


async def test_codes_at_the_id_limit_make_longer_derived_ids_that_read_back(district):
    """Found by the fuzzer (a 500): an objective's and an item's id join the assessment's id and their codes,
    each within the 255-character id limit; the whole is longer and must still read back."""
    code, child = "o" * 255, "c" * 255
    body = {
        "title": "Long codes",
        "kind": "common_formative",
        "max_score": 10,
        "proficiency_cut": 70,
        "mastery_cut": 90,
        "objectives": [{"code": code, "max_points": 10, "objectives": [{"code": child, "max_points": 5}]}],
        "items": [{"code": "i" * 255, "max_points": 10, "objective_code": child}],
    }
    made = await district.post("/assessments/assessments", body)
    assert made.status_code == 201, made.text
    objectives = {o["code"]: o for o in made.json()["objectives"]}
    assert objectives[child]["parent_id"] == objectives[code]["id"] and len(objectives[child]["id"]) > 255
    assert made.json()["items"][0]["objective_id"] == objectives[child]["id"]
